"""LoginService against answers the sandbox does not give on demand: odd device answers, every
approval-page failure, what is stored after each grant, and the class claim a browser wizard
signs in with. MockTransport only (the whole flow on the real sandbox is test_login_sandbox)."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs

import httpx
import pytest

from tests.services.login_kit import DISCOVERY, challenge, fake_jwt, json_answer, service
from tests.services.provider_kit import mock_client
from tui.services.class_claim import CLASS_CLAIM_COOKIE, CLASS_CLAIM_ENV, ClassClaims
from tui.services.discovery import Discovery
from tui.services.errors import WizardError
from tui.services.login import LoginService
from tui.services.login_tokens import jwt_claims, username_from_token
from tui.services.secrets import SecretStore, access_token_name, refresh_token_name

CLAIM = "c" * 43


# -- the device answer ---------------------------------------------------------------------


async def test_the_device_answer_is_read_as_the_server_gave_it() -> None:
    answer = {
        "device_code": "d-1",
        "user_code": "WXYZ-BCDF",
        "verification_uri": "https://login.example/device/verify",
        "verification_uri_complete": "https://login.example/device/verify?user_code=WXYZ-BCDF",
        "expires_in": 900,
        "interval": 7,
    }
    login, rec = service(json_answer(200, answer))
    got = await login.start_device()
    await login.client.aclose()
    assert (got.device_code, got.user_code, got.verification_uri) == (
        "d-1",
        "WXYZ-BCDF",
        "https://login.example/device/verify",
    )
    assert got.verification_uri_complete == answer["verification_uri_complete"]
    assert (got.expires_in, got.interval) == (900, 7)
    assert got.token_endpoint == DISCOVERY.token_endpoint
    assert str(rec.requests[0].url) == DISCOVERY.device_authorization_endpoint
    assert "Authorization" not in rec.requests[0].headers  # no portal token to the login server


@pytest.mark.parametrize(("interval", "used"), [(0, 5), (-3, 1), ("2", 2)])
async def test_the_polling_interval_is_never_below_one_second(interval: object, used: int) -> None:
    answer = {"device_code": "d", "user_code": "U", "verification_uri": "v", "interval": interval}
    login, _ = service(json_answer(200, answer))
    assert (await login.start_device()).interval == used
    await login.client.aclose()


async def test_a_device_answer_that_is_not_json_is_explained() -> None:
    login, _ = service(lambda r: httpx.Response(200, text="<html>portal</html>"))
    with pytest.raises(WizardError) as info:
        await login.start_device()
    await login.client.aclose()
    assert info.value.what == "Start the login failed: the login server's answer was not JSON"


async def test_an_incomplete_device_answer_says_what_was_missing() -> None:
    login, _ = service(json_answer(200, {"device_code": "d", "user_code": "U"}))
    with pytest.raises(WizardError) as info:
        await login.start_device()
    await login.client.aclose()
    err = info.value
    assert err.what == "Start the login failed: the login server's answer was incomplete"
    assert err.why == "It lacked device_code, user_code or verification_uri."
    assert err.fix == "Retry; report it to the APS team if it persists."


def test_a_challenge_counts_down_to_zero_and_no_further() -> None:
    c = challenge(expires_in=600, started_at=1000.0)
    assert c.seconds_left(now=1000.0) == 600
    assert c.seconds_left(now=1599.5) == 0
    assert c.seconds_left(now=5000.0) == 0
    assert 0 < challenge().seconds_left() <= 600


# -- polling ---------------------------------------------------------------------------------


async def test_a_poll_sends_the_device_grant_with_the_pkce_verifier() -> None:
    login, rec = service(json_answer(400, {"error": "authorization_pending"}))
    result = await login.poll_once(challenge())
    await login.client.aclose()
    assert (result.state, result.tokens, result.interval) == ("pending", None, 5)
    assert str(rec.requests[0].url) == "https://login.example/token"
    assert parse_qs(rec.bodies[0].decode()) == {
        "device_code": ["dev-1"],
        "client_id": ["gwa-cli"],
        "grant_type": ["urn:ietf:params:oauth:grant-type:device_code"],
        "code_verifier": ["v" * 43],
    }


async def test_a_challenge_without_its_token_endpoint_polls_the_discovered_one() -> None:
    login, rec = service(json_answer(400, {"error": "slow_down"}))
    result = await login.poll_once(challenge(token_endpoint="", interval=6))
    await login.client.aclose()
    assert (result.state, result.interval) == ("slow_down", 11)
    assert str(rec.requests[0].url) == DISCOVERY.token_endpoint


async def test_a_denied_login_says_so_and_how_to_start_again() -> None:
    login, _ = service(json_answer(400, {"error": "access_denied"}))
    with pytest.raises(WizardError) as info:
        await login.poll_once(challenge())
    await login.client.aclose()
    err = info.value
    assert err.what == "The login was refused"
    assert err.why == "The request was declined on the approval page (access_denied)."
    assert err.fix == "Start the login again and choose to grant access."
    assert (err.status, err.code) == (400, "access_denied")


async def test_an_approved_poll_stores_both_tokens_under_the_hosts_names() -> None:
    access = fake_jwt({"preferred_username": "amy"})
    answer = {"access_token": access, "refresh_token": "r-1", "expires_in": "300"}
    login, _ = service(json_answer(200, answer | {"refresh_expires_in": 1800}))
    result = await login.poll_once(challenge())
    await login.client.aclose()
    assert result.state == "done" and result.tokens is not None
    tokens = result.tokens
    assert (tokens.access_token, tokens.refresh_token) == (access, "r-1")
    assert (tokens.expires_in, tokens.refresh_expires_in, tokens.token_type) == (
        300,
        1800,
        "Bearer",
    )
    assert await login.secrets.get(access_token_name(login.host)) == access
    assert await login.secrets.get(refresh_token_name(login.host)) == "r-1"
    assert await login.access_token() == access


async def test_the_token_type_and_lifetimes_are_kept_as_the_server_said() -> None:
    answer = {"access_token": "a", "token_type": "DPoP", "expires_in": None}
    login, _ = service(json_answer(200, answer))
    result = await login.poll_once(challenge())
    await login.client.aclose()
    assert result.tokens is not None
    assert (result.tokens.token_type, result.tokens.expires_in) == ("DPoP", 0)


async def test_an_answer_without_an_access_token_is_explained() -> None:
    login, _ = service(json_answer(200, {"access_token": ""}))
    with pytest.raises(WizardError) as info:
        await login.client_credentials("sa", "s3cret")
    await login.client.aclose()
    err = info.value
    assert err.what == "Log in with the service account failed: no access token in the answer"
    assert err.why == "The login server answered 200 without an access_token."
    assert err.fix == "Retry; report it to the APS team if it persists."


# -- other grants and the stored login ---------------------------------------------------------


async def test_a_service_account_login_replaces_any_older_refresh_token() -> None:
    login, rec = service(json_answer(200, {"access_token": "sa-token"}))
    await login.secrets.set(refresh_token_name(login.host), "old-device-refresh")
    tokens = await login.client_credentials("sa-1", "s3cret")
    await login.client.aclose()
    assert tokens.access_token == "sa-token" and tokens.refresh_token == ""
    assert await login.secrets.get(refresh_token_name(login.host)) is None
    assert str(rec.requests[0].url) == DISCOVERY.token_endpoint
    assert parse_qs(rec.bodies[0].decode()) == {
        "client_id": ["sa-1"],
        "client_secret": ["s3cret"],
        "grant_type": ["client_credentials"],
    }


async def test_a_refresh_without_a_saved_refresh_token_asks_to_log_in_again() -> None:
    login, rec = service(json_answer(200, {"access_token": "a"}))
    with pytest.raises(WizardError) as info:
        await login.refresh()
    await login.client.aclose()
    err = info.value
    assert err.what == "The login cannot be renewed"
    assert err.why == "There is no saved refresh token (service-account logins have none)."
    assert err.fix == "Log in again on the Login step."
    assert (err.status, err.code, err.retryable) == (401, "login_required", False)
    assert rec.requests == []


@pytest.mark.parametrize("status", [400, 401])
async def test_a_refused_refresh_is_the_login_servers_error(status: int) -> None:
    login, _ = service(
        json_answer(status, {"error": "invalid_grant", "error_description": "Token is not active"})
    )
    await login.secrets.set(refresh_token_name(login.host), "r-1")
    with pytest.raises(WizardError) as info:
        await login.refresh()
    await login.client.aclose()
    assert info.value.status == status
    assert info.value.what.startswith("Renew the login failed")


async def test_a_refresh_with_a_new_refresh_token_keeps_the_new_one() -> None:
    login, _ = service(json_answer(200, {"access_token": "a-2", "refresh_token": "r-2"}))
    await login.secrets.set(refresh_token_name(login.host), "r-1")
    renewed = await login.refresh()
    await login.client.aclose()
    assert renewed.refresh_token == "r-2"
    assert await login.secrets.get(refresh_token_name(login.host)) == "r-2"
    assert await login.access_token() == "a-2"


async def test_the_stored_token_is_read_once_then_kept_in_memory() -> None:
    login, _ = service(json_answer(200, {}))
    await login.secrets.set(access_token_name(login.host), "stored")
    assert await login.access_token() == "stored"
    await login.secrets.set(access_token_name(login.host), "changed behind its back")
    assert await login.access_token() == "stored"
    await login.client.aclose()


async def test_current_user_is_none_when_the_portal_refuses_the_saved_login() -> None:
    login, rec = service(json_answer(401, {"message": "jwt expired"}))
    await login.secrets.set(access_token_name(login.host), fake_jwt({"preferred_username": "a"}))
    assert await login.current_user() is None
    await login.client.aclose()
    assert rec.requests[0].url.path == "/ds/api/v3/gateways"


async def test_current_user_names_the_user_of_a_working_login() -> None:
    login, _ = service(json_answer(200, []))
    await login.secrets.set(access_token_name(login.host), fake_jwt({"clientId": "sa-1"}))
    assert await login.current_user() == "sa-1"
    await login.client.aclose()


async def test_a_portal_fault_while_checking_the_login_is_not_mistaken_for_logged_out() -> None:
    login, _ = service(json_answer(500, {"message": "boom"}))
    await login.secrets.set(access_token_name(login.host), fake_jwt({"preferred_username": "a"}))
    with pytest.raises(WizardError) as info:
        await login.current_user()
    await login.client.aclose()
    assert info.value.status == 500 and info.value.what == "Check the login failed: boom"


async def test_logging_out_forgets_both_tokens() -> None:
    login, _ = service(json_answer(200, {}))
    await login.secrets.set(access_token_name(login.host), "a")
    await login.secrets.set(refresh_token_name(login.host), "r")
    assert await login.access_token() == "a"
    await login.logout()
    assert await login.access_token() is None
    assert await login.secrets.get(access_token_name(login.host)) is None
    assert await login.secrets.get(refresh_token_name(login.host)) is None
    await login.client.aclose()


@pytest.mark.parametrize(
    ("claims", "user"),
    [
        ({"preferred_username": "amy", "clientId": "sa", "name": "Amy A"}, "amy"),
        ({"preferred_username": "", "clientId": "sa", "name": "Amy A"}, "sa"),
        ({"preferred_username": 7, "name": "Amy A"}, "Amy A"),
        ({"sub": "x"}, None),
    ],
)
def test_the_user_shown_is_the_first_name_the_token_carries(claims: dict, user: str | None) -> None:
    assert username_from_token(fake_jwt(claims)) == user


def test_a_token_whose_payload_is_not_an_object_has_no_claims() -> None:
    assert jwt_claims(fake_jwt(["a", "list"])) == {}
    assert jwt_claims(fake_jwt({"a": 1})) == {"a": 1}


# -- approval on the sandbox's page --------------------------------------------------------


def page(status: int, html: str = "") -> object:
    return lambda request: httpx.Response(status, text=html, headers={"content-type": "text/html"})


@pytest.mark.parametrize("status", [200, 302, 303])
async def test_the_approval_page_accepting_or_redirecting_means_approved(status: int) -> None:
    login, rec = service(page(status))
    await login.approve_on_sandbox(challenge(), "amy", passcode="k1ass")
    await login.client.aclose()
    sent = rec.requests[0]
    assert str(sent.url) == "https://login.example/v"
    assert parse_qs(rec.bodies[0].decode()) == {
        "user_code": ["BCDF-GHJK"],
        "username": ["amy"],
        "action": ["approve"],
        "passcode": ["k1ass"],
    }
    assert sent.headers["Accept"] == "text/html,application/json"


@pytest.mark.parametrize(
    ("status", "html", "what", "why", "fix"),
    [
        (
            403,
            "",
            "Approve the login on the sandbox failed (status 403)",
            "The sandbox was started with a passcode and it did not match.",
            "Type the class passcode your trainer gave you.",
        ),
        (
            401,
            '<p class="error">Wrong passcode</p>',
            "Approve the login on the sandbox failed: Wrong passcode",
            "The sandbox was started with a passcode and it did not match.",
            "Type the class passcode your trainer gave you.",
        ),
        (
            400,
            '<p class="error">The username may hold letters and digits only</p>',
            "Approve the login on the sandbox failed: The username may hold letters and digits only",
            "The username may hold letters and digits only",
            "Correct the username and approve again.",
        ),
        (
            404,
            "",
            "Approve the login on the sandbox failed (status 404)",
            "The sandbox does not know this code (expired or already used).",
            "Start the login again to get a new code.",
        ),
        (
            410,
            "<h1>Code expired</h1>",
            "Approve the login on the sandbox failed: Code expired",
            "Code expired",
            "Start the login again to get a new code.",
        ),
        (
            409,
            '<p class="error">That name is taken</p>',
            "Approve the login on the sandbox failed: That name is taken",
            "On a class sandbox a name belongs to the first browser or wizard that signs in "
            "with it (names compare ignoring case and surrounding spaces).",
            "Pick another name, or ask your trainer to release it on the class board.",
        ),
        (
            429,
            "",
            "Approve the login on the sandbox failed (status 429)",
            "Too many wrong tries came from this computer, so the sandbox pauses it.",
            "Wait the time the message says, then approve again.",
        ),
        (
            500,
            "",
            "Approve the login on the sandbox failed (status 500)",
            "The sandbox's approval page answered with an error.",
            "Retry.",
        ),
    ],
)
async def test_each_approval_page_failure_says_what_to_do(
    status: int, html: str, what: str, why: str, fix: str
) -> None:
    login, _ = service(page(status, html))
    with pytest.raises(WizardError) as info:
        await login.approve_on_sandbox(challenge(), "amy")
    await login.client.aclose()
    err = info.value
    assert (err.what, err.why, err.fix, err.status) == (what, why, fix, status)
    assert err.detail == what.partition(": ")[2]


@pytest.mark.parametrize(
    ("content", "sent"),
    [
        (f"{CLAIM}\n", f"{CLASS_CLAIM_COOKIE}={CLAIM}"),  # the file a browser wizard is given
        ("short", None),  # not a claim: nothing is sent
        ("c" * 65, None),
        (None, None),  # the file is gone
    ],
)
async def test_a_browser_wizard_approves_as_its_browsers_claim(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, content: str | None, sent: str | None
) -> None:
    claim_file = tmp_path / "claim"
    if content is not None:
        claim_file.write_text(content, "utf-8")
    monkeypatch.setenv(CLASS_CLAIM_ENV, str(claim_file))
    login, rec = service(page(200))
    await login.approve_on_sandbox(challenge(), "amy")
    await login.client.aclose()
    assert rec.requests[0].headers.get("Cookie") == sent
    assert "passcode" not in parse_qs(rec.bodies[0].decode())


async def test_a_terminal_wizard_sends_no_claim(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(CLASS_CLAIM_ENV, raising=False)
    login, rec = service(page(200))
    await login.approve_on_sandbox(challenge(), "amy")
    await login.client.aclose()
    assert "Cookie" not in rec.requests[0].headers


async def test_a_first_sign_in_keeps_the_name_claim_for_the_next_approval(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On a class sandbox the claim answered to the first sign-in is kept (state dir) and shown
    with the next approval, so a relaunched wizard still owns its name."""
    monkeypatch.delenv(CLASS_CLAIM_ENV, raising=False)

    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            303, headers={"Set-Cookie": f"{CLASS_CLAIM_COOKIE}={CLAIM}; HttpOnly; Path=/"}
        )

    claims = ClassClaims(tmp_path / "state")
    client, first = mock_client(answer)
    await LoginService(client, SecretStore(), claims).approve_on_sandbox(challenge(), "amy")
    await client.aclose()
    assert claims.get(client.target.base_url) == CLAIM
    assert "Cookie" not in first.requests[0].headers
    # A relaunched wizard: a new client, no cookie jar, only the state dir.
    relaunched, again = mock_client(answer)
    await LoginService(relaunched, SecretStore(), claims).approve_on_sandbox(challenge(), "amy")
    await relaunched.aclose()
    assert again.requests[0].headers["Cookie"] == f"{CLASS_CLAIM_COOKIE}={CLAIM}"


