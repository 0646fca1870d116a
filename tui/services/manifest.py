"""The gateway YAML the learner reviews: parse with line numbers, validate, explain, payloads.

Line and column conventions (read this before wiring a screen):

* :class:`ManifestProblem` ``line``/``column`` and :class:`Document` ``line``/``end_line`` are
  **1-based**, as people count lines ("line 12"). To move a TextArea cursor to a problem,
  use ``(problem.line - 1, problem.column - 1)``.
* :func:`field_at` takes the TextArea cursor as it is: **0-based** ``(row, column)``.

Reading the text into documents (as ``gwa apply`` reads it, aliases capped, syntax errors in
plain words) is :mod:`tui.services.manifest_load`; the checks are
:mod:`tui.services.manifest_checks`.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from typing import Any

from yaml.nodes import MappingNode, Node, SequenceNode

from tui.services.errors import WizardError
from tui.services.field_help import explain
from tui.services.manifest_checks import NOT_SUPPORTED, check_documents
from tui.services.manifest_load import load as _load
from tui.services.manifest_nodes import Document, ManifestProblem, child, mapping_items, scalar_text
from tui.services.templates import write_config

__all__ = [
    "Document",
    "Manifest",
    "ManifestError",
    "ManifestProblem",
    "ApplyPayload",
    "parse",
    "validate",
    "explain",
    "field_at",
    "summarize",
    "to_apply_payloads",
    "save_atomic",
    "KNOWN_KINDS",
]

# gwa apply's kind → portal resource (docs/contract.md#s7.1); GatewayService goes to gwa-api instead
KIND_ACTIONS = {
    "CredentialIssuer": "issuer",
    "DraftDataset": "dataset",
    "Product": "product",
    "Environment": "environment",
}
KNOWN_KINDS = ("GatewayService", *KIND_ACTIONS)


@dataclass(frozen=True)
class Manifest:
    documents: list[Document]

    def of_kind(self, kind: str) -> list[Document]:
        return [d for d in self.documents if d.kind == kind]


@dataclass(frozen=True)
class ManifestError(WizardError):
    problems: tuple[ManifestProblem, ...] = ()


@dataclass(frozen=True)
class ApplyPayload:
    """One thing ``gwa apply`` sends. ``action`` None means gwa skips it (unknown kind)."""

    kind: str
    name: str
    action: str | None  # "gateway" | "issuer" | "dataset" | "product" | "environment" | None
    body: dict[str, Any]
    line: int


def parse(text: str) -> Manifest:
    """All documents with their kinds, names and lines; raises :class:`ManifestError`."""
    documents, problems = _load(text)
    if problems:
        first = problems[0]
        raise ManifestError(
            f"Line {first.line}, column {first.column}: {first.message}",
            why="The file is not valid YAML, so nothing in it can be read.",
            fix="Fix the line shown, then save again.",
            retryable=False,
            problems=tuple(problems),
        )
    return Manifest(documents)


def summarize(text: str) -> list[tuple[str, str, int]]:
    """(kind, name, 1-based line) of each document that reads cleanly, for the list view."""
    documents, _ = _load(text)
    return [(d.kind or "?", d.name or "", d.line) for d in documents]


def validate(text: str, gateway_id: str, *, live: bool = False) -> list[ManifestProblem]:
    """Every problem found, sorted by line. ``live``: also apply APS's upstream rules."""
    documents, problems = _load(text)
    if problems:
        return problems
    if not documents:
        return [
            ManifestProblem(
                1, 1, "The file has no documents: generate it again on the Template step."
            )
        ]
    found = check_documents(documents, gateway_id, live=live)
    return sorted(set(found), key=lambda p: (p.line, p.column, p.message))


# --- cursor → field ---------------------------------------------------------------------------


def _walk(
    node: Node, path: tuple[str, ...], out: list[tuple[tuple[str, ...], Node, Node]], seen: set[int]
) -> None:
    """Collect (key path, key node, value node); an aliased node is walked once, where its
    anchor is, so the cursor finds the text that is really there."""
    if id(node) in seen:
        return
    seen.add(id(node))
    if isinstance(node, MappingNode):
        for key, key_node, value in mapping_items(node):
            here = (*path, key)
            out.append((here, key_node, value))
            _walk(value, here, out, seen)
    elif isinstance(node, SequenceNode):
        for item in node.value:
            inner = path
            if path[-1:] == ("plugins",):
                plugin = scalar_text(child(item, "name"))
                inner = (*path, plugin) if plugin else path
            _walk(item, inner, out, seen)


