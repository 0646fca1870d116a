"""GatewayService checks: gwa-api's publish rules (docs/contract.md#s8.2) and Kong's own.

Tag and host messages repeat gwa-api's words (``.services.<name> missing required tag
ns.<gw>``, ``Host invalid: …``) and add the fix. The audience check compares jwt-keycloak's
``allowed_aud`` with what the product's issuer will put into tokens.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from yaml.nodes import Node, SequenceNode

from tui.services.manifest_nodes import (
    INT_TAG,
    Document,
    ManifestProblem,
    at,
    check_bool,
    child,
    items,
    scalar_text,
)
from tui.services.templates import kebab_case

ROUTE_DOMAINS = (".api.gov.bc.ca",)
HTTP_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "CONNECT")
LOCAL_HOSTS = ("localhost", "127.0.0.1", "0.0.0.0")


def check_gateway_service(
    node: Node, name: str, gateway_id: str, live: bool, out: list[ManifestProblem]
) -> None:
    required = f"ns.{gateway_id}"
    _tags(node, f".services.{name}", required, out)
    if child(node, "host") is None and child(node, "url") is None:
        out.append(at(node, "A GatewayService needs host: (with port: and protocol:) or url:."))
    host_node = child(node, "host")
    host = scalar_text(host_node) or ""
    if host_node is not None and ":" in host and not host.startswith("["):
        # gwa copies Go's URL.Host, port included (``host: h:8462`` with ``port: 8462``), and
        # real Kong's schema refuses that. A gwa-wizard sandbox accepts exactly that shape
        # (its own upstream always has a port); anything else with a port fails there too.
        bare, _, number = host.rpartition(":")
        gwa_shape = scalar_text(child(node, "port")) == number
        if live or not gwa_shape:
            message = (
                f'host must not have a port: Kong refuses "{host}" (schema violation, so apply '
                f"ends in Sync Failed.). Write host: {bare} and put {number or 'the port'} in port:."
            )
            out.append(at(host_node, message, "error"))

    port = child(node, "port")
    if port is not None and (port.tag != INT_TAG or not 0 < int(str(port.value), 0) < 65536):
        out.append(at(port, "port must be a number from 1 to 65535."))
    if live:
        _upstream(node, out)
    for index, route in enumerate(items(child(node, "routes"))):
        route_name = scalar_text(child(route, "name"))
        label = route_name or f"[{index}]"
        if route_name is None:
            out.append(at(route, "Give this route a name: gwa-api names routes in its errors."))
        _tags(route, f".services.{name}.routes.{label}", required, out)
        _route(route, name, label, out)
        _plugins(route, f".services.{name}.routes.{label}", required, out)
    _plugins(node, f".services.{name}", required, out)


def _plugins(node: Node, source: str, required: str, out: list[ManifestProblem]) -> None:
    for index, plugin in enumerate(items(child(node, "plugins"))):
        plugin_name = scalar_text(child(plugin, "name"))
        if plugin_name is None:
            out.append(at(plugin, "Each plugin needs a name: (for example jwt-keycloak)."))
        _tags(plugin, f"{source}.plugins.{plugin_name or f'[{index}]'}", required, out)


def _tags(node: Node, source: str, required: str, out: list[ManifestProblem]) -> None:
    tags = child(node, "tags")
    if tags is None:
        out.append(at(node, f"{source} no tags found. Add tags: [{required}]."))
        return
    if not isinstance(tags, SequenceNode):
        out.append(at(tags, f"tags must be a list, like [{required}]."))
        return
    values = [scalar_text(t) or "" for t in tags.value]
    if required not in values and not any(v.startswith(f"{required}.") for v in values):
        out.append(
            at(tags, f"{source} missing required tag {required}. The tag must name this gateway.")
        )
    for tag, value in zip(tags.value, values, strict=True):
        if value.startswith("ns.") and value != required and not value.startswith(f"{required}."):
            out.append(at(tag, f"{source} invalid ns tag {value}. Use {required}."))


def _route(route: Node, service: str, label: str, out: list[ManifestProblem]) -> None:
    hosts = child(route, "hosts")
    if hosts is None or not items(hosts):
        where = route if hosts is None else hosts
        out.append(
            at(where, f"service.{service}.route.{label} A host must be specified for routes.")
        )
    for host in items(hosts):
        value = scalar_text(host) or ""
        if not value.endswith(ROUTE_DOMAINS):
            out.append(
                at(
                    host,
                    f"Host invalid: {label} {value}.  Route hosts must end with one "
                    f"of [{','.join(ROUTE_DOMAINS)}] for this gateway.",
                )
            )
    for method in items(child(route, "methods")):
        if scalar_text(method) not in HTTP_METHODS:
            out.append(
                at(
                    method,
                    f'"{scalar_text(method)}" is not an HTTP method; use upper '
                    "case, like GET or POST.",
                )
            )
    for path in items(child(route, "paths")):
        if not (scalar_text(path) or "").startswith(("/", "~")):
            out.append(at(path, "A route path starts with / (or ~ for a regex)."))
    check_bool(child(route, "strip_path"), "strip_path", out)


def _upstream(node: Node, out: list[ManifestProblem]) -> None:
    host_node = child(node, "host")
    url_node = child(node, "url")
    host = scalar_text(host_node)
    where: Node | None = host_node
    if url_node is not None:
        where = url_node
        try:
            host = urlsplit(scalar_text(url_node) or "").hostname
        except ValueError:
            host = None
        if host is None:
            out.append(at(url_node, "service upstream has invalid url specified (e1)"))
            return
    if where is not None and (host or "").lower() in LOCAL_HOSTS:
        out.append(
            at(
                where,
                "service upstream is invalid (e1): APS cannot reach your own "
                "machine. Use an upstream on the internet, like https://httpbin.org.",
            )
        )


# --- jwt-keycloak audience vs the issuer and environment --------------------------------------


def check_audiences(documents: list[Document], out: list[ManifestProblem]) -> None:
    """Warn when allowed_aud is not the audience the product's issuer will put in tokens."""
    issuers = {d.name: d for d in documents if d.kind == "CredentialIssuer" and d.name}
    expected: dict[str, dict[str, str]] = {}  # service → {audience: explanation}
    for product in (d for d in documents if d.kind == "Product"):
        for env in items(child(product.node, "environments")):
            issuer = scalar_text(child(env, "credentialIssuer"))
            env_name = scalar_text(child(env, "name")) or "dev"
            if issuer not in issuers:
                continue
            client_id = kebab_case(str(issuer))
            audience = f"ap-{client_id}" if env_name == "prod" else f"ap-{client_id}-{env_name}"
            for service in items(child(env, "services")):
                expected.setdefault(scalar_text(service) or "", {})[audience] = (
                    f'issuer "{issuer}" in environment {env_name}'
                )
    for doc in documents:
        if doc.kind != "GatewayService" or doc.name not in expected:
            continue
        for plugin in _all_plugins(doc.node):
            if scalar_text(child(plugin, "name")) != "jwt-keycloak":
                continue
            aud = child(child(plugin, "config"), "allowed_aud")
            if aud is None:
                continue
            values = [scalar_text(v) for v in items(aud)] or [scalar_text(aud)]
            wanted = expected[doc.name]
            if not any(v in wanted for v in values):
                audience, source = next(iter(wanted.items()))
                out.append(
                    at(
                        aud,
                        f"allowed_aud does not match: tokens from {source} carry the "
                        f"audience {audience}, so every call would be refused (401). "
                        f"Set allowed_aud: {audience}.",
                        "warning",
                    )
                )


def _all_plugins(node: Any) -> list[Node]:
    found = items(child(node, "plugins"))
    for route in items(child(node, "routes")):
        found += items(child(route, "plugins"))
    return found
