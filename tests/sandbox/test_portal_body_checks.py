"""The portal checks a request body's field types as its tsoa layer does: a 422 that names
every wrong field by its path (``body.environmentDetails.$0``) with tsoa's message and the value
sent, and nothing is stored."""

from __future__ import annotations

import pytest

from tests.sandbox.portal_kit import (
    client,
    dataset_doc,
    issuer_doc,
    new_gateway,
    service_name,
    user,
)

V3 = "/ds/api/v3"


@pytest.fixture
def provider(sandbox):
    with client(sandbox, user("body")) as c:
        yield c, new_gateway(c)


def _fields(response) -> dict:
    assert response.status_code == 422, response.text
    return response.json()["fields"]


def test_a_flag_sent_as_text_is_an_invalid_boolean_and_nothing_is_stored(provider):
    c, gw = provider
    name = service_name("flag")
    r = c.put(f"{V3}/gateways/{gw}/datasets", json=dataset_doc(name, isDraft="yes"))
    assert _fields(r) == {"body.isDraft": {"message": "invalid boolean value", "value": "yes"}}
    assert c.get(f"{V3}/gateways/{gw}/datasets/{name}-dataset").status_code == 404


def test_a_list_item_that_is_not_an_object_is_named_by_its_index(provider):
    c, gw = provider
    doc = {**issuer_doc(gw), "environmentDetails": ["dev", {"environment": 7}]}
    r = c.put(f"{V3}/gateways/{gw}/issuers", json=doc)
    assert _fields(r) == {
        "body.environmentDetails.$0": {"message": "invalid object", "value": "dev"},
        "body.environmentDetails.$1.environment": {
            "message": "invalid string value",
            "value": 7,
        },
    }
    assert c.get(f"{V3}/gateways/{gw}/issuers").json() == []


def test_pattern_parameters_must_be_a_map_of_strings(provider):
    c, gw = provider
    url = f"{V3}/gateways/{gw}/pattern"
    r = c.put(url, json={"pattern": "simple-service.r1", "parameters": ["service"]})
    assert _fields(r) == {"body.parameters": {"message": "invalid object", "value": ["service"]}}
    r = c.put(url, json={"pattern": "simple-service.r1", "parameters": {"port": 8080}})
    assert _fields(r) == {
        "body.parameters.port": {"message": "invalid string value", "value": 8080}
    }


def test_a_pattern_with_a_bad_service_name_and_url_names_both_parameters(provider):
    c, gw = provider
    r = c.put(
        f"{V3}/gateways/{gw}/pattern",
        json={
            "pattern": "simple-service.r1",
            "parameters": {"service_name": "Bad Name!", "service_url": "ftp://files"},
        },
    )
    assert (r.status_code, r.json()) == (
        422,
        {
            "code": "validation_error",
            "message": "Invalid input",
            "fields": {
                "parameters.service_name": {"message": "invalid service name"},
                "parameters.service_url": {"message": "invalid url"},
            },
        },
    )
