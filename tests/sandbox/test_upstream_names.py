"""A class sandbox judges an upstream name by what DNS answers when the data plane calls it.

A name published in a class sandbox passes the publish-time rule (it is not written as a local
address), so the proxy and the status check resolve it again: a name that lands on the
trainer's machine is refused with the sandbox's words and never connected to, while a name no
one can resolve is just an upstream that is down (Kong's 502), not a refusal.
"""

from __future__ import annotations

import ipaddress
import socket
import threading

import httpx
import pytest

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
from tui.sandbox.proxy import BAD_GATEWAY
from tui.sandbox.upstream_policy import REFUSED


@pytest.fixture(scope="module")
def class_sandbox(tmp_path_factory):
    server = start_server(tmp_path_factory.mktemp("class-names"), allow_local_upstreams=False)
    yield server
    server.stop()


@pytest.fixture(scope="module")
def provider(class_sandbox) -> tuple[httpx.Client, str]:
    portal = client(class_sandbox, user("names"))
    return portal, new_gateway(portal)


class Listener:
    """A TCP listener on every interface that counts the connections it accepts."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("0.0.0.0", 0))
        self.sock.listen()
        self.port = self.sock.getsockname()[1]
        self.accepted = 0
        threading.Thread(target=self._run, daemon=True).start()

    def _run(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.accepted += 1
            conn.close()


def _published(class_sandbox, provider, upstream: str) -> dict:
    portal, gw = provider
    doc = service_doc(gw, service_name("named"), upstream)
    doc["plugins"] = []  # an open route: the call reaches the upstream rule directly
    r = publish(portal, gw, config_text(doc))
    assert r.status_code == 200, r.text
    return doc


def _call(class_sandbox, doc: dict) -> httpx.Response:
    host = class_sandbox.ctx.env_host(doc["routes"][0]["hosts"][0])
    url = f"http://127.0.0.1:{class_sandbox.info.data_plane_port}/"
    return httpx.get(url, headers={"Host": host}, timeout=15)


def _status(provider, doc: dict) -> tuple[str, str]:
    portal, gw = provider
    listed = portal.get(f"/gw/api/v3/gateways/{gw}/services").json()
    mine = next(s for s in listed if s["name"] == doc["name"])
    return mine["status"], mine["reason"]


def test_the_machines_own_name_is_refused_when_the_data_plane_calls_it(class_sandbox, provider):
    name = socket.gethostname()
    try:
        addresses = {info[4][0] for info in socket.getaddrinfo(name, None)}
    except OSError:
        pytest.skip(f"this machine's name {name!r} does not resolve here")
    if not any(not ipaddress.ip_address(a.split("%")[0]).is_global for a in addresses):
        pytest.skip(f"this machine's name {name!r} resolves to public addresses {addresses}")
    listener = Listener()
    try:
        doc = _published(class_sandbox, provider, f"http://{name}:{listener.port}")
        r = _call(class_sandbox, doc)
        assert (r.status_code, r.json()) == (502, {"message": REFUSED})
        assert _status(provider, doc) == ("DOWN", "CONNECTION")
        assert listener.accepted == 0  # neither the proxy nor the status probe connected
    finally:
        listener.sock.close()


def test_an_unresolvable_name_is_a_down_upstream_not_a_refusal(class_sandbox, provider):
    doc = _published(class_sandbox, provider, "http://no-such-upstream.invalid:8080")
    r = _call(class_sandbox, doc)
    assert (r.status_code, r.json()) == (502, {"message": BAD_GATEWAY})


def test_an_ipv4_mapped_ipv6_private_address_is_refused_at_publish(class_sandbox, provider):
    portal, gw = provider
    doc = service_doc(gw, service_name("mapped"), "http://[::ffff:10.0.0.5]:8080")
    r = publish(portal, gw, config_text(doc))
    assert r.status_code == 400, r.text
    assert r.json()["error"].split("\n")[1].endswith(REFUSED)
