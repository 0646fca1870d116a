"""Lua's ``string.match`` for the patterns Kong plugins use, translated to Python regexes.

``jwt-keycloak`` accepts a token audience that, read as a *Lua pattern*, matches
``allowed_aud`` (docs/contract.md#s13, row 4). Lua patterns differ from regexes: ``%`` escapes,
``-`` is a lazy ``*``, and ``%a``/``%d``/… are classes. Captures, back-references, ``%b``
and ``%f`` are not supported here: such a pattern simply does not match.
"""

from __future__ import annotations

import re
from functools import lru_cache

_CLASSES = {
    "a": "A-Za-z",
    "d": "0-9",
    "l": "a-z",
    "u": "A-Z",
    "s": r"\t\n\v\f\r ",
    "w": "A-Za-z0-9",
    "x": "0-9A-Fa-f",
    "p": re.escape("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"),
    "c": r"\x00-\x1f\x7f",
}


class _Unsupported(Exception):
    """A pattern this translation does not support: ``to_regex`` answers None (no match).

    Raised without a message: nothing reads it.
    """


def _class(letter: str) -> tuple[str, bool]:
    """(set body, negated) for %a … %X."""
    body = _CLASSES.get(letter.lower())
    if body is None:
        raise _Unsupported
    return body, letter.isupper()


def _single(pattern: str, i: int) -> tuple[str, int]:
    """One Lua single-character class starting at ``i`` → (regex, next index)."""
    ch = pattern[i]
    if ch == ".":
        return "(?s:.)", i + 1
    if ch == "%":
        if i + 1 >= len(pattern):  # a trailing %
            raise _Unsupported
        nxt = pattern[i + 1]
        if nxt.isalnum():  # a class; %b, %f and %1 … (no class of that name) are unsupported
            body, negated = _class(nxt)
            return f"[{'^' if negated else ''}{body}]", i + 2
        return re.escape(nxt), i + 2
    if ch == "[":
        j = i + 1
        out = "["
        if j < len(pattern) and pattern[j] == "^":
            out += "^"
            j += 1
        start = j  # a ] there is a literal
        while j < len(pattern) and (pattern[j] != "]" or j == start):
            c = pattern[j]
            if c == "%" and j + 1 < len(pattern):
                nxt = pattern[j + 1]
                if nxt.isalnum():
                    body, negated = _class(nxt)
                    if negated:  # %A … inside a set
                        raise _Unsupported
                    out += body
                else:
                    out += re.escape(nxt)
                j += 2
            elif j + 2 < len(pattern) and pattern[j + 1] == "-" and pattern[j + 2] != "]":
                out += f"{re.escape(c)}-{re.escape(pattern[j + 2])}"
                j += 3
            else:
                out += re.escape(c)
                j += 1
        if j >= len(pattern):  # no closing ]
            raise _Unsupported
        return out + "]", j + 1
    if ch in "()":  # captures
        raise _Unsupported
    return re.escape(ch), i + 1


@lru_cache(maxsize=512)
def to_regex(pattern: str) -> re.Pattern[str] | None:
    try:
        i, out = 0, ""
        if pattern.startswith("^"):
            out, i = r"\A", 1
        while i < len(pattern):
            if pattern[i] == "$" and i == len(pattern) - 1:
                out += r"\Z"
                break
            atom, i = _single(pattern, i)
            if i < len(pattern) and pattern[i] in "*+-?":
                atom += {"*": "*", "+": "+", "-": "*?", "?": "?"}[pattern[i]]
                i += 1
            out += atom
        return re.compile(out)
    except (_Unsupported, re.error):
        return None


def lua_match(subject: str, pattern: str) -> bool:
    """``string.match(subject, pattern) ~= nil``."""
    compiled = to_regex(pattern)
    return bool(compiled and compiled.search(subject))
