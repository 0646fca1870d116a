"""Status: the gateway's services, UP or DOWN with the reason, and the URL to call."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Static

from tui.services import status as status_service
from tui.services.session import Session

from .base import WizardStep

COLUMNS = ("Status", "Name", "Reason", "Upstream", "Host")
CELL_PADDING = 2  # DataTable's default: one cell of padding on each side


def fitting_columns(cells: list[tuple[str, ...]], width: int) -> tuple[str, ...]:
    """gwa status --hosts' columns, less Upstream (then Reason) when they do not fit."""

    def needed(columns: tuple[str, ...]) -> int:
        return sum(
            max([len(c)] + [len(row[COLUMNS.index(c)]) for row in cells]) + CELL_PADDING
            for c in columns
        )

    columns: tuple[str, ...] = COLUMNS
    for dropped in ("Upstream", "Reason"):  # both are also said in the lines under the table
        if not cells or width <= 0 or needed(columns) <= width:
            break
        columns = tuple(c for c in columns if c != dropped)
    return columns


class StatusStep(WizardStep):
    STEP_ID = "status"
    AUTO_FOCUS = "#services"
    BINDINGS = [
        Binding(
            "f5", "refresh", "Refresh", id="status.refresh", tooltip="Ask APS for the status again"
        ),
        Binding(
            "ctrl+y", "copy_url", "Copy URL", id="status.copy", tooltip="Copy the URL of your API"
        ),
    ]
    HELP = """
`gwa status --hosts` lists the services published on your gateway. For each one, APS
**probes the upstream directly** (not through your route, and without any token) and
reports **UP** or **DOWN** with a reason:

* `200 Response` (any answer below 400): the backend is alive.
* `AUTH 401` / `AUTH 403`: still UP, the backend just wants its own credentials.
* `404 Response`, `5xx Response`: DOWN, the backend answered with an error at its base URL.
* `DNS`, `TIMEOUT`, `CONNECTION`, `SSL`: DOWN, the backend could not be reached (misspelt
  host, firewall, wrong port or protocol).

The **Host** column is the address people call. On the test instance the host in your file
(`<name>.dev.api.gov.bc.ca`) is rewritten: dots become dashes and the instance's own domain
is added. On the sandbox the rewritten host ends in `.localhost` with the gateway's port,
which resolves to this computer by itself.

Calling that URL now, without a token, should be refused with 401: that is the next step.
"""
    KEY_TERMS = (
        ("UP / DOWN", "whether APS could reach your upstream at its base URL"),
        ("Reason", "what the probe saw: NNN Response, AUTH 401, DNS, TIMEOUT, SSL…"),
        ("Host", "the real public host of your route (rewritten on the test instance)"),
    )
    DEFAULT_CSS = """
    StatusStep #services { height: auto; max-height: 8; margin-top: 1; }
    StatusStep #reasons { height: auto; margin-top: 1; }
    StatusStep #api-url { margin-top: 1; }
    """

    def __init__(self, session: Session, services: Any) -> None:
        super().__init__(session, services)
        self.rows: list[Any] = []
        self.upstream_below = False  # the table is too narrow: Upstream is listed under it
        self.reason_below = False  # narrower still: Reason too
        self.mine: Any = None
        self.url = ""

    def compose_body(self) -> ComposeResult:
        yield Static("", id="status-lead", classes="lead")
        table: DataTable[Any] = DataTable(id="services", cursor_type="row", zebra_stripes=True)
        table.add_columns(*COLUMNS)
        yield table
        yield Static("", id="reasons")
        yield Static("", id="api-url", classes="result")

    def on_mount(self) -> None:
        self.query_one("#api-url").display = False
        self.load()

    def _lead(self) -> None:
        self.query_one("#status-lead", Static).update(
            f"The services on gateway {self.session.gateway_id}, as gwa status --hosts shows "
            "them. F5 refreshes."
        )

    def on_resize(self) -> None:
        # A wider or narrower terminal: fit the columns again (the host is never cut).
        if self.rows:
            self.call_after_refresh(self._show, self.rows)

    def action_refresh(self) -> None:
        self.load()

    @work(exclusive=True, group="status", exit_on_error=False, description="Reading the status")
    async def load(self) -> None:
        self.ready = False
        self._lead()
        async with self.operation(
            "Asking APS for the status of your services…", retry=self.load
        ) as op:
            rows = await self.services.status.services(self.session.gateway_id)
        if op.failed:
            return
        self.rows = rows
        self._show(rows)

    def _show(self, rows: list[Any]) -> None:
        table = self.query_one("#services", DataTable)
        cells: list[tuple[str, ...]] = [
            tuple(
                str(v)
                for v in (
                    row.status or "?",
                    row.name,
                    row.reason,
                    row.upstream,
                    row.host or row.env_host,
                )
            )
            for row in rows
        ]
        # The Host column (the address people call) is never cut: when the table would be
        # wider than the screen, Upstream leaves the table for the lines under it.
        columns = fitting_columns(cells, table.size.width or self.size.width)
        self.upstream_below = "Upstream" not in columns
        self.reason_below = "Reason" not in columns
        table.clear(columns=True)
        table.add_columns(*columns)
        for row, values in zip(rows, cells, strict=True):
            mark = Text(values[0], style="bold green" if row.up else "bold red")
            shown = dict(zip(COLUMNS, values, strict=True))
            table.add_row(mark, *(shown[c] for c in columns[1:]))
        reasons = self.query_one("#reasons", Static)
        url_widget = self.query_one("#api-url", Static)
        if not rows:
            reasons.update(
                "You currently do not have any services: apply your file first (Apply step)."
            )
            url_widget.display = False
            return
        wanted = f"{self.session.service}-dev" if self.session.service else ""
        self.mine = next((r for r in rows if r.name == wanted), rows[0])
        reasons.update(
            "\n".join(
                f"{r.name}: {r.explanation}"
                + (f" Reason: {r.reason}." if self.reason_below and r.reason else "")
                + (f" Upstream: {r.upstream}" if self.upstream_below and r.upstream else "")
                for r in rows
            )
        )
        scheme = "http" if self.session.target_kind == "sandbox" else self.session.scheme
        host = self.mine.env_host or (self.mine.host or "")
        self.url = status_service.api_url(host, scheme) if host else ""
        if self.url:
            state = (
                ""
                if self.mine.up
                else (" (the service is DOWN: calls will fail until the upstream answers)")
            )
            url_widget.update(
                f"Your API: {self.url}{state}\nctrl+y copies it. Next you call it without a token."
            )
            url_widget.set_class(not self.mine.up, "-error")
            url_widget.display = True
        self.refresh_bindings()
        self.ready = bool(self.url)
        self.show_command()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "copy_url":
            return bool(self.url)
        return super().check_action(action, parameters)

    async def action_copy_url(self) -> None:
        if self.url:
            await self.copy_text(self.url, "The URL")

    async def commit(self) -> None:
        if self.mine is not None:
            self.session.env_host = self.mine.env_host or (self.mine.host or "")
        self.session.api_url = self.url
