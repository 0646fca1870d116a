"""Small wording helpers shared by screens and services: proper plurals, never "problem(s)"."""

from __future__ import annotations


def plural(count: int, noun: str, many: str = "") -> str:
    """``plural(1, "problem")`` → "1 problem"; ``plural(3, "problem")`` → "3 problems"."""
    return f"{count} {noun if count == 1 else (many or noun + 's')}"


def published_label(key: str) -> str:
    """One published resource ("Kind name"), in words: the services go as one publish."""
    kind, _, name = key.partition(" ")
    if kind == "GatewayService":
        return "Gateway Services (Kong)" if name == "Gateway Services" else f"GatewayService {name}"
    return key


def published_list(keys: list[str]) -> str:
    return ", ".join(published_label(k) for k in keys)
