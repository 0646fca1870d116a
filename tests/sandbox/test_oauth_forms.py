"""How both Keycloak realms read a token request (docs/contract.md#s3.4): form fields in any
form encoding, client credentials in HTTP Basic or the form, and answers no cache keeps."""

from __future__ import annotations

import base64
from urllib.parse import quote

import httpx
import pytest

from tests.sandbox.kong_fixtures import Consumer, add_consumer, new_gateway_id

MISSING_GRANT = {
    "error": "invalid_request",
    "error_description": "Missing form parameter: grant_type",
}


@pytest.fixture
def consumer(sandbox) -> Consumer:
    return add_consumer(sandbox, new_gateway_id())


def basic(user: str, password: str) -> dict[str, str]:
    pair = base64.b64encode(f"{user}:{password}".encode()).decode()
    return {"Authorization": f"Basic {pair}"}


def test_a_multipart_form_is_read_like_a_urlencoded_one(sandbox, consumer) -> None:
    fields = {
        "client_id": consumer.client_id,
        "client_secret": consumer.client_secret,
        "grant_type": "client_credentials",
    }
    multipart = {name: (None, value) for name, value in fields.items()}
    response = httpx.post(sandbox.ctx.shared_idp_token_endpoint, files=multipart)
    assert response.status_code == 200, response.text
    assert response.json()["token_type"] == "Bearer"


@pytest.mark.parametrize(
    ("content", "content_type"),
    [
        (b'{"grant_type": "client_credentials"}', "application/json"),
        (b"grant_type=client_credentials&client_id=\xff", "application/x-www-form-urlencoded"),
    ],
)
def test_a_body_that_is_not_a_form_reads_as_no_fields(sandbox, content, content_type) -> None:
    response = httpx.post(
        sandbox.ctx.shared_idp_token_endpoint,
        content=content,
        headers={"Content-Type": content_type},
    )
    assert (response.status_code, response.json()) == (400, MISSING_GRANT)


def test_repeated_fields_authenticate_with_the_first_value_then_are_refused(
    sandbox, consumer
) -> None:
    """Keycloak reads the client's secret from the first value (a wrong second one is not
    what it checks: no 401), then refuses the request for the repeated fields."""
    body = (
        f"grant_type=client_credentials&grant_type=password&client_id={consumer.client_id}"
        f"&client_secret={consumer.client_secret}&client_secret=wrong"
    )
    response = httpx.post(
        sandbox.ctx.shared_idp_token_endpoint,
        content=body.encode(),
        headers={"Content-Type": "application/x-www-form-urlencoded; charset=UTF-8"},
    )
    assert response.status_code == 400, response.text
    assert response.json()["error_description"] == "duplicated parameter"


def test_basic_credentials_are_form_decoded_and_the_scheme_is_any_case(sandbox, consumer) -> None:
    """RFC 6749 §2.3.1: the client id and secret are form-encoded before Basic encoding."""
    encoded = "".join(f"%{ord(c):02X}" for c in consumer.client_id)
    header = basic(encoded, quote(consumer.client_secret, safe=""))
    header["Authorization"] = header["Authorization"].replace("Basic", "basic")
    response = httpx.post(
        sandbox.ctx.shared_idp_token_endpoint,
        data={"grant_type": "client_credentials"},
        headers=header,
    )
    assert response.status_code == 200, response.text


def test_basic_credentials_win_over_the_form(sandbox, consumer) -> None:
    response = httpx.post(
        sandbox.ctx.shared_idp_token_endpoint,
        data={
            "grant_type": "client_credentials",
            "client_id": consumer.client_id,
            "client_secret": consumer.client_secret,
        },
        headers=basic(consumer.client_id, "wrong"),
    )
    assert response.status_code == 401
    assert response.json()["error"] == "unauthorized_client"


def test_a_malformed_basic_header_is_an_unknown_client(sandbox, consumer) -> None:
    for value in ("Basic !!!not-base64", "Basic " + base64.b64encode(b"\xff:\xfe").decode()):
        response = httpx.post(
            sandbox.ctx.shared_idp_token_endpoint,
            data={
                "grant_type": "client_credentials",
                "client_id": consumer.client_id,
                "client_secret": consumer.client_secret,
            },
            headers={"Authorization": value},
        )
        assert response.status_code == 401, value
        assert response.json()["error"] == "invalid_client"


