"""One HTTP client per target, speaking like ``gwa`` (docs/contract.md#s2.3) with two deliberate fixes.

* Headers: ``User-Agent: gwa-wizard/<version>``, ``Accept: application/json``, and
  ``Authorization: Bearer …`` from a :class:`TokenSource` when ``auth=True``.
* Success is only the statuses in ``expect`` (default ``(200,)``, gwa's 200-only rule);
  anything else becomes a :class:`WizardError` through :func:`error_from_response`, and a
  transport failure (DNS, refused, TLS, timeout, reset) through :func:`network_error`.
* On a 401 the client asks the token source to refresh **once** and re-sends the **same**
  body (gwa re-sends a drained body, so its retried PUTs fail): an ``httpx.Auth`` flow,
  :class:`RefreshOnce`. If that does not help, the error says to log in again. Parallel
  401s share one refresh.
* Data-plane URLs on ``*.localhost:<port>`` (the sandbox's env hosts) are sent to the
  target's own address with the URL's ``Host`` header, so a class sandbox on another machine
  works the same as one on loopback.

Tokens are never logged or put into error texts.
"""

from __future__ import annotations

import asyncio
import dataclasses
import functools
import ssl
from collections.abc import AsyncGenerator, Mapping, Sequence
from typing import Any, Protocol, runtime_checkable

import httpx

from .. import __version__
from .errors import WizardError, error_from_response
from .network_errors import network_error
from .sandbox_trust import add_trusted
from .target import Target, split_host_port

USER_AGENT = f"gwa-wizard/{__version__}"
DEFAULT_TIMEOUT = httpx.Timeout(15.0, connect=15.0, read=15.0, write=15.0, pool=15.0)


@functools.cache
def shared_ssl_context() -> ssl.SSLContext:
    """One TLS context for every client (building one loads the CA bundle, ~20-50 ms)."""
    return add_trusted(httpx.create_ssl_context())  # + the embedded sandbox's CA


@runtime_checkable
class TokenSource(Protocol):
    """Where the client gets its bearer token (the LoginService implements this).

    ``refresh()`` returns something truthy when a new access token is available; returning a
    falsy value or raising :class:`WizardError` means the login cannot be renewed.
    """

    async def access_token(self) -> str | None: ...

    async def refresh(self) -> object: ...


def relogin_error(action: str, cause: WizardError | None = None) -> WizardError:
    detail = cause.detail if cause else ""
    why = "Your login has expired and could not be renewed automatically."
    if cause is not None and cause.why:
        why = f"{why} ({cause.what})"
    return WizardError(
        what=f"{action} failed: you are no longer logged in",
        why=why,
        fix="Log in again on the Login step, then retry.",
        status=401,
        retryable=False,
        detail=detail,
        code="login_required",
    )


class RefreshOnce(httpx.Auth):
    """Bearer token from the :class:`TokenSource`; on a 401, one refresh and one resend.

    The same request (body read once, so a JSON or multipart body goes again unchanged) is
    sent with the new token. Requests that meet a 401 together share one refresh under
    ``lock``: whoever comes second finds the token already renewed. A second 401, or a
    refresh the login server refuses, ends in "log in again".
    """

    def __init__(
        self,
        tokens: TokenSource | None,
        lock: asyncio.Lock,
        action: str,
        hints: dict[str, tuple[str, str]] | None = None,
    ) -> None:
        self.tokens, self.lock, self.action, self.hints = tokens, lock, action, hints

    async def async_auth_flow(
        self, request: httpx.Request
    ) -> AsyncGenerator[httpx.Request, httpx.Response]:
        # An async flow of our own reads the bodies itself (httpx's default flow would).
        tokens = self.tokens
        if tokens is None:
            yield request
            return
        await request.aread()  # a multipart stream, too, can then be sent twice
        token = await tokens.access_token()
        _bearer(request, token)
        response = yield request
        if response.status_code != 401:
            return
        await response.aread()
        await self._renew(tokens, token)
        again = httpx.Request(
            request.method,
            request.url,
            headers=request.headers,
            content=request.content,
            extensions=request.extensions,
        )
        _bearer(again, await tokens.access_token())
        response = yield again
        if response.status_code == 401:
            await response.aread()
            first = _error(response, self.action, self.hints)
            raise dataclasses.replace(
                relogin_error(self.action), detail=first.detail, fields=first.fields
            )

    async def _renew(self, tokens: TokenSource, refused: str | None) -> None:
        async with self.lock:
            current = await tokens.access_token()
            if current and current != refused:
                return  # another request renewed it meanwhile
            try:
                renewed = await tokens.refresh()
            except WizardError as exc:
                if exc.status is None:  # the refresh itself hit a network problem
                    raise
                raise relogin_error(self.action, exc) from None
        if not renewed:
            raise relogin_error(self.action)


def _bearer(request: httpx.Request, token: str | None) -> None:
    if token:
        request.headers["Authorization"] = f"Bearer {token}"
    else:
        request.headers.pop("Authorization", None)


