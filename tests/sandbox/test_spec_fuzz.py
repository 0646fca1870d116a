"""A bounded schemathesis run of both OpenAPI descriptions against a sandbox of its own.

Every operation of the portal's v3 description and of gwa-api's v2 description gets
``CASES_PER_OPERATION`` generated requests (derandomized, so every run sends the same ones),
half of them on a gateway the caller owns (tutorial applied), the others on whatever id the
generator made up. Each answer must be:

* never a 5xx;
* a status the operation documents, or one of the undocumented statuses in
  :data:`UNDOCUMENTED_STATUS` (the running portal's, with the reason for each);
* for a documented 2xx with a JSON schema, a body that validates against it, except the
  shapes in :data:`SHAPE_QUIRKS`, where the real portal answers outside its own spec.

Both lists are written out with their reasons in ``docs/sandbox-quirks.md``; a test checks
that every key here appears there.
"""

from __future__ import annotations

import json
from importlib import resources as package_files
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, Phase, given, settings
from jsonschema import Draft202012Validator

from tests.sandbox.portal_kit import client, new_gateway, service_name, tutorial, user
from tests.sandbox_kit import start_sandbox
from tui.sandbox.tokens import issue_provider_token

CASES_PER_OPERATION = 8
QUIRKS_DOC = Path(__file__).resolve().parents[2] / "docs" / "sandbox-quirks.md"
GWA_SPEC = Path(__file__).resolve().parent / "specs" / "gwa-api-v2-openapi.yaml"
ORG = "ministry-of-citizens-services"

# status -> why the portal (or gwa-api) answers it although the operation does not list it.
UNDOCUMENTED_STATUS: dict[int, str] = {
    204: "tsoa answers 204 with no body when a controller returns null (directory item)",
    400: "a refused batch write answers its failing BatchResult with 400 (gwa-api: bad input)",
    401: "every operation with security answers 401 for a missing or bad token",
    403: "every operation with security answers 403 for a missing scope",
    404: "an unknown record (or gwa-api path) answers 404",
    405: "a method the path does not have answers 405",
    413: "the sandbox caps request bodies (2 MiB by default)",
    422: "tsoa body/query validation and controller assertions answer 422",
}

# (METHOD, path template) -> why its 2xx body is outside the spec's schema.
SHAPE_QUIRKS: dict[tuple[str, str], str] = {
    ("GET", "/gateways/{gatewayId}"): "the portal returns its namespace object, not Gateway",
    ("GET", "/gateways/{gatewayId}/issuers"): (
        "shared-IdP profiles list clientRegistration 'shared-idp', outside the enum"
    ),
    ("GET", "/gateways/report"): "the report is a spreadsheet, not JSON",
}


def load_portal_spec() -> dict[str, Any]:
    text = package_files.files("tui.sandbox").joinpath("data", "aps-portal-v3-openapi.yaml")
    return yaml.safe_load(text.read_text("utf-8"))


def load_gwa_spec() -> dict[str, Any]:
    """gwa-api fills ``{{server_url}}`` when it serves the file; here it is the portal's proxy."""
    spec = yaml.safe_load(GWA_SPEC.read_text("utf-8"))
    spec["servers"] = [{"url": "/gw/api/v2"}]
    return spec


@pytest.fixture(scope="module")
def target(tmp_path_factory: pytest.TempPathFactory):
    """A sandbox of its own, a learner's token and their gateway with the tutorial applied."""
    server = start_sandbox(tmp_path_factory.mktemp("fuzz"))
    username = user("fuzz")
    with client(server, username) as c:
        gw = new_gateway(c)
        tutorial(c, gw, service_name(), server.info.upstream_url)
    token = issue_provider_token(server.ctx, username, lifetime=3600)
    yield server, gw, {"Authorization": f"Bearer {token}"}
    server.stop()


def _json(response: Any) -> Any:
    try:
        return json.loads(response.content)
    except ValueError:
        return None


def problems_of(spec: dict[str, Any], case: Any, response: Any) -> list[str]:
    """What is wrong with one answer (empty when it is fine or a documented quirk)."""
    label = f"{case.method} {case.formatted_path} -> {response.status_code}"
    status = response.status_code
    if status >= 500:
        return [f"{label}: server error {response.text[:200]}"]
    operation = case.operation
    documented = {str(k) for k in operation.definition.raw.get("responses", {})}
    if str(status) not in documented:
        if status in UNDOCUMENTED_STATUS:
            return []
        return [f"{label}: undocumented status"]
    if status >= 300 or (case.method.upper(), operation.path) in SHAPE_QUIRKS:
        return []
    content = operation.definition.raw["responses"][str(status)].get("content") or {}
    schema = (content.get("application/json") or {}).get("schema")
    if not schema:
        return []
    body = _json(response)
    if body is None and response.content:
        return [f"{label}: not JSON ({response.headers.get('content-type')})"]
    root = {**schema, "components": spec.get("components", {})}
    errors = [e.message for e in Draft202012Validator(root).iter_errors(body)]
    return [f"{label}: {message}" for message in errors[:3]]


def fuzz(spec: dict[str, Any], base_url: str, headers: dict[str, str], gw: str) -> tuple[int, list]:
    import schemathesis  # here, not at the top: collecting this module stays cheap (~1 s a worker)

    schema = schemathesis.openapi.from_dict(spec)
    sent = 0
    found: list[str] = []
    for result in schema.get_all_operations():
        operation = result.ok()

        @settings(
            max_examples=CASES_PER_OPERATION,
            derandomize=True,
            database=None,
            deadline=None,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy())
        def run(case: Any) -> None:
            nonlocal sent
            sent += 1
            params = case.path_parameters or {}
            # Half the cases on the caller's own gateway (not DELETE: that would end it).
            if sent % 2 and case.method.upper() != "DELETE":
                for key in ("gatewayId", "namespace"):
                    if key in params:
                        params[key] = gw
                if "org" in params:
                    params["org"] = ORG
            response = case.call(base_url=base_url, headers=headers, timeout=15)
            found.extend(problems_of(spec, case, response))

        run()
    return sent, found


def test_the_portal_answers_its_v3_description(target) -> None:
    server, gw, headers = target
    sent, found = fuzz(load_portal_spec(), f"{server.ctx.portal_url}/ds/api/v3", headers, gw)
    print(f"portal: {sent} requests")
    assert sent >= 200
    assert found == []


def test_gwa_api_answers_its_v2_description(target) -> None:
    server, gw, headers = target
    sent, found = fuzz(load_gwa_spec(), f"{server.ctx.portal_url}/gw/api/v2", headers, gw)
    print(f"gwa-api: {sent} requests")
    assert sent >= 30
    assert found == []


def test_every_quirk_is_written_down_with_its_reason() -> None:
    text = QUIRKS_DOC.read_text("utf-8")
    for status in UNDOCUMENTED_STATUS:
        assert f"`{status}`" in text, status
    for method, path in SHAPE_QUIRKS:
        assert f"`{method} {path}`" in text, (method, path)


def test_the_gwa_spec_copy_is_the_reference_file() -> None:
    shared = Path(__file__).resolve().parents[3] / "shared" / "specs" / GWA_SPEC.name
    if not shared.exists():
        pytest.skip("../shared/specs is not next to this checkout")
    assert GWA_SPEC.read_text("utf-8") == shared.read_text("utf-8")
