"""Regex route paths (``~/…``) matched with RE2, a linear-time engine, never a backtracking one.

Kong writes route regexes in PCRE syntax and anchors them at the start of the path. RE2 reads
most of it; this module translates the few spellings that differ (``(?<name>…)`` groups,
``\\Z``) and refuses what RE2 cannot do at all (look-around, back-references, atomic groups,
possessive quantifiers), so a publish is told at once instead of a route silently never
matching. Compiled patterns are cached; their program size is capped so no pattern can make
matching expensive, and RE2's time is linear in the path length whatever the pattern.
"""

from __future__ import annotations

import re
from functools import lru_cache

import re2

MAX_PROGRAM_SIZE = 2000  # RE2 instructions; a route regex is small
MAX_PATTERN_LENGTH = 1024

# PCRE constructs RE2 does not implement (RE2 guarantees linear time by leaving them out).
_UNSUPPORTED = (
    (re.compile(r"\(\?<?[=!]"), "look-around assertions"),
    (re.compile(r"\\[1-9]|\\g\{?-?\d|\\k[<{']"), "back-references"),
    (re.compile(r"\(\?>"), "atomic groups"),
    (re.compile(r"(?<!\\)[*+?}]\+"), "possessive quantifiers"),
    (re.compile(r"\(\?[|R0-9]|\(\?&|\(\?P>"), "recursion or branch reset"),
)


class RegexProblem(ValueError):
    """Why a route regex is refused (the text after ``invalid regex: '<re>'``)."""


def translate(pattern: str) -> str:
    """Kong/PCRE spelling → RE2 spelling (same meaning)."""
    for finder, what in _UNSUPPORTED:
        if finder.search(pattern):
            raise RegexProblem(
                f"the sandbox matches regex paths with RE2, which has no {what}; "
                "rewrite the path without them"
            )
    out = re.sub(r"\(\?<([A-Za-z_][A-Za-z0-9_]*)>", r"(?P<\1>", pattern)
    return out.replace(r"\Z", r"(?:\n?\z)")


@lru_cache(maxsize=1024)
def compile_path(regex: str) -> re2._Regexp:
    """The RE2 pattern for a route path written ``~<regex>``; RegexProblem when refused."""
    if len(regex) > MAX_PATTERN_LENGTH:
        raise RegexProblem(f"longer than {MAX_PATTERN_LENGTH} characters")
    if any(ord(c) < 0x20 or ord(c) == 0x7F for c in regex):
        raise RegexProblem("contains control characters")
    translated = translate(regex)
    options = re2.Options()
    options.max_mem = 1 << 20
    options.log_errors = False
    try:
        compiled = re2.compile(translated, options)
    except re2.error as exc:
        reason = exc.args[0] if exc.args else exc
        if isinstance(reason, bytes):
            reason = reason.decode("utf-8", "replace")
        raise RegexProblem(f"RE2 returned: {reason}") from None
    if program_size(compiled) > MAX_PROGRAM_SIZE:
        raise RegexProblem(f"too complex (more than {MAX_PROGRAM_SIZE} RE2 instructions)")
    return compiled


def program_size(compiled: object) -> int:
    """RE2's own measure of a pattern's size (its matching work per character is bounded by it)."""
    size = getattr(compiled, "programsize", None)
    if size is None:  # older wrappers expose the C++ object
        size = compiled._regexp.ProgramSize()  # type: ignore[attr-defined]
    return int(size)


def problem(regex: str) -> str | None:
    """None when the regex is usable, else the reason it is refused."""
    try:
        compile_path(regex)
    except RegexProblem as exc:
        return str(exc)
    return None


def match_prefix(regex: str, path: str) -> str | None:
    """The part of ``path`` the route regex matches from its start, or None."""
    try:
        compiled = compile_path(regex)
    except RegexProblem:
        return None
    found = compiled.match(path)
    return found.group(0) if found else None