class ApiClient:
    """The wizard's HTTP client for one target. Create once, ``await aclose()`` at the end."""

    def __init__(
        self,
        target: Target,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        tokens: TokenSource | None = None,
        timeout: httpx.Timeout | float = DEFAULT_TIMEOUT,
    ) -> None:
        self.target = target
        self.tokens = tokens
        # One refresh at a time: with rotating refresh tokens, two parallel refreshes would
        # make the second fail (its refresh token was just used by the first).
        self._refresh_lock = asyncio.Lock()
        self._http = httpx.AsyncClient(
            transport=transport,
            verify=shared_ssl_context(),
            timeout=timeout,
            follow_redirects=False,
            headers={"User-Agent": USER_AGENT, "Accept": "application/json"},
        )

    # -- URLs -------------------------------------------------------------------------------
    def url(self, path_or_url: str) -> str:
        """An absolute URL: paths are joined to the target's scheme and host."""
        if path_or_url.startswith(("http://", "https://")):
            return path_or_url
        path = path_or_url if path_or_url.startswith("/") else f"/{path_or_url}"
        return f"{self.target.base_url}{path}"

    def route(self, url: str) -> tuple[str, str | None]:
        """Where to connect for ``url`` and which ``Host`` header to send (None: the URL's).

        ``http://svc-dev-api-gov-bc-ca.localhost:8461/uuid`` against a target whose host is
        ``10.0.0.5:8460`` connects to ``10.0.0.5:8461`` with ``Host:
        svc-dev-api-gov-bc-ca.localhost:8461``. Other URLs are left alone.
        """
        parsed = httpx.URL(url)
        host = parsed.host or ""
        if not host.endswith(".localhost") or parsed.port is None:
            return url, None
        address = self.target.hostname or "127.0.0.1"
        if address.endswith(".localhost"):
            return url, None
        connect = parsed.copy_with(host=address)
        return str(connect), f"{host}:{parsed.port}"

    # -- requests ---------------------------------------------------------------------------
    async def request(
        self,
        method: str,
        path_or_url: str,
        *,
        action: str,
        json: Any = None,
        data: Mapping[str, Any] | None = None,
        files: Mapping[str, Any] | None = None,
        params: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        auth: bool = True,
        expect: Sequence[int] = (200,),
        hints: dict[str, tuple[str, str]] | None = None,
    ) -> httpx.Response:
        """Send a request and return the response when its status is in ``expect``.

        ``action`` names the operation for error headlines ("Create the gateway"). With
        ``auth`` the login's bearer token goes along, renewed once on a 401
        (:class:`RefreshOnce`). ``files`` must hold bytes (not open files) so the body can
        be sent again after a refresh.
        """
        url = self.url(path_or_url)
        body = {"json": json, "data": data, "files": files, "params": params}
        request = self._build(method, url, action, headers, body)
        flow = RefreshOnce(self.tokens, self._refresh_lock, action, hints) if auth else None
        response = await self._send(request, url, action, flow)
        if response.status_code not in expect:
            raise _error(response, action, hints)
        return response

    async def send_raw(
        self,
        method: str,
        url: str,
        headers: Mapping[str, str] | None = None,
        data: bytes | str | Mapping[str, Any] | None = None,
        *,
        action: str = "Call the API",
    ) -> httpx.Response:
        """A plain request: no login token, no status check, ``*.localhost`` routed to the
        target. Transport failures still raise WizardError."""
        url = self.url(url)
        body = {"content": data} if isinstance(data, bytes | str) else {"data": data}
        request = self._build(method, url, action, headers, body)
        return await self._send(request, url, action, None)

    def _build(
        self,
        method: str,
        url: str,
        action: str,
        headers: Mapping[str, str] | None,
        body: dict[str, Any],
    ) -> httpx.Request:
        """The request for ``url``, routed to the target for ``*.localhost`` env hosts."""
        send_headers = dict(headers or {})
        given = {key: value for key, value in body.items() if value is not None}
        try:
            connect_url, host_header = self.route(url)  # parses the URL: may find it invalid
            if host_header is not None:
                send_headers["Host"] = host_header
            return self._http.build_request(method, connect_url, headers=send_headers, **given)
        except httpx.InvalidURL as exc:
            raise WizardError(
                what=f"{action} failed: {url} is not a valid URL",
                why=str(exc),
                fix="Check the host name.",
                retryable=False,
            ) from None

    async def _send(
        self, request: httpx.Request, url: str, action: str, auth: httpx.Auth | None
    ) -> httpx.Response:
        """Send ``request`` (for ``url``, as the learner knows it) and read the answer."""
        try:
            response = await self._http.send(request, auth=auth)
            await response.aread()
        except httpx.TransportError as exc:
            raise network_error(action, exc, url, self.target.kind) from None
        return response

    async def aclose(self) -> None:
        await self._http.aclose()

    async def __aenter__(self) -> ApiClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()


def _error(
    response: httpx.Response, action: str, hints: dict[str, tuple[str, str]] | None
) -> WizardError:
    return error_from_response(
        response.status_code,
        response.headers.get("content-type", ""),
        response.text,
        action=action,
        hints=hints,
    )


__all__ = ["USER_AGENT", "ApiClient", "TokenSource", "relogin_error", "split_host_port"]
