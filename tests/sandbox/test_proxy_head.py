"""The request head the data plane sends upstream (``proxy.request_head``): Kong's headers
replace the client's copies, hop-by-hop headers and those ``Connection`` names stay behind,
and a value that would split the head is refused before anything is sent."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from tui.sandbox.dataplane import ProxyRequest
from tui.sandbox.proxy import request_head
from tui.sandbox.upstream_pool import UpstreamError


def _request(headers: list[tuple[bytes, bytes]]) -> ProxyRequest:
    scope = {
        "type": "http", "method": "GET", "path": "/t", "raw_path": b"/t", "query_string": b"",
        "headers": headers, "client": ("127.0.0.1", 5555), "server": ("127.0.0.1", 8000),
        "scheme": "http", "root_path": "", "http_version": "1.1",
    }  # fmt: skip
    return ProxyRequest(scope)


MATCH = SimpleNamespace(route=SimpleNamespace(preserve_host=False))
CONSUMER = {"X-Consumer-ID": "kong-id", "X-Consumer-Username": "C1", "X-Anonymous-Consumer": None}


def _lines(head: bytes) -> list[str]:
    assert head.endswith(b"\r\n\r\n")
    return head[:-4].decode("latin-1").split("\r\n")


def test_kong_headers_replace_the_clients_and_hop_by_hop_ones_stay_behind() -> None:
    incoming = [
        (b"host", b"svc.localhost:8000"), (b"accept", b"*/*"),
        (b"x-forwarded-for", b"10.0.0.9"), (b"x-consumer-id", b"spoofed"),
        (b"x-anonymous-consumer", b"true"), (b"connection", b"keep-alive, x-private"),
        (b"x-private", b"1"), (b"te", b"trailers"), (b"expect", b"100-continue"),
    ]  # fmt: skip
    head, first = request_head(_request(incoming), MATCH, CONSUMER, "up:9000", "/t?q=1")
    lines = _lines(head)
    assert lines[0] == "GET /t?q=1 HTTP/1.1"
    assert lines[1:] == [
        "accept: */*",
        "host: up:9000",
        "x-forwarded-for: 10.0.0.9, 127.0.0.1",
        "x-forwarded-proto: http",
        "x-forwarded-host: svc.localhost",
        "x-forwarded-port: 8000",
        "x-forwarded-path: /t",
        "x-real-ip: 127.0.0.1",
        "X-Consumer-ID: kong-id",
        "X-Consumer-Username: C1",
    ]
    assert first[b"x-forwarded-for"] == b"10.0.0.9"


@pytest.mark.parametrize("bad", ["a\r\nX-Injected: 1", "a\nX-Injected: 1", "a\0b"])
def test_a_value_that_would_split_the_head_is_refused(bad: str) -> None:
    with pytest.raises(UpstreamError):
        request_head(_request([(b"host", b"h")]), MATCH, {"X-Consumer-ID": bad}, "up", "/")
