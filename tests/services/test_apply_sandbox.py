"""gwa apply against the real sandbox: the tutorial's four resources, re-apply, each failure
translated, retry of only what failed, and the destroy rules that follow from a publish."""

from __future__ import annotations

import secrets

import httpx
import pytest

from tui.services.apply import ApplyEvent, ApplyService
from tui.services.errors import WizardError
from tui.services.gateway import GatewaysService
from tui.services.http import ApiClient
from tui.services.templates import generate_config


def service_name() -> str:
    return f"apply-{secrets.token_hex(3)}"


async def new_gateway(client: ApiClient) -> str:
    return (await GatewaysService(client).create("Apply Tests")).gateway_id


def tutorial_file(sandbox, gw: str, service: str) -> str:
    """The tutorial's file for the sandbox upstream, with the host's port removed as a learner
    does in Review (gwa copies ``host:port`` into ``host:``, which Kong refuses)."""
    text = generate_config("client-credentials-shared-idp", service, sandbox.info.upstream_url, gw)
    hostport = httpx.URL(sandbox.info.upstream_url).netloc.decode()
    return text.replace(f"host: {hostport}\n", f"host: {hostport.rsplit(':', 1)[0]}\n")


async def test_tutorial_file_publishes_four_of_four(user_client: ApiClient, sandbox) -> None:
    gw = await new_gateway(user_client)
    service = service_name()
    events: list[ApplyEvent] = []
    report = await ApplyService(user_client).apply(
        gw, tutorial_file(sandbox, gw, service), on_event=events.append
    )
    assert report.ok, [r.error for r in report.results if r.error]
    assert (report.published, report.total) == (4, 4)
    assert report.summary == "4/4 Published, 0 Skipped"
    assert [(r.kind, r.result) for r in report.results[1:]] == [
        ("CredentialIssuer", "created"),
        ("DraftDataset", "created"),
        ("Product", "created"),
    ]
    assert f"creating service {service}-dev" in report.deck_output
    assert "Created: 4" in report.deck_output
    lines = [e.text for e in events]
    assert lines[0] == "↑ Publishing Gateway Services"
    assert lines[1] == "✓ Gateway Services published"
    assert lines[-1] == f"✓ [Product] {service} API: created"
    assert [e.phase for e in events] == ["start", "ok"] * 4
    assert events[1].detail == report.deck_output

    again = await ApplyService(user_client).apply(gw, tutorial_file(sandbox, gw, service))
    assert again.ok and again.total == 4
    assert {r.result for r in again.results[1:]} <= {"no-change", "updated", "updated-child"}


async def test_bad_organization_fails_only_the_dataset_and_retry_redoes_only_it(
    user_client: ApiClient, sandbox
) -> None:
    gw = await new_gateway(user_client)
    service = service_name()
    good = tutorial_file(sandbox, gw, service)
    bad = good.replace(
        "organization: ministry-of-citizens-services", "organization: ministry-of-nowhere"
    )
    assert bad != good
    applier = ApplyService(user_client)
    report = await applier.apply(gw, bad)
    assert (report.published, report.total) == (2, 4)
    dataset, product = report.failures
    assert (dataset.key, product.key) == (
        f"DraftDataset {service}-dataset",
        f"Product {service} API",
    )
    assert dataset.error is not None and dataset.error.status == 400
    assert "Record not found [organization] ministry-of-nowhere" in dataset.error.what
    assert "organization the portal does not know" in dataset.error.why
    assert product.error is not None
    assert f"Record not found [dataset] {service}-dataset" in product.error.what
    assert "Fix the DraftDataset first" in product.error.fix

    events: list[ApplyEvent] = []
    retry = await applier.apply(gw, good, only=report.retry_keys, on_event=events.append)
    assert [(r.key, r.ok, r.result) for r in retry.results] == [
        (f"DraftDataset {service}-dataset", True, "created"),
        (f"Product {service} API", True, "created"),
    ]
    assert retry.summary == "2/2 Published, 0 Skipped"
    assert [e.phase for e in events] == ["start", "ok", "start", "ok"]


async def test_product_before_its_service_is_the_retryable_race(
    user_client: ApiClient, sandbox
) -> None:
    gw = await new_gateway(user_client)
    service = service_name()
    text = tutorial_file(sandbox, gw, service)
    product_only = "---".join(d for d in text.split("---") if "kind: GatewayService" not in d)
    report = await ApplyService(user_client).apply(gw, product_only)
    product = next(r for r in report.results if r.kind == "Product")
    assert not product.ok and product.error is not None
    assert product.error.retryable
    assert "allGatewayServices" in product.error.what
    assert "Apply again" in product.error.fix

    assert report.retry_keys == {f"Product {service} API"}
    redo = report.retry_keys | {"GatewayService Gateway Services"}
    fixed = await ApplyService(user_client).apply(gw, text, only=redo)
    assert [(r.kind, r.ok) for r in fixed.results] == [("GatewayService", True), ("Product", True)]


