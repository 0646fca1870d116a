"""Apply faults the sandbox cannot produce (MockTransport): exact request shapes, odd answers,
and the portal's child-result failure bodies."""

from __future__ import annotations

import json

import httpx

from tests.services.provider_kit import mock_client
from tui.services.apply import ApplyService, batch_reasons

FILE = """kind: GatewayService
name: a-dev
tags: [ns.gw-12345]
---
kind: GatewayService
name: b-dev
tags: [ns.gw-12345]
---
kind: CredentialIssuer
name: gw-12345 default
---
kind: Product
name: a API
environments:
- name: dev
  services: [a-dev]
"""


def portal(product_status: int = 200, product_body: dict | None = None, publish=None):
    def answer(request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if path.endswith("/gateway"):
            if publish is not None:
                return publish(request)
            return httpx.Response(
                200, json={"message": "Sync successful.", "results": "Summary:\n  Created: 2\n"}
            )
        if path.endswith("/products"):
            return httpx.Response(
                product_status, json=product_body or {"status": 200, "result": "created"}
            )
        return httpx.Response(200, json={"status": 200, "result": "created", "childResults": []})

    return answer


async def test_services_merge_into_one_multipart_publish_first() -> None:
    client, rec = mock_client(portal())
    report = await ApplyService(client).apply("gw-12345", FILE)
    assert report.summary == "3/3 Published, 0 Skipped"
    assert [r.method + " " + r.url.path for r in rec.requests] == [
        "PUT /gw/api/v3/gateways/gw-12345/gateway",
        "PUT /ds/api/v3/gateways/gw-12345/issuers",
        "PUT /ds/api/v3/gateways/gw-12345/products",
    ]
    publish = rec.bodies[0]
    assert rec.requests[0].headers["content-type"].startswith("multipart/form-data")
    assert b'name="dryRun"\r\n\r\nfalse' in publish
    assert b'name="configFile"; filename="config.yaml"' in publish
    start = publish.index(b'{"services"')
    payload = json.loads(publish[start : publish.index(b"\r\n", start)])
    assert [s["name"] for s in payload["services"]] == ["a-dev", "b-dev"]
    assert all("kind" not in s for s in payload["services"])
    assert json.loads(rec.bodies[2]) == {
        "name": "a API",
        "environments": [{"name": "dev", "services": ["a-dev"]}],
    }
    assert report.results[0].key == "GatewayService Gateway Services"
    assert report.deck_output == "Summary:\n  Created: 2\n"


async def test_child_result_race_is_found_in_the_children() -> None:
    body = {
        "status": 400,
        "result": "create-failed",
        "reason": "Failed updating children",
        "childResults": [
            {
                "status": 400,
                "result": "create-failed",
                "reason": "Failed to find a-dev in allGatewayServices",
                "childResults": [],
            }
        ],
    }
    client, _ = mock_client(portal(400, body))
    report = await ApplyService(client).apply("gw-12345", FILE)
    product = report.failures[0]
    assert product.kind == "Product" and product.error is not None
    assert product.error.what == (
        "Apply [Product] a API failed: Failed to find a-dev in allGatewayServices"
    )
    assert product.error.retryable and "Apply again" in product.error.fix
    assert report.retry_keys == {"Product a API"}
    assert batch_reasons(body) == [
        "Failed updating children",
        "Failed to find a-dev in allGatewayServices",
    ]


async def test_excess_property_422_names_the_field() -> None:
    body = {
        "code": "validation_error",
        "message": "",
        "fields": {
            "body.colour": {
                "message": '"colour" is an excess property and therefore is not allowed',
                "value": "red",
            }
        },
    }
    client, _ = mock_client(portal(422, body))
    report = await ApplyService(client).apply("gw-12345", FILE)
    error = report.failures[0].error
    assert error is not None and error.status == 422
    assert "body.colour" in error.what
    assert "field the portal does not accept" in error.why


async def test_publish_html_page_and_server_error_are_failures_not_crashes() -> None:
    def html(request):
        return httpx.Response(
            504, text="<html>Gateway Timeout</html>", headers={"content-type": "text/html"}
        )

    client, _ = mock_client(portal(500, {"message": "Internal Server Error"}, publish=html))
    report = await ApplyService(client).apply("gw-12345", FILE)
    assert report.summary == "1/3 Published, 0 Skipped"
    publish, product = report.failures
    assert publish.error is not None and "HTML error page (status 504)" in publish.error.what
    assert product.error is not None and product.error.retryable
    assert "Internal Server Error" in product.error.what


async def test_sync_failed_keeps_deck_results_in_detail() -> None:
    def failed(request):
        return httpx.Response(400, json={"error": "Sync Failed.", "results": "deck: boom"})

    client, _ = mock_client(portal(publish=failed))
    report = await ApplyService(client).apply("gw-12345", FILE)
    error = report.results[0].error
    assert error is not None and "deck: boom" in error.detail
    assert "decK could not write" in error.why


async def test_async_event_callbacks_are_awaited_and_lines_are_short() -> None:
    body = {
        "status": 400,
        "result": "create-failed",
        "reason": "Failed updating children",
        "childResults": [{"reason": "Failed to find a-dev in allGatewayServices"}],
    }
    client, _ = mock_client(portal(400, body))
    seen = []

    async def on_event(event) -> None:
        seen.append(event.text)

    await ApplyService(client).apply("gw-12345", FILE, on_event=on_event)
    assert seen[-1] == "✗ [Product] a API: Failed to find a-dev in allGatewayServices"
    assert seen[:2] == ["↑ Publishing Gateway Services", "✓ Gateway Services published"]


async def test_timeout_on_one_resource_does_not_stop_the_rest() -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/issuers"):
            raise httpx.ReadTimeout("timed out", request=request)
        return portal()(request)

    client, _ = mock_client(answer)
    report = await ApplyService(client).apply("gw-12345", FILE)
    assert [r.ok for r in report.results] == [True, False, True]
    assert "no answer" in report.results[1].error.what


async def test_kong_refusing_a_host_with_a_port_is_explained() -> None:
    def refused(request):
        return httpx.Response(
            400,
            json={
                "error": "Sync Failed.",
                "results": "creating service a-dev\nError: 1 errors occurred:\n\twhile processing "
                'event: {Create} service a-dev failed: HTTP status 400 (message: "schema violation '
                '(host: must not have a port)")\n',
            },
        )

    client, _ = mock_client(portal(publish=refused))
    report = await ApplyService(client).apply("gw-12345", FILE)
    error = report.results[0].error
    assert error is not None and error.what.endswith("Sync Failed.")
    assert "remove the :<port>" in error.fix


async def test_empty_file_and_unreadable_file_send_nothing() -> None:
    import pytest

    from tui.services.errors import WizardError

    client, rec = mock_client(portal())
    with pytest.raises(WizardError, match="nothing to apply"):
        await ApplyService(client).apply("gw-12345", "")
    with pytest.raises(WizardError) as info:
        await ApplyService(client).apply("gw-12345", "kind: Product\n  name: [oops\n")
    assert "Line 2" in info.value.what
    assert rec.requests == []
