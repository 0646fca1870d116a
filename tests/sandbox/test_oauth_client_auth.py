"""How the token endpoints tell who the client is when the Authorization header is not a
clean HTTP Basic one: another scheme leaves the form's credentials in charge (as Keycloak's
client-secret authenticator does), and Basic credentials with characters outside base64 are
refused rather than read past the junk."""

from __future__ import annotations

import base64

import httpx
import pytest

from tests.sandbox.kong_fixtures import Consumer, add_consumer, new_gateway_id


@pytest.fixture
def consumer(sandbox) -> Consumer:
    return add_consumer(sandbox, new_gateway_id())


def token_request(sandbox, consumer: Consumer, authorization: str) -> httpx.Response:
    return httpx.post(
        sandbox.ctx.shared_idp_token_endpoint,
        data={
            "grant_type": "client_credentials",
            "client_id": consumer.client_id,
            "client_secret": consumer.client_secret,
        },
        headers={"Authorization": authorization},
    )


def test_a_bearer_header_leaves_the_form_credentials_in_charge(sandbox, consumer) -> None:
    response = token_request(sandbox, consumer, "Bearer not-a-client")
    assert response.status_code == 200, response.text
    assert response.json()["token_type"] == "Bearer"


def test_basic_credentials_with_junk_inside_are_an_unknown_client(sandbox, consumer) -> None:
    pair = f"{consumer.client_id}:{consumer.client_secret}".encode()
    encoded = base64.b64encode(pair).decode()
    response = token_request(sandbox, consumer, f"Basic {encoded[:8]}!{encoded[8:]}")
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"
