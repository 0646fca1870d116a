"""Kong's matching rules as the data plane applies them, route by route, over HTTP."""

from __future__ import annotations

import uuid

import httpx
import pytest

from tests.sandbox.kong_fixtures import gateway_url, new_gateway_id, publish, unpublish
from tui.sandbox.kong_router import parse_service, upstream_path


def one_route(service_path: str | None, **route) -> object:
    doc = {"name": "s", "host": "h", "port": 80, "protocol": "http", "routes": [route]}
    if service_path is not None:
        doc["path"] = service_path
    return parse_service("gw-x", "id", doc)[0]


@pytest.mark.parametrize(
    ("service_path", "strip", "request_path", "matched", "expected"),
    [
        (None, False, "/uuid", "/", "/uuid"),
        ("/", False, "/uuid", "/", "/uuid"),
        (None, True, "/api/uuid", "/api", "/uuid"),
        (None, True, "/api", "/api", "/"),
        ("/anything", True, "/svc/deep", "/svc", "/anything/deep"),
        ("/anything/", True, "/svc/deep", "/svc", "/anything/deep"),
        ("/anything", True, "/svc", "/svc", "/anything"),
        ("/base", False, "/x", "/x", "/base/x"),
    ],
)
def test_upstream_path(service_path, strip, request_path, matched, expected) -> None:
    route = one_route(service_path, strip_path=strip, paths=[matched])
    assert upstream_path(route, request_path, matched) == expected


def test_host_with_port_quirk_and_url_form() -> None:
    quirk = parse_service(
        "gw", "id", {"host": "127.0.0.1:8462", "port": 8462, "protocol": "http", "routes": [{}]}
    )[0]
    assert (quirk.service.host, quirk.service.port) == ("127.0.0.1", 8462)
    url = parse_service("gw", "id", {"url": "https://example.org/base", "routes": [{}]})[0]
    assert (url.service.protocol, url.service.host, url.service.port, url.service.path) == (
        "https",
        "example.org",
        443,
        "/base",
    )
    assert url.strip_path is True  # Kong's default


@pytest.fixture
def published(sandbox):
    gateway = new_gateway_id()
    upstream = sandbox.ctx.upstream_url

    def make(*routes: dict) -> None:
        for i, route in enumerate(routes):
            publish(
                sandbox,
                gateway,
                {
                    "name": f"svc-{uuid.uuid4().hex[:6]}-{i}",
                    "url": upstream + "/anything",
                    "routes": [route],
                },
            )

    yield make
    unpublish(sandbox, gateway)


def call(sandbox, host: str, path: str, method: str = "GET") -> httpx.Response:
    return httpx.request(method, gateway_url(sandbox) + path, headers={"Host": host})


def test_wildcard_hosts(sandbox, published) -> None:
    suffix = uuid.uuid4().hex[:6]
    published({"hosts": [f"*.wild{suffix}.example"], "strip_path": False})
    assert call(sandbox, f"a.wild{suffix}.example", "/x").status_code == 200
    assert call(sandbox, f"wild{suffix}.example", "/x").status_code == 404


def test_regex_paths_and_method_lists(sandbox, published) -> None:
    host = f"rx-{uuid.uuid4().hex[:6]}.example"
    published({"hosts": [host], "paths": [r"~/items/\d+$"], "methods": ["GET", "DELETE"]})
    assert call(sandbox, host, "/items/42").status_code == 200
    assert call(sandbox, host, "/items/42", "DELETE").status_code == 200
    assert call(sandbox, host, "/items/abc").status_code == 404
    assert call(sandbox, host, "/items/42", "PUT").status_code == 404


def test_https_only_route_answers_426(sandbox, published) -> None:
    host = f"tls-{uuid.uuid4().hex[:6]}.example"
    published({"hosts": [host], "protocols": ["https"]})
    response = call(sandbox, host, "/")
    assert response.status_code == 426
    assert response.json() == {"message": "Please use HTTPS protocol"}


def test_route_level_plugin_overrides_service(sandbox, published) -> None:
    host = f"rp-{uuid.uuid4().hex[:6]}.example"
    published(
        {
            "hosts": [host],
            "plugins": [
                {"name": "jwt-keycloak", "config": {"allowed_iss": ["https://x"]}},
            ],
        }
    )
    assert call(sandbox, host, "/").json() == {"message": "Unauthorized"}
