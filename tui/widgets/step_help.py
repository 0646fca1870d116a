"""The F1 help of a step: what and why, key terms, the equivalent command (Markdown)."""

from __future__ import annotations

from collections.abc import Iterable

from textual.widgets import Markdown


def help_markdown(title: str, body: str, terms: Iterable[tuple[str, str]], command: str) -> str:
    lines = [f"# {title}", "", body.strip(), ""]
    terms = list(terms)
    if terms:
        lines += ["## Key terms", ""]
        lines += [f"- **{term}**: {meaning}" for term, meaning in terms]
        lines.append("")
    if command:
        lines += ["## The same thing on the command line", "", "```", command, "```", ""]
    return "\n".join(lines)


class StepHelpText(Markdown):
    DEFAULT_CSS = """
    StepHelpText { height: auto; padding: 0 1; }
    """
