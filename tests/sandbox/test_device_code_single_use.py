"""A device code gives one login only (RFC 8628 §3.5, RFC 7636): once approved it is spent
by the first poll that reaches it, a right or a wrong verifier alike, and a verifier must be
as long as RFC 7636 asks even when its hash matches."""

from __future__ import annotations

import httpx
import pytest

from tests.sandbox.login_helpers import (
    DEVICE_GRANT,
    approve_with_form,
    oidc,
    poll,
    start_device,
    text_of,
)
from tui.sandbox import device_flow

SPENT = {"error": "invalid_grant", "error_description": "Device code not valid"}


@pytest.fixture
def quick_polls(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(device_flow, "POLL_INTERVAL", 0)


def test_an_approved_code_gives_one_login_only(sandbox, quick_polls) -> None:
    device = start_device(sandbox)
    approve_with_form(device, "erin")
    assert poll(sandbox, device).status_code == 200
    again = poll(sandbox, device)
    assert (again.status_code, again.json()) == (400, SPENT)


def test_a_wrong_verifier_spends_the_code_too(sandbox, quick_polls) -> None:
    """Otherwise an attacker holding the device code could try verifiers until one fits."""
    device = start_device(sandbox)
    approve_with_form(device, "erin")
    assert poll(sandbox, device, verifier="x" * 43).status_code == 400
    right = poll(sandbox, device)
    assert (right.status_code, right.json()) == (400, SPENT)


def test_a_verifier_shorter_than_43_characters_fails_even_if_its_hash_matches(
    sandbox, quick_polls
) -> None:
    short = "short-verifier"
    response = httpx.post(
        oidc(sandbox)["device_authorization_endpoint"],
        data={
            "client_id": "gwa-cli",
            "code_challenge": device_flow.s256(short),
            "code_challenge_method": "S256",
        },
    )
    assert response.status_code == 200
    code = response.json()
    page = httpx.post(
        code["verification_uri"],
        data={"user_code": code["user_code"], "username": "erin", "action": "approve"},
    )
    assert page.status_code == 200, text_of(page.text)
    polled = httpx.post(
        oidc(sandbox)["token_endpoint"],
        data={
            "client_id": "gwa-cli",
            "grant_type": DEVICE_GRANT,
            "device_code": code["device_code"],
            "code_verifier": short,
        },
    )
    assert (polled.status_code, polled.json()) == (
        400,
        {"error": "invalid_grant", "error_description": "PKCE verification failed"},
    )


def test_a_spent_or_denied_code_cannot_be_approved_on_the_page(sandbox, quick_polls) -> None:
    device = start_device(sandbox)
    approve_with_form(device, "erin")
    assert poll(sandbox, device).status_code == 200
    assert device_flow.decide(sandbox.ctx, device.user_code, "mallory", True) == "used"
    denied = start_device(sandbox)
    assert device_flow.decide(sandbox.ctx, denied.user_code, "erin", False) == "denied"
    assert device_flow.decide(sandbox.ctx, denied.user_code, "mallory", True) == "used"
    assert poll(sandbox, denied).json()["error"] == "access_denied"
    assert device_flow.decide(sandbox.ctx, "BCDF-GHJK", "erin", True) == "unknown"


def test_a_store_full_of_live_codes_is_a_503_not_a_server_error(sandbox, monkeypatch) -> None:
    """User codes are drawn at random; when 20 draws in a row are all taken, the learner is
    told to come back later, and the codes already handed out keep working."""
    monkeypatch.setattr(device_flow, "_new_user_code", lambda: "XWXW-ZXZX")  # this test's own
    first = start_device(sandbox)
    url = oidc(sandbox)["device_authorization_endpoint"]
    full = httpx.post(url, data={"client_id": "gwa-cli"})
    assert (full.status_code, full.json()) == (
        503,
        {"error": "temporarily_unavailable", "error_description": "Too many pending logins"},
    )
    assert full.headers["cache-control"] == "no-store"
    assert poll(sandbox, first).json()["error"] == "authorization_pending"


def test_a_device_authorization_answer_is_never_cached(sandbox) -> None:
    response = httpx.post(
        oidc(sandbox)["device_authorization_endpoint"], data={"client_id": "gwa-cli"}
    )
    assert response.status_code == 200
    assert (response.headers["cache-control"], response.headers["pragma"]) == (
        "no-store",
        "no-cache",
    )


def test_a_poll_without_a_device_code_is_an_invalid_request(sandbox) -> None:
    response = httpx.post(
        oidc(sandbox)["token_endpoint"], data={"client_id": "gwa-cli", "grant_type": DEVICE_GRANT}
    )
    assert (response.status_code, response.json()) == (
        400,
        {"error": "invalid_request", "error_description": "Missing parameter: device_code"},
    )


def test_an_expired_code_is_named_expired(sandbox, monkeypatch) -> None:
    monkeypatch.setattr(device_flow, "DEVICE_CODE_LIFETIME", 0)
    device = start_device(sandbox)
    response = poll(sandbox, device)
    assert (response.status_code, response.json()) == (
        400,
        {"error": "expired_token", "error_description": "Device code is expired"},
    )
