"""The end: what was built, the URLs, the time per step, and a key to export the record."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Static

from tui.lessons import next_steps, quiz
from tui.services.export import TARGET_LABELS, write_record
from tui.services.session import Session
from tui.services.wording import published_list
from tui.steps import STEPS
from tui.widgets import FocusScroll, WizardFooter

from .host import StepHost, host_of


def duration(seconds: float) -> str:
    total = int(round(seconds))
    return f"{total} s" if total < 60 else f"{total // 60} min {total % 60:02d} s"


def _next_steps_content() -> Content:
    """The tutorial's Next steps and Get help, headings styled like the record's sections."""
    parts = [Content("\n")]
    for line in next_steps.summary_lines():
        if line in ("Next steps", "Get help"):
            parts.append(Content.styled(f"{line}\n", "bold $accent"))
        else:
            parts.append(Content(f"{line}\n"))
    return Content("").join(parts)


def summary_content(s: Session) -> Content:
    """What was built, the URLs and the time per step, compact enough for 100×30."""
    label = TARGET_LABELS.get(s.target_kind, s.host)
    total = sum(float(v) for v in s.step_seconds.values())
    cleaned = "cleanup" in s.steps_done
    head = Content.styled(
        f"✓ {len(s.steps_done)}/{len(STEPS)} steps in {duration(total)} on {label} "
        f"({s.base_url or '—'})" + (f", user {s.username}" if s.username else "") + "\n",
        "bold $success" if len(s.steps_done) == len(STEPS) else "bold",
    )

    def section(title: str, rows: list[tuple[str, str]]) -> Content:
        body = [Content.styled(f"\n{title}\n", "bold $accent")]
        for name, value in rows:
            body.append(Content.styled(f"  {name:<15}", "$text-muted") + Content(f"{value}\n"))
        return Content("").join(body)

    gateway = (
        f"{s.gateway_id or '—'} ({s.gateway_display_name})"
        if s.gateway_display_name
        else (s.gateway_id or "—")
    )
    built = [
        ("Gateway", gateway + (": destroyed" if cleaned else "")),
        ("Service", f"{s.service or '—'} → upstream {s.upstream or '—'}"),
        ("Config file", s.out_file or "—"),
        ("Published", published_list(s.published) or "—"),
        (
            "Consumer",
            (s.client_id or "—")
            + {"rest": " (issued over the portal API)", "handoff": " (pasted from the portal)"}.get(
                s.credentials_source, ""
            )
            + (": revoked" if s.consumer_revoked else ""),
        ),
    ]
    urls = [
        ("API", s.api_url or "—"),
        ("Token endpoint", s.token_endpoint or "—"),
        ("Portal", s.base_url or "—"),
    ]
    cells = [
        f"{info.title:<12}{duration(s.step_seconds[info.id]) if info.id in s.step_seconds else '—':>12}"
        for info in STEPS
    ]
    half = (len(cells) + 1) // 2
    lines = [Content.styled("\nTime per step\n", "bold $accent")]
    for left, right in zip(
        cells[:half], cells[half:] + [""] * (2 * half - len(cells)), strict=True
    ):
        lines.append(Content(f"  {left}    {right}".rstrip() + "\n"))
    return Content("").join([head, section("What was built", built), section("URLs", urls), *lines])


class SummaryScreen(Screen[None]):
    BINDINGS = [
        Binding(
            "ctrl+e",
            "export",
            "Export record",
            id="summary.export",
            tooltip="Write a replay script and a Markdown report (no secrets) to your workspace",
        ),
    ]
    DEFAULT_CSS = """
    SummaryScreen #summary-title { height: 1; text-style: bold; color: $accent; padding: 0 1; }
    SummaryScreen #summary-body { height: 1fr; padding: 0 1 0 0; }
    SummaryScreen #summary-note { height: auto; color: $text-muted; }
    SummaryScreen #export-result { display: none; height: auto; }
    SummaryScreen #export-result.-shown { display: block; }
    """

    def __init__(self, session: Session, services: Any) -> None:
        super().__init__(id="summary")
        self.session = session
        self.services = services

    @property
    def host(self) -> StepHost:
        """The app hosting the summary, through the protocol steps use."""
        return host_of(self.app)
        self.exported: tuple[Path, Path] | None = None

    def compose(self) -> ComposeResult:
        yield Static("Summary: Protect an API with Client Credential Flow", id="summary-title")
        with FocusScroll(id="summary-body"):
            yield Static("", id="summary-note")
            yield Static("", id="export-result", classes="result")
            yield Static(summary_content(self.session), id="report")
            answers = quiz.report_lines(self.session.answers)
            if answers:
                yield Static(
                    Content.styled("\nCheck your understanding\n", "bold $accent")
                    + Content("\n".join(answers)),
                    id="answers",
                )
            yield Static(_next_steps_content(), id="next-steps")
        yield WizardFooter()

    def on_mount(self) -> None:
        note = "Press ctrl+e to export a replay script and this report (no secrets); ctrl+q quits."
        if "cleanup" in self.session.steps_done and self.host.retire_session():
            note += (
                " Everything was cleaned up, so your saved progress was cleared: the "
                "next run starts afresh."
            )
        self.query_one("#summary-note", Static).update(note)
        self.call_after_refresh(self._focus_body)

    def _focus_body(self) -> None:
        # The report is the only thing to move in: focus it (once laid out, it knows whether
        # it overflows) so the arrow keys scroll it without a Tab first.
        body = self.query_one("#summary-body", FocusScroll)
        if self.focused is None and body.focusable:
            body.focus()

    def _secret_values(self) -> list[str]:
        """Values that must never appear in an export (when this run still knows them)."""
        values: list[str] = []
        creds = getattr(getattr(self.services, "credentials", None), "current", None)
        if creds is not None:
            values.append(creds.client_secret)
        token = getattr(getattr(self.services, "tokens", None), "current", None)
        if token is not None:
            values.append(token.access_token)
        return values

    def action_export(self) -> None:
        folder = self.host.workspace
        result = self.query_one("#export-result", Static)
        try:
            script, report = write_record(self.session, folder, forbidden=self._secret_values())
        except (OSError, ValueError) as exc:
            result.update(f"✗ The record could not be written: {exc}")
            result.add_class("-shown", "-error")
            return
        self.exported = (script, report)
        result.update(
            f"✓ Written: {script}\n  and {report}\n"
            f"Replay with: bash {script.name} provider (then consumer, cleanup). Neither file "
            "holds a secret or a token."
        )
        result.remove_class("-error")
        result.add_class("-shown")
        self.notify("Record exported.")
