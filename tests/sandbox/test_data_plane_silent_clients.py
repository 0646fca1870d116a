"""The data plane's first-byte sniffing (TLS or plain HTTP on one port) lets go of clients
that send nothing: one that closes its side at once is closed too, and one that just leaves
leaves nothing behind; the next request is served."""

from __future__ import annotations

import socket

import httpx

from tests.sandbox.kong_fixtures import gateway_url


def _connect(sandbox) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", sandbox.info.data_plane_port), timeout=15)
    sock.settimeout(15)
    return sock


def test_a_client_that_closes_its_side_before_a_byte_is_closed_too(sandbox) -> None:
    with _connect(sandbox) as sock:
        sock.shutdown(socket.SHUT_WR)
        assert sock.recv(1024) == b""  # the data plane closed its end, it did not wait
    r = httpx.get(gateway_url(sandbox) + "/", headers={"Host": "nobody.example"}, timeout=15)
    assert r.status_code == 404  # still serving: Kong's no-route answer


def test_clients_that_leave_without_a_byte_do_not_disturb_the_next_request(sandbox) -> None:
    for _ in range(20):
        _connect(sandbox).close()
    r = httpx.get(gateway_url(sandbox) + "/", headers={"Host": "nobody.example"}, timeout=15)
    assert r.status_code == 404
