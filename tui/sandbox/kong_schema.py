"""What decK and Kong refuse in a published configuration, with their words.

Two layers, as in the real pipeline:

* :func:`decode_problem` — decK reading the file into Kong's Go types: a number that is not
  finite cannot become JSON, a string where an integer belongs cannot be decoded. The first
  problem stops decK (``deck validate`` → gwa-api's ``Validation Failed.``).
* :func:`violations` — Kong's schema for services, routes and plugins (ranges, enums, names,
  hosts, paths, regexes): Kong answers ``schema violation (field: message; …)`` and decK's
  sync fails (gwa-api's ``Sync Failed.``).

Nothing that passes both can break the router for anyone.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from typing import Any

from . import kong_regex

PROTOCOLS = ("grpc", "grpcs", "http", "https", "tcp", "tls", "tls_passthrough", "udp", "ws", "wss")
REDIRECT_CODES = (426, 301, 302, 307, 308)
MAX_INT = 2147483646
_NAME_ASCII = re.compile(r"^[A-Za-z0-9.\-_~]*$")
_LABEL = re.compile(r"^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$")
_METHOD = re.compile(r"^[A-Z]+$")

# Go field types of decK's file format (kong.Service, kong.Route, kong.Plugin).
INT, STR, BOOL, STRS, MAP = "int", "string", "bool", "[]*string", "map"
SERVICE_TYPES = {
    "name": STR, "host": STR, "path": STR, "protocol": STR, "url": STR, "id": STR,
    "port": INT, "retries": INT, "connect_timeout": INT, "read_timeout": INT,
    "write_timeout": INT, "tls_verify_depth": INT, "enabled": BOOL, "tls_verify": BOOL,
    "tags": STRS, "ca_certificates": STRS,
}  # fmt: skip
ROUTE_TYPES = {
    "name": STR, "id": STR, "path_handling": STR, "hosts": STRS, "paths": STRS,
    "methods": STRS, "protocols": STRS, "snis": STRS, "tags": STRS,
    "https_redirect_status_code": INT, "regex_priority": INT, "strip_path": BOOL,
    "preserve_host": BOOL, "request_buffering": BOOL, "response_buffering": BOOL,
    "headers": MAP,
}  # fmt: skip
PLUGIN_TYPES = {
    "name": STR, "id": STR, "instance_name": STR, "enabled": BOOL, "config": MAP,
    "protocols": STRS, "tags": STRS,
}  # fmt: skip


def _json_kind(value: Any) -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return "null" if value is None else "string"


def _go_type_error(value: Any, go_type: str) -> str | None:
    """Go's ``json: cannot unmarshal <kind> into … of type <t>`` problem, if any."""
    if value is None:
        return None
    if go_type == INT:
        if isinstance(value, bool) or not isinstance(value, int | float):
            return f"cannot unmarshal {_json_kind(value)} into Go struct field %s of type int"
        if isinstance(value, float) and not value.is_integer():
            return f"cannot unmarshal number {value} into Go struct field %s of type int"
        return None
    if go_type == STR:
        ok = isinstance(value, str)
    elif go_type == BOOL:
        ok = isinstance(value, bool)
    elif go_type == STRS:
        if not isinstance(value, list):
            return f"cannot unmarshal {_json_kind(value)} into Go struct field %s of type []*string"
        bad = next((v for v in value if v is not None and not isinstance(v, str)), None)
        if bad is not None:
            return f"cannot unmarshal {_json_kind(bad)} into Go struct field %s of type string"
        return None
    else:
        ok = isinstance(value, dict)
        go_type = "map[string]interface {}"
    if ok:
        return None
    return f"cannot unmarshal {_json_kind(value)} into Go struct field %s of type {go_type}"


def _non_finite(value: Any) -> str | None:
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, float) and not math.isfinite(item):
            return "NaN" if math.isnan(item) else ("+Inf" if item > 0 else "-Inf")
        if isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return None


def _entities(docs: list[dict[str, Any]]) -> Iterator[tuple[str, str, dict, dict[str, str]]]:
    """(Go struct, JSON path, object, field types) for every service, route and plugin."""
    for doc in docs:
        services = doc.get("services")
        for service in services if isinstance(services, list) else []:
            if not isinstance(service, dict):
                continue
            yield "FService", "services", service, SERVICE_TYPES
            routes = service.get("routes")
            for route in routes if isinstance(routes, list) else []:
                if isinstance(route, dict):
                    yield "FRoute", "services.routes", route, ROUTE_TYPES
                    plugins = route.get("plugins")
                    for plugin in plugins if isinstance(plugins, list) else []:
                        if isinstance(plugin, dict):
                            yield "FPlugin", "services.routes.plugins", plugin, PLUGIN_TYPES
            plugins = service.get("plugins")
            for plugin in plugins if isinstance(plugins, list) else []:
                if isinstance(plugin, dict):
                    yield "FPlugin", "services.plugins", plugin, PLUGIN_TYPES


