"""The data plane's routing (Kong matching on host, path, method; strip_path) and proxying
(streaming, 502 and 504 from upstream failures)."""

from __future__ import annotations

import socket
import uuid

import httpx
import pytest

from tests.sandbox.kong_fixtures import gateway_url, new_gateway_id, publish, service_doc, unpublish

NO_ROUTE = {"message": "no Route matched with those values"}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def open_service(sandbox):
    """Publish an unprotected service; returns (host for curl, gateway id, publish function)."""
    gateway = new_gateway_id()

    def make(upstream: str | None = None, *, route: dict | None = None, **fields) -> str:
        name = f"open-{uuid.uuid4().hex[:6]}"
        doc = service_doc(
            gateway,
            name,
            upstream or sandbox.ctx.upstream_url + "/",
            protected=False,
            route=route,
            **fields,
        )
        publish(sandbox, gateway, doc)
        return sandbox.ctx.env_host(f"{name}.dev.api.gov.bc.ca")

    yield make
    unpublish(sandbox, gateway)


def get(sandbox, host: str, path: str = "/uuid", method: str = "GET", **kw) -> httpx.Response:
    headers = {"Host": host} | kw.pop("headers", {})
    return httpx.request(method, gateway_url(sandbox) + path, headers=headers, **kw)


def test_env_host_routes_to_the_upstream(sandbox, open_service) -> None:
    host = open_service()
    assert host.endswith(f"-dev-api-gov-bc-ca.localhost:{sandbox.ctx.data_plane_port}")
    response = get(sandbox, host)
    assert response.status_code == 200
    assert uuid.UUID(response.json()["uuid"])
    assert response.headers["via"].startswith("1.1 kong/")
    assert "x-kong-upstream-latency" in response.headers


def test_host_matching_ignores_port_and_case(sandbox, open_service) -> None:
    host = open_service()
    bare = host.rsplit(":", 1)[0]
    assert get(sandbox, bare.upper()).status_code == 200
    assert get(sandbox, f"{bare}:1234").status_code == 200


def test_raw_route_host_also_matches(sandbox, open_service) -> None:
    host = open_service()
    raw = host.split(".localhost")[0].replace("-dev-api-gov-bc-ca", ".dev.api.gov.bc.ca")
    assert get(sandbox, raw).status_code == 200


def test_unknown_host_path_and_method(sandbox, open_service) -> None:
    host = open_service(route={"paths": ["/uuid"]})
    wrong_host = get(sandbox, f"nobody-dev-api-gov-bc-ca.localhost:{sandbox.ctx.data_plane_port}")
    assert (wrong_host.status_code, wrong_host.json()) == (404, NO_ROUTE)
    wrong_path = get(sandbox, host, "/get")
    assert (wrong_path.status_code, wrong_path.json()) == (404, NO_ROUTE)
    wrong_method = get(sandbox, host, "/uuid", method="POST", content=b"x")
    assert (wrong_method.status_code, wrong_method.json()) == (404, NO_ROUTE)
    assert get(sandbox, host, "/uuid").status_code == 200


def test_strip_path_and_service_path(sandbox, open_service) -> None:
    stripped = open_service(route={"paths": ["/api"], "strip_path": True})
    response = get(sandbox, stripped, "/api/anything/x")
    assert response.status_code == 200
    assert response.json()["url"].endswith("/anything/x")

    kept = open_service(route={"paths": ["/anything"], "strip_path": False})
    assert get(sandbox, kept, "/anything/y").json()["url"].endswith("/anything/y")

    based = open_service(
        sandbox.ctx.upstream_url + "/anything", route={"paths": ["/svc"], "strip_path": True}
    )
    # service path /anything, route prefix /svc stripped
    shown = get(sandbox, based, "/svc/deep?q=1").json()
    assert shown["url"].endswith("/anything/deep?q=1")
    assert shown["args"] == {"q": "1"}


def test_most_specific_route_wins(sandbox) -> None:
    gateway = new_gateway_id()
    name = f"spec-{uuid.uuid4().hex[:6]}"
    upstream = sandbox.ctx.upstream_url
    broad = service_doc(gateway, name, upstream + "/", protected=False, route={"paths": ["/"]})
    narrow = service_doc(
        gateway,
        name,
        upstream + "/anything",
        protected=False,
        route={"name": f"{name}-narrow", "paths": ["/uuid"], "strip_path": True},
    )
    narrow["name"] = f"{name}-narrow"
    publish(sandbox, gateway, broad)
    publish(sandbox, gateway, narrow)
    try:
        host = sandbox.ctx.env_host(f"{name}.dev.api.gov.bc.ca")
        via_narrow = get(sandbox, host, "/uuid")
        assert via_narrow.json()["url"].endswith("/anything")
        via_broad = get(sandbox, host, "/get")
        assert via_broad.status_code == 200
        assert via_broad.json()["url"].endswith("/get")
    finally:
        unpublish(sandbox, gateway)


