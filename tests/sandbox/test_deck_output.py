"""decK's words in a publish's ``results`` (issue #12): service names, the multi-line diff."""

from __future__ import annotations

import json
import uuid

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
from tui.sandbox.deck_diff import ascii_diff, go_number


@pytest.fixture
def provider(sandbox):
    with client(sandbox, user("deck")) as c:
        yield c, new_gateway(c)


def service_id(sandbox, gw: str, name: str) -> str:
    row = sandbox.ctx.db.query_one(
        "SELECT id FROM kong_services WHERE gateway_id=? AND name=?", (gw, name)
    )
    return row["id"]


def test_an_update_prints_decks_multi_line_diff(provider, sandbox):
    c, gw = provider
    name = service_name()
    doc = service_doc(gw, name, sandbox.info.upstream_url)
    assert publish(c, gw, config_text(doc)).status_code == 200
    sid = service_id(sandbox, gw, f"{name}-dev")
    doc["retries"] = 2
    r = publish(c, gw, config_text(doc))
    assert r.status_code == 200, r.text
    host, port = doc["host"], doc["port"]
    assert r.json()["results"] == (
        f"updating service {name}-dev  {{\n"
        '   "connect_timeout": 60000,\n'
        '   "enabled": true,\n'
        f'   "host": "{host}",\n'
        f'   "id": "{sid}",\n'
        f'   "name": "{name}-dev",\n'
        f'   "port": {port},\n'
        '   "protocol": "http",\n'
        '   "read_timeout": 60000,\n'
        '-  "retries": 0,\n'
        '+  "retries": 2,\n'
        '   "tags": [\n'
        f'     "ns.{gw}"\n'
        "   ],\n"
        '   "write_timeout": 60000\n'
        " }\n"
        "\n"
        "Summary:\n  Created: 0\n  Updated: 1\n  Deleted: 0\n"
    )


def test_plugin_lines_name_the_route_and_the_service(provider, sandbox):
    c, gw = provider
    name = service_name()
    doc = service_doc(gw, name, sandbox.info.upstream_url)
    doc["routes"][0]["plugins"] = [
        {"name": "cors", "tags": [f"ns.{gw}"], "config": {"origins": ["*"]}}
    ]
    first = publish(c, gw, config_text(doc)).json()["results"].splitlines()
    assert first[:5] == [
        f"creating service {name}-dev",
        f"creating route {name}-dev",
        f"creating plugin cors for route {name}-dev",
        f"creating plugin jwt-keycloak for service {name}-dev",
        f"creating plugin request-transformer for service {name}-dev",
    ]
    gone = publish(c, gw, "services: []\n").json()["results"].splitlines()
    assert gone[:5] == [
        f"deleting plugin cors for route {name}-dev",
        f"deleting route {name}-dev",
        f"deleting plugin jwt-keycloak for service {name}-dev",
        f"deleting plugin request-transformer for service {name}-dev",
        f"deleting service {name}-dev",
    ]


def test_the_diff_follows_the_json_diff_formatter():
    old = {"a": 1, "c": {"j": 2, "k": 1}, "list": ["x"], "gone": None}
    new = {"a": 1, "c": {"j": 3, "k": 1}, "list": ["x", "y"], "z": True}
    assert ascii_diff(old, new) == (
        " {\n"
        '   "a": 1,\n'
        '   "c": {\n'
        '-    "j": 2,\n'
        '+    "j": 3,\n'
        '     "k": 1\n'
        "   },\n"
        '-  "gone": null,\n'
        '   "list": [\n'
        '     "x"\n'
        '+    "y"\n'
        "   ]\n"
        '+  "z": true\n'
        " }\n"
    )


def test_a_changed_host_in_a_route_shows_the_old_and_new_item_in_place():
    old = {"hosts": ["a.api.gov.bc.ca", "b.api.gov.bc.ca"], "name": "r"}
    new = {"hosts": ["a.api.gov.bc.ca", "c.api.gov.bc.ca"], "name": "r"}
    assert ascii_diff(old, new) == (
        " {\n"
        '   "hosts": [\n'
        '     "a.api.gov.bc.ca",\n'
        '-    "b.api.gov.bc.ca"\n'
        '+    "c.api.gov.bc.ca"\n'
        "   ],\n"
        '   "name": "r"\n'
        " }\n"
    )


def test_a_removed_path_is_marked_and_the_others_kept():
    old = {"paths": ["/a", "/b", "/c"]}
    new = {"paths": ["/a", "/c"]}
    assert ascii_diff(old, new) == (
        ' {\n   "paths": [\n     "/a",\n-    "/b",\n     "/c"\n   ]\n }\n'
    )


def test_a_removed_or_added_object_is_printed_whole_with_its_marker():
    headers = {"x-team": ["ops"], "x-zone": ["dev"]}
    assert ascii_diff({"headers": headers, "name": "r"}, {"name": "r"}) == (
        " {\n"
        '-  "headers": {\n'
        '-    "x-team": [\n'
        '-      "ops"\n'
        "-    ],\n"
        '-    "x-zone": [\n'
        '-      "dev"\n'
        "-    ]\n"
        "-  },\n"
        '   "name": "r"\n'
        " }\n"
    )
    added = ascii_diff({"name": "r"}, {"headers": {"x-team": ["ops"]}, "name": "r"})
    assert added == (
        ' {\n   "name": "r"\n+  "headers": {\n+    "x-team": [\n+      "ops"\n+    ]\n+  }\n }\n'
    )


