"""How gwa-api's publish reads its request (``publish.read_request``): the configuration as an
uploaded file, a form field or JSON, ``dryRun`` in any of gwa's spellings, and a clean 400
for everything else, with nothing stored."""

from __future__ import annotations

import json

import pytest

from tests.sandbox.portal_kit import config_text, service_doc, service_name
from tests.sandbox.test_publish import provider, stored

__all__ = ["provider"]  # the fixture, shared with test_publish.py

BAD_REQUEST = {"error": "Bad Request", "code": 400}


def url(gw: str) -> str:
    return f"/gw/api/v3/gateways/{gw}/gateway"


def test_the_configuration_may_come_as_a_plain_form_field(provider, sandbox):
    c, gw = provider
    name = service_name()
    text = config_text(service_doc(gw, name, sandbox.info.upstream_url))
    r = c.put(url(gw), data={"configFile": text, "dryRun": "false"})
    assert r.status_code == 200, r.text
    assert f"{name}-dev" in stored(sandbox, gw)


@pytest.mark.parametrize("dry", [True, "True", "TRUE"])
def test_dry_run_is_read_in_any_case_and_as_a_json_boolean(provider, sandbox, dry):
    c, gw = provider
    text = config_text(service_doc(gw, service_name(), sandbox.info.upstream_url))
    r = c.put(url(gw), json={"configFile": text, "dryRun": dry})
    assert r.json()["message"] == "Dry-run.  No changes applied."
    assert stored(sandbox, gw) == {}


def test_a_qualifier_with_a_dot_is_ignored(provider, sandbox):
    c, gw = provider
    text = config_text(service_doc(gw, service_name(), sandbox.info.upstream_url))
    r = c.put(url(gw), json={"configFile": text, "dryRun": False, "qualifier": "a.b"})
    assert r.status_code == 200, r.text
    r = c.put(url(gw), json={"configFile": text, "dryRun": False, "qualifier": "test"})
    assert r.status_code == 400
    assert "does not match tags" in r.json()["error"]


@pytest.mark.parametrize(
    ("content", "answer"),
    [
        (b"{not json", BAD_REQUEST),
        (json.dumps({"configFile": "services: []\n"}).encode(), BAD_REQUEST),
        (json.dumps(["configFile"]).encode(), {"error": "Missing input"}),
        (json.dumps({"configFile": "   \n", "dryRun": False}).encode(), {"error": "Missing input"}),
    ],
)
def test_a_json_request_without_a_usable_configuration_is_a_400(provider, sandbox, content, answer):
    c, gw = provider
    r = c.put(url(gw), content=content, headers={"Content-Type": "application/json"})
    assert (r.status_code, r.json()) == (400, answer)
    assert stored(sandbox, gw) == {}


def test_a_configuration_file_that_is_not_utf8_is_named_so(provider):
    c, gw = provider
    r = c.put(
        url(gw),
        data={"dryRun": "false"},
        files={"configFile": ("c.yaml", "services: [] # café\n".encode("latin-1"))},
    )
    assert (r.status_code, r.json()) == (
        400,
        {"error": "Validation Errors:\nConfiguration must be UTF-8 text"},
    )


def test_a_form_that_cannot_be_read_is_gwa_apis_bad_request(provider, sandbox):
    """A form of more fields than the few gwa sends (a flood) is refused unread, as gwa-api's
    bare 400, and so is a multipart body without its boundary."""
    c, gw = provider
    flood = {f"field{n}": "x" for n in range(20)} | {"dryRun": "false"}
    files = {"configFile": ("c.yaml", config_text().encode())}
    r = c.put(url(gw), data=flood, files=files)
    assert (r.status_code, r.json()) == (400, BAD_REQUEST)
    r = c.put(url(gw), content=b"x", headers={"Content-Type": "multipart/form-data"})
    assert (r.status_code, r.json()) == (400, BAD_REQUEST)
    assert stored(sandbox, gw) == {}


def test_a_request_without_a_content_type_is_missing_input(provider, sandbox):
    c, gw = provider
    r = c.put(url(gw), content=b"services: []\n")
    assert "content-type" not in r.request.headers
    assert (r.status_code, r.json()) == (400, {"error": "Missing input"})
    assert stored(sandbox, gw) == {}
