"""The embedded sandbox's own process (``python -m tui.sandbox.child``), as the wizard runs it.

It says why it could not start (the wizard shows that line with a fix), serves until the
wizard closes its stdin, and then ends cleanly with its ports released.
"""

from __future__ import annotations

import contextlib
import socket
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from tui.embedded_sandbox import EmbeddedSandbox, SandboxStartError


def test_a_port_held_by_another_program_is_reported_as_could_not_listen(tmp_path: Path) -> None:
    with socket.socket() as held:
        held.bind(("127.0.0.1", 0))
        held.listen()
        port = held.getsockname()[1]
        child = EmbeddedSandbox.launch(tmp_path / "data", ports={"portal": port}, keep_ports=False)
        try:
            with pytest.raises(SandboxStartError) as caught:
                child.wait_ready()
        finally:
            child.stop()
    assert str(caught.value).startswith("could not listen or write its files: ")
    assert "Address already in use" in str(caught.value)
    assert child.process.returncode == 1


def test_a_damaged_store_is_reported_instead_of_replaced(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    damaged = b"not a database " * 200
    (data / "sandbox.sqlite3").write_bytes(damaged)
    child = EmbeddedSandbox.launch(data)
    try:
        with pytest.raises(SandboxStartError) as caught:
            child.wait_ready()
    finally:
        child.stop()
    assert str(caught.value) == "file is not a database"
    assert child.process.returncode == 1
    assert (data / "sandbox.sqlite3").read_bytes() == damaged  # the learner's file is kept


def test_closing_its_stdin_ends_the_sandbox_and_frees_its_ports(tmp_path: Path) -> None:
    child = EmbeddedSandbox.launch(tmp_path / "data", keep_ports=False)
    try:
        info = child.wait_ready()
        assert httpx.get(f"{info.portal_url}/ds/api", timeout=15).status_code == 204
    finally:
        child.stop()
    assert child.process.returncode == 0  # it stopped on its own, not by a signal
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{info.portal_url}/ds/api", timeout=15)


def _signing_kids(data: Path) -> dict[str, str]:
    with contextlib.closing(
        sqlite3.connect(f"file:{data / 'sandbox.sqlite3'}?mode=ro", uri=True)
    ) as db:
        return dict(db.execute("SELECT realm, kid FROM signing_keys").fetchall())


def _eventually(condition: Callable[[], object], what: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.02)


def test_it_warms_up_when_the_wizard_asks_and_keeps_its_keys_across_launches(
    tmp_path: Path,
) -> None:
    # The wizard's first check comes first; then, asked on stdin, the sandbox makes (first
    # launch) or loads its signing keys before any login needs them. They live in the data
    # folder: the next launch signs with the same keys.
    data = tmp_path / "data"
    child = EmbeddedSandbox.launch(data, keep_ports=False)
    try:
        info = child.wait_ready()
        assert _signing_kids(data) == {}  # nothing but serving on the boot path
        child.warm_up()
        _eventually(lambda: len(_signing_kids(data)) == 2, "both realms' keys")
        first = _signing_kids(data)
        assert _login_kids(info.login_issuer) == [first["aps"]]
    finally:
        child.stop()
    again = EmbeddedSandbox.launch(data, keep_ports=False)
    try:
        info = again.wait_ready()
        assert _login_kids(info.login_issuer) == [first["aps"]]  # loaded, not made again
    finally:
        again.stop()
    assert _signing_kids(data) == first


def _login_kids(issuer: str) -> list[str]:
    certs = httpx.get(f"{issuer}/protocol/openid-connect/certs", timeout=15)
    return [key["kid"] for key in certs.json()["keys"]]
