"""Which APS instance the wizard talks to: the built-in sandbox, APS test, APS production or
a host the learner types (what ``gwa config set host`` / ``gwa config set scheme`` hold).

A host is a bare ``name[:port]``; the scheme is a separate setting, exactly as in ``gwa``.
Typing ``https://…`` into the host is the classic mistake that later shows up as
``host is not configured correctly``, so :func:`parse_host` refuses it up front.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .errors import WizardError
from .tutorial_defaults import PROD_HOST, TEST_HOST

KINDS = ("sandbox", "test", "prod", "custom")
SCHEMES = ("https", "http")

# A DNS name or IPv4 address, optionally with a port; [IPv6]:port is accepted too.
_HOST_RE = re.compile(
    r"^(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*)(?::(\d{1,5}))?$"
)


@dataclass(frozen=True)
class Target:
    kind: str  # sandbox | test | prod | custom
    host: str  # host[:port], no scheme
    scheme: str = "https"

    @property
    def base_url(self) -> str:
        return f"{self.scheme}://{self.host}"

    @property
    def label(self) -> str:
        if self.kind == "sandbox":
            return "sandbox"
        if self.kind == "test":
            return "APS test"
        if self.kind == "prod":
            return "APS production"
        return self.host

    @property
    def hostname(self) -> str:
        """The host without its port (``127.0.0.1`` for ``127.0.0.1:8460``)."""
        return split_host_port(self.host)[0]

    @property
    def is_live(self) -> bool:
        return self.kind != "sandbox"

    @classmethod
    def sandbox(cls, hostport: str) -> Target:
        """The embedded (or a class) sandbox: plain HTTP on the given ``host:port``."""
        return cls("sandbox", hostport, "http")

    @classmethod
    def test(cls) -> Target:
        return cls("test", TEST_HOST, "https")

    @classmethod
    def prod(cls) -> Target:
        return cls("prod", PROD_HOST, "https")


def split_host_port(host: str) -> tuple[str, int | None]:
    if host.startswith("["):
        end = host.find("]")
        name = host[1:end]
        rest = host[end + 1 :]
        return name, int(rest[1:]) if rest.startswith(":") and rest[1:].isdigit() else None
    name, sep, port = host.rpartition(":")
    if sep and port.isdigit() and name:
        return name, int(port)
    return host, None


def host_problem(text: str) -> str | None:
    """Why ``text`` is not a usable host (the message to show under the field), or None."""
    value = text.strip()
    if not value:
        return "Type a host name, for example api-gov-bc-ca.test.api.gov.bc.ca."
    if "://" in value or value.lower().startswith(("http:", "https:")):
        return (
            "Type the bare host name without http:// or https:// (for example "
            "api-gov-bc-ca.test.api.gov.bc.ca); the scheme is a separate setting."
        )
    if "/" in value or "?" in value or "#" in value:
        return "A host has no path: type only the name (and :port if needed), no slashes."
    if any(ch.isspace() for ch in value):
        return "A host name cannot contain spaces."
    match = _HOST_RE.match(value)
    if not match:
        return "That is not a valid host name: use letters, digits, dots and hyphens (and :port)."
    port = match.group(1)
    if port is not None and not 0 < int(port) < 65536:
        return "The port must be a number between 1 and 65535."
    return None


def parse_host(text: str, scheme: str = "https") -> Target:
    """Turn what the learner typed into a Target, or raise WizardError saying what is wrong."""
    problem = host_problem(text)
    if problem:
        raise WizardError(
            what="That host cannot be used",
            why=problem,
            fix="Type a bare host such as api-gov-bc-ca.test.api.gov.bc.ca (use the scheme "
            "option for http).",
            retryable=False,
        )
    if scheme not in SCHEMES:
        raise WizardError(
            what=f"Unknown scheme {scheme!r}",
            why="APS is reached over https (or http for a class sandbox).",
            fix="Choose https or http.",
            retryable=False,
        )
    host = text.strip().lower()
    if host == TEST_HOST:
        kind = "test"
    elif host == PROD_HOST:
        kind = "prod"
    else:
        kind = "custom"
    return Target(kind, host, scheme)
