"""Login faults with MockTransport (expiry, odd answers) and the pure helpers."""

from __future__ import annotations

import base64
import hashlib
import re
from urllib.parse import parse_qs

import httpx
import pytest

from tests.services.login_kit import challenge, fake_jwt, json_answer, service
from tui.services.device_login import pkce_pair
from tui.services.discovery import Discovery
from tui.services.errors import WizardError
from tui.services.login_tokens import jwt_claims, username_from_token

token_answer = json_answer


def test_pkce_pair_is_s256_of_a_43_char_verifier() -> None:
    verifier, challenge_value = pkce_pair()
    assert re.fullmatch(r"[A-Za-z0-9_-]{43}", verifier)
    digest = hashlib.sha256(verifier.encode()).digest()
    assert challenge_value == base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
    assert pkce_pair()[0] != verifier


def test_username_is_decoded_without_verifying() -> None:
    assert username_from_token(fake_jwt({"preferred_username": "janis"})) == "janis"
    assert username_from_token(fake_jwt({"clientId": "sa-1"})) == "sa-1"
    assert username_from_token("not.a.jwt!") is None
    assert jwt_claims("garbage") == {}


def test_repr_never_shows_tokens_or_codes() -> None:
    from tui.services.login_tokens import Tokens

    text = repr(Tokens("secret-access", "secret-refresh", 300, 1800)) + repr(challenge())
    assert "secret-access" not in text and "secret-refresh" not in text
    assert "dev-1" not in text and "v" * 43 not in text
    assert "BCDF-GHJK" in text  # the user code is meant to be shown


async def test_start_device_reads_the_answer_and_defaults() -> None:
    login, rec = service(
        token_answer(
            200, {"device_code": "d", "user_code": "BCDF-GHJK", "verification_uri": "https://l/v"}
        )
    )
    got = await login.start_device()
    assert (got.user_code, got.verification_uri_complete, got.expires_in, got.interval) == (
        "BCDF-GHJK",
        "https://l/v",
        600,
        5,
    )
    form = parse_qs(rec.bodies[0].decode())
    assert form["client_id"] == ["gwa-cli"] and form["code_challenge_method"] == ["S256"]
    await login.client.aclose()


async def test_start_device_without_device_endpoint() -> None:
    login, _ = service(token_answer(200, {}))
    login.discovery = Discovery("/x", "u", "i", "https://login.example/token", "")
    with pytest.raises(WizardError, match="does not offer device login"):
        await login.start_device()
    await login.client.aclose()


async def test_incomplete_device_answer() -> None:
    login, _ = service(token_answer(200, {"user_code": "X"}))
    with pytest.raises(WizardError, match="incomplete"):
        await login.start_device()
    await login.client.aclose()


@pytest.mark.parametrize(
    ("error", "code", "fix"),
    [
        ("expired_token", "expired_token", "Start the login again"),
        ("access_denied", "access_denied", "Start the login again"),
    ],
)
async def test_poll_terminal_errors(error: str, code: str, fix: str) -> None:
    login, _ = service(token_answer(400, {"error": error, "error_description": "x"}))
    with pytest.raises(WizardError) as info:
        await login.poll_once(challenge())
    assert info.value.code == code and fix in info.value.fix
    await login.client.aclose()


async def test_poll_gives_up_locally_once_the_code_has_expired() -> None:
    login, rec = service(token_answer(400, {"error": "authorization_pending"}))
    old = challenge(expires_in=10, started_at=0.0)
    with pytest.raises(WizardError) as info:
        await login.poll_once(old)
    assert info.value.code == "expired_token" and rec.requests == []
    await login.client.aclose()


async def test_poll_other_oauth_error_is_explained() -> None:
    login, _ = service(
        token_answer(
            400, {"error": "invalid_request", "error_description": "Invalid code_challenge"}
        )
    )
    with pytest.raises(WizardError) as info:
        await login.poll_once(challenge())
    assert "PKCE" in info.value.why
    await login.client.aclose()


async def test_poll_html_answer_is_not_mistaken_for_pending() -> None:
    login, _ = service(
        lambda r: httpx.Response(
            400, text="<html>proxy</html>", headers={"content-type": "text/html"}
        )
    )
    with pytest.raises(WizardError, match="HTML error page"):
        await login.poll_once(challenge())
    await login.client.aclose()


async def test_token_answer_without_access_token() -> None:
    login, _ = service(token_answer(200, {"token_type": "Bearer"}))
    with pytest.raises(WizardError, match="no access token"):
        await login.poll_once(challenge())
    await login.client.aclose()


async def test_refresh_keeps_the_old_refresh_token_when_none_is_returned() -> None:
    login, rec = service(token_answer(200, {"access_token": fake_jwt({"preferred_username": "a"})}))
    host = login.host
    await login.secrets.set(f"{host}:refresh_token", "r-1")
    await login.refresh()
    assert await login.secrets.get(f"{host}:refresh_token") == "r-1"
    form = parse_qs(rec.bodies[0].decode())
    assert form == {
        "grant_type": ["refresh_token"],
        "client_id": ["gwa-cli"],
        "refresh_token": ["r-1"],
    }
    await login.client.aclose()


async def test_invalid_client_is_explained() -> None:
    login, _ = service(
        token_answer(
            401,
            {
                "error": "invalid_client",
                "error_description": "Invalid client or Invalid client credentials",
            },
        )
    )
    with pytest.raises(WizardError) as info:
        await login.client_credentials("sa", "wrong")
    assert info.value.status == 401
    assert "does not know this client id" in info.value.why
    await login.client.aclose()


async def test_current_user_propagates_network_errors() -> None:
    def down(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("[Errno 111] Connection refused", request=request)

    login, _ = service(down)
    await login.secrets.set(f"{login.host}:access_token", fake_jwt({"preferred_username": "a"}))
    with pytest.raises(WizardError, match="refused"):
        await login.current_user()
    await login.client.aclose()
