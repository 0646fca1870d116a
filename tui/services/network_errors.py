"""Transport failures (DNS, refused, TLS, timeout, reset) explained in plain words.

Classified by httpx's exception types, and for a failed connection by the type of the
operating-system error httpx chains underneath (``socket.gaierror``, ``ssl.SSLError``,
``ConnectionRefusedError``). Only when nothing is chained (a test transport, or a library
that kept just the message) does the OS's own message decide.
"""

from __future__ import annotations

import errno
import socket
import ssl

import httpx

from .errors import WizardError

_DNS_WORDS = (
    "name or service not known",
    "nodename nor servname",
    "getaddrinfo",
    "name resolution",
    "no address associated",
)
_TLS_WORDS = ("ssl", "certificate", "tls")
_CUT_OFF = (httpx.ReadError, httpx.WriteError, httpx.CloseError, httpx.RemoteProtocolError)


def _chain(exc: BaseException) -> list[BaseException]:
    """``exc`` and every exception it was raised from or during, without loops."""
    seen: list[BaseException] = []
    inner: BaseException | None = exc
    while inner is not None and all(inner is not s for s in seen):
        seen.append(inner)
        inner = inner.__cause__ or inner.__context__
    return seen


def _connect_problem(exc: BaseException) -> str:
    """ "dns", "tls", "refused" or "" for a failed connection."""
    for inner in _chain(exc):
        if isinstance(inner, socket.gaierror):
            return "dns"
        if isinstance(inner, ssl.SSLError | ssl.CertificateError):
            return "tls"
        if isinstance(inner, ConnectionRefusedError) or (
            isinstance(inner, OSError) and inner.errno == errno.ECONNREFUSED
        ):
            return "refused"
    text = str(exc).lower()
    if any(word in text for word in _DNS_WORDS):
        return "dns"
    if any(word in text for word in _TLS_WORDS):
        return "tls"
    if "refused" in text or "errno 111" in text:
        return "refused"
    return ""


# The OS reasons worth naming when httpx's own message hides them.
_ERRNO_TEXT = {
    errno.ECONNREFUSED: "Connection refused",
    errno.ECONNRESET: "Connection reset by peer",
    errno.EHOSTUNREACH: "No route to host",
    errno.ENETUNREACH: "Network is unreachable",
}


def _detail(exc: BaseException) -> str:
    """The error's class and message, plus the OS's reason when httpx's message hides it
    (anyio reports a refused connection as "All connection attempts failed")."""
    text = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    for inner in _chain(exc):
        code = inner.errno if isinstance(inner, OSError) else None
        if code in _ERRNO_TEXT:
            return f"{text} ([Errno {code}] {_ERRNO_TEXT[code]})"
    return text


REFUSED_FIX = {
    # A class sandbox runs on the trainer's computer: the learner cannot start it.
    "custom": "If this is your class sandbox, ask your trainer: it is not running, or the "
    "host and port you were given have changed. Then retry.",
    "sandbox": "The built-in sandbox stopped: quit (ctrl+q) and start gwa-wizard again; your "
    "progress is kept.",
}


def network_error(action: str, exc: BaseException, url: str, target_kind: str = "") -> WizardError:
    """Explain a transport failure in plain words (``status`` None: no HTTP answer).

    ``target_kind`` (sandbox, custom, test, prod) picks who can fix a refused connection."""
    detail = _detail(exc)
    if isinstance(exc, httpx.TimeoutException | TimeoutError):
        return WizardError(
            what=f"{action} failed: no answer from {url} in time",
            why="The server or the network is slow or down.",
            fix="Check your connection and retry.",
            detail=detail,
        )
    problem = _connect_problem(exc) if isinstance(exc, httpx.ConnectError | OSError) else ""
    if problem == "dns":
        return WizardError(
            what=f"{action} failed: the host name in {url} could not be found (DNS)",
            why="The host name is misspelt, or you are offline or off the VPN it needs.",
            fix="Check the spelling of the host; it is a bare name like "
            "api-gov-bc-ca.test.api.gov.bc.ca.",
            detail=detail,
        )
    if problem == "tls":
        return WizardError(
            what=f"{action} failed: a secure (TLS) connection to {url} could not be made",
            why="The certificate is not trusted, or the server does not speak HTTPS on that port.",
            fix="Use --scheme http for a class sandbox; otherwise check the host.",
            detail=detail,
        )
    if problem == "refused":
        return WizardError(
            what=f"{action} failed: the connection to {url} was refused",
            why="Nothing is listening there: the server is not running, or the port is wrong.",
            fix=REFUSED_FIX.get(target_kind, "Check the host and port, then retry."),
            detail=detail,
        )
    if isinstance(exc, (*_CUT_OFF, ConnectionResetError)):
        return WizardError(
            what=f"{action} failed: the connection to {url} was cut off",
            why="The server or a proxy closed the connection before answering.",
            fix="Retry; if it keeps happening, check your network or proxy.",
            detail=detail,
        )
    return WizardError(
        what=f"{action} failed: could not reach {url}",
        why=f"A network error occurred ({type(exc).__name__}).",
        fix="Check your connection and the host, then retry.",
        detail=detail,
    )
