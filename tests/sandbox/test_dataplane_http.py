"""The data plane as a client meets it over real sockets (uvicorn serves it): keep-alive,
pipelining, ``Connection: close``, HTTP/1.0, HEAD, chunked bodies both ways, a body nobody
read, Upgrade, and malformed requests answered 400 without taking the listener down."""

from __future__ import annotations

import socket
import socketserver
import threading
import uuid
from collections.abc import Iterator

import pytest

from tests.sandbox.kong_fixtures import new_gateway_id, publish, service_doc, unpublish
from tui.sandbox import proxy


class Answer:
    def __init__(self, status: int, headers: dict[str, str], body: bytes) -> None:
        self.status, self.headers, self.body = status, headers, body


class Client:
    """A raw keep-alive connection to the data plane, reading answers one by one."""

    def __init__(self, port: int) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=15)
        self.buffer = b""

    def send(self, data: bytes) -> None:
        self.sock.sendall(data)

    def _fill(self) -> bool:
        part = self.sock.recv(65536)
        self.buffer += part
        return bool(part)

    def _take_until(self, marker: bytes) -> bytes:
        while marker not in self.buffer:
            if not self._fill():
                raise ConnectionError(f"closed before {marker!r}: {self.buffer!r}")
        head, _, self.buffer = self.buffer.partition(marker)
        return head

    def _take(self, n: int) -> bytes:
        while len(self.buffer) < n:
            if not self._fill():
                raise ConnectionError("closed mid-body")
        data, self.buffer = self.buffer[:n], self.buffer[n:]
        return data

    def answer(self, *, head_only: bool = False) -> Answer:
        lines = self._take_until(b"\r\n\r\n").decode("latin-1").split("\r\n")
        status = int(lines[0].split()[1])
        headers: dict[str, str] = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            assert name.lower() not in headers, f"header {name} twice"
            headers[name.lower()] = value.strip()
        if head_only or status in (204, 304):
            return Answer(status, headers, b"")
        if "content-length" in headers:
            return Answer(status, headers, self._take(int(headers["content-length"])))
        if headers.get("transfer-encoding") == "chunked":
            body = b""
            while size := int(self._take_until(b"\r\n"), 16):
                body += self._take(size)
                assert self._take(2) == b"\r\n"
            assert self._take(2) == b"\r\n"
            return Answer(status, headers, body)
        while self._fill():  # no length: the body ends with the connection
            pass
        body, self.buffer = self.buffer, b""
        return Answer(status, headers, body)

    def closed_by_server(self) -> bool:
        return not self.buffer and not self.sock.recv(1)

    def close(self) -> None:
        self.sock.close()


@pytest.fixture
def open_route(sandbox) -> Iterator[str]:
    """An unprotected route to the built-in upstream taking any method; yields its host."""
    gateway = new_gateway_id()
    name = f"http-{uuid.uuid4().hex[:6]}"
    route = {"methods": ["GET", "HEAD", "POST", "PUT"], "paths": ["/"]}
    publish(sandbox, gateway, service_doc(gateway, name, sandbox.ctx.upstream_url + "/",
                                          protected=False, route=route))  # fmt: skip
    yield sandbox.ctx.env_host(f"{name}.dev.api.gov.bc.ca")
    unpublish(sandbox, gateway)


@pytest.fixture
def client(sandbox) -> Iterator[Client]:
    conn = Client(sandbox.info.data_plane_port)
    yield conn
    conn.close()


def request(host: str, path: str, method: str = "GET", extra: str = "", body: bytes = b"") -> bytes:
    return f"{method} {path} HTTP/1.1\r\nHost: {host}\r\n{extra}\r\n".encode() + body


def assert_the_listener_still_serves(sandbox, host: str) -> None:
    """A new client, after a bad one was turned away, is answered as usual."""
    good = Client(sandbox.info.data_plane_port)
    try:
        good.send(request(host, "/uuid"))
        assert good.answer().status == 200
    finally:
        good.close()


