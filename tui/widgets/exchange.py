"""Widgets shared by Try it and Call: one HTTP exchange, and the verdict on it."""

from __future__ import annotations

from http import HTTPStatus

from textual.content import Content
from textual.widgets import Static

from tui.services.probe import ApiCall, Explanation


def reason_phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""


def exchange_content(call: ApiCall) -> Content:
    """The request as sent (token masked) and the response as received."""
    parts = [Content.styled(f"→ {call.method} {call.url}\n", "bold")]
    for name, value in call.request_headers.items():
        parts.append(Content.styled(f"  {name}: ", "$text-muted") + Content(f"{value}\n"))
    if call.status is None:
        parts.append(Content.styled("← no answer", "bold $error"))
        if call.error is not None and call.error.detail:
            parts.append(Content.styled(f"  ({call.error.detail})", "$text-muted"))
        return Content("").join(parts)
    style = "bold $success" if call.status < 400 else "bold $warning"
    parts.append(
        Content.styled(f"← {call.status} {reason_phrase(call.status)}", style)
        + Content.styled(f"  ({call.elapsed_ms:.0f} ms)\n", "$text-muted")
    )
    for name, value in call.shown_response_headers.items():
        parts.append(Content.styled(f"  {name}: ", "$text-muted") + Content(f"{value}\n"))
    body = (call.body or "").strip()
    if len(body) > 600:
        body = body[:600] + " …"
    # Every line of the body is indented alike, so pretty-printed JSON keeps its shape.
    shown = "\n".join(f"  {line}" for line in body.splitlines()) if body else "  (empty body)"
    parts.append(Content(shown))
    return Content("").join(parts)


def verdict_content(verdict: Explanation) -> Content:
    mark = "✓" if verdict.ok else "✗"
    style = "bold $success" if verdict.ok else "bold $error"
    parts = [Content.styled(f"{mark} {verdict.headline}\n", style)]
    parts.append(Content.styled("Why: ", "bold") + Content(verdict.why))
    if verdict.fix:
        label = "Next: " if verdict.ok else "Fix: "
        parts.append(Content("\n") + Content.styled(label, "bold") + Content(verdict.fix))
    return Content("").join(parts)


class ExchangeView(Static):
    """Shows one request and its response; hidden until :meth:`show_call`."""

    DEFAULT_CSS = """
    ExchangeView {
        display: none;
        height: auto;
        padding: 0 1;
        margin: 1 0 0 0;
        background: $surface;
    }
    ExchangeView.-shown { display: block; }
    """

    def show_call(self, call: ApiCall) -> None:
        self.call = call
        self.update(exchange_content(call))
        self.add_class("-shown")


class VerdictView(Static):
    """The explanation of an answer: success, or cause and fix."""

    DEFAULT_CSS = """
    VerdictView {
        display: none;
        height: auto;
        padding: 0 1;
        margin: 1 0 0 0;
        border-left: thick $error;
    }
    VerdictView.-shown { display: block; }
    VerdictView.-ok { border-left: thick $success; }
    """

    def show_verdict(self, verdict: Explanation) -> None:
        self.verdict = verdict
        self.update(verdict_content(verdict))
        self.set_class(verdict.ok, "-ok")
        self.add_class("-shown")
