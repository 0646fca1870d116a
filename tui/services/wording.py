"""Small wording helpers shared by screens and services: proper plurals, never "problem(s)"."""

from __future__ import annotations


def plural(count: int, noun: str, many: str = "") -> str:
    """``plural(1, "problem")`` → "1 problem"; ``plural(3, "problem")`` → "3 problems"."""
    return f"{count} {noun if count == 1 else (many or noun + 's')}"