def field_at(text: str, line: int, column: int) -> tuple[str, ...] | None:
    """The key path under a **0-based** (row, column) cursor, e.g.
    ``("GatewayService", "plugins", "jwt-keycloak", "config", "allowed_aud")``.

    The first element is the document's kind (``"?"`` when it has none); list positions are
    left out, except that a plugin's name follows ``"plugins"``. None when the cursor is on
    no field (a blank line, ``---``), or the YAML does not parse up to there.
    """
    rows = text.splitlines()
    if 0 <= line < len(rows):
        # on the indentation or the "- " of a list item: take the first key of that line
        lead = len(_LEAD.match(rows[line]).group())  # type: ignore[union-attr]
        column = max(min(column, len(rows[line].rstrip()) - 1), lead)
    for first, last, pairs in _field_index(text):
        if not first - 1 <= line <= last - 1:
            continue
        here = (line, column)
        inside = [
            path
            for path, key_node, value in pairs
            if (key_node.start_mark.line, key_node.start_mark.column)
            <= here
            < _end(key_node, value)
        ]
        if inside:
            return max(inside, key=len)
        on_line = [path for path, key_node, _ in pairs if key_node.start_mark.line == line]
        if on_line:
            return min(on_line, key=len)
    return None


def _end(key_node: Node, value: Node) -> tuple[int, int]:
    """Where a key's value ends; an alias (*name) points back at its anchor, so it ends with
    the key's line."""
    if value.end_mark.index <= key_node.start_mark.index:
        return (key_node.start_mark.line, 1 << 30)
    return (value.end_mark.line, value.end_mark.column)


_LEAD = re.compile(r"[ ]*(?:-[ ]+)*")
_Pairs = list[tuple[tuple[str, ...], Node, Node]]
_index_cache: dict[str, list[tuple[int, int, _Pairs]]] = {}


def _field_index(text: str) -> list[tuple[int, int, _Pairs]]:
    """Key paths and nodes per document, kept for the last text (the cursor moves often)."""
    cached = _index_cache.get(text)
    if cached is not None:
        return cached
    index = []
    for document in _load(text)[0]:
        pairs: _Pairs = []
        if document.node is not None:
            _walk(document.node, (document.kind or "?",), pairs, set())
        index.append((document.line, document.end_line, pairs))
    _index_cache.clear()
    _index_cache[text] = index
    return index


# --- what apply sends -------------------------------------------------------------------------


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, (set, frozenset)):
        return {str(k): None for k in value}
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return value


def to_apply_payloads(text: str) -> list[ApplyPayload]:
    """What ``gwa apply`` sends, in its order (docs/contract.md#s7.1).

    First one ``GatewayService`` payload ``{"services": [doc minus kind, ...]}`` (if the file
    has any), then every other document minus ``kind`` in file order. Raises
    :class:`ManifestError` where gwa would stop: bad YAML, or a document without ``kind``
    (``This config template is not supported``).
    """
    manifest = parse(text)
    services: list[dict[str, Any]] = []
    first_service_line = 0
    rest: list[ApplyPayload] = []
    for doc in manifest.documents:
        if not isinstance(doc.data, dict) or not isinstance(doc.data.get("kind"), str):
            raise ManifestError(
                NOT_SUPPORTED,
                why=f"The document at line {doc.line} has no kind: line.",
                fix="Add kind: (GatewayService, CredentialIssuer, DraftDataset or Product), or "
                "remove the empty document (often a stray ---).",
                retryable=False,
                problems=(ManifestProblem(doc.line, 1, NOT_SUPPORTED),),
            )
        body = _jsonable({k: v for k, v in doc.data.items() if k != "kind"})
        if doc.kind == "GatewayService":
            services.append(body)
            first_service_line = first_service_line or doc.line
            continue
        name = body.get("name")
        rest.append(
            ApplyPayload(
                doc.data["kind"],
                "" if name is None else str(name),
                KIND_ACTIONS.get(doc.data["kind"]),
                body,
                doc.line,
            )
        )
    if services:
        gateway = ApplyPayload(
            "GatewayService",
            "Gateway Services",
            "gateway",
            {"services": services},
            first_service_line,
        )
        return [gateway, *rest]
    return rest


def save_atomic(path: Any, text: str) -> Any:
    """Write the reviewed file atomically (same rules as the Template step's writer)."""
    return write_config(text, path)
