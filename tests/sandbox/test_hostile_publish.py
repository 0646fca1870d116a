"""Hostile learner, publish side: configs that used to break routing, or answer 500, are refused
with decK/Kong's words, and the victim's API keeps answering its own consumer only."""

from __future__ import annotations

import json

import pytest
import yaml

from tests.sandbox.hostile_kit import Learner, enrol
from tests.sandbox.portal_kit import config_text, publish, service_doc, service_name


@pytest.fixture(scope="module")
def cast(sandbox) -> tuple[Learner, Learner]:
    return enrol(sandbox, "victim"), enrol(sandbox, "mallory")


def attack_doc(attacker: Learner, **route_changes) -> dict:
    doc = service_doc(attacker.gateway, service_name("evil"), attacker.server.info.upstream_url)
    doc["routes"][0].update(route_changes)
    return doc


def test_redirect_code_abc_is_refused_by_decks_decoder(cast):
    victim, mallory = cast
    r = publish(
        mallory.portal,
        mallory.gateway,
        config_text(attack_doc(mallory, https_redirect_status_code="abc")),
    )
    assert r.status_code == 400
    assert r.json() == {
        "error": "Validation Failed.",
        "results": "Error: reading file config-00.yaml: error unmarshaling JSON: json: cannot "
        "unmarshal string into Go struct field FRoute.services.routes.https_redirect_status_code "
        "of type int\n",
    }
    victim.assert_isolated(mallory)


def test_redirect_code_out_of_kongs_set_fails_the_sync(cast):
    victim, mallory = cast
    doc = attack_doc(mallory, https_redirect_status_code=999)
    r = publish(mallory.portal, mallory.gateway, config_text(doc))
    assert r.status_code == 400
    body = r.json()
    assert body["error"] == "Sync Failed."
    route = doc["routes"][0]["name"]
    assert body["results"] == (
        f"creating route {route}\nError: 1 errors occurred:\n\twhile processing event: "
        f'{{Create}} route {route} failed: HTTP status 400 (message: "schema violation '
        f'(https_redirect_status_code: expected one of: 426, 301, 302, 307, 308)")\n'
    )
    victim.assert_isolated(mallory)


@pytest.mark.parametrize("value", [".inf", "-.inf", ".nan"])
def test_non_finite_port_is_refused(cast, value):
    victim, mallory = cast
    doc = attack_doc(mallory)
    text = config_text(doc).replace(f"port: {doc['port']}", f"port: {value}")
    assert value in text
    r = publish(mallory.portal, mallory.gateway, text)
    assert r.status_code == 400
    assert r.json()["error"] == "Validation Failed."
    assert "json: unsupported value:" in r.json()["results"]
    victim.assert_isolated(mallory)


def test_non_finite_number_in_a_plugin_config_is_refused(cast):
    victim, mallory = cast
    doc = attack_doc(mallory)
    doc["plugins"][0]["config"]["maximum_expiration"] = float("inf")
    r = publish(mallory.portal, mallory.gateway, config_text(doc))
    assert (r.status_code, r.json()["error"]) == (400, "Validation Failed.")
    assert r.json()["results"].endswith("json: unsupported value: +Inf\n")
    # and the attacker's own status page still works (nothing was stored)
    assert mallory.portal.get(f"/gw/api/v3/gateways/{mallory.gateway}/services").status_code == 200
    victim.assert_isolated(mallory)


def test_json_body_with_nan_is_a_400_not_a_500(cast):
    victim, mallory = cast
    body = '{"configFile": "services: []", "dryRun": NaN}'
    r = mallory.portal.put(
        f"/gw/api/v3/gateways/{mallory.gateway}/gateway",
        content=body,
        headers={"Content-Type": "application/json"},
    )
    assert (r.status_code, r.json()) == (400, {"error": "Bad Request", "code": 400})
    victim.assert_isolated(mallory)


@pytest.mark.parametrize(
    ("snippet", "words"),
    [
        ("tags: !!binary aGVsbG8=", "!!binary values are not supported"),
        ("tags: !!set {a, b}", "!!set values are not supported"),
    ],
)
def test_binary_and_set_yaml_values_are_refused(cast, snippet, words):
    victim, mallory = cast
    text = f"services:\n- name: x\n  host: example.com\n  {snippet}\n"
    r = publish(mallory.portal, mallory.gateway, text)
    assert r.status_code == 400
    assert r.json()["error"].startswith("Validation Errors:\nUnable to parse the configuration: ")
    assert words in r.json()["error"]
    assert r.json()["error"].endswith(", line 4, column 9")  # where the learner looks
    victim.assert_isolated(mallory)


def test_yaml_timestamps_are_kept_as_the_text_written(cast, sandbox):
    victim, mallory = cast
    doc = attack_doc(mallory)
    doc["tags"].append("DATE_HERE")
    # an unquoted date in a tag: decK keeps it as text; the publish succeeds and stores text
    text = config_text(doc).replace("- DATE_HERE", "- 2021-05-27")
    assert "- 2021-05-27" in text
    r = publish(mallory.portal, mallory.gateway, text)
    assert r.status_code == 200, r.text
    row = sandbox.ctx.db.query_one(
        "SELECT doc FROM kong_services WHERE gateway_id=? AND name=?",
        (mallory.gateway, doc["name"]),
    )
    assert "2021-05-27" in json.loads(row["doc"])["tags"]
    assert mallory.portal.get(f"/gw/api/v3/gateways/{mallory.gateway}/services").status_code == 200
    victim.assert_isolated(mallory)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"port": 70000}, "port: value should be between 0 and 65535"),
        ({"retries": -1}, "retries: value should be between 0 and 32767"),
        ({"connect_timeout": 0}, "connect_timeout: value should be between 1 and 2147483646"),
        ({"protocol": "gopher"}, "protocol: expected one of: grpc, grpcs, http, https"),
        ({"name": "evil\x07bell"}, "name: invalid value 'evil\x07bell'"),
    ],
)
def test_service_fields_are_checked_like_kongs_schema(cast, changes, message):
    victim, mallory = cast
    doc = attack_doc(mallory)
    doc.update(changes)
    r = publish(mallory.portal, mallory.gateway, config_text(doc))
    assert r.status_code == 400, r.text
    assert r.json()["error"] == "Sync Failed."
    assert f"schema violation ({message}" in r.json()["results"]
    victim.assert_isolated(mallory)