def test_pipelined_requests_are_answered_in_order(open_route, client) -> None:
    client.send(b"".join(request(open_route, f"/anything/{i}") for i in range(6)))
    urls = [client.answer().body for _ in range(6)]
    for i, body in enumerate(urls):
        assert f"/anything/{i}".encode() in body
    client.send(request(open_route, "/uuid"))  # the connection is still usable afterwards
    assert client.answer().status == 200


def test_malformed_request_line_gets_400_and_the_listener_survives(sandbox, open_route) -> None:
    bad = Client(sandbox.info.data_plane_port)
    try:
        bad.send(b"THIS IS NOT HTTP\r\n\r\n")
        answer = bad.answer()
        assert answer.status == 400
        assert answer.headers["connection"] == "close"
        assert bad.closed_by_server()
    finally:
        bad.close()
    assert_the_listener_still_serves(sandbox, open_route)


def test_connection_close_is_honoured_after_the_answer(open_route, client) -> None:
    client.send(request(open_route, "/uuid", extra="Connection: close\r\n"))
    answer = client.answer()
    assert answer.status == 200 and b"uuid" in answer.body
    assert answer.headers["connection"] == "close"
    assert client.closed_by_server()


def test_http_1_0_client_is_answered_and_closed(open_route, client) -> None:
    client.send(f"GET /uuid HTTP/1.0\r\nHost: {open_route}\r\n\r\n".encode())
    answer = client.answer()
    assert answer.status == 200 and b"uuid" in answer.body
    assert "chunked" not in answer.headers.get("transfer-encoding", "")
    assert client.closed_by_server()


def test_head_gets_the_length_but_no_body_and_the_connection_stays_in_step(
    open_route, client
) -> None:
    client.send(request(open_route, "/anything", method="HEAD"))
    head = client.answer(head_only=True)
    assert head.status == 200 and int(head.headers["content-length"]) > 0
    client.send(request(open_route, "/uuid"))  # a stray body would be read as this answer
    follow = client.answer()
    assert follow.status == 200 and b'"uuid"' in follow.body


def test_chunked_request_body_reaches_the_upstream_whole(open_route, client) -> None:
    parts = [b"alpha-", b"beta-" * 1000, b"gamma"]
    chunked = b"".join(b"%x\r\n%s\r\n" % (len(p), p) for p in parts) + b"0\r\n\r\n"
    client.send(
        request(open_route, "/anything", method="PUT",
                extra="Transfer-Encoding: chunked\r\nContent-Type: text/plain\r\n", body=chunked)
    )  # fmt: skip
    answer = client.answer()
    assert answer.status == 200
    assert b"alpha-beta-" in answer.body and b"beta-gamma" in answer.body
    assert answer.body.count(b"beta-") == 1000


def test_content_length_body_and_next_request_on_the_same_connection(open_route, client) -> None:
    body = b'{"n": 1}'
    client.send(
        request(open_route, "/anything", method="POST", body=body,
                extra=f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n")
        + request(open_route, "/anything/next")
    )  # fmt: skip
    posted = client.answer()
    assert posted.status == 200 and b'"n": 1' in posted.body
    assert b"/anything/next" in client.answer().body


BIG_CHUNKS = 4


class _ChunkedUpstream(socketserver.BaseRequestHandler):
    """Answers any request with a chunked body and no length, then closes."""

    def handle(self) -> None:
        data = b""
        while b"\r\n\r\n" not in data:
            part = self.request.recv(65536)
            if not part:
                return
            data += part
        head = (
            b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n"
            b"Connection: close\r\n\r\n"
        )
        if data.startswith(b"GET /big "):  # BIG_CHUNKS chunks of 8 KiB
            chunk = b"2000\r\n" + b"b" * 0x2000 + b"\r\n"
            self.request.sendall(head + chunk * BIG_CHUNKS + b"0\r\n\r\n")
            return
        self.request.sendall(head + b"5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n")


@pytest.fixture
def chunked_route(sandbox) -> Iterator[str]:
    upstream = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _ChunkedUpstream)
    upstream.daemon_threads = True
    threading.Thread(target=upstream.serve_forever, daemon=True).start()
    gateway = new_gateway_id()
    name = f"chunk-{uuid.uuid4().hex[:6]}"
    url = f"http://127.0.0.1:{upstream.server_address[1]}/"
    publish(sandbox, gateway, service_doc(gateway, name, url, protected=False))
    yield sandbox.ctx.env_host(f"{name}.dev.api.gov.bc.ca")
    unpublish(sandbox, gateway)
    upstream.shutdown()
    upstream.server_close()