async def _failing(call: str, status: int = 500, body: object = None) -> WizardError:
    login, _ = service(json_answer(status, body or {"message": "boom"}))
    await login.secrets.set(refresh_token_name(login.host), "r-1")
    calls = {
        "start": lambda: login.start_device(),
        "poll": lambda: login.poll_once(challenge()),
        "service account": lambda: login.client_credentials("sa", "s3cret"),
        "refresh": lambda: login.refresh(),
    }
    with pytest.raises(WizardError) as info:
        await calls[call]()
    await login.client.aclose()
    return info.value


@pytest.mark.parametrize(
    ("call", "headline"),
    [
        ("start", "Start the login failed: boom"),
        ("poll", "Check the login failed: boom"),
        ("service account", "Log in with the service account failed: boom"),
        ("refresh", "Renew the login failed: boom"),
    ],
)
async def test_a_failing_login_call_names_what_the_wizard_was_doing(
    call: str, headline: str
) -> None:
    assert (await _failing(call)).what == headline


@pytest.mark.parametrize(
    ("call", "headline"),
    [
        ("poll", "Check the login failed: no access token in the answer"),
        ("refresh", "Renew the login failed: no access token in the answer"),
    ],
)
async def test_an_answer_without_a_token_names_the_step_it_came_to(
    call: str, headline: str
) -> None:
    assert (await _failing(call, 200, {"token_type": "Bearer"})).what == headline