def test_a_bad_row_already_stored_is_skipped_by_the_router(cast, sandbox):
    """A row written before these checks existed must not take the data plane down."""
    victim, mallory = cast
    doc = attack_doc(mallory, https_redirect_status_code="abc")
    doc["port"] = "not a port"
    with sandbox.ctx.db.transaction() as conn:
        conn.execute(
            "INSERT OR REPLACE INTO kong_services(gateway_id, name, id, doc) VALUES (?,?,?,?)",
            (mallory.gateway, doc["name"], "bad-row", json.dumps(doc)),
        )
        conn.execute(
            "INSERT OR REPLACE INTO kong_services(gateway_id, name, id, doc) VALUES (?,?,?,?)",
            (mallory.gateway, "garbage", "garbage-row", '{"routes": [{"hosts": 5, "paths": {}}]'),
        )
    try:
        victim.assert_isolated(mallory)
        assert (
            victim.portal.get(f"/gw/api/v3/gateways/{victim.gateway}/services").status_code == 200
        )
    finally:
        with sandbox.ctx.db.transaction() as conn:
            conn.execute("DELETE FROM kong_services WHERE id IN ('bad-row', 'garbage-row')")


def test_base_entities_stop_at_the_first_like_gwa_api(cast):
    """``gwa pg`` given a gw-config (kind:) file: one line, not one per key of every document."""
    victim, mallory = cast
    docs = [
        {"kind": "CredentialIssuer", "name": "x", "flow": "client-credentials"},
        {"kind": "DraftDataset", "name": "y", "title": "t"},
    ]
    r = publish(mallory.portal, mallory.gateway, yaml.safe_dump_all(docs, sort_keys=False))
    assert (r.status_code, r.json()) == (
        400,
        {"error": "Validation Errors:\nInvalid base entity kind"},
    )
    victim.assert_isolated(mallory)


def test_tag_errors_come_in_gwa_apis_order(cast):
    victim, mallory = cast
    doc = attack_doc(mallory)
    doc["tags"] = [f"ns.{victim.gateway}"]
    r = publish(mallory.portal, mallory.gateway, config_text(doc))
    assert r.status_code == 400
    lines = r.json()["error"].split("\n")[1:]
    assert lines == [
        f".services.{doc['name']} missing required tag ns.{mallory.gateway}",
        f".services.{doc['name']} invalid ns tag ns.{victim.gateway}",
    ]
    victim.assert_isolated(mallory)


def test_gwa_api_stops_at_the_first_failing_step(cast):
    """Tags, then hosts, then upstreams: only the first failing step's lines are returned."""
    victim, mallory = cast
    both = attack_doc(mallory)
    both["routes"][0]["tags"] = []
    both["routes"][0]["hosts"] = ["example.com"]
    r = publish(mallory.portal, mallory.gateway, config_text(both))
    route = both["routes"][0]["name"]
    assert r.json() == {
        "error": f"Validation Errors:\n.services.{both['name']}.routes.{route} "
        f"missing required tag ns.{mallory.gateway}"
    }
    hosts_and_upstream = attack_doc(mallory)
    hosts_and_upstream["routes"][0]["hosts"] = ["example.com"]
    for key in ("host", "port", "protocol"):
        hosts_and_upstream.pop(key)
    hosts_and_upstream["url"] = "http:///no-host"
    r = publish(mallory.portal, mallory.gateway, config_text(hosts_and_upstream))
    assert r.json()["error"].split("\n")[1:] == [
        f"Host invalid: {hosts_and_upstream['routes'][0]['name']} example.com.  Route hosts must end with one of "
        "[.api.gov.bc.ca] for this gateway."
    ]
    victim.assert_isolated(mallory)


def test_a_stored_non_finite_plugin_number_does_not_break_the_services_list(cast, sandbox):
    """Rows stored before publish refused ``.inf`` must not 500 ``GET …/services`` for good."""
    victim, mallory = cast
    doc = attack_doc(mallory)
    doc["plugins"][0]["config"]["maximum_expiration"] = float("inf")
    with sandbox.ctx.db.transaction() as conn:
        conn.execute(
            "INSERT OR REPLACE INTO kong_services(gateway_id, name, id, doc) VALUES (?,?,?,?)",
            (mallory.gateway, doc["name"], "inf-row", json.dumps(doc)),
        )
    try:
        r = mallory.portal.get(f"/ds/api/v3/gateways/{mallory.gateway}/services")
        assert r.status_code == 200, r.text
        mine = next(item for item in r.json() if item["service"] == doc["name"])
        jwt = next(p for p in mine["plugins"] if p["name"] == "jwt-keycloak")
        assert "maximum_expiration" not in jwt["config"]  # dropped, as null values are
        victim.assert_isolated(mallory)
    finally:
        with sandbox.ctx.db.transaction() as conn:
            conn.execute("DELETE FROM kong_services WHERE id='inf-row'")
