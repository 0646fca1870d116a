"""Consumer credentials: REST issue on the sandbox, the 403 hand-off, paste-back checks."""

from __future__ import annotations

import json

import httpx
import pytest

from tests.services.consumer_world import World, build_world
from tui.sandbox.server import SandboxServer
from tui.services.credentials import (
    ConsumerCredentials,
    CredentialsService,
    handoff_steps,
    handoff_url,
    needs_handoff,
    parse_issued,
    pasted_problem,
    secret_name,
)
from tui.services.errors import WizardError
from tui.services.secrets import SecretStore
from tui.services.session import Session
from tui.services.target import Target

GOOD_ID = "8C1D2E3F-0A1B2C3D4E5"
GOOD_SECRET = "0b6f3c1e-5d2a-4c8b-9e7f-1a2b3c4d5e6f"
GOOD_URL = "https://dev.loginproxy.gov.bc.ca/auth/realms/apigw/protocol/openid-connect/token"


@pytest.fixture
def world(sandbox: SandboxServer) -> World:
    return build_world(sandbox)


async def test_environments_lists_the_dev_environment(world: World) -> None:
    async with world.api_client() as client:
        envs = await CredentialsService(client).environments(world.gateway_id)
    assert [(e.name, e.app_id, e.flow, e.approval) for e in envs] == [
        ("dev", world.environment_app_id, "client-credentials", False)
    ]
    assert envs[0].product == f"{world.service} API"
    assert envs[0].services == (f"{world.service}-dev",)


async def test_issue_creates_a_consumer_with_working_shapes(world: World) -> None:
    async with world.api_client() as client:
        creds = await CredentialsService(client).issue(
            world.gateway_id, world.environment_app_id, "my-app"
        )
    assert creds.client_id.startswith(world.environment_app_id + "-")
    assert (
        pasted_problem(creds.client_id, creds.client_secret, creds.token_endpoint, allow_http=True)
        == {}
    )
    assert creds.token_endpoint.endswith("/auth/realms/apigw/protocol/openid-connect/token")
    assert creds.application == "my-app"
    assert creds.client_secret not in repr(creds)
    assert [r["client_id"] for r in world.consumer_rows()] == [creds.client_id]


async def test_issue_twice_for_the_same_application_is_explained(world: World) -> None:
    async with world.api_client() as client:
        service = CredentialsService(client)
        first = await service.issue(world.gateway_id, world.environment_app_id, "app-one")
        app_id = first.client_id.split("-", 1)[1]
        with pytest.raises(WizardError) as caught:
            await client.request(
                "POST",
                f"/ds/api/v3/gateways/{world.gateway_id}/consumers",
                action="Issue consumer credentials",
                json={
                    "environmentAppId": world.environment_app_id,
                    "application": {"appId": app_id},
                },
                expect=(201,),
            )
    assert "This application already has access." in caught.value.detail


async def test_issue_without_the_permission_is_a_403_handoff(world: World) -> None:
    world.drop_scope("CredentialIssuer.Generate")
    async with world.api_client() as client:
        with pytest.raises(WizardError) as caught:
            await CredentialsService(client).issue(
                world.gateway_id, world.environment_app_id, "my-app"
            )
    assert caught.value.status == 403
    assert needs_handoff(caught.value)
    assert "CredentialIssuer.Generate" in caught.value.why
    assert world.consumer_rows() == []


async def test_revoke_removes_the_consumer_and_tolerates_a_second_revoke(world: World) -> None:
    async with world.api_client() as client:
        service = CredentialsService(client)
        creds = await service.issue(world.gateway_id, world.environment_app_id, "app")
        assert await service.consumers(world.gateway_id) == [creds.client_id]
        await service.revoke(world.gateway_id, creds.client_id)
        assert world.consumer_rows() == []
        await service.revoke(world.gateway_id, creds.client_id)  # already gone: fine
        assert await service.consumers(world.gateway_id) == []


async def test_secret_goes_to_the_secret_store_not_the_session(world: World) -> None:
    secrets = SecretStore()
    session = Session(host=world.target.host, scheme="http")
    async with world.api_client() as client:
        service = CredentialsService(client)
        creds = await service.issue(world.gateway_id, world.environment_app_id, "app")
        await service.remember(session, secrets, creds)
        session.client_id, session.token_endpoint = creds.client_id, creds.token_endpoint
        assert await secrets.get(secret_name(session.host, creds.client_id)) == creds.client_secret
        assert creds.client_secret not in str(session.to_dict())
        fresh = CredentialsService(client)  # a new run: nothing in memory
        again = await fresh.remembered(session, secrets)
        assert again == creds.__class__(creds.client_id, creds.client_secret, creds.token_endpoint)
        await fresh.forget(session, secrets, creds.client_id)
        assert await secrets.get(secret_name(session.host, creds.client_id)) is None
        assert await fresh.remembered(session, secrets) is None


async def test_revoke_on_a_portal_without_the_endpoint_needs_handoff() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(404, json={"message": "Resource not found"})

    from tui.services.http import ApiClient

    async with ApiClient(Target.test(), transport=httpx.MockTransport(handler)) as client:
        with pytest.raises(WizardError) as caught:
            await CredentialsService(client).revoke("gw-1a2b3", GOOD_ID)
    assert needs_handoff(caught.value)


def test_parse_issued_reads_the_credential_json_string() -> None:
    body = {
        "credential": json.dumps(
            {"clientId": GOOD_ID, "clientSecret": GOOD_SECRET, "tokenEndpoint": GOOD_URL}
        )
    }
    assert parse_issued(body) == ConsumerCredentials(GOOD_ID, GOOD_SECRET, GOOD_URL)
    with pytest.raises(WizardError):
        parse_issued({"clientId": GOOD_ID})


