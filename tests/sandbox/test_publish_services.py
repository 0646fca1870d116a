"""How publish reads a GatewayService's upstream and its routes (§8.2), as Kong stores them.

A service written as ``url`` is split into Kong's fields; a service without a protocol or a
port gets Kong's defaults; a bare IPv6 address is not mistaken for ``host:port``. Route and
plugin problems are each named, all of them, not just the first.
"""

from __future__ import annotations

import json

import pytest
import yaml

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
    with client(sandbox, user("svc")) as c:
        yield c, new_gateway(c)


def stored(sandbox, gw: str, name: str) -> dict:
    row = sandbox.ctx.db.query_one(
        "SELECT doc FROM kong_services WHERE gateway_id=? AND name=?", (gw, name)
    )
    assert row is not None, f"{name} was not stored"
    return json.loads(row["doc"])


def upstream_fields(sandbox, c, gw: str, **fields) -> dict:
    """Publish the tutorial's service with its upstream written as ``fields``; what Kong keeps."""
    name = service_name()
    doc = service_doc(gw, name, sandbox.info.upstream_url)
    for key in ("host", "port", "protocol"):
        doc.pop(key)
    doc.update(fields)
    r = publish(c, gw, config_text(doc))
    assert r.status_code == 200, r.text
    saved = stored(sandbox, gw, f"{name}-dev")
    return {key: saved.get(key) for key in ("protocol", "host", "port", "path")}


def test_a_url_gives_kong_its_protocol_host_port_and_path(provider, sandbox):
    c, gw = provider
    assert upstream_fields(sandbox, c, gw, url="https://api.example.org:8443/v2") == {
        "protocol": "https",
        "host": "api.example.org",
        "port": 8443,
        "path": "/v2",
    }
    # without a port in the url, the scheme's own
    assert upstream_fields(sandbox, c, gw, url="https://api.example.org/v2")["port"] == 443


def test_a_service_without_protocol_or_port_gets_kongs_defaults(provider, sandbox):
    c, gw = provider
    assert upstream_fields(sandbox, c, gw, host="api.example.org") == {
        "protocol": "http",
        "host": "api.example.org",
        "port": 80,
        "path": None,
    }
    https = upstream_fields(sandbox, c, gw, host="api.example.org", protocol="https")
    assert (https["protocol"], https["port"]) == ("https", 443)


def test_a_bare_ipv6_host_is_not_read_as_host_and_port(provider, sandbox):
    c, gw = provider
    fields = upstream_fields(sandbox, c, gw, host="2001:db8::10", port=8080, protocol="http")
    assert (fields["host"], fields["port"]) == ("2001:db8::10", 8080)


def problems(r) -> list[str]:
    assert r.status_code == 400, r.text
    error = r.json()["error"]
    assert error.startswith("Validation Errors:\n")
    return error.split("\n")[1:]


def test_a_service_without_a_name_is_refused_with_gwa_apis_words(provider, sandbox):
    c, gw = provider
    doc = service_doc(gw, service_name(), sandbox.info.upstream_url)
    del doc["name"]
    assert problems(publish(c, gw, config_text(doc))) == ["services: name is required"]


def test_every_route_with_a_host_problem_is_named(provider, sandbox):
    """A route without hosts does not hide the next route's problem."""
    c, gw = provider
    name = service_name()
    doc = service_doc(gw, name, sandbox.info.upstream_url)
    hostless = {**doc["routes"][0], "name": f"{name}-a", "hosts": []}
    foreign = {**doc["routes"][0], "name": f"{name}-b", "hosts": ["www.example.org"]}
    doc["routes"] = [hostless, foreign]
    assert problems(publish(c, gw, config_text(doc))) == [
        f"service.{name}-dev.route.{name}-a A host must be specified for routes.",
        f"Host invalid: {name}-b www.example.org.  Route hosts must end with one of "
        "[.api.gov.bc.ca] for this gateway.",
    ]


def test_a_routes_plugins_that_are_not_a_list_are_named(provider, sandbox):
    c, gw = provider
    name = service_name()
    doc = service_doc(gw, name, sandbox.info.upstream_url)
    doc["routes"][0]["plugins"] = {"name": "cors"}
    text = yaml.safe_dump({"services": [doc]}, sort_keys=False)
    assert problems(publish(c, gw, text)) == [
        f".services.{name}-dev.routes.{name}-dev.plugins must be a list of objects"
    ]
    doc["routes"][0]["plugins"] = []
    doc["plugins"] = {"name": "cors"}
    text = yaml.safe_dump({"services": [doc]}, sort_keys=False)
    assert problems(publish(c, gw, text)) == [
        f".services.{name}-dev.plugins must be a list of objects"
    ]


def test_every_object_without_tags_is_named_upstreams_too(provider, sandbox):
    """Not only the first: the service, its plugin and each upstream (by name, else id)."""
    c, gw = provider
    name = service_name()
    doc = service_doc(gw, name, sandbox.info.upstream_url)
    del doc["tags"]
    del doc["plugins"][0]["tags"]
    doc["routes"][0]["plugins"] = [{"name": "cors"}]
    upstreams = [{"name": "pool"}, {"id": "u-2"}]
    text = yaml.safe_dump({"services": [doc], "upstreams": upstreams}, sort_keys=False)
    assert problems(publish(c, gw, text)) == [
        f".services.{name}-dev no tags found",
        f".services.{name}-dev.routes.{name}-dev.plugins.cors no tags found",
        f".services.{name}-dev.plugins.jwt-keycloak no tags found",
        ".upstreams.pool no tags found",
        ".upstreams.u-2 no tags found",
    ]


def test_upstreams_that_are_not_a_list_are_named(provider, sandbox):
    c, gw = provider
    doc = service_doc(gw, service_name(), sandbox.info.upstream_url)
    text = yaml.safe_dump({"services": [doc], "upstreams": 5}, sort_keys=False)
    assert problems(publish(c, gw, text)) == [".upstreams must be a list of objects"]
