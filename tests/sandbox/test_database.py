"""The sandbox's store: a block inside ``transaction()`` reads its own writes before they are
committed, other threads see them after the commit, and a failing block leaves nothing
behind; an in-memory store works the same way."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from tui.sandbox.db import Database

SCHEMA = "CREATE TABLE IF NOT EXISTS notes (id INTEGER PRIMARY KEY, text TEXT NOT NULL);"


def _from_another_thread(db: Database) -> list[str]:
    seen: list[str] = []
    reader = threading.Thread(
        target=lambda: seen.extend(r["text"] for r in db.query("SELECT text FROM notes"))
    )
    reader.start()
    reader.join(15)
    assert not reader.is_alive(), "the other thread's read did not finish"
    return seen


@pytest.mark.parametrize("where", ["file", "memory"])
def test_a_transaction_reads_its_own_writes_and_others_see_them_after_commit(
    tmp_path: Path, where: str
) -> None:
    db = Database(tmp_path / "store.sqlite3" if where == "file" else ":memory:", [SCHEMA])
    try:
        with db.transaction() as conn:
            conn.execute("INSERT INTO notes(text) VALUES ('draft')")
            assert db.query_one("SELECT text FROM notes")["text"] == "draft"
            assert [r["text"] for r in db.query("SELECT text FROM notes")] == ["draft"]
        assert _from_another_thread(db) == ["draft"]
    finally:
        db.close()


def test_a_failing_transaction_leaves_nothing_behind(tmp_path: Path) -> None:
    db = Database(tmp_path / "store.sqlite3", [SCHEMA])
    try:
        with pytest.raises(RuntimeError), db.transaction() as conn:
            conn.execute("INSERT INTO notes(text) VALUES ('half done')")
            raise RuntimeError("the handler failed midway")
        assert db.query("SELECT text FROM notes") == []
        assert _from_another_thread(db) == []
    finally:
        db.close()
