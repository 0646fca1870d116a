"""Kong's router over the published services (``kong_services`` rows, decK JSON).

A route matches when every criterion it sets matches: ``hosts`` (the request's ``Host``
equals the route host as the test portal transforms it, ``ctx.env_host(host)``, or the raw
route host; ports ignored, case-insensitive, ``*.`` wildcards allowed), ``methods`` and
``paths`` (prefix, or a regex when written ``~…``). Among matches the most specific wins:
more criteria, then an exact host over a wildcard, then the longest path. The upstream path
follows ``strip_path`` and the service's ``path`` (``path_handling`` v0/v1).
"""

from __future__ import annotations

import json
import logging
import math
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from . import kong_regex
from .context import SandboxContext

log = logging.getLogger("gwa_wizard.sandbox")

DEFAULT_TIMEOUT_MS = 60000


@dataclass(frozen=True)
class Service:
    id: str
    name: str
    gateway_id: str
    protocol: str
    host: str
    port: int
    path: str | None
    retries: int
    connect_timeout: float  # seconds
    read_timeout: float
    write_timeout: float
    plugins: dict[str, dict[str, Any]]


@dataclass(frozen=True)
class KongRoute:
    name: str
    service: Service
    hosts: tuple[str, ...]
    paths: tuple[str, ...]
    methods: tuple[str, ...]
    protocols: tuple[str, ...]
    strip_path: bool
    path_handling: str
    preserve_host: bool
    https_redirect_status_code: int
    plugins: dict[str, dict[str, Any]] = field(default_factory=dict)

    def plugin(self, name: str) -> dict[str, Any] | None:
        """A plugin's config for this route: route plugins override service plugins."""
        if name in self.plugins:
            return self.plugins[name]
        return self.service.plugins.get(name)


@dataclass(frozen=True)
class Match:
    route: KongRoute
    upstream_path: str


def _plugins(items: Any) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for item in items or []:
        if isinstance(item, dict) and item.get("enabled", True) and item.get("name"):
            config = item.get("config")
            out[str(item["name"])] = config if isinstance(config, dict) else {}
    return out


def _seconds(value: Any) -> float:
    try:
        ms = float(value)
    except (TypeError, ValueError):
        ms = DEFAULT_TIMEOUT_MS
    if not math.isfinite(ms):
        ms = DEFAULT_TIMEOUT_MS
    return max(ms, 1.0) / 1000.0


def _redirect_code(value: Any) -> int:
    return value if isinstance(value, int) and value in (426, 301, 302, 307, 308) else 426


def _strings(value: Any) -> tuple[str, ...]:
    if not isinstance(value, list):
        return ()
    return tuple(str(v) for v in value if isinstance(v, str | int) and str(v))


def parse_service(gateway_id: str, service_id: str, doc: dict[str, Any]) -> list[KongRoute]:
    protocol = str(doc.get("protocol") or "http").lower()
    host = str(doc.get("host") or "")
    port: Any = doc.get("port")
    path = doc.get("path")
    if doc.get("url"):
        url = urlsplit(str(doc["url"]))
        protocol = url.scheme or protocol
        host = url.hostname or host
        port = url.port or port
        path = url.path or path
    if host.count(":") == 1 and not host.startswith("["):  # gwa's "host: x.com:8000" quirk (§6.3)
        host, _, embedded = host.partition(":")
        port = port or embedded
    try:
        port_number = int(port) if port else (443 if protocol == "https" else 80)
    except (TypeError, ValueError, OverflowError):
        port_number = 443 if protocol == "https" else 80
    if not 0 < port_number < 65536:
        port_number = 443 if protocol == "https" else 80
    service = Service(
        id=service_id,
        name=str(doc.get("name") or ""),
        gateway_id=gateway_id,
        protocol=protocol,
        host=host,
        port=port_number,
        path=str(path) if path else None,
        retries=min(max(doc["retries"], 0), 32767) if isinstance(doc.get("retries"), int) else 5,
        connect_timeout=_seconds(doc.get("connect_timeout", DEFAULT_TIMEOUT_MS)),
        read_timeout=_seconds(doc.get("read_timeout", DEFAULT_TIMEOUT_MS)),
        write_timeout=_seconds(doc.get("write_timeout", DEFAULT_TIMEOUT_MS)),
        plugins=_plugins(doc.get("plugins")),
    )
    routes = []
    for r in doc.get("routes") or []:
        if not isinstance(r, dict):
            continue
        routes.append(
            KongRoute(
                name=str(r.get("name") or ""),
                service=service,
                hosts=tuple(h.lower() for h in _strings(r.get("hosts"))),
                paths=_strings(r.get("paths")),
                methods=tuple(m.upper() for m in _strings(r.get("methods"))),
                protocols=tuple(p.lower() for p in _strings(r.get("protocols"))),
                strip_path=bool(r.get("strip_path", True)),
                path_handling=str(r.get("path_handling") or "v0"),
                preserve_host=bool(r.get("preserve_host", False)),
                https_redirect_status_code=_redirect_code(r.get("https_redirect_status_code")),
                plugins=_plugins(r.get("plugins")),
            )
        )
    return routes


def _bare(host: str) -> str:
    host = host.strip().lower()
    if host.startswith("["):
        return host.split("]")[0] + "]"
    return host.rsplit(":", 1)[0] if ":" in host else host


