"""Calling the API through the gateway: the sandbox's real answers, and every one explained."""

from __future__ import annotations

import json
import socket

import httpx
import pytest

from tests.services.consumer_world import World, build_world
from tui.sandbox.server import SandboxServer
from tui.services.consumer_token import ConsumerTokenService
from tui.services.credentials import CredentialsService
from tui.services.http import ApiClient
from tui.services.probe import ApiCall, ProbeService, explain, mask_token
from tui.services.target import Target


@pytest.fixture
def world(sandbox: SandboxServer) -> World:
    return build_world(sandbox)


# -- against the sandbox's data plane ---------------------------------------------------------


async def test_no_token_gives_401_unauthorized_which_is_success(world: World) -> None:
    async with world.api_client() as client:
        call = await ProbeService(client).call(world.api_url)
    assert call.status == 401
    assert call.message == "Unauthorized"
    assert "Authorization" not in call.request_headers
    verdict = explain(call)
    assert verdict.ok and verdict.kind == "protected"
    assert "exactly what we want" in verdict.why


async def test_with_a_token_the_upstream_answers_a_uuid(world: World) -> None:
    async with world.api_client() as client:
        creds = await CredentialsService(client).issue(
            world.gateway_id, world.environment_app_id, "probe"
        )
        token = await ConsumerTokenService(client).request(creds)
        call = await ProbeService(client).call(world.api_url, token.access_token)
    assert call.status == 200 and call.uuid
    assert token.access_token not in str(call.request_headers)
    assert call.request_headers["Authorization"].endswith("(masked)")
    verdict = explain(call)
    assert verdict.ok and verdict.kind == "uuid" and call.uuid in verdict.headline


async def test_revoked_consumer_is_explained(world: World) -> None:
    async with world.api_client() as client:
        service = CredentialsService(client)
        creds = await service.issue(world.gateway_id, world.environment_app_id, "probe")
        token = await ConsumerTokenService(client).request(creds)
        await service.revoke(world.gateway_id, creds.client_id)
        call = await ProbeService(client).call(world.api_url, token.access_token)
    assert call.status == 401
    assert call.message == f"Unable to find consumer {creds.client_id} for token"
    verdict = explain(call)
    assert not verdict.ok and verdict.kind == "consumer"
    assert "Request access again" in verdict.fix


async def test_a_wrong_host_is_no_route_matched(world: World) -> None:
    wrong = world.api_url.replace("-dev-api", "-api")
    async with world.api_client() as client:
        call = await ProbeService(client).call(wrong)
    assert call.status == 404
    verdict = explain(call)
    assert verdict.kind == "no_route" and "-dev" in verdict.why


async def test_a_non_get_method_is_no_route_matched(world: World) -> None:
    async with world.api_client() as client:
        call = await ProbeService(client).call(world.api_url, method="POST")
    assert call.status == 404 and explain(call).kind == "no_route"


async def test_a_garbage_token_is_a_bad_token(world: World) -> None:
    async with world.api_client() as client:
        call = await ProbeService(client).call(world.api_url, "null")
    assert call.status == 401 and call.message.startswith("Bad token")
    assert explain(call).kind == "bad_token"


async def test_provider_token_has_the_wrong_issuer(world: World) -> None:
    async with world.api_client() as client:
        call = await ProbeService(client).call(world.api_url, world.provider_token)
    assert call.message == "Token issuer not allowed"
    assert explain(call).kind == "issuer"


async def test_refused_connection_is_a_network_explanation() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    async with ApiClient(Target.sandbox(f"127.0.0.1:{port}")) as client:
        call = await ProbeService(client).call(f"http://127.0.0.1:{port}/uuid")
    assert call.status is None and call.error is not None
    verdict = explain(call)
    assert not verdict.ok and verdict.kind == "network"
    assert "Status step" in verdict.fix


async def test_dns_failure_is_explained() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("[Errno -2] Name or service not known", request=request)

    async with ApiClient(Target.test(), transport=httpx.MockTransport(handler)) as client:
        call = await ProbeService(client).call(
            "https://nope-dev-api-gov-bc-ca.test.api.gov.bc.ca/uuid"
        )
    verdict = explain(call)
    assert verdict.kind == "network" and "DNS" in verdict.headline


# -- every answer explained (docs/contract.md#s13 table, tutorial-guide step 14) ---------------------


