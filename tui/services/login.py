"""Logging in as ``gwa login`` does (docs/contract.md#s4.3, #s4.4), driven step by step by the screen.

Device flow with PKCE S256:

1. :meth:`LoginService.start_device` posts ``client_id=gwa-cli`` plus the S256 code
   challenge to the device authorization endpoint and returns a :class:`DeviceChallenge`
   (URL, user code, expiry, the server's polling interval).
2. :meth:`LoginService.wait_for_approval` polls the token endpoint (one
   :meth:`LoginService.poll_once` each ``interval`` seconds, timed by a :class:`PollSchedule`
   the screen reads to show progress) until the learner approves, and returns the tokens.
   Each poll's :class:`PollResult` ``state`` is ``"pending"``, ``"slow_down"`` (the returned
   ``interval`` is then 5 s longer and used from then on) or ``"done"``. An expired code or
   a denied request raises :class:`WizardError` (``code`` ``expired_token`` /
   ``access_denied``) with cause and fix.
3. On the embedded sandbox or a class sandbox, :meth:`approve_on_sandbox` submits the
   verification page's form (``user_code``, ``username`` and ``passcode``) exactly as a
   browser would. On a class sandbox the name is claimed by whoever signs in with it first;
   the wizard keeps its claim in the state dir (:mod:`class_claim`) and shows it with every
   approval, so a relaunch keeps the name.

Also: :meth:`client_credentials` (service accounts), :meth:`refresh`, :meth:`current_user`,
:meth:`logout`. Tokens live in the :class:`SecretStore` under ``"<host>:access_token"`` and
``"<host>:refresh_token"``. The service is the ApiClient's :class:`TokenSource`.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
import secrets as pysecrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

import httpx

from .class_claim import CLASS_CLAIM_COOKIE, ClassClaims, browser_claim, valid_claim
from .device_poll import PollSchedule
from .discovery import Discovery, discover
from .errors import WizardError
from .http import ApiClient
from .login_replies import (
    TOKEN_ERROR_HINTS,
    as_int,
    expired_code,
    json_body,
    oauth_error,
    page_message,
    token_error,
)
from .secrets import SecretStore, access_token_name, refresh_token_name

CLIENT_ID = "gwa-cli"
DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"
SLOW_DOWN_STEP = 5  # seconds added to the interval on slow_down (RFC 8628 §3.5)


@dataclass(frozen=True)
class Tokens:
    access_token: str = field(repr=False)
    refresh_token: str = field(default="", repr=False)
    expires_in: int = 0
    refresh_expires_in: int = 0
    token_type: str = "Bearer"
    obtained_at: float = field(default_factory=time.time)


@dataclass(frozen=True)
class DeviceChallenge:
    device_code: str = field(repr=False)
    user_code: str
    verification_uri: str
    verification_uri_complete: str
    expires_in: int
    interval: int
    code_verifier: str = field(repr=False)
    token_endpoint: str = ""
    started_at: float = field(default_factory=time.monotonic)

    def seconds_left(self, now: float | None = None) -> int:
        elapsed = (time.monotonic() if now is None else now) - self.started_at
        return max(0, int(self.expires_in - elapsed))


@dataclass(frozen=True)
class PollResult:
    tokens: Tokens | None
    interval: int
    state: Literal["pending", "slow_down", "done"]


def pkce_pair() -> tuple[str, str]:
    """(verifier, S256 challenge): verifier = base64url-nopad of 32 random bytes (43 chars)."""
    verifier = _b64url(pysecrets.token_bytes(32))
    challenge = _b64url(hashlib.sha256(verifier.encode("ascii")).digest())
    return verifier, challenge


def jwt_claims(token: str) -> dict[str, Any]:
    """The payload of a JWT, without checking the signature (for display only)."""
    try:
        payload = token.split(".")[1]
        data = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except (IndexError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def username_from_token(token: str) -> str | None:
    claims = jwt_claims(token)
    for key in ("preferred_username", "clientId", "name"):
        value = claims.get(key)
        if isinstance(value, str) and value:
            return value
    return None


class LoginService:
    """Device / client-credentials login, refresh and the current user for one target."""

    def __init__(
        self, client: ApiClient, secrets: SecretStore, claims: ClassClaims | None = None
    ) -> None:
        self.client = client
        self.secrets = secrets
        self.claims = claims  # this wizard's name claims on class sandboxes (state dir)
        self.discovery: Discovery | None = None
        self._access: str | None = None
        self._loaded = False

    @property
    def host(self) -> str:
        return self.client.target.host

    async def ensure_discovery(self) -> Discovery:
        if self.discovery is None:
            self.discovery = await discover(self.client)
        return self.discovery

    # -- device flow ------------------------------------------------------------------------
    async def start_device(self, discovery: Discovery | None = None) -> DeviceChallenge:
        found = discovery or await self.ensure_discovery()
        self.discovery = found
        if not found.device_authorization_endpoint:
            raise WizardError(
                what="This login server does not offer device login",
                why="Its settings have no device_authorization_endpoint.",
                fix="Use a client-credentials login (service account) instead.",
                retryable=False,
            )
        verifier, challenge = pkce_pair()
        response = await self.client.request(
            "POST",
            found.device_authorization_endpoint,
            action="Start the login",
            auth=False,
            data={
                "client_id": CLIENT_ID,
                "code_challenge_method": "S256",
                "code_challenge": challenge,
            },
            hints=TOKEN_ERROR_HINTS,
        )
        data = json_body(response, "Start the login")
        try:
            return DeviceChallenge(
                device_code=str(data["device_code"]),
                user_code=str(data["user_code"]),
                verification_uri=str(data["verification_uri"]),
                verification_uri_complete=str(
                    data.get("verification_uri_complete") or data["verification_uri"]
                ),
                expires_in=int(data.get("expires_in") or 600),
                interval=max(1, int(data.get("interval") or 5)),
                code_verifier=verifier,
                token_endpoint=found.token_endpoint,
            )
        except (KeyError, TypeError, ValueError):
            raise WizardError(
                what="Start the login failed: the login server's answer was incomplete",
                why="It lacked device_code, user_code or verification_uri.",
                fix="Retry; report it to the APS team if it persists.",
            ) from None

    async def poll_once(self, challenge: DeviceChallenge) -> PollResult:
        """One poll of the token endpoint. Raises WizardError on expiry, denial or faults."""
        if challenge.seconds_left() <= 0:
            raise expired_code()
        endpoint = challenge.token_endpoint or (await self.ensure_discovery()).token_endpoint
        response = await self.client.request(
            "POST",
            endpoint,
            action="Check the login",
            auth=False,
            data={
                "device_code": challenge.device_code,
                "client_id": CLIENT_ID,
                "grant_type": DEVICE_GRANT,
                "code_verifier": challenge.code_verifier,
            },
            expect=(200, 400),
            hints=TOKEN_ERROR_HINTS,
        )
        if response.status_code == 200:
            tokens = await self._save(_tokens(response, "Check the login"))
            return PollResult(tokens, challenge.interval, "done")
        error = oauth_error(response)
        if error == "authorization_pending":
            return PollResult(None, challenge.interval, "pending")
        if error == "slow_down":
            return PollResult(None, challenge.interval + SLOW_DOWN_STEP, "slow_down")
        if error == "expired_token":
            raise expired_code()
        if error == "access_denied":
            raise WizardError(
                what="The login was refused",
                why="The request was declined on the approval page (access_denied).",
                fix="Start the login again and choose to grant access.",
                status=400,
                code="access_denied",
            )
        raise token_error(response, "Check the login")

    async def wait_for_approval(
        self,
        challenge: DeviceChallenge,
        schedule: PollSchedule | None = None,
        on_poll: Callable[[PollResult], None] | None = None,
    ) -> Tokens:
        """Poll until the learner approves; the tokens. WizardError on expiry or denial.

        Polls at the server's interval (longer after ``slow_down``), as ``gwa login`` does.
        ``schedule`` lets the caller show when the next check goes out and ask for one
        early (:meth:`PollSchedule.check_soon`); ``on_poll`` sees every answer but the last.
        Cancelling the calling task stops the wait.
        """
        schedule = schedule or PollSchedule(challenge.interval)
        while True:
            await schedule.wait_turn()
            result = await self.poll_once(challenge)
            schedule.polled(result.interval)
            if result.tokens is not None:
                return result.tokens
            if on_poll is not None:
                on_poll(result)

    async def approve_on_sandbox(
        self, challenge: DeviceChallenge, username: str, passcode: str | None = None
    ) -> None:
        """Submit the verification page's form as a browser would (sandbox only)."""
        form = {"user_code": challenge.user_code, "username": username, "action": "approve"}
        if passcode:
            form["passcode"] = passcode
        action = "Approve the login on the sandbox"
        headers = {"Accept": "text/html,application/json"}
        claim = await self._class_claim()
        if claim:  # the name this wizard (or its browser) claimed before stays ours
            headers["Cookie"] = f"{CLASS_CLAIM_COOKIE}={claim}"
        response = await self.client.send_raw(
            "POST", challenge.verification_uri, headers=headers, data=form, action=action
        )
        if response.status_code in (200, 302, 303):
            await self._keep_claim(response)
            return
        message = page_message(response.text)
        status = response.status_code
        if status in (401, 403):
            why = "The sandbox was started with a passcode and it did not match."
            fix = "Type the class passcode your trainer gave you."
        elif status in (400, 404, 410):
            why = message or "The sandbox does not know this code (expired or already used)."
            fix = (
                "Correct the username and approve again."
                if "username" in message.lower()
                else "Start the login again to get a new code."
            )
        elif status == 409:
            why = (
                "On a class sandbox a name belongs to the first browser or wizard that signs "
                "in with it (names compare ignoring case and surrounding spaces)."
            )
            fix = "Pick another name, or ask your trainer to release it on the class board."
        elif status == 429:
            why = "Too many wrong tries came from this computer, so the sandbox pauses it."
            fix = "Wait the time the message says, then approve again."
        else:
            why, fix = "The sandbox's approval page answered with an error.", "Retry."
        raise WizardError(
            what=f"{action} failed" + (f": {message}" if message else f" (status {status})"),
            why=why,
            fix=fix,
            status=status,
            detail=message,
        )

    async def _class_claim(self) -> str | None:
        """The claim to show: the browser's (a served wizard), else the one kept for this
        sandbox in the state dir."""
        claim = browser_claim()
        if claim is None and self.claims is not None:
            claim = await asyncio.to_thread(self.claims.get, self.client.target.base_url)
        return claim

    async def _keep_claim(self, response: httpx.Response) -> None:
        """A first sign-in on a class sandbox claims the name: keep the claim it answered."""
        claim = valid_claim(response.cookies.get(CLASS_CLAIM_COOKIE))
        if claim is None or self.claims is None or browser_claim() is not None:
            return
        await asyncio.to_thread(self.claims.save, self.client.target.base_url, claim)

    # -- other grants -----------------------------------------------------------------------
    async def client_credentials(self, client_id: str, client_secret: str) -> Tokens:
        found = await self.ensure_discovery()
        response = await self.client.request(
            "POST",
            found.token_endpoint,
            action="Log in with the service account",
            auth=False,
            data={
                "client_id": client_id,
                "client_secret": client_secret,
                "grant_type": "client_credentials",
            },
            hints=TOKEN_ERROR_HINTS,
        )
        return await self._save(_tokens(response, "Log in with the service account"))

    async def refresh(self) -> Tokens:
        """Trade the saved refresh token for new tokens (raises WizardError when it cannot)."""
        refresh_token = await self.secrets.get(refresh_token_name(self.host))
        if not refresh_token:
            raise WizardError(
                what="The login cannot be renewed",
                why="There is no saved refresh token (service-account logins have none).",
                fix="Log in again on the Login step.",
                status=401,
                retryable=False,
                code="login_required",
            )
        found = await self.ensure_discovery()
        response = await self.client.request(
            "POST",
            found.token_endpoint,
            action="Renew the login",
            auth=False,
            data={
                "grant_type": "refresh_token",
                "client_id": CLIENT_ID,
                "refresh_token": refresh_token,
            },
            expect=(200, 400, 401),
            hints=TOKEN_ERROR_HINTS,
        )
        if response.status_code != 200:
            raise token_error(response, "Renew the login")
        return await self._save(_tokens(response, "Renew the login"), keep_refresh=refresh_token)

    # -- TokenSource ------------------------------------------------------------------------
    async def access_token(self) -> str | None:
        if not self._loaded:
            self._access = await self.secrets.get(access_token_name(self.host))
            self._loaded = True
        return self._access

    async def current_user(self) -> str | None:
        """The logged-in user's name if the saved login still works, else None."""
        if not await self.access_token():
            return None
        try:
            await self.client.request(
                "GET", "/ds/api/v3/gateways", action="Check the login", expect=(200,)
            )
        except WizardError as exc:
            if exc.status == 401:
                return None
            raise
        token = await self.access_token()
        return username_from_token(token) if token else None

    async def logout(self) -> None:
        await self.secrets.delete(access_token_name(self.host))
        await self.secrets.delete(refresh_token_name(self.host))
        self._access = None
        self._loaded = True

    async def _save(self, tokens: Tokens, keep_refresh: str = "") -> Tokens:
        await self.secrets.set(access_token_name(self.host), tokens.access_token)
        refresh_token = tokens.refresh_token or keep_refresh
        if refresh_token:
            await self.secrets.set(refresh_token_name(self.host), refresh_token)
        else:
            await self.secrets.delete(refresh_token_name(self.host))
        self._access = tokens.access_token
        self._loaded = True
        return tokens


def _b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _tokens(response: httpx.Response, action: str) -> Tokens:
    data = json_body(response, action)
    access = data.get("access_token")
    if not isinstance(access, str) or not access:
        raise WizardError(
            what=f"{action} failed: no access token in the answer",
            why="The login server answered 200 without an access_token.",
            fix="Retry; report it to the APS team if it persists.",
        )
    return Tokens(
        access_token=access,
        refresh_token=str(data.get("refresh_token") or ""),
        expires_in=as_int(data.get("expires_in")),
        refresh_expires_in=as_int(data.get("refresh_expires_in")),
        token_type=str(data.get("token_type") or "Bearer"),
    )
