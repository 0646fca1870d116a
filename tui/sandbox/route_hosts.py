"""Route hosts are unique across gateways, however they are cased or written.

The router (``kong_router``) lowercases hosts, ignores ports, matches ``*.`` / ``.*``
wildcards, and accepts both the route host and the host the test portal transforms it into
(``a.dev.api.gov.bc.ca`` → ``a-dev-api-gov-bc-ca.localhost``). Two route hosts of different
gateways conflict when the router could send one request to either: equal in either form, or
a wildcard of one covering the other. :class:`HostIndex` answers that for a whole publish in
time linear in the number of hosts (wildcards, which are rare, are compared one by one).
"""

from __future__ import annotations

from collections.abc import Callable


def bare(host: str) -> str:
    host = host.strip().lower().rstrip(".")
    if host.startswith("["):
        return host.split("]")[0] + "]"
    return host.rsplit(":", 1)[0] if ":" in host else host


def covers(pattern: str, host: str) -> bool:
    """The router's wildcard rule: does route host ``pattern`` match request host ``host``?"""
    if pattern.startswith("*"):
        return host.endswith(pattern[1:])
    if pattern.endswith(".*"):
        return host.startswith(pattern[:-1])
    return False


def _wild(host: str) -> bool:
    return host.startswith("*") or host.endswith(".*")


def _overlap(a: str, b: str) -> bool:
    """Could one request host match both route hosts ``a`` and ``b``?"""
    if a == b or covers(a, b) or covers(b, a):
        return True
    if _wild(a) and _wild(b):
        if a.startswith("*") and b.startswith("*"):
            return a[1:].endswith(b[1:]) or b[1:].endswith(a[1:])
        if a.endswith(".*") and b.endswith(".*"):
            return a[:-1].startswith(b[:-1]) or b[:-1].startswith(a[:-1])
        return True  # "x.*" and "*.y" both match "x.y"
    return False


class HostIndex:
    """The route hosts of every other gateway, in both the written and the transformed form."""

    def __init__(self, env: Callable[[str], str]) -> None:
        self._env = env
        self._exact: dict[str, str] = {}  # form -> gateway
        self._wild: list[tuple[str, str, str]] = []  # (form, written host, gateway)
        self._written: list[tuple[str, str]] = []

    def forms(self, host: str) -> set[str]:
        written = bare(host)
        return {written, bare(self._env(written))}

    def add(self, host: str, gateway_id: str) -> None:
        for form in self.forms(host):
            if _wild(form):
                self._wild.append((form, host, gateway_id))
            else:
                self._exact.setdefault(form, gateway_id)
        self._written.append((host, gateway_id))

    def conflict(self, host: str) -> str | None:
        """The other gateway whose route hosts overlap ``host``, or None."""
        forms = self.forms(host)
        for form in forms:
            if not _wild(form) and form in self._exact:
                return self._exact[form]
        for form, _written, gateway_id in self._wild:
            if any(_overlap(form, mine) for mine in forms):
                return gateway_id
        if any(_wild(f) for f in forms):
            for form, gateway_id in self._exact.items():
                if any(_wild(mine) and covers(mine, form) for mine in forms):
                    return gateway_id
        return None
