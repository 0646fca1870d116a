"""Login realm: discovery document, JWKS, token endpoint errors, refresh rotation, logout,
and service accounts with the client-credentials grant."""

from __future__ import annotations

import base64

import httpx
import jwt
import pytest

from tests.sandbox.login_helpers import approve_with_form, oidc, poll, start_device
from tui.sandbox import device_flow

INVALID_CLIENT = {
    "error": "invalid_client",
    "error_description": "Invalid client or Invalid client credentials",
}
# Keycloak's answer for a client it knows, given the wrong secret.
WRONG_SECRET = {
    "error": "unauthorized_client",
    "error_description": "Invalid client or Invalid client credentials",
}


@pytest.fixture
def login(sandbox, monkeypatch: pytest.MonkeyPatch):
    """Log a provider in through the device flow; returns the token JSON."""
    monkeypatch.setattr(device_flow, "POLL_INTERVAL", 0)

    def run(username: str) -> dict:
        device = start_device(sandbox)
        assert approve_with_form(device, username).status_code == 200
        response = poll(sandbox, device)
        assert response.status_code == 200, response.text
        return response.json()

    return run


def test_discovery_document(sandbox) -> None:
    doc = oidc(sandbox)
    issuer = sandbox.ctx.login_issuer
    assert issuer == f"{sandbox.ctx.portal_url}/auth/realms/aps"
    assert doc["issuer"] == issuer
    assert doc["token_endpoint"] == f"{issuer}/protocol/openid-connect/token"
    assert doc["device_authorization_endpoint"] == (f"{issuer}/protocol/openid-connect/auth/device")
    assert doc["jwks_uri"] == f"{issuer}/protocol/openid-connect/certs"
    assert doc["code_challenge_methods_supported"] == ["S256"]
    assert "urn:ietf:params:oauth:grant-type:device_code" in doc["grant_types_supported"]
    assert {"refresh_token", "client_credentials"} <= set(doc["grant_types_supported"])


def test_jwks_verifies_access_tokens(sandbox, login) -> None:
    tokens = login("grace")
    jwks = httpx.get(oidc(sandbox)["jwks_uri"]).json()
    key_set = jwt.PyJWKSet.from_dict(jwks)
    kid = jwt.get_unverified_header(tokens["access_token"])["kid"]
    key = next(k for k in key_set.keys if k.key_id == kid)
    claims = jwt.decode(
        tokens["access_token"],
        key.key,
        algorithms=["RS256"],
        audience="account",
        issuer=sandbox.ctx.login_issuer,
    )
    assert claims["preferred_username"] == "grace"
    assert claims["azp"] == "gwa-cli"
    # the refresh token is not an RS256 access token: the portal's check refuses it
    with pytest.raises(jwt.InvalidTokenError):
        jwt.decode(tokens["refresh_token"], key.key, algorithms=["RS256"], audience="account")


def test_refresh_answers_a_new_pair_and_an_older_token_stays_usable(sandbox, login) -> None:
    """Keycloak's realm default (Revoke Refresh Token off): no single-use rotation."""
    tokens = login("heidi")
    url = oidc(sandbox)["token_endpoint"]
    data = {"client_id": "gwa-cli", "grant_type": "refresh_token"}
    first = httpx.post(url, data=data | {"refresh_token": tokens["refresh_token"]})
    assert first.status_code == 200, first.text
    renewed = first.json()
    assert renewed["refresh_token"] != tokens["refresh_token"]
    assert renewed["access_token"] != tokens["access_token"]
    assert renewed["session_state"] == tokens["session_state"]
    assert renewed["expires_in"] == 300 and renewed["refresh_expires_in"] == 1800
    claims = jwt.decode(renewed["access_token"], options={"verify_signature": False})
    assert claims["preferred_username"] == "heidi"
    # the session the tokens belong to is named, in the answer and in the token alike
    assert isinstance(renewed["session_state"], str) and renewed["session_state"]
    assert claims["sid"] == renewed["session_state"]

    replay = httpx.post(url, data=data | {"refresh_token": tokens["refresh_token"]})
    assert replay.status_code == 200, replay.text
    assert replay.json()["session_state"] == tokens["session_state"]

    second = httpx.post(url, data=data | {"refresh_token": renewed["refresh_token"]})
    assert second.status_code == 200


@pytest.mark.parametrize("bad", ["", "garbage", "a.b.c"])
def test_bad_refresh_tokens(sandbox, bad: str) -> None:
    response = httpx.post(
        oidc(sandbox)["token_endpoint"],
        data={"client_id": "gwa-cli", "grant_type": "refresh_token", "refresh_token": bad},
    )
    assert response.status_code == 400
    assert response.json()["error"] in ("invalid_grant", "invalid_request")
    if bad:
        assert response.json()["error_description"] == "Invalid refresh token"


