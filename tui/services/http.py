"""One HTTP client per target, speaking like ``gwa`` (contract §2.3) with two deliberate fixes.

* Headers: ``User-Agent: gwa-wizard/<version>``, ``Accept: application/json``, and
  ``Authorization: Bearer …`` from a :class:`TokenSource` when ``auth=True``.
* Success is only the statuses in ``expect`` (default ``(200,)``, gwa's 200-only rule);
  anything else becomes a :class:`WizardError` through :func:`error_from_response`, and a
  transport failure (DNS, refused, TLS, timeout, reset) through :func:`network_error`.
* On a 401 the client asks the token source to refresh **once** and re-sends the **same**
  body (gwa re-sends a drained body, so its retried PUTs fail). If that does not help, the
  error says to log in again. Parallel 401s share one refresh.
* Data-plane URLs on ``*.localhost:<port>`` (the sandbox's env hosts) are sent to the
  target's own address with the URL's ``Host`` header, so a class sandbox on another machine
  works the same as one on loopback.

Tokens are never logged or put into error texts.
"""

from __future__ import annotations

import asyncio
import dataclasses
import errno
import functools
import ssl
from collections.abc import Mapping, Sequence
from typing import Any, Protocol, runtime_checkable

import httpx

from .. import __version__
from .errors import WizardError, error_from_response, network_error
from .target import Target, split_host_port

USER_AGENT = f"gwa-wizard/{__version__}"
DEFAULT_TIMEOUT = httpx.Timeout(15.0, connect=15.0, read=15.0, write=15.0, pool=15.0)


@functools.cache
def shared_ssl_context() -> ssl.SSLContext:
    """One TLS context for every client (building one loads the CA bundle, ~20-50 ms)."""
    return httpx.create_ssl_context()


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

        ``action`` names the operation for error headlines ("Create the gateway"). ``files``
        must hold bytes (not open files) so the body can be sent again after a refresh.
        """
        url = self.url(path_or_url)
        token = await self.tokens.access_token() if auth and self.tokens is not None else None
        response = await self._send(method, url, action, json, data, files, params, headers, token)
        if response.status_code == 401 and auth and self.tokens is not None:
            async with self._refresh_lock:
                current = await self.tokens.access_token()
                if current and current != token:
                    renewed: object = True  # another request renewed it meanwhile
                else:
                    try:
                        renewed = await self.tokens.refresh()
                    except WizardError as exc:
                        if exc.status is None:  # the refresh itself hit a network problem
                            raise
                        raise relogin_error(action, exc) from None
            if not renewed:
                raise relogin_error(action)
            token = await self.tokens.access_token()
            response = await self._send(
                method, url, action, json, data, files, params, headers, token
            )
            if response.status_code == 401:
                first = _error(response, action, hints)
                raise dataclasses.replace(
                    relogin_error(action), detail=first.detail, fields=first.fields
                )
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
        return await self._send(
            method, self.url(url), action, None, data, None, None, headers, None
        )

    async def _send(
        self,
        method: str,
        url: str,
        action: str,
        json: Any,
        data: Any,
        files: Any,
        params: Any,
        headers: Mapping[str, str] | None,
        token: str | None,
    ) -> httpx.Response:
        connect_url, host_header = self.route(url)
        send_headers: dict[str, str] = dict(headers or {})
        if host_header is not None:
            send_headers["Host"] = host_header
        if token:
            send_headers["Authorization"] = f"Bearer {token}"
        kwargs: dict[str, Any] = {"headers": send_headers, "params": params}
        if json is not None:
            kwargs["json"] = json
        if files is not None:
            kwargs["files"] = files
        if isinstance(data, bytes | str):
            kwargs["content"] = data
        elif data is not None:
            kwargs["data"] = data
        try:
            request = self._http.build_request(method, connect_url, **kwargs)
            response = await self._http.send(request)
            await response.aread()
            return response
        except httpx.InvalidURL as exc:
            raise WizardError(
                what=f"{action} failed: {url} is not a valid URL",
                why=str(exc),
                fix="Check the host name.",
                retryable=False,
            ) from None
        except httpx.TransportError as exc:
            raise network_error(action, _specific(exc), url, self.target.kind) from None

    async def aclose(self) -> None:
        await self._http.aclose()

    async def __aenter__(self) -> ApiClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()


_ERRNO_TEXT = {
    errno.ECONNREFUSED: "Connection refused",
    errno.ECONNRESET: "Connection reset by peer",
    errno.EHOSTUNREACH: "No route to host",
    errno.ENETUNREACH: "Network is unreachable",
}


def _specific(exc: httpx.TransportError) -> httpx.TransportError:
    """The same error with the operating system's reason added when httpx hides it.

    anyio reports a refused connection as "All connection attempts failed"; the errno of
    the underlying OSError says what really happened.
    """
    seen: set[int] = set()
    inner: BaseException | None = exc
    while inner is not None and id(inner) not in seen:
        seen.add(id(inner))
        code = getattr(inner, "errno", None)
        if isinstance(inner, OSError) and code in _ERRNO_TEXT:
            text = f"{exc} ([Errno {code}] {_ERRNO_TEXT[code]})"
            return type(exc)(text, request=exc.request) if _has_request(exc) else type(exc)(text)
        inner = inner.__cause__ or inner.__context__
    return exc


def _has_request(exc: httpx.TransportError) -> bool:
    try:
        exc.request  # noqa: B018
    except RuntimeError:
        return False
    return True


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
