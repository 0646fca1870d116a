"""Reading and validating a gateway configuration for publish (docs/contract.md#s8.1, #s8.2).

``load_documents`` parses YAML (or JSON, which is YAML) safely: a size cap, an event-stream
pre-pass that bounds nesting and aliases, and an expansion budget after loading, so YAML bombs
and huge documents are refused with a clean 400 instead of exhausting the server.
``validate`` returns the error lines gwa-api would send in ``Validation Errors:``.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import yaml

from .portal_errors import Problem
from .route_hosts import HostIndex
from .upstream_policy import REFUSED

MAX_TEXT = 1024 * 1024
MAX_DEPTH = 64
MAX_ALIASES = 64
MAX_NODES = 100_000
BASE_KEYS = {"_format_version", "_plugin_configs", "services", "upstreams", "certificates"}
LOCAL_HOSTS = {"localhost", "127.0.0.1", "0.0.0.0"}

_Base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_Base):  # type: ignore[misc, valid-type]
    """Safe YAML as decK reads it: timestamps stay the text written; binary and sets refused."""


def _timestamp_as_text(loader: yaml.BaseLoader, node: yaml.Node) -> str:
    return str(node.value)


def _unsupported(loader: yaml.BaseLoader, node: yaml.Node) -> None:
    """``!!binary`` and ``!!set``: refused, naming the tag as written and where it is."""
    tag = "!!" + node.tag.rsplit(":", 1)[1]
    raise yaml.constructor.ConstructorError(
        None,
        None,
        f"{tag} values are not supported in a gateway configuration (line "
        f"{node.start_mark.line + 1}); write the value as a plain string or list",
        node.start_mark,
    )


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp_as_text)
_Loader.add_constructor("tag:yaml.org,2002:binary", _unsupported)
_Loader.add_constructor("tag:yaml.org,2002:set", _unsupported)


def refuse(reason: str) -> Problem:
    return Problem(400, {"error": f"Validation Errors:\n{reason}"})


def _bounded_nodes(value: Any) -> int:
    """Count nodes as if aliases were expanded, stopping early past MAX_NODES."""
    count, stack = 0, [value]
    while stack:
        item = stack.pop()
        count += 1
        if count > MAX_NODES:
            return count
        if isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return count


def load_documents(text: str) -> list[Any]:
    if len(text) > MAX_TEXT:
        raise refuse(f"Configuration is larger than {MAX_TEXT} characters")
    depth = aliases = 0
    try:
        for event in yaml.parse(text, Loader=_Loader):
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > MAX_DEPTH:
                    raise refuse(f"Configuration is nested deeper than {MAX_DEPTH} levels")
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
            elif isinstance(event, yaml.AliasEvent):
                aliases += 1
                if aliases > MAX_ALIASES:
                    raise refuse(f"Configuration uses more than {MAX_ALIASES} YAML aliases")
        documents = [d for d in yaml.load_all(text, Loader=_Loader) if d is not None]
    except yaml.YAMLError as exc:
        raise refuse(f"Unable to parse the configuration: {exc}".strip()) from None
    except (RecursionError, ValueError, TypeError) as exc:
        raise refuse(f"Unable to parse the configuration: {exc}") from None
    if sum(_bounded_nodes(d) for d in documents) > MAX_NODES:
        raise refuse("Configuration expands to too many values")
    return documents


# -- structure --------------------------------------------------------------------------------
def _objects(items: Any) -> list[dict[str, Any]]:
    """``items`` if it is a list of objects, else none."""
    if isinstance(items, list) and all(isinstance(i, dict) for i in items):
        return items
    return []


def _named(items: Any, kind: str, where: str, problems: list[str]) -> list[dict[str, Any]]:
    """As :func:`_objects`, naming the problem when ``items`` is given but not objects."""
    found = _objects(items)
    if items is not None and found is not items:
        problems.append(f"{where}.{kind} must be a list of objects")
    return found


def _tags(obj: dict[str, Any]) -> list[str] | None:
    tags = obj.get("tags")
    if tags is None:
        return None
    if not isinstance(tags, list):
        return []
    return [str(t) for t in tags]


def objects_with_tags(docs: list[dict[str, Any]], problems: list[str]):
    """Yield (path, object) for every taggable object: services, routes, plugins, …"""
    for doc in docs:
        for service in _named(doc.get("services"), "services", "", problems):
            spath = f".services.{service.get('name')}"
            yield spath, service
            for route in _named(service.get("routes"), "routes", spath, problems):
                rpath = f"{spath}.routes.{route.get('name')}"
                yield rpath, route
                for plugin in _named(route.get("plugins"), "plugins", rpath, problems):
                    yield f"{rpath}.plugins.{plugin.get('name')}", plugin
            for plugin in _named(service.get("plugins"), "plugins", spath, problems):
                yield f"{spath}.plugins.{plugin.get('name')}", plugin
        for kind in ("upstreams", "certificates"):
            for item in _named(doc.get(kind), kind, "", problems):
                yield f".{kind}.{item.get('name') or item.get('id')}", item


def check_tags(
    docs: list[dict[str, Any]], gateway_id: str, form_qualifier: str | None
) -> tuple[list[str], str]:
    """Tag rules in gwa-api's order; returns (problems, select tag).

    The mix of plain and qualified tags is reported first, then per object the missing
    required tag before any foreign ``ns.`` tag, then the count of qualifiers.
    """
    problems: list[str] = []
    ns = f"ns.{gateway_id}"
    qualifiers: set[str] = set()
    plain = 0
    per_object: list[str] = []
    for path, obj in objects_with_tags(docs, problems):
        tags = _tags(obj)
        if tags is None:
            per_object.append(f"{path} no tags found")
            continue
        mine = [t for t in tags if t == ns or t.startswith(ns + ".")]
        if not mine:
            per_object.append(f"{path} missing required tag {ns}")
        for tag in tags:
            if tag.startswith("ns.") and tag not in mine:
                per_object.append(f"{path} invalid ns tag {tag}")
        if not mine:
            continue
        quals = {t[len(ns) + 1 :] for t in mine if t != ns}
        qualifiers |= quals
        if not quals:
            plain += 1
        elif ns not in tags:
            tags.append(ns)  # tag enrichment: ns.<gw>.<q> also adds ns.<gw>
            obj["tags"] = tags
    if qualifiers and plain:
        problems.append(
            "Tags for the gateway can not have a mix of 'ns.<gateway>' and "
            "'ns.<gateway>.<qualifier>'.  Rejecting request."
        )
    problems.extend(per_object)
    if len(qualifiers) > 1:
        problems.append(
            f"Too many different qualified gateways ({sorted(qualifiers)}).  Rejecting request."
        )
    config_q = next(iter(qualifiers)) if len(qualifiers) == 1 else None
    if form_qualifier:
        if config_q is None and not problems:
            problems.append(
                f"Specified qualifier ({ns}.{form_qualifier}) does not match tags in "
                f"configuration ({ns})"
            )
        elif config_q is not None and config_q != form_qualifier:
            problems.append(f"Conflicting ns qualifiers ({form_qualifier} != {config_q})")
    qualifier = form_qualifier or config_q
    return problems, f"{ns}.{qualifier}" if qualifier else ns


def _is_local(host: str) -> bool:
    host = host.strip("[]").lower()
    if host in LOCAL_HOSTS:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def host_without_port(host: str) -> str:
    if host.startswith("["):
        return host.split("]")[0] + "]"
    if host.count(":") > 1:
        return host  # a bare IPv6 address has no port
    return host.rsplit(":", 1)[0] if ":" in host else host


def host_has_port(host: str) -> bool:
    """The template quirk (``host: x.com:8000``) that Kong's schema refuses."""
    return host_without_port(host) != host