def answer(status: int, message: str, *, token: bool = True, body: str | None = None) -> ApiCall:
    text = body if body is not None else json.dumps({"message": message})
    return ApiCall(
        "GET",
        "http://x/uuid",
        {},
        status,
        {"content-type": "application/json"},
        text,
        1.0,
        token_sent=token,
    )


@pytest.mark.parametrize(
    ("status", "message", "kind", "fix_needle"),
    [
        (401, "Multiple tokens provided", "multiple", "once"),
        (401, "Bad token; invalid JSON", "bad_token", "fresh token"),
        (401, "Token issuer not allowed", "issuer", "token endpoint"),
        (401, "Token audience not allowed", "audience", "allowed_aud"),
        (403, "Invalid algorithm", "algorithm", "Keycloak"),
        (401, "Invalid token signature", "signature", "do not edit"),
        (403, "Unable to get public key for issuer", "issuer_keys", "APS team"),
        (401, 'Token claims invalid: ["exp"]="token expired"', "expired", "fresh token"),
        (
            401,
            "Unable to find consumer 8C1D2E3F-0A1B2C3D4E5 for token",
            "consumer",
            "Request access",
        ),
        (403, "Access token does not have the required scope/role: x", "scope", "Access Manager"),
        (401, "Unauthorized", "no_token", "Token step"),
    ],
)
def test_each_gateway_refusal_has_cause_and_fix(status, message, kind, fix_needle) -> None:
    verdict = explain(answer(status, message))
    assert not verdict.ok
    assert verdict.kind == kind
    assert message in verdict.headline
    assert verdict.why and fix_needle in verdict.fix


@pytest.mark.parametrize(
    ("status", "message"),
    [
        (502, "An invalid response was received from the upstream server"),
        (503, "The upstream server is currently unavailable"),
        (504, "The upstream server is timing out"),
    ],
)
@pytest.mark.parametrize("token", [True, False])
def test_upstream_rewrites_blame_the_upstream_not_auth(status, message, token) -> None:
    verdict = explain(answer(status, message, token=token))
    assert verdict.kind == "upstream" and not verdict.ok
    assert message in verdict.headline
    assert "upstream" in verdict.why and "Authentication is not the problem" in verdict.why


def test_200_without_a_token_means_unprotected() -> None:
    verdict = explain(
        answer(200, "", token=False, body='{"uuid":"fb49e86c-7e91-45e7-aca1-d0bf1515252d"}')
    )
    assert not verdict.ok and verdict.kind == "unprotected"


def test_200_without_uuid_is_not_done() -> None:
    verdict = explain(answer(200, "", body='{"hello":"world"}'))
    assert not verdict.ok and verdict.kind == "no_uuid"


def test_unknown_answers_are_still_explained() -> None:
    verdict = explain(answer(418, "", body="teapot"))
    assert verdict.kind == "unexpected" and "418" in verdict.headline


def test_tokens_are_masked() -> None:
    token = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl"
    masked = mask_token(token)
    assert token not in masked and masked.startswith("eyJhbG") and masked.endswith("(masked)")


async def test_an_expired_token_is_refused_and_explained(world: World) -> None:
    import time

    from tui.sandbox.context import SHARED_IDP_ISSUER
    from tui.sandbox.keys import SHARED_IDP_REALM

    async with world.api_client() as client:
        creds = await CredentialsService(client).issue(
            world.gateway_id, world.environment_app_id, "expiry"
        )
        old = int(time.time()) - 600
        token = world.server.ctx.keys.sign(
            SHARED_IDP_REALM,
            {
                "iss": SHARED_IDP_ISSUER,
                "aud": [f"ap-{world.gateway_id}-default-dev"],
                "azp": creds.client_id,
                "iat": old,
                "exp": old + 300,
                "typ": "Bearer",
            },
        )
        call = await ProbeService(client).call(world.api_url, token)
    assert call.status == 401 and call.message.startswith("Token claims invalid")
    assert explain(call).kind == "expired"


async def test_a_dead_upstream_is_blamed_on_the_upstream(sandbox: SandboxServer) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    world = build_world(sandbox, upstream=f"http://127.0.0.1:{port}")
    async with world.api_client() as client:
        creds = await CredentialsService(client).issue(
            world.gateway_id, world.environment_app_id, "dead"
        )
        token = await ConsumerTokenService(client).request(creds)
        call = await ProbeService(client).call(world.api_url, token.access_token)
    assert call.status in (502, 503, 504)
    assert explain(call).kind == "upstream"