async def test_publish_validation_errors_list_each_line(user_client: ApiClient, sandbox) -> None:
    gw = await new_gateway(user_client)
    service = service_name()
    text = tutorial_file(sandbox, "gw-other", service)  # tags name another gateway
    events: list[ApplyEvent] = []
    report = await ApplyService(user_client).apply(gw, text, on_event=events.append)
    publish = report.results[0]
    assert publish.kind == "GatewayService" and not publish.ok
    error = publish.error
    assert error is not None and error.status == 400
    assert "Validation Errors" in error.what
    assert f"missing required tag ns.{gw}" in error.why
    assert error.why.count("•") >= 2  # one bullet per server line
    assert "Regenerate the file" in error.fix
    assert events[1].phase == "failed"
    assert events[1].text.startswith("✗ Gateway Services publish failed: Validation Errors")
    assert f"missing required tag ns.{gw}" in events[1].detail
    assert report.deck_output == ""
    assert not report.ok


async def test_environment_kind_and_unknown_kinds(user_client: ApiClient) -> None:
    gw = await new_gateway(user_client)
    text = "kind: Environment\nname: dev\n---\nkind: Mystery\nname: thing\n"
    events: list[ApplyEvent] = []
    report = await ApplyService(user_client).apply(gw, text, on_event=events.append)
    assert report.skipped == ["Mystery thing"]
    assert report.summary == "0/1 Published, 1 Skipped"
    env = report.results[0]
    assert env.error is not None and env.error.status == 404
    assert "inside its Product" in env.error.fix
    assert events[-1].text == "- [Mystery] thing"


async def test_yaml_and_kind_problems_stop_before_sending(user_client: ApiClient) -> None:
    applier = ApplyService(user_client)
    with pytest.raises(WizardError) as info:
        await applier.apply("gw-12345", "kind: Product\n  name: [oops\n")
    assert "not valid YAML" in info.value.what or "YAML" in info.value.what
    with pytest.raises(WizardError, match="This config template is not supported"):
        await applier.apply("gw-12345", "name: no-kind\n")


async def test_destroy_rules_after_a_publish(user_client: ApiClient, sandbox) -> None:
    gw = await new_gateway(user_client)
    service = service_name()
    report = await ApplyService(user_client).apply(gw, tutorial_file(sandbox, gw, service))
    assert report.ok
    gateways = GatewaysService(user_client)
    with pytest.raises(WizardError) as info:
        await gateways.destroy(gw, force=False)
    assert "1 service has been configured in this gateway." in info.value.what
    assert "--force" in info.value.fix

    products = (
        await user_client.request(
            "GET", f"/ds/api/v3/gateways/{gw}/products", action="List products"
        )
    ).json()
    env_app_id = products[0]["environments"][0]["appId"]
    issued = (
        await user_client.request(
            "POST",
            f"/ds/api/v3/gateways/{gw}/consumers",
            action="Issue credentials",
            json={"environmentAppId": env_app_id, "application": {"name": "Destroy Test App"}},
            expect=(201,),
        )
    ).json()
    with pytest.raises(WizardError) as info:
        await gateways.destroy(gw, force=True)
    assert "1 consumer has access to products in this gateway." in info.value.what
    assert "Revoke the consumer" in info.value.fix and "Clean up" in info.value.fix

    await user_client.request(
        "DELETE", f"/ds/api/v3/gateways/{gw}/consumers/{issued['clientId']}", action="Revoke"
    )
    await gateways.destroy(gw, force=True)
    assert gw not in {g.gateway_id for g in await gateways.list()}


async def test_token_expiring_mid_apply_is_refreshed_and_bodies_resent(
    user_client, sandbox
) -> None:
    """A stale token gets real 401s from the portal and gwa-api; each request (multipart
    publish and JSON PUTs) is sent again with the renewed token and succeeds."""
    from tests.services.provider_kit import StaticTokens
    from tui.sandbox.tokens import issue_provider_token

    gw = await new_gateway(user_client)
    user = user_client.username
    tokens = StaticTokens(
        issue_provider_token(sandbox.ctx, user, lifetime=-60),
        next_token=issue_provider_token(sandbox.ctx, user),
    )
    stale = ApiClient(user_client.target, tokens=tokens)
    report = await ApplyService(stale).apply(gw, tutorial_file(sandbox, gw, service_name()))
    assert report.ok and report.total == 4
    assert tokens.refreshed == 1
    await stale.aclose()
