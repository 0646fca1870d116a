"""gwa-api status (§9): real probes of each published upstream."""

from __future__ import annotations

import socket

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
from tui.sandbox import service_status


@pytest.fixture
def provider(sandbox):
    with client(sandbox, user("status")) as c:
        yield c, new_gateway(c)


def status_of(c, gw):
    r = c.get(f"/gw/api/v3/gateways/{gw}/services")
    assert r.status_code == 200, r.text
    return {s["name"]: s for s in r.json()}


def closed_port() -> int:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    return port


def test_no_services_is_an_empty_list(provider):
    c, gw = provider
    assert status_of(c, gw) == {}


def test_up_and_the_fields(provider, sandbox):
    c, gw = provider
    name = service_name()
    assert (
        publish(c, gw, config_text(service_doc(gw, name, sandbox.info.upstream_url))).status_code
        == 200
    )
    got = status_of(c, gw)[f"{name}-dev"]
    port = httpx.URL(sandbox.info.upstream_url).port
    assert got == {
        "name": f"{name}-dev",
        "upstream": f"http://127.0.0.1:{port}/",
        "status": "UP",
        "reason": got["reason"],
        "host": None,
        "env_host": f"{name}-dev-api-gov-bc-ca.localhost:{sandbox.info.data_plane_port}",
    }
    assert got["reason"] == "200 Response"


def test_down_reasons(provider, sandbox):
    c, gw = provider
    closed = service_doc(gw, service_name("closed"), f"http://127.0.0.1:{closed_port()}")
    unresolvable = service_doc(gw, service_name("dns"), "http://no-such-host.invalid")
    assert publish(c, gw, config_text(closed, unresolvable)).status_code == 200
    got = status_of(c, gw)
    assert (got[closed["name"]]["status"], got[closed["name"]]["reason"]) == ("DOWN", "CONNECTION")
    assert got[closed["name"]]["upstream"].startswith("http://127.0.0.1:")
    assert (got[unresolvable["name"]]["status"], got[unresolvable["name"]]["reason"]) == (
        "DOWN",
        "DNS",
    )
    assert got[unresolvable["name"]]["upstream"] == "http://no-such-host.invalid:80/"


def test_http_status_reasons(provider, sandbox):
    c, gw = provider
    up = sandbox.info.upstream_url
    broken = service_doc(gw, service_name("five"), up, path="/status/500")
    guarded = service_doc(gw, service_name("auth"), up, path="/status/401")
    forbidden = service_doc(gw, service_name("forb"), up, path="/status/403")
    assert publish(c, gw, config_text(broken, guarded, forbidden)).status_code == 200
    got = status_of(c, gw)
    assert (got[broken["name"]]["status"], got[broken["name"]]["reason"]) == (
        "DOWN",
        "500 Response",
    )
    assert got[broken["name"]]["upstream"].endswith("/status/500")
    assert (got[guarded["name"]]["status"], got[guarded["name"]]["reason"]) == ("UP", "AUTH 401")
    assert (got[forbidden["name"]]["status"], got[forbidden["name"]]["reason"]) == (
        "UP",
        "AUTH 403",
    )


def test_a_redirecting_upstream_is_up_and_the_redirect_is_not_followed(provider, sandbox):
    c, gw = provider
    up = sandbox.info.upstream_url
    moved = service_doc(gw, service_name("moved"), up, path="/status/302")
    assert publish(c, gw, config_text(moved)).status_code == 200
    got = status_of(c, gw)[moved["name"]]
    assert (got["status"], got["reason"]) == ("UP", "302 Response")


def test_timeout(provider, sandbox, monkeypatch):
    # The probe gives up after 0.5 s instead of its usual 3 s (the upstream answers after 6):
    # the same TIMEOUT verdict, without 3 s of the suite.
    monkeypatch.setattr(service_status, "TIMEOUT", 0.5)
    c, gw = provider
    slow = service_doc(gw, service_name("slow"), sandbox.info.upstream_url, path="/delay/6")
    assert publish(c, gw, config_text(slow)).status_code == 200
    got = status_of(c, gw)[slow["name"]]
    assert (got["status"], got["reason"]) == ("DOWN", "TIMEOUT")


def test_preserve_host_reports_the_public_host(provider, sandbox):
    c, gw = provider
    name = service_name()
    doc = service_doc(gw, name, sandbox.info.upstream_url)
    doc["routes"][0]["preserve_host"] = True
    assert publish(c, gw, config_text(doc)).status_code == 200
    got = status_of(c, gw)[f"{name}-dev"]
    assert got["host"] == f"{name}.dev.api.gov.bc.ca"
    assert got["env_host"].startswith(f"{name}-dev-api-gov-bc-ca.localhost:")


def test_status_needs_publish_scope(provider, sandbox):
    c, gw = provider
    with client(sandbox, user("nosy")) as o:
        r = o.get(f"/gw/api/v3/gateways/{gw}/services")
    assert r.status_code == 403
    assert r.json() == {
        "error": f"Not authorized to access namespace {gw} with GatewayConfig.Publish"
    }
