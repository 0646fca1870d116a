"""The wizard's side of the embedded sandbox, which runs as a process of its own.

:meth:`EmbeddedSandbox.launch` starts ``python -m tui.sandbox.child`` at once (it costs a
few milliseconds here), so the sandbox boots on the other core while the wizard imports
Textual; :meth:`wait_ready` (blocking: call it from a thread) returns the sandbox's
addresses once it serves. :meth:`stop` closes the child's stdin, which ends it. Standard
library only: importing this module must stay cheap.
"""

from __future__ import annotations

import contextlib
import json
import os
import queue
import subprocess
import sys
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .options import WizardOptions

READY_TIMEOUT = 60.0  # a first launch on a slow, busy machine can take many seconds


class SandboxStartError(Exception):
    """The sandbox process reported an error or ended before it served."""


@dataclass(frozen=True)
class SandboxAddresses:
    portal_url: str
    portal_host: str
    data_plane_port: int
    upstream_url: str
    login_issuer: str
    # Saved ports another program held (dicts of tui.sandbox.ports.PortMove's fields), and
    # the published services re-pointed at the new upstream port.
    moved: tuple[dict[str, Any], ...] = ()
    repaired: tuple[str, ...] = ()


class EmbeddedSandbox:
    def __init__(self, process: subprocess.Popen[bytes], data_dir: Path) -> None:
        self.process = process
        self.data_dir = data_dir
        self.bound: dict[str, int] = {}  # listener name -> port, once ready
        self.info: SandboxAddresses | None = None
        self._lines: queue.Queue[dict[str, Any] | None] = queue.Queue()
        assert process.stdout is not None
        threading.Thread(
            target=self._read, args=(process.stdout,), name="gwa-sandbox-pipe", daemon=True
        ).start()

    @classmethod
    def launch(
        cls,
        data_dir: Path,
        *,
        host: str = "127.0.0.1",
        ports: dict[str, int] | None = None,
        keep_ports: bool = True,
    ) -> EmbeddedSandbox:
        """Start the sandbox process on ``data_dir`` and return at once. Ports 0 pick free
        ones; with ``keep_ports`` it asks for last launch's first (``tui/sandbox/ports.py``)."""
        data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)  # private, as the sandbox keeps it
        config: dict[str, Any] = {"data_dir": str(data_dir), "host": host}
        config |= {"portal_port": 0, "data_plane_port": 0, "upstream_port": 0}
        config["keep_ports"] = keep_ports
        config["warm_up_later"] = True  # after the wizard's first check: see warm_up()
        for name, port in (ports or {}).items():
            config[f"{name}_port"] = port
        env = dict(os.environ)
        root = str(Path(__file__).resolve().parents[1])  # where the tui package lives
        env["PYTHONPATH"] = os.pathsep.join(p for p in (root, env.get("PYTHONPATH")) if p)
        log_fd = os.open(data_dir / "sandbox.log", os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        with os.fdopen(log_fd, "ab") as log:
            process = subprocess.Popen(
                [sys.executable, "-m", "tui.sandbox.child", json.dumps(config)],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=log,
                env=env,
                close_fds=True,
            )
        return cls(process, data_dir)

    def _read(self, stream: IO[bytes]) -> None:
        for line in stream:
            with contextlib.suppress(ValueError):
                message = json.loads(line)
                if isinstance(message, dict):
                    self._lines.put(message)
        self._lines.put(None)  # the process ended

    def wait_ready(self, timeout: float = READY_TIMEOUT) -> SandboxAddresses:
        """Block until the sandbox serves; its addresses. Raises SandboxStartError."""
        while self.info is None:
            try:
                message = self._lines.get(timeout=timeout)
            except queue.Empty:
                raise SandboxStartError(f"it did not answer within {timeout:.0f} s") from None
            if message is None:
                raise SandboxStartError(self._ended())
            if "error" in message:
                raise SandboxStartError(str(message["error"]))
            if "ready" in message:
                ready = message["ready"]
                self.bound = {str(k): int(v) for k, v in (message.get("bound") or {}).items()}
                self.info = SandboxAddresses(
                    portal_url=ready["portal_url"],
                    portal_host=ready["portal_host"],
                    data_plane_port=int(ready["data_plane_port"]),
                    upstream_url=ready["upstream_url"],
                    login_issuer=ready["login_issuer"],
                    moved=tuple(ready.get("moved") or ()),
                    repaired=tuple(ready.get("repaired") or ()),
                )
        return self.info

    def warm_up(self) -> None:
        """Let the sandbox do its first-use work now (the wizard's first check is done); it
        does it by itself a few seconds after serving otherwise."""
        stdin = self.process.stdin
        if stdin is None or self.process.poll() is not None:
            return
        with contextlib.suppress(OSError, ValueError):  # ended or closed meanwhile
            stdin.write(b"warm-up\n")
            stdin.flush()

    def _ended(self) -> str:
        code = self.process.wait()
        log = self.data_dir / "sandbox.log"
        lines: list[str] = []
        with contextlib.suppress(OSError):
            lines = log.read_text(errors="replace").strip().splitlines()
        tail = lines[-1] if lines else ""
        return f"it stopped (exit code {code}){': ' + tail if tail else ''}; see {log}"

    @property
    def database_path(self) -> Path:
        return self.data_dir / "sandbox.sqlite3"

    def stop(self, timeout: float = 10.0) -> None:
        """End the sandbox process: close its stdin, wait, then terminate if it lingers."""
        process = self.process
        if process.poll() is None and process.stdin is not None:
            with contextlib.suppress(OSError):
                process.stdin.close()
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.terminate()
            try:
                process.wait(3)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        if process.stdout is not None:
            process.stdout.close()


def launch_for(options: WizardOptions) -> EmbeddedSandbox | None:
    """The embedded sandbox the wizard needs for ``options`` (none with ``--host``), started
    now; called before Textual is imported so the two boot side by side."""
    if options.host:
        return None
    return EmbeddedSandbox.launch(options.resolved_data_dir)
