"""The bar at the top: target, user, gateway and service, always visible."""

from __future__ import annotations

from textual.content import Content
from textual.widgets import Static

NOT_YET = "—"


def header_text(target: str, user: str, gateway: str, service: str) -> Content:
    items = (("Target", target), ("User", user), ("Gateway", gateway), ("Service", service))
    parts: list[Content] = [Content.styled(" gwa-wizard ", "bold reverse")]
    for label, value in items:
        parts.append(Content("  "))
        parts.append(Content.styled(f"{label}: ", "$text-muted"))
        parts.append(Content.styled(value or NOT_YET, "bold" if value else "$text-muted"))
    return Content("").join(parts)


class WizardHeader(Static):
    DEFAULT_CSS = """
    WizardHeader {
        height: 1;
        width: 1fr;
        background: $panel;
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    """

    def __init__(self, **kwargs: object) -> None:
        super().__init__(header_text("", "", "", ""), **kwargs)  # type: ignore[arg-type]

    def show(self, target: str, user: str, gateway: str, service: str) -> None:
        self.update(header_text(target, user, gateway, service))
