"""SecretStore: keyring when one works, memory when none does (never plain text silently), an
owner-only file only on request, and no value ever in a repr."""

from __future__ import annotations

import json
import os
import stat

import keyring.errors
from keyring.backend import KeyringBackend

from tui.services.secrets import (
    SecretStore,
    access_token_name,
    client_secret_name,
    refresh_token_name,
)


class DictKeyring(KeyringBackend):
    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.data: dict[tuple[str, str], str] = {}

    def get_password(self, service, username):
        return self.data.get((service, username))

    def set_password(self, service, username, password):
        self.data[(service, username)] = password

    def delete_password(self, service, username):
        if (service, username) not in self.data:
            raise keyring.errors.PasswordDeleteError("not found")
        del self.data[(service, username)]


class LockedKeyring(DictKeyring):
    def set_password(self, service, username, password):
        raise keyring.errors.KeyringLocked("locked")

    def get_password(self, service, username):
        raise keyring.errors.KeyringLocked("locked")


def test_names() -> None:
    assert access_token_name("h:1") == "h:1:access_token"
    assert refresh_token_name("h") == "h:refresh_token"
    assert client_secret_name("h", "abc-def") == "h:client_secret:abc-def"


async def test_fail_keyring_means_memory_for_this_run(tmp_path) -> None:
    store = SecretStore()  # conftest selects keyring.backends.fail.Keyring
    assert store.backend == "memory" and not store.keyring_available()
    assert "keyring" in store.fallback_reason.lower()
    await store.set("h:access_token", "tok-secret")
    assert await store.get("h:access_token") == "tok-secret"
    await store.delete("h:access_token")
    assert await store.get("h:access_token") is None
    # nothing was written anywhere under the isolated home
    home = os.environ["HOME"]
    for root, _, files in os.walk(home):
        for name in files:
            with open(os.path.join(root, name), "rb") as handle:
                assert b"tok-secret" not in handle.read()


async def test_working_keyring_is_used() -> None:
    backend = DictKeyring()
    store = SecretStore(keyring_backend=backend)
    assert store.backend == "keyring" and store.keyring_available()
    await store.set("h:refresh_token", "r-1")
    assert backend.data == {("gwa-wizard", "h:refresh_token"): "r-1"}
    assert await store.get("h:refresh_token") == "r-1"
    await store.delete("h:refresh_token")
    await store.delete("h:refresh_token")  # deleting twice is fine
    assert backend.data == {}


async def test_keyring_failure_switches_to_memory_not_to_disk() -> None:
    store = SecretStore(keyring_backend=LockedKeyring())
    assert store.backend == "keyring"
    await store.set("h:access_token", "tok")
    assert store.backend == "memory"
    assert "KeyringLocked" in store.fallback_reason
    assert await store.get("h:access_token") == "tok"


async def test_owner_only_file_when_chosen(tmp_path) -> None:
    store = SecretStore()
    await store.set("h:access_token", "in-memory-first")
    path = tmp_path / "dir" / "secrets.json"
    store.use_file(path)
    assert store.backend == "file" and store.file_path == path
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    await store.set("h:client_secret:c1", "csc")
    data = json.loads(path.read_text())
    assert data == {"h:access_token": "in-memory-first", "h:client_secret:c1": "csc"}
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    await store.delete("h:access_token")
    assert json.loads(path.read_text()) == {"h:client_secret:c1": "csc"}
    # a new run that chooses the same file reads it back
    again = SecretStore()
    again.use_file(path)
    assert await again.get("h:client_secret:c1") == "csc"
    assert [p.name for p in path.parent.iterdir()] == ["secrets.json"]  # no temp files left


async def test_repr_never_shows_values() -> None:
    store = SecretStore()
    await store.set("h:access_token", "very-secret-value")
    assert "very-secret-value" not in repr(store) and "very-secret-value" not in str(store)


async def test_a_chosen_file_is_used_again_at_the_next_start(tmp_path) -> None:
    path = tmp_path / "secrets.json"
    first = SecretStore()
    first.use_file(path)
    await first.set("h:access_token", "tok")
    path.chmod(0o644)  # something loosened it meanwhile
    again = SecretStore()
    assert again.resume_file(path) is True
    assert again.backend == "file" and await again.get("h:access_token") == "tok"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


async def test_no_file_no_resume(tmp_path) -> None:
    store = SecretStore()
    assert store.resume_file(tmp_path / "secrets.json") is False
    assert store.backend == "memory" and not (tmp_path / "secrets.json").exists()


async def test_forget_file_deletes_it_and_keeps_only_this_runs_login(tmp_path) -> None:
    path = tmp_path / "secrets.json"
    store = SecretStore()
    store.use_file(path)
    await store.set("h:access_token", "tok")
    await store.set("h:client_secret:c1", "revoked-secret")
    assert store.forget_file(keep=("h:access_token",)) == path
    assert not path.exists()
    assert store.backend == "memory"
    assert await store.get("h:access_token") == "tok"
    assert await store.get("h:client_secret:c1") is None
    assert store.forget_file() is None  # nothing left to delete
