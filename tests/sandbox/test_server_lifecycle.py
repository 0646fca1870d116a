"""Starting and stopping a sandbox in process: a start that fails holds no port, and the
``with`` form serves inside the block and releases everything after it."""

from __future__ import annotations

import socket
from pathlib import Path

import httpx
import pytest

from tests.ports import free_port_block
from tui.sandbox.context import SandboxConfig
from tui.sandbox.server import SandboxServer


def _can_bind(port: int) -> bool:
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


def test_a_start_that_fails_on_a_later_listener_releases_the_ports_it_took(tmp_path: Path):
    portal_port = free_port_block(1)
    with socket.socket() as held:
        held.bind(("127.0.0.1", 0))
        held.listen()
        config = SandboxConfig(
            data_dir=tmp_path / "data",
            portal_port=portal_port,
            data_plane_port=held.getsockname()[1],  # another program has it
            upstream_port=0,
            keep_ports=False,
        )
        server = SandboxServer(config)
        with pytest.raises(OSError):
            server.start()
        server.ctx.db.close()
    assert _can_bind(portal_port)  # the portal's socket, bound first, was closed again


def test_the_with_form_serves_inside_the_block_and_frees_its_ports_after(tmp_path: Path):
    config = SandboxConfig(
        data_dir=tmp_path / "data", portal_port=0, data_plane_port=0, upstream_port=0
    )
    with SandboxServer(config) as server:
        url = server.info.portal_url
        assert httpx.get(f"{url}/ds/api", timeout=15).status_code == 204
        port = server.ctx.bound["portal"]
    assert _can_bind(port)
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{url}/ds/api", timeout=15)