def test_forged_refresh_token_is_refused(sandbox, login) -> None:
    tokens = login("ivan")
    claims = jwt.decode(tokens["refresh_token"], options={"verify_signature": False})
    forged = jwt.encode(
        claims | {"preferred_username": "root"}, "a-guessed-secret-" * 4, algorithm="HS512"
    )
    response = httpx.post(
        oidc(sandbox)["token_endpoint"],
        data={"client_id": "gwa-cli", "grant_type": "refresh_token", "refresh_token": forged},
    )
    assert response.status_code == 400
    assert response.json()["error_description"] == "Invalid refresh token"


def test_logout_ends_the_session(sandbox, login) -> None:
    tokens = login("judy")
    issuer = sandbox.ctx.login_issuer
    out = httpx.post(
        f"{issuer}/protocol/openid-connect/logout",
        data={"client_id": "gwa-cli", "refresh_token": tokens["refresh_token"]},
    )
    assert out.status_code == 204
    url = oidc(sandbox)["token_endpoint"]
    data = {"client_id": "gwa-cli", "grant_type": "refresh_token"}
    ended = {"error": "invalid_grant", "error_description": "Session not active"}
    after = httpx.post(url, data=data | {"refresh_token": tokens["refresh_token"]})
    assert (after.status_code, after.json()) == (400, ended)


def test_logout_ends_every_refresh_token_of_the_session(sandbox, login) -> None:
    tokens = login("kurt")
    url = oidc(sandbox)["token_endpoint"]
    data = {"client_id": "gwa-cli", "grant_type": "refresh_token"}
    renewed = httpx.post(url, data=data | {"refresh_token": tokens["refresh_token"]}).json()
    out = httpx.post(
        f"{sandbox.ctx.login_issuer}/protocol/openid-connect/logout",
        data={"client_id": "gwa-cli", "refresh_token": tokens["refresh_token"]},
    )
    assert out.status_code == 204
    for token in (tokens["refresh_token"], renewed["refresh_token"]):
        after = httpx.post(url, data=data | {"refresh_token": token})
        assert after.status_code == 400
        assert after.json()["error_description"] == "Session not active"


def test_token_endpoint_errors(sandbox) -> None:
    url = oidc(sandbox)["token_endpoint"]
    missing = httpx.post(url, data={"client_id": "gwa-cli"})
    assert missing.status_code == 400
    assert missing.json() == {
        "error": "invalid_request",
        "error_description": "Missing form parameter: grant_type",
    }
    unsupported = httpx.post(url, data={"client_id": "gwa-cli", "grant_type": "password"})
    assert unsupported.status_code == 400
    assert unsupported.json()["error"] == "unsupported_grant_type"
    stranger = httpx.post(url, data={"client_id": "nobody", "grant_type": "refresh_token"})
    assert stranger.status_code == 401
    assert stranger.json() == INVALID_CLIENT
    public = httpx.post(url, data={"client_id": "gwa-cli", "grant_type": "client_credentials"})
    assert public.status_code == 400
    assert public.json()["error"] == "unauthorized_client"


def test_service_account_client_credentials(sandbox, login) -> None:
    tokens = login("kim")
    created = httpx.post(
        f"{sandbox.ctx.portal_url}/sandbox/service-accounts",
        headers={"Authorization": f"Bearer {tokens['access_token']}"},
    )
    assert created.status_code == 201, created.text
    account = created.json()
    assert account["tokenEndpoint"] == oidc(sandbox)["token_endpoint"]
    assert account["username"] == f"service-account-{account['clientId']}"

    url = account["tokenEndpoint"]
    good = httpx.post(
        url,
        data={
            "client_id": account["clientId"],
            "client_secret": account["clientSecret"],
            "grant_type": "client_credentials",
        },
    )
    assert good.status_code == 200, good.text
    body = good.json()
    assert "refresh_token" not in body and body["refresh_expires_in"] == 0
    assert body["expires_in"] == 300 and body["token_type"] == "Bearer"
    claims = jwt.decode(body["access_token"], options={"verify_signature": False})
    assert claims["clientId"] == account["clientId"]
    assert claims["preferred_username"] == account["username"]
    assert claims["azp"] == account["clientId"]

    basic = base64.b64encode(f"{account['clientId']}:{account['clientSecret']}".encode()).decode()
    via_basic = httpx.post(
        url, data={"grant_type": "client_credentials"}, headers={"Authorization": f"Basic {basic}"}
    )
    assert via_basic.status_code == 200

    bad = httpx.post(
        url,
        data={
            "client_id": account["clientId"],
            "client_secret": "wrong",
            "grant_type": "client_credentials",
        },
    )
    assert bad.status_code == 401
    assert bad.json() == WRONG_SECRET
    no_secret = httpx.post(
        url, data={"client_id": account["clientId"], "grant_type": "client_credentials"}
    )
    assert (no_secret.status_code, no_secret.json()) == (401, WRONG_SECRET)
    unknown = httpx.post(
        url,
        data={
            "client_id": "sa-nobody-000000000000",
            "client_secret": account["clientSecret"],
            "grant_type": "client_credentials",
        },
    )
    assert (unknown.status_code, unknown.json()) == (401, INVALID_CLIENT)

    # only the secret's digest is stored
    rows = sandbox.ctx.db.query("SELECT * FROM service_accounts")
    assert all(account["clientSecret"] not in str(tuple(r)) for r in rows)

    listed = httpx.get(
        f"{sandbox.ctx.portal_url}/sandbox/service-accounts",
        headers={"Authorization": f"Bearer {tokens['access_token']}"},
    ).json()
    assert [a["clientId"] for a in listed] == [account["clientId"]]
    gone = httpx.delete(
        f"{sandbox.ctx.portal_url}/sandbox/service-accounts/{account['clientId']}",
        headers={"Authorization": f"Bearer {tokens['access_token']}"},
    )
    assert gone.status_code == 200
    after = httpx.post(
        url,
        data={
            "client_id": account["clientId"],
            "client_secret": account["clientSecret"],
            "grant_type": "client_credentials",
        },
    )
    assert (after.status_code, after.json()) == (401, INVALID_CLIENT)


