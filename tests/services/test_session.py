"""The learner's progress file: saved atomically, owner-only, read back safely."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest

from tui.services.session import SESSION_VERSION, Session, SessionStore


def saved(tmp_path: Path, username: str = "janis") -> SessionStore:
    store = SessionStore(tmp_path / "state" / "session.json")
    store.save(Session(username=username, gateway_id="gw-1a2b3", steps_done=["target"]))
    return store


def test_a_saved_session_loads_back_the_same(tmp_path: Path) -> None:
    store = saved(tmp_path)
    loaded = store.load()
    assert loaded is not None
    assert (loaded.username, loaded.gateway_id, loaded.steps_done) == (
        "janis",
        "gw-1a2b3",
        ["target"],
    )


def test_session_save_is_atomic(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A save that fails half way (disk full, Ctrl+Q) leaves the previous session intact."""
    store = saved(tmp_path, "before")

    def disk_full(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", disk_full)
    with pytest.raises(OSError):
        store.save(Session(username="after"))
    loaded = store.load()
    assert loaded is not None and loaded.username == "before"


def test_a_failed_save_leaves_no_temporary_file_behind(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = saved(tmp_path)

    def refuse(src: str, dst: str) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(os, "replace", refuse)
    with pytest.raises(PermissionError):
        store.save(Session(username="after"))
    assert sorted(p.name for p in store.path.parent.iterdir()) == ["session.json"]


def test_a_save_replaces_the_file_and_leaves_nothing_beside_it(tmp_path: Path) -> None:
    store = saved(tmp_path)
    store.save(Session(username="second"))
    assert sorted(p.name for p in store.path.parent.iterdir()) == ["session.json"]
    assert json.loads(store.path.read_text())["username"] == "second"


def test_the_session_file_is_owner_only(tmp_path: Path) -> None:
    store = saved(tmp_path)
    assert stat.S_IMODE(store.path.stat().st_mode) == 0o600


@pytest.mark.parametrize(
    "content",
    ["", "{not json", "[1, 2]", json.dumps({"version": SESSION_VERSION + 1, "username": "x"})],
)
def test_an_unreadable_or_foreign_session_file_is_ignored(tmp_path: Path, content: str) -> None:
    path = tmp_path / "session.json"
    path.write_text(content)
    assert SessionStore(path).load() is None


def test_fields_of_a_newer_wizard_are_ignored_not_fatal(tmp_path: Path) -> None:
    path = tmp_path / "session.json"
    path.write_text(json.dumps({"version": SESSION_VERSION, "username": "j", "later_field": 1}))
    loaded = SessionStore(path).load()
    assert loaded is not None and loaded.username == "j"


def test_a_missing_session_file_means_a_fresh_start_and_clear_is_idempotent(tmp_path: Path) -> None:
    store = saved(tmp_path)
    store.clear()
    assert store.load() is None and not store.path.exists()
    store.clear()  # nothing to clear: no error


def test_progress_bookkeeping() -> None:
    s = Session(host="127.0.0.1:8460", scheme="http")
    s.mark_done("target")
    s.mark_done("target")
    s.mark_done("login")
    s.unmark("login")
    assert s.steps_done == ["target"]
    s.add_time("target", 1.0004)
    s.add_time("target", 2.0)
    assert s.step_seconds == {"target": 3.0}
    s.record_answer({"question": "q1", "answer": "a"})
    s.record_answer({"question": "q1", "answer": "b"})
    assert s.answers == [{"question": "q1", "answer": "b"}]
    assert s.base_url == "http://127.0.0.1:8460" and Session().base_url == ""
