"""Device authorization with PKCE on the login realm, approved through the HTML page."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import jwt
import pytest

from tests.sandbox.login_helpers import (
    approve_with_form,
    oidc,
    pkce_pair,
    poll,
    read_form,
    start_device,
    text_of,
)
from tui.sandbox import device_flow
from tui.sandbox.context import SandboxConfig
from tui.sandbox.keys import LOGIN_REALM
from tui.sandbox.server import SandboxServer


def start_sandbox(data_dir: Path, **options) -> SandboxServer:
    config = SandboxConfig(
        data_dir=data_dir, portal_port=0, data_plane_port=0, upstream_port=0, **options
    )
    server = SandboxServer(config)
    server.start()
    return server


@pytest.fixture
def quick_polls(monkeypatch: pytest.MonkeyPatch) -> None:
    """Codes created in this test may be polled back to back."""
    monkeypatch.setattr(device_flow, "POLL_INTERVAL", 0)


def test_device_authorization_answers_like_keycloak(sandbox) -> None:
    device = start_device(sandbox)
    assert re.fullmatch(r"[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}", device.user_code)
    assert device.verification_uri == f"{sandbox.ctx.login_issuer}/device"
    assert device.verification_uri_complete == (
        f"{device.verification_uri}?user_code={device.user_code}"
    )
    assert (device.expires_in, device.interval) == (600, 5)
    assert len(device.device_code) >= 32


def test_pending_then_form_approval_then_tokens(sandbox, quick_polls) -> None:
    device = start_device(sandbox)
    first = poll(sandbox, device)
    assert first.status_code == 400
    assert first.json() == {
        "error": "authorization_pending",
        "error_description": "The authorization request is still pending",
    }
    page = approve_with_form(device, "alice")
    assert page.status_code == 200
    assert "You are signed in as alice" in text_of(page.text)

    done = poll(sandbox, device)
    assert done.status_code == 200, done.text
    body = done.json()
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 300 and body["expires_in"] <= 32767
    assert body["refresh_expires_in"] == 1800
    assert body["not-before-policy"] == 0
    assert body["scope"] == "profile email"
    assert body["session_state"]
    assert body["refresh_token"] and body["refresh_token"] != body["access_token"]
    header = jwt.get_unverified_header(body["access_token"])
    assert header["alg"] == "RS256"
    claims = sandbox.ctx.keys.verify(LOGIN_REALM, body["access_token"])
    assert claims["preferred_username"] == "alice"
    assert claims["iss"] == sandbox.ctx.login_issuer
    assert claims["session_state"] == body["session_state"]

    again = poll(sandbox, device)  # a device code is good for one login only
    assert again.status_code == 400
    assert again.json()["error"] == "invalid_grant"


def test_polling_faster_than_the_interval_slows_down(sandbox) -> None:
    device = start_device(sandbox)
    assert poll(sandbox, device).json()["error"] == "authorization_pending"
    fast = poll(sandbox, device)
    assert fast.status_code == 400
    assert fast.json()["error"] == "slow_down"


def test_expired_code(sandbox, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(device_flow, "DEVICE_CODE_LIFETIME", 0)
    device = start_device(sandbox)
    assert device.expires_in == 0
    response = poll(sandbox, device)
    assert response.status_code == 400
    assert response.json()["error"] == "expired_token"
    page = approve_with_form(device, "alice")
    assert page.status_code == 400
    assert "expired" in text_of(page.text)


def test_denied_on_the_page(sandbox, quick_polls) -> None:
    device = start_device(sandbox)
    page = approve_with_form(device, "", action="deny")
    assert page.status_code == 200
    assert "denied" in text_of(page.text)
    response = poll(sandbox, device)
    assert response.status_code == 400
    assert response.json()["error"] == "access_denied"


@pytest.mark.parametrize(
    ("fields", "description"),
    [
        ({"code_challenge_method": "plain"}, "Invalid parameter: code_challenge_method"),
        ({"code_challenge_method": "S512"}, "Invalid parameter: code_challenge_method"),
        ({}, "Invalid parameter: code_challenge_method"),  # no method means plain
    ],
)
def test_only_s256_pkce_is_accepted(sandbox, fields: dict, description: str) -> None:
    _, challenge = pkce_pair()
    response = httpx.post(
        oidc(sandbox)["device_authorization_endpoint"],
        data={"client_id": "gwa-cli", "code_challenge": challenge, **fields},
    )
    assert response.status_code == 400
    assert response.json() == {"error": "invalid_request", "error_description": description}


def test_malformed_challenge_and_missing_challenge(sandbox) -> None:
    url = oidc(sandbox)["device_authorization_endpoint"]
    short = httpx.post(
        url, data={"client_id": "gwa-cli", "code_challenge": "abc", "code_challenge_method": "S256"}
    )
    assert short.status_code == 400
    assert short.json() == {
        "error": "invalid_request",
        "error_description": "Invalid parameter: code_challenge",
    }
    missing = httpx.post(url, data={"client_id": "gwa-cli", "code_challenge_method": "S256"})
    assert missing.status_code == 400
    assert missing.json() == {
        "error": "invalid_request",
        "error_description": "Missing parameter: code_challenge",
    }


def test_unknown_client_cannot_start_a_device_login(sandbox) -> None:
    response = httpx.post(
        oidc(sandbox)["device_authorization_endpoint"], data={"client_id": "someone-else"}
    )
    assert response.status_code == 401
    assert response.json() == {
        "error": "invalid_client",
        "error_description": "Invalid client or Invalid client credentials",
    }


def test_verifier_mismatch_and_missing_verifier(sandbox, quick_polls) -> None:
    device = start_device(sandbox)
    approve_with_form(device, "bob")
    wrong, _ = pkce_pair()
    response = poll(sandbox, device, verifier=wrong)
    assert response.status_code == 400
    assert response.json() == {
        "error": "invalid_grant",
        "error_description": "PKCE verification failed",
    }

    other = start_device(sandbox)
    approve_with_form(other, "bob")
    data = {
        "client_id": "gwa-cli",
        "grant_type": "urn:ietf:params:oauth:grant-type:device_code",
        "device_code": other.device_code,
    }
    response = httpx.post(oidc(sandbox)["token_endpoint"], data=data)
    assert response.status_code == 400
    assert response.json() == {
        "error": "invalid_grant",
        "error_description": "PKCE code verifier not specified",
    }


def test_without_pkce_the_device_flow_still_works(sandbox, quick_polls) -> None:
    device = start_device(sandbox, pkce=False)
    approve_with_form(device, "carol")
    response = poll(sandbox, device)
    assert response.status_code == 200
    assert response.json()["access_token"]


def test_unknown_device_code(sandbox) -> None:
    response = httpx.post(
        oidc(sandbox)["token_endpoint"],
        data={
            "client_id": "gwa-cli",
            "grant_type": "urn:ietf:params:oauth:grant-type:device_code",
            "device_code": "not-a-code",
        },
    )
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_grant"


def test_verification_page_messages(sandbox) -> None:
    issuer = sandbox.ctx.login_issuer
    unknown = httpx.post(f"{issuer}/device", data={"user_code": "BBBB-CCCC", "username": "dave"})
    assert unknown.status_code == 400
    assert "That code is not valid" in text_of(unknown.text)

    device = start_device(sandbox)
    bad_name = httpx.post(
        f"{issuer}/device", data={"user_code": device.user_code, "username": "x y!"}
    )
    assert bad_name.status_code == 400
    assert "Enter a username" in text_of(bad_name.text)

    # codes are read leniently: lower case and without the dash
    relaxed = httpx.post(
        f"{issuer}/device",
        data={"user_code": device.user_code.replace("-", "").lower(), "username": "dave"},
    )
    assert relaxed.status_code == 200
    # as typed from the terminal with a space: the same code
    spaced = start_device(sandbox)
    typed = spaced.user_code.replace("-", " ").lower()
    answer = httpx.post(f"{issuer}/device", data={"user_code": typed, "username": "erin"})
    assert answer.status_code == 200
    assert "You are signed in as erin" in text_of(answer.text)
    used = httpx.post(f"{issuer}/device", data={"user_code": device.user_code, "username": "dave"})
    assert used.status_code == 400
    assert "already been used" in text_of(used.text)


def test_user_input_is_escaped(sandbox) -> None:
    hostile = '"><script>alert(1)</script>'
    page = httpx.get(f"{sandbox.ctx.login_issuer}/device", params={"user_code": hostile})
    assert page.status_code == 200
    assert "<script>" not in page.text
    assert "&lt;script&gt;" in page.text
    posted = httpx.post(
        f"{sandbox.ctx.login_issuer}/device", data={"user_code": hostile, "username": hostile}
    )
    assert "<script>" not in posted.text
    assert read_form(posted.text).inputs["username"] == hostile  # round-trips as plain text
    assert page.headers["x-frame-options"] == "DENY"


def test_passcode_required_when_configured(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(device_flow, "POLL_INTERVAL", 0)
    server = start_sandbox(tmp_path / "class", passcode="open-sesame")
    try:
        device = start_device(server)
        page = httpx.get(device.verification_uri_complete)
        assert "passcode" in read_form(page.text).inputs
        missing = approve_with_form(device, "erin")
        assert missing.status_code == 403
        assert "passcode is not right" in text_of(missing.text)
        wrong = approve_with_form(device, "erin", passcode="guess")
        assert wrong.status_code == 403
        assert poll(server, device).json()["error"] == "authorization_pending"
        right = approve_with_form(device, "erin", passcode="open-sesame")
        assert right.status_code == 200
        assert poll(server, device).status_code == 200
    finally:
        server.stop()


def test_no_passcode_field_without_a_passcode(sandbox) -> None:
    device = start_device(sandbox)
    page = httpx.get(device.verification_uri_complete)
    assert "passcode" not in read_form(page.text).inputs


def test_a_pending_login_survives_a_restart(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(device_flow, "POLL_INTERVAL", 0)
    data_dir = tmp_path / "persist"
    first = start_sandbox(data_dir)
    try:
        device = start_device(first)
    finally:
        first.stop()
    second = start_sandbox(data_dir)
    try:
        issuer = second.ctx.login_issuer
        page = httpx.post(
            f"{issuer}/device", data={"user_code": device.user_code, "username": "frank"}
        )
        assert page.status_code == 200
        response = poll(second, device)
        assert response.status_code == 200
        claims = second.ctx.keys.verify(LOGIN_REALM, response.json()["access_token"])
        assert claims["preferred_username"] == "frank"
    finally:
        second.stop()


def test_refused_polls_say_why_in_keycloaks_words(sandbox, monkeypatch) -> None:
    """A refused poll's ``error_description`` is what the wizard shows a learner: Keycloak's.

    (An expired code's words: ``test_an_expired_code_is_named_expired``.)
    """
    fast = start_device(sandbox)
    assert poll(sandbox, fast).json()["error"] == "authorization_pending"
    assert poll(sandbox, fast).json() == {"error": "slow_down", "error_description": "Slow down"}

    monkeypatch.setattr(device_flow, "POLL_INTERVAL", 0)
    denied = start_device(sandbox)
    assert approve_with_form(denied, "", action="deny").status_code == 200
    assert poll(sandbox, denied).json() == {
        "error": "access_denied",
        "error_description": "The end user denied the authorization request",
    }
