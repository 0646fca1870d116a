"""The browser wizard's terminal socket is refused in plain HTTP when it cannot be served: a
socket opened without the page's cookie gets "Open the page first.", one past the limit the
full page, and neither starts a wizard. A web port another program holds is reported."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tui.sandbox.classroom.web_learners import COOKIE, WebLearners


@pytest.fixture
def web(class_sandbox, tmp_path: Path) -> Iterator[WebLearners]:
    server = WebLearners(
        host="127.0.0.1",
        port=0,
        public_host=None,
        sandbox_host=class_sandbox.ctx.portal_hostport,
        state_root=tmp_path / "browsers",
        limit=0,  # a full room: no browser gets a wizard
    )
    server.start()
    yield server
    server.stop()


def test_a_socket_without_the_pages_cookie_is_refused(web) -> None:
    r = httpx.get(f"{web.url.rstrip('/')}/ws", timeout=15)
    assert (r.status_code, r.text) == (403, "Open the page first.")
    assert web.sessions == {}


def test_a_socket_past_the_limit_gets_the_full_page(web, tmp_path: Path) -> None:
    cookie = {COOKIE: "c" * 43}
    r = httpx.get(f"{web.url.rstrip('/')}/ws", cookies=cookie, timeout=15)
    assert r.status_code == 503
    assert "No free browser wizard right now" in r.text
    assert web.sessions == {}
    assert not (tmp_path / "browsers").exists() or not any((tmp_path / "browsers").iterdir())


def test_a_web_port_another_program_holds_is_reported_not_hidden(
    class_sandbox, tmp_path: Path
) -> None:
    with socket.socket() as held:
        held.bind(("127.0.0.1", 0))
        held.listen()
        server = WebLearners(
            host="127.0.0.1",
            port=held.getsockname()[1],
            public_host=None,
            sandbox_host=class_sandbox.ctx.portal_hostport,
            state_root=tmp_path / "browsers",
        )
        with pytest.raises(OSError) as caught:
            server.start()  # (nothing to stop: it never served)
    assert "address already in use" in str(caught.value).lower()
