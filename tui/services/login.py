"""Logging in as ``gwa login`` does (docs/contract.md#s4.3, #s4.4): :class:`LoginService`.

One service per target, built into the :class:`Services` bundle; it is the ApiClient's
:class:`TokenSource`. The device flow (start, poll until approved, approve on a sandbox) is
its mixin :class:`tui.services.device_login.DeviceLogin`; the tokens every grant gets are
:class:`tui.services.login_tokens.Tokens`. Here: discovery (:meth:`ensure_discovery`),
:meth:`client_credentials` (service accounts), :meth:`refresh`, :meth:`current_user`,
:meth:`logout`, and the stored tokens: they live in the :class:`SecretStore` under
``"<host>:access_token"`` and ``"<host>:refresh_token"``.
"""

from __future__ import annotations

from .class_claim import ClassClaims
from .device_login import CLIENT_ID, DeviceLogin
from .discovery import Discovery, discover
from .errors import WizardError
from .http import ApiClient
from .login_replies import TOKEN_ERROR_HINTS, token_error
from .login_tokens import Tokens, read_tokens, username_from_token
from .secrets import SecretStore, access_token_name, refresh_token_name


class LoginService(DeviceLogin):
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

    # -- service accounts and renewal -------------------------------------------------------
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
        return await self._save(read_tokens(response, "Log in with the service account"))

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
        return await self._save(
            read_tokens(response, "Renew the login"), keep_refresh=refresh_token
        )

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
