"""SecretStore: keyring when one works, memory when none does (never plain text silently), an
owner-only file only on request, and no value ever in a repr."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import keyring
import keyring.errors
import pytest
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


async def test_secrets_file_is_never_readable_by_others_even_while_written(
    tmp_path, monkeypatch
) -> None:
    """The file is 0600 from the first byte: the temporary file is owner-only before rename."""
    modes: list[int] = []
    real_replace = os.replace

    def watching_replace(src, dst):
        modes.append(stat.S_IMODE(os.stat(src).st_mode))
        real_replace(src, dst)

    old = os.umask(0o022)  # a usual umask: files would be 0644 unless made owner-only
    try:
        monkeypatch.setattr(os, "replace", watching_replace)
        store = SecretStore()
        path = tmp_path / "secrets.json"
        store.use_file(path)
        await store.set("h:access_token", "tok")
    finally:
        os.umask(old)
    assert modes and all(mode == 0o600 for mode in modes)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


async def test_a_failed_secrets_write_leaves_the_old_file_and_no_temporary_file(
    tmp_path, monkeypatch
) -> None:
    store = SecretStore()
    path = tmp_path / "owner" / "secrets.json"
    store.use_file(path)
    await store.set("h:access_token", "old")

    def disk_full(fd):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", disk_full)
    with pytest.raises(OSError):
        await store.set("h:access_token", "new")
    assert json.loads(path.read_text()) == {"h:access_token": "old"}
    assert [p.name for p in path.parent.iterdir()] == ["secrets.json"]


class ChainerBackend(KeyringBackend):
    """Named as keyring's chainer: usable only when it chains at least one backend."""

    priority = 1  # type: ignore[assignment]

    def __init__(self, backends: list[KeyringBackend]) -> None:
        super().__init__()
        self.backends = backends

    def get_password(self, service, username):
        return None

    def set_password(self, service, username, password):
        pass

    def delete_password(self, service, username):
        pass


def test_a_null_or_empty_chained_keyring_is_not_usable() -> None:
    from keyring.backends import null

    assert SecretStore(keyring_backend=null.Keyring()).backend == "memory"
    assert SecretStore(keyring_backend=ChainerBackend([])).backend == "memory"
    assert SecretStore(keyring_backend=ChainerBackend([DictKeyring()])).backend == "keyring"


def test_the_learner_is_told_why_secrets_stay_in_memory() -> None:
    assert SecretStore().fallback_reason == "No usable keyring on this system."
    assert SecretStore(keyring_backend=DictKeyring()).fallback_reason == ""


def test_a_keyring_that_cannot_even_load_is_reported_by_its_error(monkeypatch) -> None:
    def broken():
        raise RuntimeError("no D-Bus")

    monkeypatch.setattr(keyring, "get_keyring", broken)
    store = SecretStore()
    assert store.backend == "memory" and not store.keyring_available()
    assert store.fallback_reason == "The keyring could not be loaded (RuntimeError)."


async def test_a_keyring_failing_on_read_or_delete_falls_back_and_says_which_error() -> None:
    store = SecretStore(keyring_backend=LockedKeyring())
    assert await store.get("h:access_token") is None
    assert store.backend == "memory" and "(KeyringLocked)" in store.fallback_reason

    class DeleteLocked(DictKeyring):
        def delete_password(self, service, username):
            raise keyring.errors.KeyringLocked("locked")

    other = SecretStore(keyring_backend=DeleteLocked())
    await other.delete("h:access_token")
    assert other.backend == "memory" and "(KeyringLocked)" in other.fallback_reason


async def test_choosing_or_resuming_the_file_clears_the_fallback_message(tmp_path) -> None:
    store = SecretStore()
    store.use_file(tmp_path / "s.json")
    assert store.fallback_reason == ""
    again = SecretStore()
    assert again.resume_file(tmp_path / "s.json") and again.fallback_reason == ""


async def test_forgetting_the_file_goes_back_to_a_working_keyring(tmp_path) -> None:
    store = SecretStore(keyring_backend=DictKeyring())
    store.use_file(tmp_path / "s.json")
    assert store.forget_file() == tmp_path / "s.json"
    assert store.backend == "keyring"
    assert store.forget_file() is None  # no file any more


