"""YAML node helpers shared by the manifest checks: find keys, read scalars, point at lines."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

NULL_TAG = "tag:yaml.org,2002:null"
BOOL_TAG = "tag:yaml.org,2002:bool"
INT_TAG = "tag:yaml.org,2002:int"


@dataclass(frozen=True)
class Document:
    kind: str | None
    name: str | None
    line: int  # 1-based first line of the document's content
    end_line: int  # 1-based last line
    data: Any
    node: Node | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class ManifestProblem:
    line: int  # 1-based
    column: int  # 1-based
    message: str
    severity: str = "error"  # "error" (apply would fail or misbehave) | "warning"


# --- node helpers ------------------------------------------------------------------------------


def scalar_text(node: Node | None) -> str | None:
    if isinstance(node, ScalarNode) and node.tag != NULL_TAG:
        return str(node.value)
    return None


def mapping_items(node: Node | None) -> list[tuple[str, Node, Node]]:
    """(key text, key node, value node) of a mapping node; [] for anything else."""
    if not isinstance(node, MappingNode):
        return []
    return [(str(k.value) if isinstance(k, ScalarNode) else "", k, v) for k, v in node.value]


def child(node: Node | None, key: str) -> Node | None:
    """The value of ``key``, following ``<<`` merges the way YAML loading does (own keys
    first, then the merged mappings in order)."""
    pairs = mapping_items(node)
    found = [v for text, _, v in pairs if text == key]
    if found:
        return found[-1]
    for text, _, value in pairs:
        if text != "<<":
            continue
        sources = value.value if isinstance(value, SequenceNode) else [value]
        for source in sources:
            merged = child(source, key) if source is not node else None
            if merged is not None:
                return merged
    return None


def items(node: Node | None) -> list[Node]:
    return list(node.value) if isinstance(node, SequenceNode) else []


def at(node: Node, message: str, severity: str = "error") -> ManifestProblem:
    return ManifestProblem(node.start_mark.line + 1, node.start_mark.column + 1, message, severity)


def closest(word: str, choices: Iterable[str]) -> str:
    options = list(choices)
    same = [c for c in options if c.lower() == word.lower()]
    match = same or difflib.get_close_matches(word, options, n=1, cutoff=0.6)
    return f' Did you mean "{match[0]}"?' if match else ""


def check_enum(
    node: Node | None, allowed: tuple[str, ...], what: str, out: list[ManifestProblem]
) -> None:
    if node is None:
        return
    value = scalar_text(node)
    if value not in allowed:
        shown = "empty" if value is None else f'"{value}"'
        out.append(
            at(
                node,
                f"{what} is {shown}; the portal accepts only: {', '.join(allowed)}."
                + closest(value or "", allowed),
            )
        )


def check_bool(node: Node | None, what: str, out: list[ManifestProblem]) -> None:
    if node is not None and node.tag != BOOL_TAG:
        out.append(at(node, f"{what} must be true or false (without quotes)."))
