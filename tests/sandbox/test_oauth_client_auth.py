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


# -- a form field sent twice ---------------------------------------------------------------
# Keycloak's token endpoint counts every value, blank ones too, and refuses a repeated field
# once the client is known to be who it says (TokenEndpoint.checkParameterDuplicated).


def test_a_token_request_with_a_field_sent_twice_is_refused_even_when_one_is_blank(
    sandbox, consumer
) -> None:
    body = (
        f"grant_type=client_credentials&client_id={consumer.client_id}"
        f"&client_secret={consumer.client_secret}&scope=&scope=profile"
    )
    response = httpx.post(
        sandbox.ctx.shared_idp_token_endpoint,
        content=body,
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 400, response.text
    assert response.json() == {
        "error": "invalid_request",
        "error_description": "duplicated parameter",
    }


def test_a_repeated_field_is_judged_after_the_client_is_authenticated(sandbox, consumer) -> None:
    body = (
        f"grant_type=client_credentials&grant_type=client_credentials"
        f"&client_id={consumer.client_id}&client_secret=not-the-secret"
    )
    response = httpx.post(
        sandbox.ctx.shared_idp_token_endpoint,
        content=body,
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 401, response.text
    assert response.json()["error"] == "unauthorized_client"


def test_the_login_realm_refuses_a_repeated_field_too(sandbox) -> None:
    response = httpx.post(
        f"{sandbox.ctx.login_issuer}/protocol/openid-connect/token",
        content="grant_type=refresh_token&client_id=gwa-cli&refresh_token=&refresh_token=x",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 400, response.text
    assert response.json()["error_description"] == "duplicated parameter"
