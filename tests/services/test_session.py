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
    s.add_time("target", 1.23456)
    s.add_time("target", 2.0)
    assert s.step_seconds == {"target": 3.235}  # milliseconds, as the report shows them
    s.record_answer({"question": "q1", "answer": "a"})
    s.record_answer({"question": "q1", "answer": "b"})
    assert s.answers == [{"question": "q1", "answer": "b"}]
    assert s.base_url == "http://127.0.0.1:8460" and Session().base_url == ""


def test_the_session_file_is_saved_into_folders_that_do_not_exist_yet(tmp_path: Path) -> None:
    store = SessionStore(tmp_path / "a" / "b" / "session.json")
    store.save(Session(username="deep"))
    loaded = store.load()
    assert loaded is not None and loaded.username == "deep"


def test_the_session_file_is_stable_readable_json(tmp_path: Path) -> None:
    """Indented, keys sorted: a trainer can read it and two saves of the same session are
    byte-identical (no spurious diffs)."""
    store = saved(tmp_path)
    text = store.path.read_text(encoding="utf-8")
    data = json.loads(text)
    assert text == json.dumps(data, indent=2, sort_keys=True)


def test_the_temporary_file_is_a_hidden_sibling_of_the_session_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Written in the same folder (so the rename is atomic, never a copy across file systems)
    and named ``.session-*.tmp``, so one left by a crash is hidden and recognisable."""
    renames: list[tuple[Path, Path]] = []
    real_replace = os.replace

    def watching(src: str, dst: str) -> None:
        renames.append((Path(src), Path(dst)))
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", watching)
    store = saved(tmp_path)
    [(src, dst)] = renames
    assert dst == store.path and src.parent == dst.parent
    assert src.name.startswith(".session-") and src.name.endswith(".tmp")


def test_a_failed_save_reports_its_own_cause_even_if_the_clean_up_fails(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = saved(tmp_path)

    def refuse(src: str, dst: str) -> None:
        raise PermissionError(13, "Permission denied")

    def gone(path: str) -> None:
        raise FileNotFoundError(2, "No such file")

    monkeypatch.setattr(os, "replace", refuse)
    monkeypatch.setattr(os, "unlink", gone)
    with pytest.raises(PermissionError):
        store.save(Session(username="after"))


def test_a_non_ascii_name_survives_a_save(tmp_path: Path) -> None:
    store = SessionStore(tmp_path / "session.json")
    store.save(Session(username="jānis", gateway_display_name="Jānis’ gateway"))
    loaded = store.load()
    assert loaded is not None and loaded.gateway_display_name == "Jānis’ gateway"
