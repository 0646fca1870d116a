"""What path the upstream receives, and stored values the data plane must survive, over HTTP.

Kong joins a service path without a trailing slash and the rest of a stripped request path
differently per ``path_handling``: ``v0`` glues them (``/base`` + ``x`` = ``/basex``), ``v1``
puts a slash between (``/base/x``). A stored service whose timeouts are not numbers (written
before publish checked them) still proxies, with Kong's default timeouts.
"""

from __future__ import annotations

import uuid

import httpx
import pytest

from tests.sandbox.kong_fixtures import gateway_url, new_gateway_id, publish, unpublish
from tests.sandbox.test_status_faults import Garbage
from tui.sandbox.dataplane import NO_ROUTE
from tui.sandbox.proxy import BAD_GATEWAY


@pytest.fixture
def gateway(sandbox):
    gateway = new_gateway_id()
    yield gateway
    unpublish(sandbox, gateway)


def _call(sandbox, host: str, path: str) -> httpx.Response:
    return httpx.get(gateway_url(sandbox) + path, headers={"Host": host}, timeout=15)


@pytest.mark.parametrize(
    ("handling", "upstream_path"), [("v0", "/anything/basex"), ("v1", "/anything/base/x")]
)
def test_path_handling_decides_how_the_service_path_and_the_rest_are_joined(
    sandbox, gateway, handling, upstream_path
):
    host = f"join-{uuid.uuid4().hex[:6]}.example"
    route = {"hosts": [host], "paths": ["/api/"], "strip_path": True, "path_handling": handling}
    publish(
        sandbox,
        gateway,
        {"name": f"join-{handling}", "url": sandbox.ctx.upstream_url + "/anything/base",
         "routes": [route]},
    )  # fmt: skip
    r = _call(sandbox, host, "/api/x")
    assert r.status_code == 200, r.text
    assert httpx.URL(r.json()["url"]).path == upstream_path


@pytest.mark.parametrize("timeout", ["soon", None, float("inf"), [1]])
def test_a_stored_service_with_unusable_timeouts_still_proxies(sandbox, gateway, timeout):
    host = f"slowish-{uuid.uuid4().hex[:6]}.example"
    publish(
        sandbox,
        gateway,
        {
            "name": "odd-timeouts",
            "url": sandbox.ctx.upstream_url + "/anything",
            "connect_timeout": timeout,
            "read_timeout": timeout,
            "write_timeout": timeout,
            "routes": [{"hosts": [host]}],
        },
    )
    r = _call(sandbox, host, "/")
    assert r.status_code == 200, r.text
    assert httpx.URL(r.json()["url"]).path == "/anything/"


def test_a_stored_regex_path_re2_cannot_compile_matches_nothing(sandbox, gateway):
    host = f"rx-{uuid.uuid4().hex[:6]}.example"
    upstream = sandbox.ctx.upstream_url + "/anything"
    publish(
        sandbox,
        gateway,
        {
            "name": "bad-rx",
            "url": upstream,
            "routes": [{"hosts": [host], "paths": [r"~/(?=look)"]}],
        },
    )
    publish(
        sandbox,
        gateway,
        {
            "name": "good-rx",
            "url": upstream,
            "routes": [{"hosts": [host], "paths": [r"~/items/\d+$"]}],
        },
    )
    refused = _call(sandbox, host, "/look")
    assert (refused.status_code, refused.json()) == (404, {"message": NO_ROUTE})
    assert _call(sandbox, host, "/items/7").status_code == 200  # the other route still serves


def test_an_upstream_that_answers_garbage_is_kongs_502(sandbox, gateway):
    host = f"garbage-{uuid.uuid4().hex[:6]}.example"
    garbage = Garbage()
    try:
        publish(
            sandbox,
            gateway,
            {
                "name": "ssh",
                "url": f"http://127.0.0.1:{garbage.port}",
                "routes": [{"hosts": [host]}],
            },
        )
        r = _call(sandbox, host, "/")
    finally:
        garbage.sock.close()
    assert (r.status_code, r.json()) == (502, {"message": BAD_GATEWAY})
