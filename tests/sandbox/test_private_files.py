"""The data directory is private (0700, files 0600) and consumer secrets are kept as digests."""

from __future__ import annotations

import os
import sqlite3
import stat
import time
from pathlib import Path

import httpx

from tests.sandbox.kong_fixtures import new_gateway_id
from tests.sandbox.portal_kit import (
    client,
    issue_consumer,
    new_gateway,
    service_name,
    tutorial,
    user,
)
from tests.sandbox_kit import start_sandbox
from tui.sandbox import client_secrets


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_data_dir_is_0700_and_every_file_0600_with_wal_and_shm(tmp_path: Path) -> None:
    data = tmp_path / "sandbox"
    server = start_sandbox(data)
    try:
        # a write, so the WAL and shared-memory files exist
        with server.ctx.db.transaction() as conn:
            conn.execute(
                "INSERT INTO gateways(gateway_id, display_name, owner, created_at) VALUES (?,?,?,?)",
                (new_gateway_id(), "perm test", "kim", time.time()),
            )
        names = sorted(p.name for p in data.iterdir())
        assert {"sandbox.sqlite3", "sandbox.sqlite3-wal", "sandbox.sqlite3-shm"} <= set(names)
        assert mode(data) == 0o700
        assert {p.name: mode(p) for p in data.iterdir()} == {n: 0o600 for n in names}
    finally:
        server.stop()


def test_an_old_world_readable_store_is_tightened_on_start(tmp_path: Path) -> None:
    data = tmp_path / "sandbox"
    data.mkdir(mode=0o755)
    os.chmod(data, 0o755)
    old = data / "sandbox.sqlite3"
    sqlite3.connect(old).close()
    os.chmod(old, 0o644)
    server = start_sandbox(data)
    try:
        assert mode(data) == 0o700
        assert all(mode(p) == 0o600 for p in data.iterdir())
    finally:
        server.stop()


def test_plain_consumer_secrets_from_an_older_store_become_digests(tmp_path: Path) -> None:
    data = tmp_path / "sandbox"
    server = start_sandbox(data)
    with server.ctx.db.transaction() as conn:
        conn.execute(
            "INSERT INTO consumers(client_id, gateway_id, environment_app_id, application_app_id,"
            " client_secret, audience, kong_consumer_id, labels, created_at)"
            " VALUES ('AAAA1111-BBBBBBBBBBB','gw-old','AAAA1111','BBBBBBBBBBB',"
            " 'plain-old-secret','ap-gw-old-default-dev','k','{}',0)"
        )
    server.stop()
    server = start_sandbox(data)
    try:
        row = server.ctx.db.query_one("SELECT client_secret FROM consumers")
        assert row["client_secret"] == client_secrets.digest("plain-old-secret")
        token = httpx.post(
            server.ctx.shared_idp_token_endpoint,
            data={
                "client_id": "AAAA1111-BBBBBBBBBBB",
                "client_secret": "plain-old-secret",
                "grant_type": "client_credentials",
            },
        )
        assert token.status_code == 200, token.text
    finally:
        server.stop()


def test_an_issued_secret_is_shown_once_and_never_stored(tmp_path: Path) -> None:
    server = start_sandbox(tmp_path / "sandbox")
    try:
        with client(server, user("hash")) as c:
            gw = new_gateway(c)
            product = tutorial(c, gw, service_name(), server.info.upstream_url)
            issued = issue_consumer(c, gw, product["environments"][0]["appId"])
            assert issued.status_code == 201, issued.text
            secret = issued.json()["clientSecret"]
            listed = c.get(f"/ds/api/v3/gateways/{gw}/consumers")
            assert secret not in listed.text
        raw = b"".join(p.read_bytes() for p in (tmp_path / "sandbox").iterdir())
        assert secret.encode() not in raw
        assert client_secrets.digest(secret).encode() in raw
    finally:
        server.stop()
