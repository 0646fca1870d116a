"""One error type for the whole wizard: what happened, why, and how to fix it.

Services raise :class:`WizardError`; screens show ``what`` as the headline, ``why`` and
``fix`` underneath, and offer a retry when ``retryable``. :func:`error_from_response` reads
every error body shape of the APS contract (§3): portal REST (``code``/``message``/``fields``),
gwa-api (``error``/``results``), Keycloak OAuth (``error``/``error_description``), batch
results (``result``/``reason``), Kong (``message``), HTML error pages and plain text.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class WizardError(Exception):
    what: str
    why: str = ""
    fix: str = ""
    status: int | None = None
    retryable: bool = True
    # The server's own words, joined as the gwa CLI would print them (docs/contract.md#s3.1).
    detail: str = ""
    # Machine-readable code when the body had one (``invalid_token``, ``authorization_pending``...).
    code: str = ""
    fields: dict[str, str] = field(default_factory=dict)

    def __str__(self) -> str:
        parts = [self.what]
        if self.why:
            parts.append(f"Why: {self.why}")
        if self.fix:
            parts.append(f"Fix: {self.fix}")
        return "\n".join(parts)


def parse_body(text: str) -> Any:
    try:
        return json.loads(text)
    except (ValueError, TypeError):
        return None


def cli_error_text(body: Any, raw: str = "") -> str:
    """The text ``gwa`` builds from an error body (docs/contract.md#s3.1), or the raw body."""
    if not isinstance(body, dict):
        return raw.strip() or "something broke"
    lowered = {str(k).lower(): v for k, v in body.items()}
    lines: list[str] = []
    for key in ("error", "message"):
        value = lowered.get(key)
        if isinstance(value, str) and value:
            lines.append(value)
    fields = lowered.get("fields")
    if isinstance(fields, dict):
        for name, value in fields.items():
            if isinstance(value, dict) and isinstance(value.get("message"), str):
                lines.append(f"{name}: {value['message']}")
    results = lowered.get("results")
    if isinstance(results, str) and results:
        lines.append(results)
    details = lowered.get("details")
    if isinstance(details, dict):
        d0 = details.get("d0")
        if isinstance(d0, dict) and isinstance(d0.get("message"), str):
            lines.append(d0["message"])
    description = lowered.get("error_description")
    if isinstance(description, str) and description:
        lines.append(description)
    return "\n".join(lines) if lines else "something broke"


_NUMBERED_DETAIL = re.compile(r"^(d\d+): ", re.MULTILINE)


def detail_note(detail: str) -> str:
    """What a raw ``d0:`` prefix in the portal's text means ('' when there is none)."""
    labels = list(dict.fromkeys(_NUMBERED_DETAIL.findall(detail or "")))
    if not labels:
        return ""
    named = ", ".join(labels)
    return (
        f"{named}: the portal numbers the details of one refusal d0, d1, …; the text after "
        "the label is the portal's own message, not a field of your file."
    )


def field_messages(body: Any) -> dict[str, str]:
    """``fields.<k>.message`` and the older ``details.d0.message`` as one mapping."""
    found: dict[str, str] = {}
    if not isinstance(body, dict):
        return found
    for container in ("fields", "details"):
        value = body.get(container)
        if isinstance(value, dict):
            for name, entry in value.items():
                if isinstance(entry, dict) and isinstance(entry.get("message"), str):
                    found[str(name)] = entry["message"]
    return found


def error_from_response(
    status: int,
    content_type: str,
    text: str,
    *,
    action: str,
    hints: dict[str, tuple[str, str]] | None = None,
) -> WizardError:
    """Turn a non-success response into a WizardError.

    ``action`` names what we tried ("Create the gateway"). ``hints`` maps a substring of the
    server's text to a (why, fix) pair; the first match wins, before the generic advice.
    """
    if "text/html" in (content_type or "").lower():
        return WizardError(
            what=f"{action} failed: the server sent an HTML error page (status {status})",
            why="A proxy, VPN login page or web server answered instead of the APS API.",
            fix="Check the host name and your network, then retry.",
            status=status,
            detail=f"received HTML error page (status code {status})",
        )
    body = parse_body(text)
    detail = cli_error_text(body, text)
    code = ""
    if isinstance(body, dict):
        for key in ("code", "error", "result"):
            if isinstance(body.get(key), str):
                code = body[key]
                break
        if isinstance(body.get("reason"), str) and body.get("result"):
            detail = f"{body['result']}: {body['reason']}"
    fields = field_messages(body)
    for needle, (why, fix) in (hints or {}).items():
        if needle in detail or needle == code:
            return WizardError(
                what=f"{action} failed: {_first_line(detail)}",
                why=why,
                fix=fix,
                status=status,
                detail=detail,
                code=code,
                fields=fields,
            )
    why, fix, retryable = _generic(status, code)
    return WizardError(
        what=f"{action} failed: {_first_line(detail)}",
        why=why,
        fix=fix,
        status=status,
        retryable=retryable,
        detail=detail,
        code=code,
        fields=fields,
    )


def _first_line(text: str) -> str:
    lines = [line for line in text.splitlines() if line.strip()]
    if not lines:
        return "something broke"
    if len(lines) > 1 and lines[0] in (
        "Unable to create Gateway",
        "Unable to delete gateway",
        "Validation Failed",
        "Validation Errors:",
    ):
        tail = lines[1].split(": ", 1)[-1]
        return f"{lines[0].rstrip(':')}: {tail}"
    return lines[0]


def _generic(status: int, code: str) -> tuple[str, str, bool]:
    if status == 401:
        return (
            "Your login was not accepted (missing, expired or from another instance).",
            "Log in again on the Login step.",
            True,
        )
    if status == 403:
        return (
            "You are logged in, but you do not hold the permission this needs on this gateway.",
            "Pick a gateway you created, or ask its owner to grant you access.",
            False,
        )
    if status == 404:
        return (
            "The server does not know this path or object.",
            "Check the host and the gateway.",
            False,
        )
    if status == 413:
        return ("The request was larger than the server accepts.", "Make the file smaller.", False)
    if status in (400, 422):
        return (
            "The server rejected what was sent.",
            "Correct the input named above and retry.",
            False,
        )
    if status >= 500:
        return (
            "The server had an internal problem; this is not caused by your input.",
            "Wait a moment and retry; if it persists, report it to the APS team.",
            True,
        )
    return (
        "The server answered with an unexpected status.",
        "Retry; check the host if it persists.",
        True,
    )