def decode_problem(docs: list[dict[str, Any]]) -> str | None:
    """decK's first file-reading error, as gwa-api relays it (``Validation Failed.``)."""
    for index, doc in enumerate(docs):
        where = f"reading file config-{index:02d}.yaml"
        bad = _non_finite(doc)
        if bad is not None:
            return (
                f"Error: {where}: error converting YAML to JSON: json: unsupported value: {bad}\n"
            )
    for struct, path, obj, types in _entities(docs):
        for key, go_type in types.items():
            if key in obj:
                problem = _go_type_error(obj[key], go_type)
                if problem is not None:
                    field = f"{struct}.{path}.{key}"
                    return (
                        "Error: reading file config-00.yaml: error unmarshaling JSON: "
                        f"json: {problem % field}\n"
                    )
    return None


# -- Kong's schema ---------------------------------------------------------------------------
def _name_problem(value: Any) -> str | None:
    if not isinstance(value, str) or not value:
        return None
    ascii_part = "".join(c for c in value if ord(c) < 128)
    if any(ord(c) < 0x20 or 0x7F <= ord(c) < 0xA0 for c in value) or not _NAME_ASCII.match(
        ascii_part
    ):
        return (
            f"invalid value '{value}': the only accepted ascii characters are alphanumerics "
            "or ., -, _, and ~"
        )
    return None


def _int_range(obj: dict, key: str, low: int, high: int, errors: dict[str, str]) -> None:
    value = obj.get(key)
    number = isinstance(value, int | float) and not isinstance(value, bool)
    if number and not low <= value <= high:  # type: ignore[operator]  # number: not None
        errors[key] = f"value should be between {low} and {high}"


def _tags(obj: dict, errors: dict[str, str]) -> None:
    for tag in obj.get("tags") or []:
        if isinstance(tag, str) and (
            not tag or "," in tag or "/" in tag or any(ord(c) < 0x21 or ord(c) == 0x7F for c in tag)
        ):
            errors["tags"] = (
                f"invalid tag '{tag}': expected printable ascii (except `,` and `/`) or valid "
                "utf-8 sequences"
            )
            return


def hostname_problem(host: str, *, route: bool) -> str | None:
    """Kong's host checks (a route host may carry one ``*`` at its leftmost or rightmost label)."""
    name = host.lower()
    if route and "*" in name:
        if name.count("*") > 1:
            return "invalid wildcard: must have at most one wildcard"
        if not (name.startswith("*.") or name.endswith(".*")):
            return "invalid wildcard: must be placed at leftmost or rightmost label"
        name = name[2:] if name.startswith("*.") else name[:-2]
    labels = name.split(".")
    if len(name) > 253 or not all(_LABEL.match(label) for label in labels):
        return f"invalid hostname: {host}"
    return None


def _service_errors(service: dict[str, Any]) -> dict[str, str]:
    errors: dict[str, str] = {}
    problem = _name_problem(service.get("name"))
    if problem:
        errors["name"] = problem
    protocol = service.get("protocol")
    if isinstance(protocol, str) and protocol not in PROTOCOLS:
        errors["protocol"] = f"expected one of: {', '.join(PROTOCOLS)}"
    host = service.get("host")
    if isinstance(host, str) and host and ":" not in host:  # an IPv6 address is Kong's to check
        # (every IPv4 address is a valid hostname: its labels are digits)
        bad_host = hostname_problem(host, route=False)
        if bad_host:
            errors["host"] = bad_host
    _int_range(service, "port", 0, 65535, errors)
    _int_range(service, "retries", 0, 32767, errors)
    for key in ("connect_timeout", "read_timeout", "write_timeout"):
        _int_range(service, key, 1, MAX_INT, errors)
    _int_range(service, "tls_verify_depth", 0, 64, errors)
    path = service.get("path")
    if isinstance(path, str) and (
        not path.startswith("/") or any(ord(c) < 0x20 or ord(c) == 0x7F for c in path)
    ):
        errors["path"] = "should start with: /" if not path.startswith("/") else "invalid path"
    _tags(service, errors)
    return errors