# -- paste-back checks ----------------------------------------------------------------------


def test_pasted_values_in_the_right_shape_pass() -> None:
    assert pasted_problem(GOOD_ID, GOOD_SECRET, GOOD_URL) == {}
    assert pasted_problem(f"  {GOOD_ID}\n", GOOD_SECRET, GOOD_URL + " ") == {}


@pytest.mark.parametrize(
    ("cid", "csc", "url", "field", "needle"),
    [
        ("", GOOD_SECRET, GOOD_URL, "client_id", "Paste the Client ID"),
        ("my-app", GOOD_SECRET, GOOD_URL, "client_id", "8 hex characters"),
        (f'"{GOOD_ID}"', GOOD_SECRET, GOOD_URL, "client_id", "Remove the quotes"),
        (GOOD_ID, "", GOOD_URL, "client_secret", "Paste the Client Secret"),
        (GOOD_ID, "abc", GOOD_URL, "client_secret", "36 characters"),
        (GOOD_ID, GOOD_ID, GOOD_URL, "client_secret", "Client ID again"),
        (GOOD_ID, "0b6f3c1e 5d2a", GOOD_URL, "client_secret", "space"),
        (GOOD_ID, GOOD_SECRET, "", "token_endpoint", "Paste the Token Endpoint"),
        (GOOD_ID, GOOD_SECRET, "dev.loginproxy.gov.bc.ca/auth", "token_endpoint", "https://"),
        (GOOD_ID, GOOD_SECRET, GOOD_URL.replace("https", "http"), "token_endpoint", "https://"),
        (
            GOOD_ID,
            GOOD_SECRET,
            "https://dev.loginproxy.gov.bc.ca/auth/realms/apigw",
            "token_endpoint",
            "/protocol/openid-connect/token",
        ),
    ],
)
def test_each_wrong_shape_has_its_message(
    cid: str, csc: str, url: str, field: str, needle: str
) -> None:
    problems = pasted_problem(cid, csc, url)
    assert set(problems) == {field}
    assert needle in problems[field]


def test_handoff_names_the_portal_pages_and_clicks() -> None:
    target = Target.test()
    assert handoff_url(target, "gw-1a2b3") == (
        "https://api-gov-bc-ca.test.api.gov.bc.ca/manager/gateways/list"
    )
    steps = "\n".join(handoff_steps(target, "gw-1a2b3", "my-svc API", "my-svc"))
    for click in (
        "gw-1a2b3",
        "Preview in Directory",
        "'my-svc'",
        "Request Access",
        "Create Application",
        "Dev environment of my-svc API",
        "Request Access & Continue",
        "Generate Secrets",
    ):
        assert click in steps


async def test_a_404_on_revoke_while_the_consumer_is_still_listed_is_an_error() -> None:
    """Only a consumer that is really gone counts as revoked: a 404 for another reason (a
    wrong path, a proxy) must not tell the learner the access was removed."""
    from tui.services.http import ApiClient

    def handler(request: httpx.Request) -> httpx.Response:
        if request.method == "DELETE":
            return httpx.Response(404, json={"message": "Not found"})
        return httpx.Response(200, json=[{"clientId": GOOD_ID}])

    async with ApiClient(Target.test(), transport=httpx.MockTransport(handler)) as client:
        with pytest.raises(WizardError) as caught:
            await CredentialsService(client).revoke("gw-1a2b3", GOOD_ID)
    assert caught.value.status == 404


async def test_revoke_succeeds_on_200_or_204_only_after_a_delete_of_that_consumer() -> None:
    from tui.services.http import ApiClient

    seen: list[tuple[str, str]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append((request.method, request.url.path))
        return httpx.Response(204)

    async with ApiClient(Target.test(), transport=httpx.MockTransport(handler)) as client:
        await CredentialsService(client).revoke("gw-1a2b3", GOOD_ID)
    assert seen == [("DELETE", f"/ds/api/v3/gateways/gw-1a2b3/consumers/{GOOD_ID}")]


async def test_environments_report_what_the_portal_says_about_each_environment(
    world: World,
) -> None:
    with world.raw() as raw:
        products = raw.get(f"/ds/api/v3/gateways/{world.gateway_id}/products").json()
    async with world.api_client() as client:
        envs = await CredentialsService(client).environments(world.gateway_id)
    expected = [
        (p["name"], p["appId"], e["name"], e["appId"], e["flow"], bool(e.get("active")))
        + (tuple(e.get("services") or ()), str(e.get("credentialIssuer") or ""))
        for p in products
        for e in p["environments"]
    ]
    got = [
        (e.product, e.product_app_id, e.name, e.app_id, e.flow, e.active)
        + (e.services, e.credential_issuer)
        for e in envs
    ]
    assert got == expected
    assert envs[0].product_app_id and envs[0].credential_issuer  # real values, not defaults


async def test_verify_gets_a_token_with_good_values_and_refuses_a_wrong_secret(
    world: World,
) -> None:
    async with world.api_client() as client:
        service = CredentialsService(client)
        creds = await service.issue(world.gateway_id, world.environment_app_id, "verify-app")
        token = await service.verify(creds)
        assert token.access_token
        wrong = ConsumerCredentials(creds.client_id, "0" * 36, creds.token_endpoint)
        with pytest.raises(WizardError) as caught:
            await service.verify(wrong)
    assert caught.value.status == 401
    assert "0" * 36 not in str(caught.value) + caught.value.detail
