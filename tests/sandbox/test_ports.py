"""The embedded sandbox keeps its ports across launches with the same data folder; only a
port another program holds is replaced, and then the published upstream follows it."""

from __future__ import annotations

import socket
from pathlib import Path

import httpx

from tests.sandbox.portal_kit import (
    client,
    config_text,
    new_gateway,
    publish,
    service_doc,
    service_name,
    start_server,
    user,
)
from tui.sandbox.ports import PORTS_FILE, describe, load


def _open_api(server, gw_client, gw: str, name: str) -> str:
    """Publish a plugin-free route to the sandbox's own upstream; the Host to call it with."""
    doc = service_doc(gw, name, f"{server.info.upstream_url}/")
    doc["plugins"] = []
    r = publish(gw_client, gw, config_text(doc))
    assert r.status_code == 200, r.text
    return server.ctx.env_host(f"{name}.dev.api.gov.bc.ca")


def _call(server, host: str) -> httpx.Response:
    """GET /uuid through the sandbox's gateway (``*.localhost`` by Host header)."""
    url = f"http://127.0.0.1:{server.ctx.data_plane_port}/uuid"
    return httpx.get(url, headers={"Host": host})


def test_second_launch_gets_the_same_ports(tmp_path: Path) -> None:
    first = start_server(tmp_path, keep_ports=True)
    ports = dict(first.ctx.bound)
    first.stop()
    assert load(tmp_path / PORTS_FILE) == ports
    second = start_server(tmp_path, keep_ports=True)
    try:
        assert dict(second.ctx.bound) == ports
        assert second.info.moved == () and second.info.repaired == ()
        assert httpx.get(f"{second.info.portal_url}/sandbox/info").status_code == 200
    finally:
        second.stop()


def test_without_keep_ports_nothing_is_saved(tmp_path: Path) -> None:
    server = start_server(tmp_path)
    server.stop()
    assert not (tmp_path / PORTS_FILE).exists()


def test_taken_upstream_port_moves_and_published_api_still_answers(tmp_path: Path) -> None:
    first = start_server(tmp_path, keep_ports=True)
    owner = user("ports")
    name = service_name("ports")
    try:
        with client(first, owner) as c:
            gw = new_gateway(c)
            host = _open_api(first, c, gw, name)
        assert _call(first, host).status_code == 200
        old_upstream = first.ctx.bound["upstream"]
        old_portal = first.ctx.bound["portal"]
    finally:
        first.stop()
    squatter = socket.socket()
    squatter.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    squatter.bind(("127.0.0.1", old_upstream))
    squatter.listen(1)  # another program now holds the upstream port
    second = start_server(tmp_path, keep_ports=True)
    try:
        new_upstream = second.ctx.bound["upstream"]
        assert new_upstream != old_upstream
        assert second.ctx.bound["portal"] == old_portal  # the others are kept
        assert [(m.listener, m.old, m.new) for m in second.info.moved] == [
            ("upstream", old_upstream, new_upstream)
        ]
        assert second.info.repaired == (f"{name}-dev",)
        # The learner's API, published against the old port, still answers through the gateway.
        response = _call(second, host)
        assert response.status_code == 200, response.text
        assert "uuid" in response.json()
        # And the next launch asks for the new port.
        assert load(tmp_path / PORTS_FILE)["upstream"] == new_upstream
    finally:
        second.stop()
        squatter.close()


def test_foreign_upstreams_are_left_alone(tmp_path: Path) -> None:
    first = start_server(tmp_path, keep_ports=True)
    owner = user("ports")
    name = service_name("far")
    try:
        with client(first, owner) as c:
            gw = new_gateway(c)
            doc = service_doc(gw, name, "https://httpbin.org/")
            assert publish(c, gw, config_text(doc)).status_code == 200
        old_upstream = first.ctx.bound["upstream"]
    finally:
        first.stop()
    with socket.socket() as squatter:
        squatter.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        squatter.bind(("127.0.0.1", old_upstream))
        squatter.listen(1)
        second = start_server(tmp_path, keep_ports=True)
        try:
            assert second.info.repaired == ()
            row = second.ctx.db.query_one(
                "SELECT doc FROM kong_services WHERE name=?", (f"{name}-dev",)
            )
            assert row is not None and '"httpbin.org"' in row["doc"]
        finally:
            second.stop()


def test_describe_names_what_moved_and_what_was_repaired() -> None:
    from tui.sandbox.ports import PortMove

    text = describe([PortMove("upstream", 40001, 40002)], ["svc-dev"])
    assert "built-in upstream from port 40001 to 40002" in text
    assert "svc-dev now points at the new upstream port" in text
