"""gwa-api status against upstreams that fail beyond a refused port: speaking plain HTTP to an
https service is an SSL problem, an upstream that answers garbage is a connection error, and a
damaged stored row does not take the whole list down."""

from __future__ import annotations

import socket
import threading
import uuid

import httpx
import pytest

from tests.sandbox.portal_kit import (
    client,
    config_text,
    new_gateway,
    publish,
    service_doc,
    service_name,
    user,
)


@pytest.fixture
def provider(sandbox):
    with client(sandbox, user("status-faults")) as c:
        yield c, new_gateway(c)


def status_of(c, gw) -> dict:
    r = c.get(f"/gw/api/v3/gateways/{gw}/services")
    assert r.status_code == 200, r.text
    return {s["name"]: (s["status"], s["reason"]) for s in r.json()}


class Garbage:
    """A loopback server that answers every connection with bytes that are not HTTP."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen()
        self.port = self.sock.getsockname()[1]
        threading.Thread(target=self._run, daemon=True).start()

    def _run(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            with conn:
                conn.recv(65536)
                conn.sendall(b"SSH-2.0-OpenSSH_9.6\r\nProtocol mismatch.\r\n\r\n")


def test_an_https_service_on_a_plain_http_port_is_down_for_ssl(provider, sandbox):
    c, gw = provider
    plain = httpx.URL(sandbox.info.upstream_url)
    doc = service_doc(gw, service_name("tls"), f"https://127.0.0.1:{plain.port}")
    assert publish(c, gw, config_text(doc)).status_code == 200
    assert status_of(c, gw)[doc["name"]] == ("DOWN", "SSL")


def test_an_upstream_that_answers_garbage_is_a_connection_error(provider):
    c, gw = provider
    garbage = Garbage()
    try:
        doc = service_doc(gw, service_name("ssh"), f"http://127.0.0.1:{garbage.port}")
        assert publish(c, gw, config_text(doc)).status_code == 200
        assert status_of(c, gw)[doc["name"]] == ("DOWN", "CON_ERR")
    finally:
        garbage.sock.close()


def test_a_damaged_stored_row_is_skipped_and_the_rest_still_listed(fresh_sandbox):
    sandbox = fresh_sandbox  # its own store: a damaged row would upset other tests' readers
    with client(sandbox, user("status-faults")) as c:
        gw = new_gateway(c)
        doc = service_doc(gw, service_name("fine"), sandbox.info.upstream_url)
        assert publish(c, gw, config_text(doc)).status_code == 200
        with sandbox.ctx.db.transaction() as conn:
            conn.execute(
                "INSERT INTO kong_services(gateway_id, name, id, doc) VALUES (?,?,?,?)",
                (gw, "damaged", str(uuid.uuid4()), "{not json"),
            )
        assert status_of(c, gw) == {doc["name"]: ("UP", "200 Response")}
