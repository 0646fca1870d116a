"""Reading the gateway YAML into documents the way ``gwa apply`` (gopkg.in/yaml.v3) does.

Only ``true``/``false`` are booleans (``yes``/``on`` stay strings) and dates stay the text they
were written as. Aliases are allowed but capped, so a "billion laughs" file or a
self-referencing alias is a :class:`ManifestProblem`, not a hang. Every syntax error becomes
one problem with its line, column and a fix in plain words.
"""

from __future__ import annotations

import re
from typing import Any, cast

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from tui.services.manifest_nodes import Document, ManifestProblem, child, scalar_text

MAX_CHARS = 1_000_000  # a generated config is about 2 KB
MAX_NODES = 100_000  # after expanding aliases

_BOOL = "tag:yaml.org,2002:bool"
_TIMESTAMP = "tag:yaml.org,2002:timestamp"


class _Loader(yaml.SafeLoader):
    """SafeLoader with yaml.v3's reading of booleans and timestamps.

    PyYAML resolves ``<<`` merges by rewriting the node tree; this loader merges into the
    constructed data only and leaves the nodes as written, so lines and duplicate-key checks
    see the file as the learner wrote it.
    """

    def construct_mapping(self, node: Node, deep: bool = False) -> dict[Any, Any]:
        if not isinstance(node, MappingNode):  # PyYAML's own error: "expected a mapping node"
            return super().construct_mapping(cast(MappingNode, node), deep=deep)
        written = node.value
        node.value = list(written)
        try:
            return super().construct_mapping(node, deep=deep)
        finally:
            node.value = written


_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag not in (_BOOL, _TIMESTAMP)]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(
    _BOOL, re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


class _TooMuch(Exception):
    pass


def _check_expansion(root: Node, budget: list[int]) -> None:
    """Count nodes as if aliases were copied; refuse cycles and runaway expansion."""
    memo: dict[int, int] = {}
    active: set[int] = set()

    def size(node: Node) -> int:
        key = id(node)
        if key in memo:
            return memo[key]
        if key in active:
            raise _TooMuch("an alias refers to the node that contains it")
        active.add(key)
        total = 1
        if isinstance(node, SequenceNode):
            total += sum(size(child) for child in node.value)
        elif isinstance(node, MappingNode):
            total += sum(size(k) + size(v) for k, v in node.value)
        active.discard(key)
        memo[key] = total
        if total > budget[0]:
            raise _TooMuch("aliases (*name) expand to far more data than a gateway config has")
        return total

    budget[0] -= size(root)


_FRIENDLY = (
    ("'\\t' that cannot start any token", "A tab character: YAML indentation must use spaces."),
    (
        "mapping values are not allowed here",
        "Unexpected ':' here: check this line's indentation, or quote a value that contains ': '.",
    ),
    (
        "did not find expected key",
        "The indentation does not match the lines around it: line "
        "this key up with the other keys of its block.",
    ),
    (
        "expected <block end>",
        "The indentation does not match the lines around it: line this "
        "line up with the other entries of its block.",
    ),
    ("could not find expected ':'", "A key is missing its ':' (or a quote is not closed)."),
    ("found unexpected end of stream", "A quote or bracket is not closed."),
    ("found undefined alias", "An alias (*name) has no anchor (&name) above it."),
    ("did not find expected node content", "A value is missing or a flow list/map is broken."),
    (
        "found character that cannot start any token",
        "This character cannot start a value: quote the value.",
    ),
)


def _syntax_problem(exc: yaml.YAMLError, text: str) -> ManifestProblem:
    if isinstance(exc, yaml.reader.ReaderError):
        before = text[: exc.position]
        line, column = before.count("\n") + 1, len(before) - (before.rfind("\n") + 1) + 1
        return ManifestProblem(
            line,
            column,
            f"The file contains a control character (code "
            f"{exc.character:#x}) that YAML does not allow: delete it.",
        )
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    raw = getattr(exc, "problem", None) or str(exc)
    friendly = next((text for needle, text in _FRIENDLY if needle in raw), "The YAML is not valid.")
    if mark is None:
        return ManifestProblem(1, 1, f"{friendly} (YAML: {raw})")
    return ManifestProblem(mark.line + 1, mark.column + 1, f"{friendly} (YAML: {raw})")


def _document_lines(node: Node, lines: list[str]) -> tuple[int, int]:
    start = node.start_mark.line + 1
    end = node.end_mark.line + (0 if node.end_mark.column == 0 else 1)
    if isinstance(node, ScalarNode) and node.value == "":
        # an empty document: point at the '---' that opened it
        row = min(node.start_mark.line, len(lines) - 1)
        while row > 0 and not lines[row].startswith("---"):
            row -= 1
        start = row + 1
    return start, max(start, end)


def load(text: str) -> tuple[list[Document], list[ManifestProblem]]:
    """Every document that reads cleanly, plus the first syntax problem if any."""
    if len(text) > MAX_CHARS:
        return [], [
            ManifestProblem(
                1,
                1,
                f"The file is too large ({len(text):,} characters); a gateway "
                "config is a few kilobytes.",
            )
        ]
    lines = text.splitlines() or [""]
    documents: list[Document] = []
    budget = [MAX_NODES]
    loader: _Loader | None = None
    try:
        loader = _Loader(text)
        while loader.check_node():
            node = loader.get_node()
            if node is None:  # pragma: no cover - check_node said there is one
                break
            first, last = _document_lines(node, lines)
            _check_expansion(node, budget)
            data = loader.construct_document(node)
            kind = scalar_text(child(node, "kind"))
            name = scalar_text(child(node, "name"))
            documents.append(Document(kind, name, first, last, data, node))
        return documents, []
    except yaml.YAMLError as exc:
        return documents, [_syntax_problem(exc, text)]
    except _TooMuch as exc:
        return documents, [ManifestProblem(1, 1, f"The YAML cannot be used: {exc}.")]
    except RecursionError:
        return documents, [
            ManifestProblem(1, 1, "The YAML is nested too deeply to be a gateway config.")
        ]
    except (ValueError, TypeError, OverflowError) as exc:  # e.g. a bad !!binary or !!float
        return documents, [
            ManifestProblem(1, 1, f"The YAML has a value that cannot be read: {exc}")
        ]
    finally:
        if loader is not None:
            loader.dispose()
