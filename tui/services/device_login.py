"""Device login as ``gwa login`` does it (docs/contract.md#s4.3), with PKCE S256.

:class:`DeviceLogin` is the device-flow part of :class:`tui.services.login.LoginService` (a
mixin: the service's client, discovery and token saving are its own), driven step by step
by the Login screen:

1. :meth:`DeviceLogin.start_device` posts ``client_id=gwa-cli`` plus the S256 code
   challenge to the device authorization endpoint and returns a :class:`DeviceChallenge`
   (URL, user code, expiry, the server's polling interval).
2. :meth:`DeviceLogin.wait_for_approval` polls the token endpoint (one
   :meth:`DeviceLogin.poll_once` each ``interval`` seconds, timed by a :class:`PollSchedule`
   the screen reads to show progress) until the learner approves, and returns the tokens.
   Each poll's :class:`PollResult` ``state`` is ``"pending"``, ``"slow_down"`` (the returned
   ``interval`` is then 5 s longer and used from then on) or ``"done"``. An expired code or
   a denied request raises :class:`WizardError` (``code`` ``expired_token`` /
   ``access_denied``) with cause and fix.
3. On the embedded sandbox or a class sandbox, :meth:`DeviceLogin.approve_on_sandbox`
   submits the verification page's form (``user_code``, ``username`` and ``passcode``)
   exactly as a browser would. On a class sandbox the name is claimed by whoever signs in
   with it first; the wizard keeps its claim in the state dir (:mod:`class_claim`) and shows
   it with every approval, so a relaunch keeps the name.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import secrets as pysecrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

import httpx

from .class_claim import CLASS_CLAIM_COOKIE, browser_claim, valid_claim
from .device_poll import PollSchedule
from .errors import WizardError
from .login_replies import (
    TOKEN_ERROR_HINTS,
    expired_code,
    json_body,
    oauth_error,
    page_message,
    token_error,
)
from .login_tokens import Tokens, read_tokens

if TYPE_CHECKING:
    from .class_claim import ClassClaims
    from .discovery import Discovery
    from .http import ApiClient

CLIENT_ID = "gwa-cli"
DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"
SLOW_DOWN_STEP = 5  # seconds added to the interval on slow_down (RFC 8628 §3.5)


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


class DeviceLogin:
    """Start a device login, poll for its approval, approve it on a sandbox (a mixin of
    :class:`tui.services.login.LoginService`)."""

    if TYPE_CHECKING:  # LoginService's own
        client: ApiClient
        claims: ClassClaims | None
        discovery: Discovery | None

        async def ensure_discovery(self) -> Discovery: ...

        async def _save(self, tokens: Tokens, keep_refresh: str = "") -> Tokens: ...

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
            tokens = await self._save(read_tokens(response, "Check the login"))
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


def _b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")