def _host_score(ctx: SandboxContext, route: KongRoute, request_host: str) -> int | None:
    """2 exact match, 1 wildcard match, 0 route without hosts, None no match."""
    if not route.hosts:
        return 0
    best: int | None = None
    for host in route.hosts:
        for candidate in (_bare(ctx.env_host(host)), _bare(host)):
            if candidate == request_host:
                return 2
            prefix_wild = candidate.startswith("*") and request_host.endswith(candidate[1:])
            suffix_wild = candidate.endswith(".*") and request_host.startswith(candidate[:-1])
            if prefix_wild or suffix_wild:
                best = 1
    return best


def _path_match(route: KongRoute, path: str) -> tuple[int, str] | None:
    """(specificity, matched prefix) or None. Routes without paths match every path."""
    if not route.paths:
        return (0, "")
    best: tuple[int, str] | None = None
    for candidate in route.paths:
        if candidate.startswith("~"):
            found = kong_regex.match_prefix(candidate[1:], path)  # RE2: linear time
            if found is not None and (best is None or len(found) > best[0]):
                best = (len(found), found)
        elif path.startswith(candidate) and (best is None or len(candidate) > best[0]):
            best = (len(candidate), candidate)
    return best


def upstream_path(route: KongRoute, request_path: str, matched: str) -> str:
    rest = request_path[len(matched) :] if route.strip_path else request_path
    base = route.service.path
    if not base or base == "/":
        return rest if rest.startswith("/") else "/" + rest
    if not rest:
        return base
    if base.endswith("/") and rest.startswith("/"):
        return base + rest[1:]
    if not base.endswith("/") and not rest.startswith("/") and route.path_handling == "v1":
        return base + "/" + rest
    return base + rest


class Router:
    """Routes rebuilt only when the published services change (``dataplane_version``).

    A rebuild reuses the parsed routes of every row whose stored text did not change, and
    indexes routes by their exact hosts (written and transformed), so a request looks only
    at the routes of its own host plus the wildcard and host-less ones, not at every route
    of the class.
    """

    def __init__(self, ctx: SandboxContext) -> None:
        self.ctx = ctx
        self._version: int | None = None
        self._port: int | None = None
        self._routes: list[KongRoute] = []
        self._parsed: dict[tuple[str, str], tuple[str, list[KongRoute]]] = {}
        self._by_host: dict[str, list[KongRoute]] = {}
        self._others: list[KongRoute] = []

    def _parse_row(self, gateway_id: str, service_id: str, text: str) -> list[KongRoute]:
        cached = self._parsed.get((gateway_id, service_id))
        if cached is not None and cached[0] == text:
            return cached[1]
        routes: list[KongRoute] = []
        try:
            parsed = json.loads(text)
            if isinstance(parsed, dict):
                routes = parse_service(gateway_id, service_id, parsed)
        except Exception:  # a bad stored row must never break routing for others
            log.warning("skipping unreadable service %s of %s", service_id, gateway_id)
        return routes

    def routes(self) -> list[KongRoute]:
        row = self.ctx.db.query_one("SELECT n FROM dataplane_version WHERE id = 1")
        version = int(row["n"]) if row is not None else -1
        port = self.ctx.data_plane_port
        if version != self._version or version < 0 or port != self._port:
            rows = self.ctx.db.query(
                "SELECT gateway_id, id, doc FROM kong_services ORDER BY gateway_id, name"
            )
            routes: list[KongRoute] = []
            parsed: dict[tuple[str, str], tuple[str, list[KongRoute]]] = {}
            for r in rows:
                mine = self._parse_row(r["gateway_id"], r["id"], r["doc"])
                parsed[(r["gateway_id"], r["id"])] = (r["doc"], mine)
                routes.extend(mine)
            self._index(routes)
            self._routes, self._parsed, self._version, self._port = routes, parsed, version, port
        return self._routes

    def _index(self, routes: list[KongRoute]) -> None:
        by_host: dict[str, list[KongRoute]] = {}
        others: list[KongRoute] = []
        for route in routes:
            wild = not route.hosts
            for host in route.hosts:
                forms = {_bare(self.ctx.env_host(host)), _bare(host)}
                for form in forms:
                    if form.startswith("*") or form.endswith(".*"):
                        wild = True
                    else:
                        by_host.setdefault(form, []).append(route)
            if wild:
                others.append(route)
        self._by_host, self._others = by_host, others

    def candidates(self, request_host: str) -> list[KongRoute]:
        """The routes that could match a request for ``request_host``, in stored order."""
        self.routes()
        return self._by_host.get(request_host, []) + self._others

    def match(self, host: str, method: str, path: str) -> Match | None:
        request_host = _bare(host)
        best: tuple[tuple[int, int, int], KongRoute, str] | None = None
        for route in self.candidates(request_host):
            if route.methods and method.upper() not in route.methods:
                continue
            host_score = _host_score(self.ctx, route, request_host)
            if host_score is None:
                continue
            found = _path_match(route, path)
            if found is None:
                continue
            criteria = bool(route.hosts) + bool(route.methods) + bool(route.paths)
            rank = (criteria, host_score, found[0])
            if best is None or rank > best[0]:
                best = (rank, route, found[1])
        if best is None:
            return None
        _, route, matched = best
        return Match(route=route, upstream_path=upstream_path(route, path, matched))