async def test_an_unknown_poll_error_names_the_step() -> None:
    err = await _failing("poll", 400, {"error": "unsupported_grant_type"})
    assert err.what.startswith("Check the login failed: unsupported_grant_type")


async def test_a_poll_refused_for_its_client_is_explained_like_any_token_request() -> None:
    body = {"error": "invalid_client", "error_description": "Invalid client credentials"}
    err = await _failing("poll", 401, body)
    assert err.status == 401 and "does not know this client id" in err.why


async def test_a_login_server_without_device_login_says_to_use_a_service_account() -> None:
    login, rec = service(json_answer(200, {}))
    with pytest.raises(WizardError) as info:
        await login.start_device(Discovery("/x", "u", "i", "https://login.example/token", ""))
    await login.client.aclose()
    err = info.value
    assert err.what == "This login server does not offer device login"
    assert err.why == "Its settings have no device_authorization_endpoint."
    assert err.fix == "Use a client-credentials login (service account) instead."
    assert err.retryable is False and rec.requests == []


async def test_the_login_server_found_for_the_device_login_serves_the_next_grants_too() -> None:
    answer = {"device_code": "d", "user_code": "U", "verification_uri": "v", "access_token": "a"}
    client, rec = mock_client(json_answer(200, answer))
    login = LoginService(client, SecretStore())  # nothing discovered yet
    await login.start_device(DISCOVERY)
    await login.client_credentials("sa", "s3cret")
    await client.aclose()
    assert [str(r.url) for r in rec.requests] == [
        DISCOVERY.device_authorization_endpoint,
        DISCOVERY.token_endpoint,  # no second discovery first
    ]


async def test_an_approval_that_cannot_connect_names_the_approval() -> None:
    def down(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("[Errno 111] Connection refused", request=request)

    login, _ = service(down)
    with pytest.raises(WizardError) as info:
        await login.approve_on_sandbox(challenge(), "amy")
    await login.client.aclose()
    assert info.value.what.startswith("Approve the login on the sandbox failed")


async def test_requests_to_the_login_server_never_carry_the_portal_token() -> None:
    answer = {"device_code": "d", "user_code": "U", "verification_uri": "v", "access_token": "a"}
    login, rec = service(json_answer(200, answer))
    await login.secrets.set(access_token_name(login.host), "portal-token")
    assert await login.access_token() == "portal-token"
    await login.start_device()
    login._access = "portal-token"  # each grant below saves its own token: put it back
    await login.poll_once(challenge())
    login._access = "portal-token"
    await login.client_credentials("sa", "s3cret")  # drops the refresh token: put one back
    await login.secrets.set(refresh_token_name(login.host), "r-1")
    login._access = "portal-token"
    await login.refresh()
    await login.client.aclose()
    assert len(rec.requests) == 4
    assert [r.headers.get("Authorization") for r in rec.requests] == [None] * 4