def _route_errors(route: dict[str, Any]) -> dict[str, str]:
    errors: dict[str, str] = {}
    problem = _name_problem(route.get("name"))
    if problem:
        errors["name"] = problem
    for protocol in route.get("protocols") or []:
        if protocol not in PROTOCOLS:
            errors["protocols"] = f"expected one of: {', '.join(PROTOCOLS)}"
    for method in route.get("methods") or []:
        if isinstance(method, str) and not _METHOD.match(method):
            errors["methods"] = f"invalid value: {method}"
    for host in route.get("hosts") or []:
        if isinstance(host, str):
            bad = hostname_problem(host.rsplit(":", 1)[0] if ":" in host else host, route=True)
            if bad:
                errors["hosts"] = bad
                break
    for path in route.get("paths") or []:
        if not isinstance(path, str):
            continue
        if path.startswith("~"):
            reason = kong_regex.problem(path[1:])
            if reason:
                errors["paths"] = f"invalid regex: '{path[1:]}' ({reason})"
                break
        elif not path.startswith("/"):
            errors["paths"] = "should start with: / (fixed path) or ~/ (regex path)"
            break
        elif any(ord(c) < 0x20 or ord(c) == 0x7F for c in path):
            errors["paths"] = "invalid path"
            break
    code = route.get("https_redirect_status_code")
    if code is not None and code not in REDIRECT_CODES:
        errors["https_redirect_status_code"] = (
            f"expected one of: {', '.join(str(c) for c in REDIRECT_CODES)}"
        )
    handling = route.get("path_handling")
    if handling is not None and handling not in ("v0", "v1"):
        errors["path_handling"] = "expected one of: v0, v1"
    _int_range(route, "regex_priority", -(2**31), 2**31 - 1, errors)
    headers = route.get("headers")
    if isinstance(headers, dict):
        for key, values in headers.items():
            if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
                errors["headers"] = f"{key}: expected an array of strings"
                break
    _tags(route, errors)
    return errors


JWT_KEYCLOAK_TYPES: dict[str, tuple[str, ...]] = {
    "allowed_iss": ("strings",), "allowed_aud": ("string",), "algorithm": ("string",),
    "uri_param_names": ("strings",), "cookie_names": ("strings",),
    "header_names": ("strings",), "claims_to_verify": ("strings",),
    "run_on_preflight": ("boolean",), "maximum_expiration": ("number",),
    "iss_key_grace_period": ("number",), "well_known_template": ("string",),
    "scope": ("strings",), "roles": ("strings",), "realm_roles": ("strings",),
    "client_roles": ("strings",), "anonymous": ("string",), "consumer_match": ("boolean",),
    "consumer_match_claim": ("string",), "consumer_match_claim_custom_id": ("boolean",),
    "consumer_match_ignore_not_found": ("boolean",), "realm": ("string",),
}  # fmt: skip


def _config_errors(name: Any, config: Any) -> dict[str, str]:
    errors: dict[str, str] = {}
    if name != "jwt-keycloak" or not isinstance(config, dict):
        return errors
    for key, value in config.items():
        if value is None or key not in JWT_KEYCLOAK_TYPES:
            continue
        kind = JWT_KEYCLOAK_TYPES[key][0]
        if kind == "strings":
            ok = isinstance(value, list) and all(isinstance(v, str) for v in value)
            message = "expected a set" if not isinstance(value, list) else "expected a string"
        elif kind == "number":
            ok = isinstance(value, int | float) and not isinstance(value, bool)
            message = "expected a number"
        elif kind == "boolean":
            ok = isinstance(value, bool)
            message = "expected a boolean"
        else:
            ok = isinstance(value, str)
            message = "expected a string"
        if not ok:
            errors[f"config.{key}"] = message
    if "config.iss_key_grace_period" not in errors:
        grace = config.get("iss_key_grace_period")
        if grace is not None and not 1 <= grace <= 60:
            errors["config.iss_key_grace_period"] = "value should be between 1 and 60"
    if "config.maximum_expiration" not in errors:
        maximum = config.get("maximum_expiration")
        if maximum is not None and not 0 <= maximum <= 31536000:
            errors["config.maximum_expiration"] = "value should be between 0 and 31536000"
    return errors


def _plugin_errors(plugin: dict[str, Any]) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not plugin.get("name"):
        errors["name"] = "required field missing"
    errors.update(_config_errors(plugin.get("name"), plugin.get("config")))
    _tags(plugin, errors)
    return errors


def _text(errors: dict[str, str]) -> str:
    return "; ".join(f"{k}: {v}" for k, v in errors.items())


def violations(service: dict[str, Any]) -> Iterator[tuple[str, str]]:
    """(decK's label for the entity, Kong's ``schema violation (…)`` text) per bad entity."""
    name = service.get("name")
    errors = _service_errors(service)
    if errors:
        yield f"service {name}", f"schema violation ({_text(errors)})"
    for route in service.get("routes") or []:
        errors = _route_errors(route)
        if errors:
            yield f"route {route.get('name')}", f"schema violation ({_text(errors)})"
        for plugin in route.get("plugins") or []:
            errors = _plugin_errors(plugin)
            if errors:
                label = f"plugin {plugin.get('name')} for route {route.get('name')}"
                yield label, f"schema violation ({_text(errors)})"
    for plugin in service.get("plugins") or []:
        errors = _plugin_errors(plugin)
        if errors:
            yield (
                f"plugin {plugin.get('name')} for service {name}",
                (f"schema violation ({_text(errors)})"),
            )


def sync_failure(label: str, message: str) -> str:
    """decK's text when Kong refuses one entity during ``deck sync``."""
    return (
        f"creating {label}\nError: 1 errors occurred:\n\twhile processing event: "
        f'{{Create}} {label} failed: HTTP status 400 (message: "{message}")\n'
    )
