"""A publish that Kong's schema or decK's decoder would refuse is refused with their words.

Each case changes one field of the tutorial's valid GatewayService and publishes it through
``PUT /gw/api/v3/gateways/{gw}/gateway``. A wrong Go type stops decK while it reads the file
(``Validation Failed.``); a value Kong's schema refuses fails the sync (``Sync Failed.``) with
``schema violation (field: message)`` for the entity decK names. Nothing is stored either way.
"""

from __future__ import annotations

from typing import Any

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


@pytest.fixture(scope="module")
def provider(sandbox) -> tuple[httpx.Client, str]:
    portal = client(sandbox, user("schema"))
    return portal, new_gateway(portal)


def _doc(sandbox, gw: str) -> dict[str, Any]:
    return service_doc(gw, service_name("schema"), sandbox.info.upstream_url)


def _refused(portal: httpx.Client, gw: str, doc: dict[str, Any], error: str) -> str:
    """Publish ``doc``; assert the refusal and that nothing was stored; the results text."""
    r = publish(portal, gw, config_text(doc))
    assert r.status_code == 400, r.text
    assert r.json()["error"] == error
    listed = portal.get(f"/gw/api/v3/gateways/{gw}/services")
    assert doc["name"] not in {s["name"] for s in listed.json()}
    return r.json()["results"]


def _route(doc: dict[str, Any]) -> dict[str, Any]:
    return doc["routes"][0]


