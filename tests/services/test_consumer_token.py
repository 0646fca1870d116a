"""Consumer tokens from the sandbox's shared IdP: request, decode, expiry, explained errors."""

from __future__ import annotations

import dataclasses
import socket

import httpx
import pytest

from tests.services.consumer_world import World, build_world
from tui.sandbox.context import SHARED_IDP_ISSUER
from tui.sandbox.server import SandboxServer
from tui.services.consumer_token import (
    ConsumerToken,
    ConsumerTokenService,
    audiences,
    decode,
    format_countdown,
    seconds_left,
)
from tui.services.credentials import ConsumerCredentials, CredentialsService
from tui.services.errors import WizardError
from tui.services.http import ApiClient
from tui.services.shell_commands import TOKEN_REQUEST as CURL_TEMPLATE
from tui.services.target import Target


@pytest.fixture
async def issued(sandbox: SandboxServer) -> tuple[World, ConsumerCredentials]:
    world = build_world(sandbox)
    async with world.api_client() as client:
        creds = await CredentialsService(client).issue(
            world.gateway_id, world.environment_app_id, "token-tests"
        )
    return world, creds


async def test_request_returns_a_decoded_token_with_the_claims_kong_checks(issued) -> None:
    world, creds = issued
    async with world.api_client() as client:
        service = ConsumerTokenService(client)
        token = await service.request(creds)
    assert service.current is token
    assert token.header["alg"] == "RS256"
    assert token.claims["iss"] == SHARED_IDP_ISSUER
    assert f"ap-{world.gateway_id}-default-dev" in audiences(token.claims)
    assert token.claims["azp"] == creds.client_id
    assert 0 < seconds_left(token) <= token.expires_in
    assert token.access_token not in repr(token)
    assert decode(token.access_token) == (token.header, token.claims)


async def test_a_wrong_secret_is_explained_as_unauthorized_client(issued) -> None:
    world, creds = issued
    wrong = dataclasses.replace(creds, client_secret="0b6f3c1e-5d2a-4c8b-9e7f-1a2b3c4d5e6f")
    async with world.api_client() as client:
        with pytest.raises(WizardError) as caught:
            await ConsumerTokenService(client).request(wrong)
    err = caught.value
    assert err.status == 401
    assert err.code == "unauthorized_client"
    assert "knows this Client ID but refuses the Client Secret" in err.why
    assert "Check the Client Secret on the Credentials step" in err.fix


async def test_an_unreachable_token_endpoint_is_explained(issued) -> None:
    world, creds = issued
    with socket.socket() as sock:  # a loopback port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    gone = dataclasses.replace(
        creds,
        token_endpoint=f"http://127.0.0.1:{port}/auth/realms/apigw/protocol/openid-connect/token",
    )
    async with world.api_client() as client:
        with pytest.raises(WizardError) as caught:
            await ConsumerTokenService(client).request(gone)
    assert caught.value.what.startswith("The token endpoint http://127.0.0.1")
    assert caught.value.what.endswith("could not be reached")
    assert f"127.0.0.1:{port}" in caught.value.what
    assert caught.value.status is None and caught.value.retryable
    assert "not through the gateway" in caught.value.why


async def test_a_200_without_access_token_is_not_success() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        assert request.headers["content-type"] == "application/x-www-form-urlencoded"
        form = dict(httpx.QueryParams(request.content.decode()))
        assert form == {
            "client_id": "a",
            "client_secret": "b",
            "grant_type": "client_credentials",
            "scopes": "openid",
        }
        return httpx.Response(
            200, text="<html>portal</html>", headers={"content-type": "text/html"}
        )

    creds = ConsumerCredentials("a", "b", "https://x.example/protocol/openid-connect/token")
    async with ApiClient(Target.test(), transport=httpx.MockTransport(handler)) as client:
        with pytest.raises(WizardError) as caught:
            await ConsumerTokenService(client).request(creds)
    assert "no access_token" in caught.value.what


def test_decode_rejects_what_is_not_a_jwt() -> None:
    for bad in ("null", "a.b", "abc.def.ghi"):
        with pytest.raises(WizardError):
            decode(bad)


def test_seconds_left_and_countdown() -> None:
    token = ConsumerToken("t", 300, 1000.0, {}, {"exp": 1300})
    assert seconds_left(token, now=1000.0) == 300
    assert seconds_left(token, now=1299.5) == 0
    assert seconds_left(token, now=2000.0) == 0
    assert format_countdown(125) == "2:05"
    assert format_countdown(0) == "expired"


def test_curl_uses_the_variables_never_values() -> None:
    for var in (
        '"$URL"',
        "client_id=$CID",
        "client_secret=$CSC",
        "grant_type=client_credentials",
        "scopes=openid",
    ):
        assert var in CURL_TEMPLATE
