"""The F1 help of a step: what and why, key terms, the equivalent command (Markdown).

Two things the Markdown renderer would otherwise get wrong: ``<MYSERVICE>``-style placeholders
in prose look like HTML tags and vanish, so they are escaped (code spans and fences are left
as written); and a long command would be cut at the dialog's edge, so it is broken before its
flags with shell line continuations (still a valid command to copy).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from textual.widgets import Markdown

COMMAND_WIDTH = 60  # fits the help dialog at 80 columns
_CODE = re.compile(r"(```.*?```|`[^`\n]*`)", re.DOTALL)
_FLAG_BREAK = re.compile(r" (?=--?[A-Za-z])")


def escape_placeholders(text: str) -> str:
    """Keep ``<…>`` visible in Markdown prose (code spans and fences are not touched)."""
    parts = _CODE.split(text)
    return "".join(
        part if i % 2 else part.replace("<", "\\<").replace(">", "\\>")
        for i, part in enumerate(parts)
    )


def _breakable(line: str) -> list[int]:
    """Positions of spaces before a flag that are outside quotes."""
    spots: list[int] = []
    quote = ""
    for i, char in enumerate(line):
        if quote:
            if char == quote:
                quote = ""
        elif char in "'\"":
            quote = char
        elif char == " " and _FLAG_BREAK.match(line, i):
            spots.append(i)
    return spots


def wrap_command(command: str, width: int = COMMAND_WIDTH) -> str:
    """Break long command lines before their flags, with `` \\`` continuations."""
    out: list[str] = []
    for line in command.splitlines():
        if len(line) <= width or line.rstrip().endswith("\\"):
            out.append(line)
            continue
        indent = " " * (len(line) - len(line.lstrip()) + 2)
        pieces: list[str] = []
        start = 0
        for spot in _breakable(line):
            pieces.append(line[start:spot])
            start = spot + 1
        pieces.append(line[start:])
        out.append(pieces[0] + (" \\" if len(pieces) > 1 else ""))
        for n, piece in enumerate(pieces[1:], start=2):
            out.append(indent + piece + (" \\" if n < len(pieces) else ""))
    return "\n".join(out)


def help_markdown(title: str, body: str, terms: Iterable[tuple[str, str]], command: str) -> str:
    lines = [f"# {escape_placeholders(title)}", "", escape_placeholders(body.strip()), ""]
    terms = list(terms)
    if terms:
        lines += ["## Key terms", ""]
        lines += [
            f"- **{escape_placeholders(term)}**: {escape_placeholders(meaning)}"
            for term, meaning in terms
        ]
        lines.append("")
    if command:
        lines += [
            "## The same thing on the command line",
            "",
            "```sh",
            wrap_command(command),
            "```",
            "",
        ]
    return "\n".join(lines)


class StepHelpText(Markdown):
    DEFAULT_CSS = """
    StepHelpText { height: auto; padding: 0 1; }
    """