def test_a_chunked_upstream_answer_is_relayed_chunked_and_keep_alive_holds(
    chunked_route, client
) -> None:
    client.send(request(chunked_route, "/"))
    answer = client.answer()
    assert answer.status == 200 and answer.body == b"hello world"
    assert answer.headers["transfer-encoding"] == "chunked"
    client.send(request(chunked_route, "/"))
    assert client.answer().body == b"hello world"


def test_a_chunked_upstream_answer_reaches_an_http_1_0_client_until_close(
    chunked_route, client
) -> None:
    client.send(f"GET / HTTP/1.0\r\nHost: {chunked_route}\r\n\r\n".encode())
    answer = client.answer()
    assert answer.status == 200 and answer.body == b"hello world"
    assert "transfer-encoding" not in answer.headers


@pytest.mark.parametrize(
    "raw",
    [
        b"GET /caf\xc3\xa9 HTTP/1.1\r\nHost: x\r\n\r\n",  # a path that is not ASCII
        b"GET / HTTP/1.1\r\nHost: x\r\nX-Split: a\rb\r\n\r\n",  # a bare CR in a value
        b"GET / HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 7\r\n\r\n",
        b"GET / HTTP/9.9\r\n\r\n",
    ],
    ids=["non-ascii-path", "bare-cr", "two-lengths", "bad-version"],
)
def test_requests_no_server_should_accept_get_400_and_the_listener_survives(
    sandbox, open_route, raw
) -> None:
    bad = Client(sandbox.info.data_plane_port)
    try:
        bad.send(raw)
        assert bad.answer().status == 400
        assert bad.closed_by_server()
    finally:
        bad.close()
    assert_the_listener_still_serves(sandbox, open_route)


def test_a_body_nobody_read_is_skipped_and_the_next_request_is_answered(open_route, client) -> None:
    body = b"z" * 300_000  # more than the server buffers before pausing
    client.send(
        request("nobody.example", "/", method="POST", body=body,
                extra=f"Content-Length: {len(body)}\r\n")
        + request(open_route, "/anything/after")
    )  # fmt: skip
    refused = client.answer()
    assert refused.status == 404  # Kong's no-route answer, given before the body was read
    after = client.answer()
    assert after.status == 200 and b"/anything/after" in after.body


def test_an_upgrade_request_is_answered_as_plain_http_and_the_connection_stays_usable(
    open_route, client
) -> None:
    """The upstream's answer is not a 101, so the connection stays HTTP (as nginx keeps it)
    and the next request on it is answered."""
    client.send(
        request(open_route, "/anything/up", extra="Connection: Upgrade\r\nUpgrade: websocket\r\n")
    )
    answer = client.answer()
    assert answer.status == 200 and b"/anything/up" in answer.body
    client.send(request(open_route, "/anything/next"))
    after = client.answer()
    assert after.status == 200 and b"/anything/next" in after.body


def test_an_http_1_0_answer_of_unknown_length_past_the_limit_is_a_502_not_a_cut_body(
    chunked_route, client, monkeypatch
) -> None:
    """The answer is read whole to give it a length; one bigger than the limit is refused
    cleanly (Kong's 502) instead of reaching the client short or framed chunked."""
    monkeypatch.setattr(proxy, "HTTP_1_0_BODY_LIMIT", 0x2000 * BIG_CHUNKS - 1)
    client.send(f"GET /big HTTP/1.0\r\nHost: {chunked_route}\r\n\r\n".encode())
    answer = client.answer()
    assert answer.status == 502
    assert b"invalid response" in answer.body
    big = Client(client.sock.getpeername()[1])
    try:  # an HTTP/1.1 client gets it streamed, whole
        big.send(request(chunked_route, "/big"))
        streamed = big.answer()
        assert streamed.status == 200 and streamed.body == b"b" * 0x2000 * BIG_CHUNKS
    finally:
        big.close()
