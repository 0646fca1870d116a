"""``gwa generate-config`` v3, reproduced byte for byte, plus the Template step's checks.

The three templates live in ``template_files/*.yaml.in`` as the exact text ``gwa`` writes, with
``${name}`` placeholders. The values come from :func:`_template_values`, which mirrors how the
CLI splits ``--upstream`` with Go's ``net/url`` (docs/contract.md#s6.3):

* ``host`` is Go's ``URL.Host``, so it keeps ``:port`` (``https://x.com:8000`` gives
  ``host: x.com:8000`` and ``port: 8000``);
* ``port`` is the explicit port, else 443 for ``https`` and 80 for anything else;
* ``path`` is the decoded path: empty for ``https://httpbin.org``, ``/`` for
  ``https://httpbin.org/``; the ``paths:`` line is written only when it is not empty;
* ``url`` (quick-start) is Go's ``URL.String()``, which re-escapes the path and lower-cases
  the scheme.

Go operates on bytes, so the port works on UTF-8 bytes too and hands back text decoded with
``surrogateescape`` (a ``%FF`` in a path survives to the file as the byte 0xFF, as in gwa).
"""

from __future__ import annotations

import os
import re
import tempfile
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path, PurePosixPath, PureWindowsPath
from string import Template
from typing import Any
from urllib.parse import quote

from tui.services.errors import WizardError
from tui.services.go_url import GoURLError, go_url_parse
from tui.services.tutorial_defaults import (
    DEFAULT_ORG,
    DEFAULT_ORG_UNIT,
)

TEMPLATES: dict[str, str] = {
    "client-credentials-shared-idp": (
        "Protected API: a service whose route needs a client-credentials JWT from the shared "
        "IdP, plus an authorization profile, a Directory entry and a product (4 documents)."
    ),
    "kong-httpbin": (
        "Bare gateway service: one unprotected GET route on path /, nothing else (1 document)."
    ),
    "quick-start": (
        "Public API: an unprotected service with a Directory entry and a public product "
        "(3 documents)."
    ),
}
ROUTE_SUFFIX = ".dev.api.gov.bc.ca"

_NOT_ALNUM = re.compile(r"[^a-zA-Z0-9]+")


def kebab_case(text: str) -> str:
    """gwa's ``kebabCase``: every run of non-letters/digits becomes ``-``, then lower-case.

    No camelCase splitting, and leading/trailing dashes stay (``"my service!"`` →
    ``"my-service-"``).
    """
    return _NOT_ALNUM.sub("-", text).lower()


def template_problem(name: str) -> str | None:
    """gwa's own message for an unknown template name, or None."""
    return None if name in TEMPLATES else f"{name} is not a valid template"


# --- rendering ---------------------------------------------------------------------------------


def _template_values(
    service: str, upstream: str, gateway: str, org: str, org_unit: str
) -> dict[str, str]:
    url = go_url_parse(upstream)
    path = url.path
    return {
        "svc": kebab_case(service),
        "service": service,
        "gateway": gateway,
        "org": org,
        "org_unit": org_unit,
        "host": url.host,
        "port": url.port() or ("443" if url.scheme == "https" else "80"),
        "scheme": url.scheme,
        "url": str(url),
        "path": path,
        "paths_line": f"\n    paths: [{path}]" if path else "",
        "issuer_client": kebab_case(gateway + "-default"),
    }


def _template_text(template: str) -> str:
    return (
        resources.files("tui.services")
        .joinpath("template_files", f"{template}.yaml.in")
        .read_text(encoding="utf-8")
    )


def generate_config(
    template: str,
    service: str,
    upstream: str,
    gateway: str,
    org: str = DEFAULT_ORG,
    org_unit: str = DEFAULT_ORG_UNIT,
) -> str:
    """The exact text ``gwa generate-config`` v3 writes for these inputs.

    Raises WizardError for an unknown template (gwa's message) or an upstream Go's
    ``url.Parse`` rejects. No network: the availability check is :func:`check_availability`.
    """
    problem = template_problem(template)
    if problem:
        raise WizardError(
            problem,
            why="generate-config only knows " + ", ".join(TEMPLATES) + ".",
            fix="Choose one of those template names.",
            retryable=False,
        )
    try:
        values = _template_values(service, upstream, gateway, org, org_unit)
    except GoURLError as exc:
        raise WizardError(
            f'The upstream "{upstream}" is not a URL gwa can read',
            why=f'parse "{upstream}": {exc}',
            fix="Use a full URL such as https://httpbin.org.",
            retryable=False,
        ) from exc
    return Template(_template_text(template)).substitute(values)


# --- the Template step's field checks (sync) ---------------------------------------------------


