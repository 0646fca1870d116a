"""A service's upstream host as publish reads it (``publish_config.normalise_service``).

gwa's template writes ``host: h:p`` beside ``port: p``; for an IPv6 upstream that is
``[addr]:p``. A host with any other port passes ``deck diff`` but Kong refuses the sync,
naming the service. A service without a usable upstream, or without a usable name, is refused
with gwa-api's words. A stored row no one can read in another gateway does not hide that
gateway's hosts from the conflict check.
"""

from __future__ import annotations

import json

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


@pytest.fixture
def provider(sandbox):
    with client(sandbox, user("host")) as c:
        yield c, new_gateway(c)


def problems(r) -> list[str]:
    assert r.status_code == 400, r.text
    error = r.json()["error"]
    assert error.startswith("Validation Errors:\n")
    return error.split("\n")[1:]


def test_a_bracketed_ipv6_host_with_the_services_port_is_read_as_the_address(provider, sandbox):
    c, gw = provider
    name = service_name()
    doc = service_doc(gw, name, sandbox.info.upstream_url)
    doc["host"], doc["port"] = "[::1]:8080", 8080
    r = publish(c, gw, config_text(doc))
    assert r.status_code == 200, r.text
    row = sandbox.ctx.db.query_one(
        "SELECT doc FROM kong_services WHERE gateway_id=? AND name=?", (gw, f"{name}-dev")
    )
    saved = json.loads(row["doc"])
    assert (saved["host"], saved["port"]) == ("[::1]", 8080)


def test_kongs_refusal_of_a_host_with_a_port_names_the_service(provider, sandbox):
    c, gw = provider
    name = service_name()
    doc = service_doc(gw, name, sandbox.info.upstream_url)
    doc["host"] = f"{doc['host']}:1234"
    r = publish(c, gw, config_text(doc))
    assert r.status_code == 400
    assert r.json() == {
        "error": "Sync Failed.",
        "results": (
            f"creating service {name}-dev\nError: 1 errors occurred:\n\twhile processing event: "
            f"{{Create}} service {name}-dev failed: HTTP status 400 "
            '(message: "schema violation (host: must not have a port)")\n'
        ),
    }


def test_a_service_without_an_upstream_or_with_a_broken_url_is_named(provider, sandbox):
    c, gw = provider
    name = service_name()
    doc = service_doc(gw, name, sandbox.info.upstream_url)
    for key in ("host", "port", "protocol"):
        doc.pop(key)
    assert problems(publish(c, gw, config_text(doc))) == [f"service {name}-dev needs a host or url"]
    doc["url"] = "http://api.example.org:99999/"  # no such port
    assert problems(publish(c, gw, config_text(doc))) == [
        "service upstream has invalid url specified (e2)"
    ]


@pytest.mark.parametrize("name", [7, ""])
def test_a_service_name_that_is_not_text_is_no_name(provider, sandbox, name):
    c, gw = provider
    doc = service_doc(gw, service_name(), sandbox.info.upstream_url)
    doc["name"] = name
    assert problems(publish(c, gw, config_text(doc))) == ["services: name is required"]


def test_an_unreadable_row_of_another_gateway_hides_none_of_its_hosts(provider, sandbox):
    """The conflict check skips a stored row it cannot read, and goes on to the next."""
    c, gw = provider
    with client(sandbox, user("other")) as other:
        broken, theirs = new_gateway(other), new_gateway(other)
        taken = service_doc(theirs, service_name(), sandbox.info.upstream_url)
        with sandbox.ctx.db.transaction() as conn:  # stored before theirs, so read first
            conn.execute(
                "INSERT INTO kong_services(gateway_id, name, id, doc) VALUES (?,?,?,?)",
                (broken, "unreadable", "unreadable-row", "{not json"),
            )
        try:
            assert publish(other, theirs, config_text(taken)).status_code == 200
            mine = service_doc(gw, service_name(), sandbox.info.upstream_url)
            mine["routes"][0]["hosts"] = taken["routes"][0]["hosts"]
            host = taken["routes"][0]["hosts"][0]
            assert problems(publish(c, gw, config_text(mine))) == [
                f"service.{mine['name']}.route.{mine['routes'][0]['name']} "
                f"The host is already used in another gateway '{host}'"
            ]
        finally:
            with sandbox.ctx.db.transaction() as conn:
                conn.execute("DELETE FROM kong_services WHERE id='unreadable-row'")