def _jwt(doc: dict[str, Any]) -> dict[str, Any]:
    return doc["plugins"][0]["config"]


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        (
            lambda d: d.update(port=8080.5),
            "cannot unmarshal number 8080.5 into Go struct field FService.services.port "
            "of type int",
        ),
        (
            lambda d: d.update(ca_certificates="one-ca"),
            "cannot unmarshal string into Go struct field FService.services.ca_certificates "
            "of type []*string",
        ),
        (
            lambda d: _route(d).update(protocols=["http", 7]),
            "cannot unmarshal number into Go struct field FRoute.services.routes.protocols "
            "of type string",
        ),
        (
            lambda d: d.update(path=["/a", "/b"]),
            "cannot unmarshal array into Go struct field FService.services.path of type string",
        ),
        (
            lambda d: d.update(enabled="yes"),
            "cannot unmarshal string into Go struct field FService.services.enabled of type bool",
        ),
        (
            lambda d: _route(d).update(strip_path=1),
            "cannot unmarshal number into Go struct field FRoute.services.routes.strip_path "
            "of type bool",
        ),
        (
            lambda d: _route(d).update(headers=["x-a"]),
            "cannot unmarshal array into Go struct field FRoute.services.routes.headers "
            "of type map[string]interface {}",
        ),
        (
            lambda d: d["plugins"][0].update(config=True),
            "cannot unmarshal bool into Go struct field FPlugin.services.plugins.config "
            "of type map[string]interface {}",
        ),
        (
            lambda d: _route(d).update(
                plugins=[{"name": "cors", "enabled": "on", "tags": d["tags"]}]
            ),
            "cannot unmarshal string into Go struct field FPlugin.services.routes.plugins.enabled "
            "of type bool",
        ),
    ],
)
def test_a_field_of_the_wrong_type_stops_decks_file_reader(sandbox, provider, change, problem):
    portal, gw = provider
    doc = _doc(sandbox, gw)
    change(doc)
    results = _refused(portal, gw, doc, "Validation Failed.")
    assert results == (
        f"Error: reading file config-00.yaml: error unmarshaling JSON: json: {problem}\n"
    )


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d.update(host="bad_host"), "host: invalid hostname: bad_host"),
        (lambda d: d.update(path="v1/items"), "path: should start with: /"),
        (lambda d: d.update(path="/v1/\x01"), "path: invalid path"),
        (lambda d: d.update(tls_verify_depth=65), "tls_verify_depth: value should be between 0"),
        (
            lambda d: d["tags"].append("team,ops"),
            "tags: invalid tag 'team,ops': expected printable ascii (except `,` and `/`)",
        ),
    ],
)
def test_service_values_kong_refuses_fail_the_sync(sandbox, provider, change, message):
    portal, gw = provider
    doc = _doc(sandbox, gw)
    change(doc)
    results = _refused(portal, gw, doc, "Sync Failed.")
    assert results.startswith(f"creating service {doc['name']}\n"), results
    assert f'(message: "schema violation ({message}' in results


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda r: r.update(protocols=["gopher"]), "protocols: expected one of: grpc, grpcs"),
        (lambda r: r.update(methods=["get"]), "methods: invalid value: get"),
        (
            lambda r: r.update(hosts=["*.a.*.api.gov.bc.ca"]),
            "hosts: invalid wildcard: must have at most one wildcard",
        ),
        (
            lambda r: r.update(hosts=["a.*.api.gov.bc.ca"]),
            "hosts: invalid wildcard: must be placed at leftmost or rightmost label",
        ),
        (
            lambda r: r.update(hosts=["my_api.api.gov.bc.ca"]),
            "hosts: invalid hostname: my_api.api.gov.bc.ca",
        ),
        (
            lambda r: r.update(paths=["items"]),
            "paths: should start with: / (fixed path) or ~/ (regex path)",
        ),
        (lambda r: r.update(paths=["/items\x7f"]), "paths: invalid path"),
        (
            lambda r: r.update(paths=["~/items/" + "a" * 1020]),
            "paths: invalid regex: '/items/" + "a" * 1020 + "' (longer than 1024 characters)",
        ),
        (
            lambda r: r.update(paths=["~/items/\x01"]),
            "paths: invalid regex: '/items/\x01' (contains control characters)",
        ),
        (
            lambda r: r.update(paths=["~/items/(unclosed"]),
            "paths: invalid regex: '/items/(unclosed' (RE2 returned: missing ): /items/(unclosed)",
        ),
        (lambda r: r.update(path_handling="v2"), "path_handling: expected one of: v0, v1"),
        (
            lambda r: r.update(regex_priority=2**31),
            "regex_priority: value should be between -2147483648 and 2147483647",
        ),
        (
            lambda r: r.update(headers={"x-team": "ops"}),
            "headers: x-team: expected an array of strings",
        ),
    ],
)
def test_route_values_kong_refuses_fail_the_sync(sandbox, provider, change, message):
    portal, gw = provider
    doc = _doc(sandbox, gw)
    change(_route(doc))
    results = _refused(portal, gw, doc, "Sync Failed.")
    assert results.startswith(f"creating route {_route(doc)['name']}\n"), results
    assert f'(message: "schema violation ({message}' in results


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda c: c.update(allowed_iss="https://one"), "config.allowed_iss: expected a set"),
        (lambda c: c.update(claims_to_verify=["exp", 1]), "config.claims_to_verify: expected a"),
        (lambda c: c.update(maximum_expiration="1h"), "config.maximum_expiration: expected a"),
        (lambda c: c.update(consumer_match="yes"), "config.consumer_match: expected a boolean"),
        (lambda c: c.update(algorithm=256), "config.algorithm: expected a string"),
        (
            lambda c: c.update(iss_key_grace_period=0),
            "config.iss_key_grace_period: value should be between 1 and 60",
        ),
        (
            lambda c: c.update(maximum_expiration=-5),
            "config.maximum_expiration: value should be between 0 and 31536000",
        ),
    ],
)
def test_jwt_keycloak_settings_kong_refuses_fail_the_sync(sandbox, provider, change, message):
    portal, gw = provider
    doc = _doc(sandbox, gw)
    change(_jwt(doc))
    results = _refused(portal, gw, doc, "Sync Failed.")
    label = f"plugin jwt-keycloak for service {doc['name']}"
    assert results.startswith(f"creating {label}\n"), results
    assert f'(message: "schema violation ({message}' in results


def test_a_route_plugin_without_a_name_fails_the_sync_naming_its_route(sandbox, provider):
    portal, gw = provider
    doc = _doc(sandbox, gw)
    _route(doc)["plugins"] = [{"enabled": True, "tags": [f"ns.{gw}"], "config": {}}]
    results = _refused(portal, gw, doc, "Sync Failed.")
    label = f"plugin None for route {_route(doc)['name']}"
    assert results.startswith(f"creating {label}\n"), results
    assert '(message: "schema violation (name: required field missing)")' in results
