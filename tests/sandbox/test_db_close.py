"""Stopping a sandbox closes its database while other threads may still be reading it."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# Readers in several threads query as fast as they can while the database is closed under
# them, many times over. Run in a process of its own: the bug this pins crashed the process
# (a segmentation fault in SQLite), which would take a test worker down with it.
RACE = textwrap.dedent(
    """
    import sqlite3, sys, threading
    from tui.sandbox.db import Database

    refused = 0
    for round in range(40):
        db = Database(sys.argv[1] + f"/race-{round}.sqlite3", ["CREATE TABLE t (x INTEGER);"])
        with db.transaction() as conn:
            conn.executemany("INSERT INTO t VALUES (?)", [(i,) for i in range(200)])
        go = threading.Barrier(5)

        def read():
            global refused
            go.wait()
            try:
                while True:
                    db.query("SELECT x FROM t ORDER BY x DESC")
                    db.query_one("SELECT count(*) FROM t")
            except sqlite3.ProgrammingError:  # the database is closed: the expected end
                refused += 1

        threads = [threading.Thread(target=read, daemon=True) for _ in range(4)]
        for t in threads:
            t.start()
        go.wait()
        db.close()
        for t in threads:
            t.join(10)
            assert not t.is_alive(), "a reader never noticed the database was closed"
    print("refused", refused)
    """
)


def test_closing_the_database_while_threads_read_ends_their_reads_without_a_crash(
    tmp_path: Path,
) -> None:
    done = subprocess.run(
        [sys.executable, "-c", RACE, str(tmp_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, (done.returncode, done.stderr[-2000:])
    assert done.stdout.split() == ["refused", str(40 * 4)]