def test_basic_without_a_colon_falls_back_to_the_form(sandbox, consumer) -> None:
    lone = base64.b64encode(consumer.client_id.encode()).decode()
    response = httpx.post(
        sandbox.ctx.shared_idp_token_endpoint,
        data={
            "grant_type": "client_credentials",
            "client_id": consumer.client_id,
            "client_secret": consumer.client_secret,
        },
        headers={"Authorization": f"Basic {lone}"},
    )
    assert response.status_code == 200, response.text


def test_token_answers_and_refusals_are_never_cached(sandbox, consumer) -> None:
    url = sandbox.ctx.shared_idp_token_endpoint
    granted = httpx.post(
        url,
        data={
            "grant_type": "client_credentials",
            "client_id": consumer.client_id,
            "client_secret": consumer.client_secret,
        },
    )
    refused = httpx.post(url, data={"grant_type": "client_credentials", "client_id": "NOPE"})
    for response in (granted, refused):
        assert response.headers["cache-control"] == "no-store"
        assert response.headers["pragma"] == "no-cache"


def test_a_consumer_token_answer_has_keycloaks_fields(sandbox, consumer) -> None:
    """The shared IdP's answer to the tutorial's token request (docs/contract.md#s4.4): no
    refresh token for a client-credentials grant, and Keycloak's default scopes."""
    response = httpx.post(
        sandbox.ctx.shared_idp_token_endpoint,
        data={
            "grant_type": "client_credentials",
            "client_id": consumer.client_id,
            "client_secret": consumer.client_secret,
        },
    )
    body = response.json()
    assert set(body) == {
        "access_token",
        "expires_in",
        "refresh_expires_in",
        "token_type",
        "not-before-policy",
        "scope",
    }
    assert (body["expires_in"], body["refresh_expires_in"]) == (300, 0)
    assert (body["token_type"], body["not-before-policy"], body["scope"]) == (
        "Bearer",
        0,
        "profile email",
    )


def test_the_cli_client_cannot_use_the_client_credentials_grant(sandbox) -> None:
    response = httpx.post(
        f"{sandbox.ctx.login_issuer}/protocol/openid-connect/token",
        data={"client_id": "gwa-cli", "grant_type": "client_credentials"},
    )
    assert (response.status_code, response.json()) == (
        400,
        {
            "error": "unauthorized_client",
            "error_description": "Public client not allowed to retrieve service account",
        },
    )


@pytest.mark.parametrize("realm", ["login", "shared"])
def test_discovery_has_what_openid_discovery_requires_with_keycloaks_values(sandbox, realm):
    """OpenID Connect Discovery 1.0 §3 requires issuer, authorization_endpoint, jwks_uri,
    response_types_supported, subject_types_supported and id_token_signing_alg_values_supported;
    an OIDC library pointed at the sandbox reads these, and the auth methods it may use."""
    base = sandbox.ctx.login_issuer if realm == "login" else sandbox.ctx.shared_idp_base
    doc = httpx.get(f"{base}/.well-known/openid-configuration").json()
    oidc = f"{base}/protocol/openid-connect"
    assert doc["authorization_endpoint"] == f"{oidc}/auth"
    assert doc["end_session_endpoint"] == f"{oidc}/logout"
    assert doc["response_types_supported"] == ["code"]
    assert doc["subject_types_supported"] == ["public"]
    assert doc["id_token_signing_alg_values_supported"] == ["RS256"]
    assert doc["token_endpoint_auth_methods_supported"] == [
        "client_secret_basic",
        "client_secret_post",
    ]
    assert doc["scopes_supported"] == ["openid", "profile", "email"]


def test_a_token_request_without_a_content_type_has_no_fields(sandbox, consumer) -> None:
    """Keycloak reads a form only from a body that says it is one; a bare body (curl's
    --data-binary with the header removed) lacks every field, grant_type first."""
    body = (
        f"grant_type=client_credentials&client_id={consumer.client_id}"
        f"&client_secret={consumer.client_secret}"
    )
    response = httpx.post(sandbox.ctx.shared_idp_token_endpoint, content=body.encode())
    assert "content-type" not in response.request.headers
    assert (response.status_code, response.json()) == (400, MISSING_GRANT)