def normalise_service(
    service: dict[str, Any], problems: list[str], refused: Callable[[str, Any], bool]
) -> None:
    """Split ``url`` into Kong's fields (as Kong's admin API stores it) and check the upstream.

    ``refused(host, port)`` is the class sandbox's upstream policy (``upstream_policy``).
    """
    name = service.get("name")
    url = service.pop("url", None)
    if url is not None:
        try:
            parts = urlsplit(str(url))
            hostname, port = parts.hostname, parts.port
        except ValueError:
            problems.append("service upstream has invalid url specified (e2)")
            return
        if not hostname:
            problems.append("service upstream has invalid url specified (e1)")
            return
        service.setdefault("protocol", parts.scheme or "http")
        service["host"] = hostname
        if port:
            service["port"] = port
        if parts.path:
            service["path"] = parts.path
    host = service.get("host")
    if not isinstance(host, str) or not host:
        problems.append(f"service {name} needs a host or url")
        return
    bare = host_without_port(host)
    host_port = host[len(bare) + 1 :]
    if host_port.isdigit() and str(service.get("port")) == host_port:
        # Sandbox leniency: gwa's template renders ``host: h:p`` with ``port: p`` when the
        # upstream has a port, which the sandbox's own upstream always has. Real Kong refuses
        # it; accept exactly that shape here (any other host with a port fails at sync).
        service["host"] = bare
    protocol = service.setdefault("protocol", "http")
    if isinstance(protocol, str):
        service.setdefault("port", 443 if protocol == "https" else 80)
    if not refused(bare, service.get("port")):
        return
    if _is_local(bare):
        problems.append("service upstream is invalid (e1)")
    else:
        problems.append(f"service {name} upstream {bare}: {REFUSED}")


def check_services(
    docs: list[dict[str, Any]],
    other_hosts: HostIndex,
    perm_domains: list[str],
    refused: Callable[[str, Any], bool],
) -> tuple[list[dict[str, Any]], list[str]]:
    """Host and upstream rules; returns (services, problems).

    gwa-api validates hosts, then upstreams, stopping at the first step that fails: the
    problems are the host problems if there are any, else the upstream problems.
    """
    problems: list[str] = []
    upstream_problems: list[str] = []
    services: list[dict[str, Any]] = []
    for doc in docs:
        # Structure problems were already reported by check_tags; don't repeat them.
        for service in _objects(doc.get("services")):
            name = service.get("name")
            if not isinstance(name, str) or not name:
                problems.append("services: name is required")
                continue
            normalise_service(service, upstream_problems, refused)
            for route in _objects(service.get("routes")):
                rname = route.get("name")
                where = f"service.{name}.route.{rname}"
                hosts = route.get("hosts")
                if not hosts or not isinstance(hosts, list):
                    problems.append(f"{where} A host must be specified for routes.")
                    continue
                for host in hosts:
                    host = str(host)
                    if other_hosts.conflict(host) is not None:
                        problems.append(
                            f"{where} The host is already used in another gateway '{host}'"
                        )
                    elif not host.lower().endswith(tuple(perm_domains)):
                        problems.append(
                            f"Host invalid: {rname} {host}.  Route hosts must end with one of "
                            f"[{','.join(perm_domains)}] for this gateway."
                        )
            services.append(service)
    return services, problems or upstream_problems