async def test_a_secrets_file_that_is_not_an_object_reads_as_empty(tmp_path) -> None:
    path = tmp_path / "s.json"
    path.write_text('["h:access_token", "tok"]')
    store = SecretStore()
    assert store.resume_file(path)
    assert await store.get("h:access_token") is None


async def test_the_secrets_file_goes_into_folders_that_do_not_exist_yet(tmp_path) -> None:
    store = SecretStore()
    path = tmp_path / "a" / "b" / "secrets.json"
    store.use_file(path)
    await store.set("h:access_token", "tok")
    assert json.loads(path.read_text()) == {"h:access_token": "tok"}


async def test_the_secrets_temp_file_is_a_hidden_sibling_and_the_file_is_stable_json(
    tmp_path, monkeypatch
) -> None:
    renames = []
    real_replace = os.replace

    def watching(src, dst):
        renames.append((Path(src), Path(dst)))
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", watching)
    store = SecretStore()
    path = tmp_path / "secrets.json"
    store.use_file(path)
    await store.set("b", "2")
    await store.set("a", "1")
    for src, dst in renames:
        assert dst == path and src.parent == path.parent
        assert src.name.startswith(".secrets-") and src.name.endswith(".tmp")
    assert path.read_text() == json.dumps({"a": "1", "b": "2"}, indent=1, sort_keys=True)


async def test_deleting_a_name_that_is_not_in_the_file_rewrites_nothing(
    tmp_path, monkeypatch
) -> None:
    store = SecretStore()
    store.use_file(tmp_path / "s.json")
    await store.set("h:access_token", "tok")
    writes = []
    monkeypatch.setattr(store, "_write_file", lambda data: writes.append(data))
    await store.delete("h:other")
    assert writes == []
    await store.delete("h:access_token")
    assert writes == [{}]


async def test_a_failed_secrets_write_reports_its_own_cause_even_if_clean_up_fails(
    tmp_path, monkeypatch
) -> None:
    store = SecretStore()
    store.use_file(tmp_path / "s.json")

    def refuse(src, dst):
        raise PermissionError(13, "Permission denied")

    def gone(path):
        raise FileNotFoundError(2, "No such file")

    monkeypatch.setattr(os, "replace", refuse)
    monkeypatch.setattr(os, "unlink", gone)
    with pytest.raises(PermissionError):
        await store.set("h:access_token", "tok")


def test_resuming_a_file_whose_mode_cannot_be_fixed_still_uses_it(tmp_path, monkeypatch) -> None:
    path = tmp_path / "s.json"
    path.write_text("{}")

    def not_owner(target, mode):
        raise PermissionError(1, "Operation not permitted")

    monkeypatch.setattr(os, "chmod", not_owner)
    store = SecretStore()
    assert store.resume_file(path) and store.backend == "file"


def test_forgetting_when_no_file_was_chosen_does_nothing() -> None:
    store = SecretStore()
    assert store.forget_file() is None and store.backend == "memory"


def test_forgetting_a_file_someone_already_deleted_is_fine(tmp_path) -> None:
    store = SecretStore()
    path = tmp_path / "s.json"
    store.use_file(path)
    path.unlink()
    assert store.forget_file() == path and store.backend == "memory"


async def test_choosing_memory_keeps_new_secrets_out_of_the_keyring() -> None:
    backend = DictKeyring()
    store = SecretStore(keyring_backend=backend)
    store.use_memory()
    await store.set("h:access_token", "tok")
    assert store.backend == "memory" and backend.data == {}
    assert await store.get("h:access_token") == "tok"


def test_warming_up_a_broken_keyring_never_raises(monkeypatch) -> None:
    from tui.services.secrets import warm_up

    calls = []

    def broken():
        calls.append(1)
        raise RuntimeError("no D-Bus")

    monkeypatch.setattr(keyring, "get_keyring", broken)
    warm_up()  # a broken setup is reported later by SecretStore, not here
    assert calls == [1]
