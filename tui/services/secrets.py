"""Where tokens and client secrets live: the OS keyring, else memory for this run.

Keyring calls block (D-Bus, Keychain), so they run in a thread. When no keyring works (a
headless Linux box has ``keyring.backends.fail.Keyring``; a locked or broken one raises
``KeyringError``), the store switches to memory for the rest of the run and says so through
``backend`` and ``fallback_reason``: it never writes plain text silently. Only when the learner
chooses it does :meth:`SecretStore.use_file` keep secrets in an owner-only (0600) JSON file.

Names: ``"<host>:access_token"``, ``"<host>:refresh_token"``,
``"<host>:client_secret:<client_id>"``. Values are never printed or logged.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from pathlib import Path
from typing import Any

from .private_file import read_text_map, write_text_map

# ``keyring`` itself is imported on first use (``_keyring_module``): loading it and its
# backends costs about 0.1 s, which the wizard spends after its first step is on screen
# (:func:`warm_up` from a thread) rather than before.

SERVICE_NAME = "gwa-wizard"


def access_token_name(host: str) -> str:
    return f"{host}:access_token"


def refresh_token_name(host: str) -> str:
    return f"{host}:refresh_token"


def client_secret_name(host: str, client_id: str) -> str:
    return f"{host}:client_secret:{client_id}"


def _keyring_module() -> Any:
    import keyring
    import keyring.errors  # noqa: F401 (the error classes caught below)

    return keyring


def warm_up() -> None:
    """Load the keyring backend now (blocking, ~0.1 s the first time: it probes D-Bus or the
    Keychain). Call it from a thread at start-up so constructing a SecretStore on the event
    loop later costs nothing."""
    with contextlib.suppress(Exception):  # a broken setup is reported by SecretStore itself
        _keyring_module().get_keyring()


def _backend_usable(backend: Any) -> bool:
    module = type(backend).__module__
    name = type(backend).__name__
    if module.endswith(".fail") or module.endswith(".null"):
        return False
    if name == "ChainerBackend":
        return bool(getattr(backend, "backends", []))
    return True


class SecretStore:
    """Async get/set/delete of named secrets. ``backend`` is keyring, memory or file."""

    def __init__(self, *, keyring_backend: Any = None, service: str = SERVICE_NAME) -> None:
        self.service = service
        self._keyring = keyring_backend
        self._memory: dict[str, str] = {}
        self._file: Path | None = None
        self._fallback_reason = ""
        # Which backend is decided on first use (the keyring probe can take 0.1 s), so a
        # store is free to construct on the event loop at start-up.
        self._backend: str | None = None

    def __repr__(self) -> str:
        return f"SecretStore(backend={self.backend!r}, names={len(self._memory)} in memory)"

    # -- backend selection ------------------------------------------------------------------
    @property
    def backend(self) -> str:
        """``keyring``, ``memory`` or ``file``."""
        if self._backend is None:
            self._backend = "keyring" if self.keyring_available() else "memory"
            if self._backend == "memory" and not self._fallback_reason:
                self._fallback_reason = "No usable keyring on this system."
        return self._backend

    @backend.setter
    def backend(self, value: str) -> None:
        self._backend = value

    @property
    def fallback_reason(self) -> str:
        """Why secrets are kept in memory (empty when they are not)."""
        _ = self.backend  # decides it, and the reason with it
        return self._fallback_reason

    @fallback_reason.setter
    def fallback_reason(self, value: str) -> None:
        self._fallback_reason = value

    def _kr(self) -> Any:
        return self._keyring if self._keyring is not None else _keyring_module().get_keyring()

    def keyring_available(self) -> bool:
        """True when an OS keyring that can store secrets is configured."""
        try:
            return _backend_usable(self._kr())
        except Exception as exc:  # a broken keyring configuration is "not available"
            self.fallback_reason = f"The keyring could not be loaded ({type(exc).__name__})."
            return False

    def _fall_back(self, exc: BaseException) -> None:
        self.backend = "memory"
        self.fallback_reason = (
            f"The keyring failed ({type(exc).__name__}); secrets are kept in memory for this run."
        )

    def use_file(self, path: Path | str) -> None:
        """Keep secrets in an owner-only JSON file (only when the learner chooses this).

        Secrets already held in memory are moved into the file.
        """
        self._file = Path(path).expanduser()
        existing = self._read_file()
        existing.update(self._memory)
        self._memory.clear()
        self._write_file(existing)
        self.backend = "file"
        self.fallback_reason = ""

    def resume_file(self, path: Path | str) -> bool:
        """At start-up: use the owner-only file again if the learner chose it in an earlier run.

        True when the file exists and is now the backend. Its mode is put back to 0600 should
        something have loosened it.
        """
        candidate = Path(path).expanduser()
        if not candidate.is_file():
            return False
        with contextlib.suppress(OSError):
            os.chmod(candidate, 0o600)
        self._file = candidate
        self.backend = "file"
        self.fallback_reason = ""
        return True

    def forget_file(self, *, keep: tuple[str, ...] = ()) -> Path | None:
        """Clean up: delete the owner-only file; the path deleted, or None if there was none.

        Names in ``keep`` (e.g. this run's login tokens) move to memory for the rest of the
        run; everything else in the file (tokens of other runs, revoked client secrets) is
        gone. The store then works in memory, as when no keyring works.
        """
        path = self._file
        if path is None:
            return None
        data = self._read_file()
        self._memory.update({name: data[name] for name in keep if name in data})
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
        self._file = None
        self.backend = "keyring" if self.keyring_available() else "memory"
        return path

    def use_memory(self) -> None:
        self.backend = "memory"

    @property
    def file_path(self) -> Path | None:
        return self._file if self.backend == "file" else None

    # -- operations -------------------------------------------------------------------------
    async def set(self, name: str, value: str) -> None:
        if self.backend == "keyring":
            errors = _keyring_module().errors
            try:
                await asyncio.to_thread(self._kr().set_password, self.service, name, value)
                return
            except errors.KeyringError as exc:
                self._fall_back(exc)
        if self.backend == "file":
            await asyncio.to_thread(self._file_set, name, value)
            return
        self._memory[name] = value

    async def get(self, name: str) -> str | None:
        if self.backend == "keyring":
            errors = _keyring_module().errors
            try:
                return await asyncio.to_thread(self._kr().get_password, self.service, name)
            except errors.KeyringError as exc:
                self._fall_back(exc)
        if self.backend == "file":
            return (await asyncio.to_thread(self._read_file)).get(name)
        return self._memory.get(name)

    async def delete(self, name: str) -> None:
        if self.backend == "keyring":
            errors = _keyring_module().errors
            try:
                await asyncio.to_thread(self._kr().delete_password, self.service, name)
            except errors.PasswordDeleteError:
                pass  # nothing stored under that name
            except errors.KeyringError as exc:
                self._fall_back(exc)
        if self.backend == "file":
            await asyncio.to_thread(self._file_delete, name)
        self._memory.pop(name, None)

    # -- file backend -----------------------------------------------------------------------
    def _read_file(self) -> dict[str, str]:
        return {} if self._file is None else read_text_map(self._file)

    def _write_file(self, data: dict[str, str]) -> None:
        assert self._file is not None
        self._file.parent.mkdir(parents=True, exist_ok=True)
        write_text_map(self._file, data, prefix=".secrets-")

    def _file_set(self, name: str, value: str) -> None:
        data = self._read_file()
        data[name] = value
        self._write_file(data)

    def _file_delete(self, name: str) -> None:
        data = self._read_file()
        if data.pop(name, None) is not None:
            self._write_file(data)