@pytest.mark.parametrize(
    ("number", "text"),
    [
        (60000, "60000"),
        (1000000, "1e+06"),
        (2147483646, "2.147483646e+09"),
        (0.5, "0.5"),
        (12.25, "12.25"),
        (0.0001, "0.0001"),
        (0.00001, "1e-05"),
        (-3, "-3"),
    ],
)
def test_numbers_print_as_go_prints_a_float64(number, text):
    assert go_number(number) == text
    assert json.loads(text) == number


def stored_service(sandbox, gw: str, name: str) -> dict:
    row = sandbox.ctx.db.query_one(
        "SELECT doc FROM kong_services WHERE gateway_id=? AND name=?", (gw, name)
    )
    return json.loads(row["doc"])


def test_a_route_and_its_plugin_update_in_place_with_their_parents_ids(provider, sandbox):
    """decK updates a changed route and route plugin (same Kong ids), each diff naming the
    entity it belongs to: the route its service, the plugin its route."""
    c, gw = provider
    name = service_name()
    doc = service_doc(gw, name, sandbox.info.upstream_url)
    route = doc["routes"][0]
    route["plugins"] = [{"name": "cors", "tags": [f"ns.{gw}"], "config": {"max_age": 60}}]
    assert publish(c, gw, config_text(doc)).status_code == 200
    first = stored_service(sandbox, gw, f"{name}-dev")
    sid, rid = first["id"], first["routes"][0]["id"]
    pid = first["routes"][0]["plugins"][0]["id"]
    assert len({sid, rid, pid, str(uuid.UUID(rid)), str(uuid.UUID(pid))}) == 3

    route["preserve_host"] = True
    route["plugins"][0]["config"]["max_age"] = 120
    r = publish(c, gw, config_text(doc))
    assert r.status_code == 200, r.text
    tags = f'   "tags": [\n     "ns.{gw}"\n   ]'
    assert r.json()["results"] == (
        f"updating route {name}-dev  {{\n"
        '   "hosts": [\n'
        f'     "{name}.dev.api.gov.bc.ca"\n'
        "   ],\n"
        '   "https_redirect_status_code": 426,\n'
        f'   "id": "{rid}",\n'
        '   "methods": [\n'
        '     "GET"\n'
        "   ],\n"
        f'   "name": "{name}-dev",\n'
        '   "path_handling": "v0",\n'
        '-  "preserve_host": false,\n'
        '+  "preserve_host": true,\n'
        '   "protocols": [\n'
        '     "http",\n'
        '     "https"\n'
        "   ],\n"
        '   "regex_priority": 0,\n'
        '   "request_buffering": true,\n'
        '   "response_buffering": true,\n'
        '   "service": {\n'
        f'     "id": "{sid}"\n'
        "   },\n"
        '   "strip_path": false,\n'
        f"{tags}\n"
        " }\n"
        "\n"
        f"updating plugin cors for route {name}-dev  {{\n"
        '   "config": {\n'
        '-    "max_age": 60\n'
        '+    "max_age": 120\n'
        "   },\n"
        '   "enabled": true,\n'
        f'   "id": "{pid}",\n'
        '   "name": "cors",\n'
        '   "protocols": [\n'
        '     "grpc",\n'
        '     "grpcs",\n'
        '     "http",\n'
        '     "https"\n'
        "   ],\n"
        '   "route": {\n'
        f'     "id": "{rid}"\n'
        "   },\n"
        f"{tags}\n"
        " }\n"
        "\n"
        "Summary:\n  Created: 0\n  Updated: 2\n  Deleted: 0\n"
    )
    again = stored_service(sandbox, gw, f"{name}-dev")["routes"][0]
    assert (again["id"], again["plugins"][0]["id"]) == (rid, pid)


def test_a_route_dropped_from_a_kept_service_is_deleted_with_its_plugins(provider, sandbox):
    c, gw = provider
    name = service_name()
    doc = service_doc(gw, name, sandbox.info.upstream_url)
    extra = {
        **doc["routes"][0],
        "name": f"{name}-extra",
        "hosts": [f"{name}-extra.dev.api.gov.bc.ca"],
        "plugins": [{"name": "cors", "tags": [f"ns.{gw}"], "config": {"max_age": 60}}],
    }
    doc["routes"].append(extra)
    assert publish(c, gw, config_text(doc)).status_code == 200
    doc["routes"].pop()
    r = publish(c, gw, config_text(doc))
    assert r.status_code == 200, r.text
    assert r.json()["results"] == (
        f"deleting plugin cors for route {name}-extra\n"
        f"deleting route {name}-extra\n"
        "Summary:\n  Created: 0\n  Updated: 0\n  Deleted: 2\n"
    )
