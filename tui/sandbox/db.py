"""SQLite storage for the sandbox: one file under the data directory, WAL, real transactions.

Each sandbox module declares its own tables as a ``SCHEMA`` string; :class:`Database` applies
them all when it opens, so the store is created on first start and reused after a restart.
Every write goes through :meth:`Database.transaction`, which holds ``BEGIN IMMEDIATE`` so two
concurrent publishes to one gateway are serialised and a failure rolls back completely.
Reads outside a transaction use a connection of their own thread (WAL lets readers and the
one writer run side by side), so a long publish in a worker thread never makes a request on
the event loop wait for the write lock.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

# Tables shared by several modules (portal, gwa-api, data plane, keycloak) live here.
CORE_SCHEMA = """
CREATE TABLE IF NOT EXISTS gateways (
    gateway_id   TEXT PRIMARY KEY,
    display_name TEXT NOT NULL,
    owner        TEXT NOT NULL,
    created_at   REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS permissions (
    gateway_id TEXT NOT NULL REFERENCES gateways(gateway_id) ON DELETE CASCADE,
    username   TEXT NOT NULL,
    scope      TEXT NOT NULL,
    PRIMARY KEY (gateway_id, username, scope)
);
-- Kong objects published through gwa-api, one row per GatewayService with its routes and
-- plugins nested in ``doc`` (decK shape, JSON). ``id`` is the Kong service UUID.
CREATE TABLE IF NOT EXISTS kong_services (
    gateway_id TEXT NOT NULL,
    name       TEXT NOT NULL,
    id         TEXT NOT NULL,
    doc        TEXT NOT NULL,
    PRIMARY KEY (gateway_id, name)
);
-- Kong consumers with access to a product environment (custom_id = client id = token azp),
-- and the shared-IdP client each one authenticates with.
CREATE TABLE IF NOT EXISTS consumers (
    client_id           TEXT PRIMARY KEY,
    gateway_id          TEXT NOT NULL,
    environment_app_id  TEXT NOT NULL,
    application_app_id  TEXT NOT NULL,
    client_secret       TEXT NOT NULL,
    audience            TEXT NOT NULL,
    kong_consumer_id    TEXT NOT NULL,
    labels              TEXT NOT NULL DEFAULT '{}',
    created_at          REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS signing_keys (
    realm TEXT PRIMARY KEY,
    kid   TEXT NOT NULL,
    pem   TEXT NOT NULL
);
"""


class Database:
    """A thread-safe SQLite connection with schema registration and transactions."""

    def __init__(self, path: Path | str, schemas: Iterable[str] = ()) -> None:
        self.path = str(path)
        self._lock = threading.RLock()
        self._conn = sqlite3.connect(
            self.path, check_same_thread=False, isolation_level=None, timeout=30
        )
        self._conn.row_factory = sqlite3.Row
        self._writer: int | None = None  # the thread inside transaction(), if any
        self._readers = threading.local()
        # Each thread's read connection with its own lock: a query holds it, and close()
        # takes it before closing that connection. Closing a connection while another thread
        # runs a statement on it crashes the process (seen: the warm-up thread still reading
        # when a quickly stopped sandbox closed its database).
        self._read_conns: list[tuple[sqlite3.Connection, threading.Lock]] = []
        self._closed = False
        with self._lock:
            if self.path != ":memory:":
                self._conn.execute("PRAGMA journal_mode=WAL")
                # No fsync per commit (WAL syncs at checkpoints): a commit on the event loop
                # then costs microseconds, not a disk flush that stalls every learner on a
                # busy disk. The file stays consistent; only a power cut can lose the last few.
                self._conn.execute("PRAGMA synchronous=NORMAL")
            self._conn.execute("PRAGMA foreign_keys=ON")
            self._conn.execute("PRAGMA busy_timeout=30000")
            self._conn.executescript(CORE_SCHEMA)
            for schema in schemas:
                self._conn.executescript(schema)

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """Run a block atomically: commit on success, roll back on any exception."""
        with self._lock:
            outer, self._writer = self._writer, threading.get_ident()
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield self._conn
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            else:
                self._conn.execute("COMMIT")
            finally:
                self._writer = outer

    def _reader(self) -> tuple[sqlite3.Connection, threading.Lock] | None:
        """This thread's read connection and its lock; None inside a transaction (it must see
        its own writes) or for an in-memory database (another connection would be another DB)."""
        if self.path == ":memory:" or self._writer == threading.get_ident():
            return None
        entry = getattr(self._readers, "entry", None)
        if entry is None:
            with self._lock:
                if self._closed:
                    raise sqlite3.ProgrammingError("Cannot operate on a closed database.")
                conn = sqlite3.connect(
                    self.path, check_same_thread=False, isolation_level=None, timeout=30
                )
                conn.row_factory = sqlite3.Row
                conn.execute("PRAGMA busy_timeout=30000")
                entry = (conn, threading.Lock())
                self._read_conns.append(entry)
            self._readers.entry = entry
        return entry

    def query(self, sql: str, params: Iterable[Any] = ()) -> list[sqlite3.Row]:
        reader = self._reader()
        if reader is not None:
            conn, lock = reader
            with lock:  # a closed connection raises ProgrammingError here, never crashes
                return conn.execute(sql, tuple(params)).fetchall()
        with self._lock:
            return self._conn.execute(sql, tuple(params)).fetchall()

    def query_one(self, sql: str, params: Iterable[Any] = ()) -> sqlite3.Row | None:
        reader = self._reader()
        if reader is not None:
            conn, lock = reader
            with lock:
                return conn.execute(sql, tuple(params)).fetchone()
        with self._lock:
            return self._conn.execute(sql, tuple(params)).fetchone()

    def close(self) -> None:
        with self._lock:
            self._closed = True
            for conn, lock in self._read_conns:
                with lock:  # waits for a statement another thread is running on it
                    conn.close()
            self._read_conns.clear()
            self._conn.close()


def dumps(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), sort_keys=False)