def test_a_service_accounts_token_request_with_a_repeated_field_is_refused(sandbox, login) -> None:
    """The duplicated-parameter rule holds for service accounts too, judged after their
    secret: the right secret and a field twice is 400, not a token."""
    tokens = login("rosa")
    account = httpx.post(
        f"{sandbox.ctx.portal_url}/sandbox/service-accounts",
        headers={"Authorization": f"Bearer {tokens['access_token']}"},
    ).json()
    body = (
        f"grant_type=client_credentials&client_id={account['clientId']}"
        f"&client_secret={account['clientSecret']}&scope=openid&scope="
    )
    refused = httpx.post(
        account["tokenEndpoint"],
        content=body,
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert refused.status_code == 400, refused.text
    assert refused.json()["error_description"] == "duplicated parameter"


def test_service_account_for_a_gateway_needs_its_permission(sandbox, login) -> None:
    owner = login("lena")
    other = login("mallory")
    gateway = "gw-5a5a5"
    with sandbox.ctx.db.transaction() as conn:
        conn.execute(
            "INSERT OR IGNORE INTO gateways(gateway_id, display_name, owner, created_at)"
            " VALUES (?,?,?,0)",
            (gateway, "lena's Gateway", "lena"),
        )
        for scope in ("Namespace.Manage", "GatewayConfig.Publish"):
            conn.execute(
                "INSERT OR IGNORE INTO permissions(gateway_id, username, scope) VALUES (?,?,?)",
                (gateway, "lena", scope),
            )
    url = f"{sandbox.ctx.portal_url}/sandbox/service-accounts"
    refused = httpx.post(
        url,
        json={"gatewayId": gateway},
        headers={"Authorization": f"Bearer {other['access_token']}"},
    )
    assert refused.status_code == 403
    assert refused.json() == {
        "code": "permission_denied",
        "message": f"Missing required scope: {gateway}:Namespace.Manage",
    }
    made = httpx.post(
        url,
        json={"gatewayId": gateway},
        headers={"Authorization": f"Bearer {owner['access_token']}"},
    )
    assert made.status_code == 201
    account = made.json()
    assert account["scopes"] == ["GatewayConfig.Publish", "Namespace.Manage"]
    held = {
        r["scope"]
        for r in sandbox.ctx.db.query(
            "SELECT scope FROM permissions WHERE gateway_id=? AND username=?",
            (gateway, account["username"]),
        )
    }
    assert held == {"GatewayConfig.Publish", "Namespace.Manage"}


def test_service_accounts_need_a_provider_token(sandbox) -> None:
    url = f"{sandbox.ctx.portal_url}/sandbox/service-accounts"
    none = httpx.post(url)
    assert none.status_code == 401
    assert none.json() == {
        "code": "credentials_required",
        "message": "No authorization token was found",
    }
    junk = httpx.post(url, headers={"Authorization": "Bearer junk"})
    assert junk.status_code == 401
    assert junk.json()["code"] == "invalid_token"


def test_a_refresh_without_its_token_is_told_the_parameter_is_missing(sandbox) -> None:
    response = httpx.post(
        oidc(sandbox)["token_endpoint"],
        data={"client_id": "gwa-cli", "grant_type": "refresh_token"},
    )
    assert response.status_code == 400, response.text
    assert response.json() == {
        "error": "invalid_request",
        "error_description": "Missing form parameter: refresh_token",
    }