def upstream_problem(url: str) -> str | None:
    """Why this upstream will not work, in words a learner can act on; None when fine."""
    text = url.strip()
    if not text:
        return "Enter the URL of your backend API, like https://httpbin.org"
    if text != url:
        return "Remove the spaces before or after the URL."
    if "://" not in text:
        if re.match(r"[a-zA-Z][a-zA-Z0-9+.-]*:/?[^/]", text):
            return "Write two slashes after the scheme, like https://httpbin.org"
        return f"Include the scheme, like https://{text.lstrip('/')}"
    try:
        parsed = go_url_parse(text)
    except GoURLError as exc:
        return f"This is not a valid URL ({exc}). Use a form like https://httpbin.org"
    if parsed.scheme not in ("http", "https"):
        return "The scheme must be http or https, like https://httpbin.org"
    if not parsed.host or parsed.host.startswith(":"):
        return "The URL needs a host name after the scheme, like https://httpbin.org"
    if not parsed.host.startswith("[") and parsed.host.count(":") > 1:
        return "The host has more than one ':'; write it as host:port, like x.com:8000"
    if parsed.user is not None:
        return "Leave the user name and password out of the upstream URL."
    if parsed.raw_query or parsed.force_query or parsed.fragment:
        return "Leave out the ?query and #fragment: the upstream is a scheme, host, port and path."
    port = parsed.port()
    if port and not 0 < int(port) < 65536:
        return f"Port {port} is out of range: use a number from 1 to 65535."
    if any(ch.isspace() for ch in text):
        return "Remove the spaces from the URL (write %20 if the path really has one)."
    return None


def service_problem(name: str) -> str | None:
    """Why this service name will not do; None when fine.

    The name becomes part of a public host name (``<kebab>.dev.api.gov.bc.ca``), so it has
    to turn into something a DNS label can be.
    """
    if not name.strip():
        return "Enter a service name, for example my-service"
    if any(ch in name for ch in "<>{}$") or name.strip() in ("MYSERVICE", "SERVICE"):
        return "Replace the placeholder with your own service name, for example my-service"
    if name != name.strip():
        return "Remove the spaces before or after the name."
    label = kebab_case(name)
    if label.startswith("-") or label.endswith("-"):
        return (
            f'"{name}" would become the host name "{label}.dev.api.gov.bc.ca": start and end '
            "with a letter or digit."
        )
    if len(label) > 63 - len("-dev-api-gov-bc-ca"):
        return "Use a shorter name (at most 45 characters): it becomes part of a host name."
    return None


def out_file_problem(name: str) -> str | None:
    """Why this output file name will not do; None when fine (relative, .yaml/.yml, no ``..``)."""
    if not name.strip():
        return "Enter a file name such as gw-config.yaml"
    if not (name.endswith(".yaml") or name.endswith(".yml")):
        return f"Filename {name} is invalid. Only YAML files are accepted (.yaml or .yml)."
    if PurePosixPath(name).is_absolute() or PureWindowsPath(name).is_absolute() or name[:1] == "~":
        return "Use a file name relative to the current folder, like gw-config.yaml"
    if ".." in re.split(r"[\\/]", name):
        return "Keep the file inside the current folder: remove '..' from the name."
    if PurePosixPath(name).name in (".yaml", ".yml"):
        return "Give the file a name before the extension, like gw-config.yaml"
    return None


def write_config(text: str, path: str | os.PathLike[str]) -> Path:
    """Write atomically (temp file in the same folder, fsync, replace); returns the path."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}-", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(text.encode("utf-8", "surrogateescape"))
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    return target


# --- availability (the one network call) ---------------------------------------------------


@dataclass(frozen=True)
class Availability:
    available: bool
    suggestion: str
    hosts: list[str] = field(default_factory=list)
    names: list[str] = field(default_factory=list)


async def check_availability(client: Any, gateway: str, service: str) -> Availability:
    """``GET /ds/api/v3/routes/availability`` for the service name as typed (docs/contract.md#s6.2).

    The name is sent as is (not kebab-cased). gwa pastes it into the query string unencoded,
    so a ``&``, ``#`` or ``+`` in the name would cut or change it; here it is percent-encoded
    so the portal receives exactly what the learner typed. No token is needed, but the
    client's is sent anyway, as gwa does.
    """
    query = f"gatewayId={quote(gateway, safe='')}&serviceName={quote(service, safe='')}"
    path = f"/ds/api/v3/routes/availability?{query}"
    response = await client.request("GET", path, action="Check the service name", auth=True)
    try:
        body = response.json()
    except ValueError:
        body = None
    if not isinstance(body, dict) or not isinstance(body.get("available"), bool):
        raise WizardError(
            "Check the service name: the portal's answer was not understood",
            why="The availability check did not return the expected JSON.",
            fix="Check the target host is an API Services Portal, then try again.",
        )
    suggestion = body.get("suggestion") or {}
    if not isinstance(suggestion, dict):
        suggestion = {}
    return Availability(
        available=body["available"],
        suggestion=str(suggestion.get("serviceName") or ""),
        hosts=[str(h) for h in suggestion.get("hosts") or [] if isinstance(h, str)],
        names=[str(n) for n in suggestion.get("names") or [] if isinstance(n, str)],
    )


def unavailable_message(service: str, availability: Availability) -> str:
    """gwa's refusal text for a taken name (docs/contract.md#s6.2)."""
    return (
        f"Checking service availability: Service {service} is already in use. "
        f"Suggestion: {availability.suggestion}"
    )