def test_request_and_response_bodies_stream_through(sandbox, open_service) -> None:
    host = open_service(route={"methods": ["POST", "PUT"], "paths": ["/anything"]})
    payload = b"abc" * 200_000  # 600 kB

    def chunks():
        for i in range(0, len(payload), 65536):
            yield payload[i : i + 65536]

    response = get(sandbox, host, "/anything", method="PUT", content=chunks())
    assert response.status_code == 200
    echoed = response.json()
    assert echoed["method"] == "PUT"
    assert len(echoed["data"]) == len(payload)
    form = get(sandbox, host, "/anything", method="POST", data={"a": "1"})
    assert form.json()["form"] == {"a": "1"}


def test_upstream_status_passes_through(sandbox, open_service) -> None:
    host = open_service()
    assert get(sandbox, host, "/status/418").status_code == 418
    assert get(sandbox, host, "/status/503").status_code == 503


def test_connection_refused_is_502(sandbox, open_service) -> None:
    host = open_service(f"http://127.0.0.1:{free_port()}/")
    response = get(sandbox, host)
    assert response.status_code == 502
    assert response.json() == {
        "message": "An invalid response was received from the upstream server"
    }


def test_slow_upstream_is_504(sandbox, open_service) -> None:
    host = open_service(read_timeout=300)
    response = get(sandbox, host, "/delay/2")
    assert response.status_code == 504
    assert response.json() == {"message": "The upstream server is timing out"}


def test_upstream_sees_kong_forwarding_headers(sandbox, open_service) -> None:
    host = open_service()
    seen = {k.lower(): v for k, v in get(sandbox, host, "/headers").json()["headers"].items()}
    assert seen["host"] == sandbox.ctx.upstream_url.split("//", 1)[1]
    assert seen["x-forwarded-host"] == host.rsplit(":", 1)[0]
    assert seen["x-forwarded-proto"] == "http"
    assert seen["x-forwarded-path"] == "/headers"
    assert seen["x-real-ip"] == "127.0.0.1"


def test_preserve_host(sandbox, open_service) -> None:
    host = open_service(route={"preserve_host": True})
    seen = {k.lower(): v for k, v in get(sandbox, host, "/headers").json()["headers"].items()}
    assert seen["host"] == host


def test_quick_start_url_form(sandbox) -> None:
    """quick-start services carry ``url`` instead of host/port (docs/contract.md#s6.6)."""
    gateway = new_gateway_id()
    name = f"qs-{uuid.uuid4().hex[:6]}"
    doc = {
        "name": f"{name}-dev",
        "tags": [f"ns.{gateway}"],
        "url": sandbox.ctx.upstream_url + "/anything",
        "protocol": "http",
        "routes": [
            {
                "name": f"{name}-dev",
                "tags": [f"ns.{gateway}"],
                "hosts": [f"{name}.dev.api.gov.bc.ca"],
            }
        ],
    }
    publish(sandbox, gateway, doc)
    try:
        host = sandbox.ctx.env_host(f"{name}.dev.api.gov.bc.ca")
        response = get(sandbox, host, "/hello")
        assert response.status_code == 200
        assert response.json()["url"].endswith("/anything/hello")
    finally:
        unpublish(sandbox, gateway)


def test_unpublished_service_stops_answering(sandbox) -> None:
    gateway = new_gateway_id()
    name = f"gone-{uuid.uuid4().hex[:6]}"
    publish(
        sandbox,
        gateway,
        service_doc(gateway, name, sandbox.ctx.upstream_url + "/", protected=False),
    )
    host = sandbox.ctx.env_host(f"{name}.dev.api.gov.bc.ca")
    assert get(sandbox, host).status_code == 200
    unpublish(sandbox, gateway)
    assert get(sandbox, host).json() == NO_ROUTE


def test_oversized_body_is_refused_and_the_gateway_keeps_serving(sandbox, open_service) -> None:
    host = open_service(route={"methods": ["GET", "PUT"], "paths": ["/"]})
    limit = sandbox.ctx.config.max_body_bytes

    def chunks():
        for _ in range(limit // 65536 + 2):
            yield b"x" * 65536

    refused = get(sandbox, host, "/anything", method="PUT", content=chunks())
    assert refused.status_code == 413
    assert get(sandbox, host, "/uuid").status_code == 200


def test_expect_continue_upload_like_curl(sandbox, open_service) -> None:
    """curl sends ``Expect: 100-continue`` and a form content type with ``--data-binary``."""
    host = open_service(route={"methods": ["PUT"], "paths": ["/anything"]})
    body = b"y" * 1_500_000
    response = get(
        sandbox,
        host,
        "/anything",
        method="PUT",
        content=body,
        headers={"Expect": "100-continue", "Content-Type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 200
    echoed = response.json()
    assert len(echoed["data"]) == len(body)
    assert "Expect" not in echoed["headers"]
