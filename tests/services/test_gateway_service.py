"""Gateways against the real sandbox (and the local rules, which must send nothing)."""

from __future__ import annotations

import httpx
import pytest

from tests.services.provider_kit import StaticTokens, mock_client, sandbox_target, unique_user
from tui.sandbox.tokens import issue_provider_token
from tui.services.errors import WizardError
from tui.services.gateway import (
    DISPLAY_NAME_MESSAGE,
    GATEWAY_ID_MESSAGE,
    Gateway,
    GatewaysService,
    default_display_name,
    display_name_problem,
    gateway_id_problem,
)
from tui.services.http import ApiClient


@pytest.mark.parametrize("name", ["abc", "Jo's Gateway (dev) 1/2", "A" * 30, "9-_ .'/()x"])
def test_display_names_the_portal_accepts(name: str) -> None:
    assert display_name_problem(name) is None


@pytest.mark.parametrize("name", ["ab", "A" * 31, "-starts", " space", "bad@char", "emoji🙂x"])
def test_display_names_the_portal_refuses(name: str) -> None:
    assert display_name_problem(name) == DISPLAY_NAME_MESSAGE


def test_gateway_id_rule_and_default_name() -> None:
    assert gateway_id_problem("gw-1a2b3") is None
    assert gateway_id_problem("Gw-1") == GATEWAY_ID_MESSAGE
    assert default_display_name("janis") == "janis's Gateway"


async def test_invalid_name_is_refused_before_sending() -> None:
    client, rec = mock_client(lambda r: httpx.Response(200, json={}))
    with pytest.raises(WizardError) as info:
        await GatewaysService(client).create("x")
    assert info.value.why == DISPLAY_NAME_MESSAGE
    assert info.value.fields == {"displayName": DISPLAY_NAME_MESSAGE}
    assert rec.requests == []
    await client.aclose()


async def test_answers_of_the_wrong_shape_are_errors() -> None:
    client, _ = mock_client(lambda r: httpx.Response(200, text="not json"))
    with pytest.raises(WizardError, match="not understood"):
        await GatewaysService(client).list()
    await client.aclose()


async def test_create_list_get_on_the_sandbox(user_client: ApiClient) -> None:
    gateways = GatewaysService(user_client)
    named = await gateways.create("Zeta Test Gateway")
    assert named.gateway_id.startswith("gw-") and len(named.gateway_id) == 8
    assert named.display_name == "Zeta Test Gateway"
    default = await gateways.create(None)
    assert default.display_name == default_display_name(user_client.username)
    listed = await gateways.list()
    assert listed == sorted([named, default], key=lambda g: (g.display_name, g.gateway_id))
    assert await gateways.get(named.gateway_id) == named


async def test_empty_name_sends_an_empty_body() -> None:
    client, rec = mock_client(
        lambda r: httpx.Response(200, json={"gatewayId": "gw-12345", "displayName": "a's Gateway"})
    )
    assert await GatewaysService(client).create("") == Gateway("gw-12345", "a's Gateway")
    assert rec.bodies[0] == b"{}"
    await client.aclose()


async def test_portal_messages_match_ours(user_client: ApiClient) -> None:
    """The sandbox (the portal's rules) answers our exact text, surfaced from fields.d0."""
    with pytest.raises(WizardError) as info:
        await user_client.request(
            "POST", "/ds/api/v3/gateways", action="Create the gateway", json={"displayName": "!bad"}
        )
    assert info.value.status == 422
    assert info.value.fields == {"d0": DISPLAY_NAME_MESSAGE}
    assert info.value.what.startswith("Create the gateway failed: Unable to create Gateway")


async def test_duplicate_id_is_explained(user_client: ApiClient) -> None:
    from tui.services.gateway import CREATE_HINTS

    gw = await GatewaysService(user_client).create("Dup Source")
    with pytest.raises(WizardError) as info:
        await user_client.request(
            "POST",
            "/ds/api/v3/gateways",
            action="Create the gateway",
            json={"gatewayId": gw.gateway_id},
            hints=CREATE_HINTS,
        )
    assert info.value.fields == {"d0": "Namespace already exists"}
    assert "ids are global" in info.value.why


async def test_someone_elses_gateway_is_forbidden_and_explained(user_client, sandbox) -> None:
    mine = await GatewaysService(user_client).create("Private One")
    other = ApiClient(
        sandbox_target(sandbox),
        tokens=StaticTokens(issue_provider_token(sandbox.ctx, unique_user())),
    )
    theirs = GatewaysService(other)
    assert mine not in await theirs.list()
    for call in (theirs.get(mine.gateway_id), theirs.destroy(mine.gateway_id, force=True)):
        with pytest.raises(WizardError) as info:
            await call
        assert info.value.status == 403
        assert "belongs to someone else" in info.value.why
    await other.aclose()


async def test_destroy_an_empty_gateway(user_client: ApiClient) -> None:
    gateways = GatewaysService(user_client)
    gw = await gateways.create("Short Lived")
    await gateways.destroy(gw.gateway_id, force=False)
    assert gw not in await gateways.list()
    with pytest.raises(WizardError):
        await gateways.get(gw.gateway_id)


async def test_not_logged_in_is_a_401_with_login_advice(anon_client: ApiClient) -> None:
    with pytest.raises(WizardError) as info:
        await GatewaysService(anon_client).list()
    assert info.value.status == 401
    assert "No authorization token was found" in info.value.what
    assert "Log in again" in info.value.fix


@pytest.mark.parametrize(
    ("message", "needle"),
    [
        ("1 consumer has access to products in this gateway.", "Revoke the consumer"),
        ("2 consumers have access to products in this gateway.", "Revoke every consumer"),
        ("1 service has been configured in this gateway.", "--force"),
        ("3 services have been configured in this gateway.", "--force"),
    ],
)
async def test_destroy_refusals_are_explained(message: str, needle: str) -> None:
    body = {
        "code": "validation_error",
        "message": "Unable to delete gateway",
        "fields": {"d0": {"message": message}},
    }
    client, rec = mock_client(lambda r: httpx.Response(422, json=body))
    with pytest.raises(WizardError) as info:
        await GatewaysService(client).destroy("gw-12345", force=False)
    assert needle in info.value.fix
    assert (
        info.value.what == f"Destroy gateway gw-12345 failed: Unable to delete gateway: {message}"
    )
    assert rec.requests[0].url.params["force"] == "false"
    await client.aclose()
