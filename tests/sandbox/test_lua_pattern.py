"""Lua patterns as jwt-keycloak reads a token's audience: what matches and what never does."""

from __future__ import annotations

import pytest

from tui.sandbox.lua_pattern import lua_match, to_regex

SUBJECT = "ap-gw-1a2b3-default-dev"


@pytest.fixture(autouse=True)
def patterns_read_afresh():
    """``to_regex`` remembers its translations per process: a translation cached by an earlier
    test (or by the process a mutation run forks from) would hide a bug from this one."""
    to_regex.cache_clear()


@pytest.mark.parametrize(
    ("pattern", "subject"),
    [
        ("ap%-gw", SUBJECT),  # %- is a literal dash
        ("^ap%-gw%-%x+%-default%-dev$", SUBJECT),  # anchored both ends, %x hex digits
        ("default", SUBJECT),  # unanchored: found anywhere, as string.match does
        ("d.v$", SUBJECT),  # . is any character
        ("^%a+%-", SUBJECT),  # %a letters
        ("%d%a%d", SUBJECT),  # %d digits
        ("^%l+", SUBJECT),  # %l lower case
        ("^%u+$", "ABC"),  # %u upper case
        ("^%w+$", "abc123"),  # %w alphanumerics
        ("a%sb", "a b"),  # %s space
        ("^%p$", "!"),  # %p punctuation
        ("^%c$", "\x01"),  # %c control characters
        ("^%D+$", "abc"),  # upper case letter: the complement
        ("^[abc]+$", "cab"),  # a set
        ("^[a-c]+$", "abcba"),  # a range in a set
        ("^[^0-9]+$", "abc"),  # a negated set
        ("^ab[^x]$", "abb"),  # a negated set after other characters excludes only its own
        ("^[%d%-]+$", "1-2"),  # classes and escapes inside a set
        ("^[%d_]+$", "1_2"),  # a class in a set, then more of the set
        ("^[^x]$", "^"),  # a negated set excludes only its own characters, not its ^
        ("^X%-ray$", "X-ray"),  # letters are literal, capitals too
        ("^[]x]+$", "]x"),  # a ] first in a set is literal
        ("^[a-]+$", "a-"),  # a trailing - in a set is literal
        ("^ab-c$", "ac"),  # - is a lazy *: zero b's
        ("^ab*c$", "abbc"),  # *
        ("^ab+c$", "abc"),  # +
        ("^ab?c$", "ac"),  # ?
        ("a$b", "a$b"),  # $ not at the end is literal
        ("%.", "a.b"),  # %. is a literal dot
    ],
)
def test_patterns_that_match(pattern: str, subject: str) -> None:
    assert lua_match(subject, pattern)


@pytest.mark.parametrize(
    ("pattern", "subject"),
    [
        ("ap-gw", "ap-gw"),  # "-" is a lazy quantifier on p: "agw" is what it means
        ("^default", SUBJECT),  # ^ anchors at the start
        ("^ap$", SUBJECT),  # $ anchors at the end
        ("%.", "ab"),  # escaped dot is not "any character"
        ("^%d+$", "12a"),
        ("^%D+$", "a1"),
        ("^%u+$", "AbC"),
        ("^[abc]+$", "abd"),
        ("^[^0-9]+$", "a1"),
        ("^ab+c$", "ac"),
        ("^ab?c$", "abbc"),
        ("^a.c$", "ac"),
    ],
)
def test_patterns_that_do_not_match(pattern: str, subject: str) -> None:
    assert not lua_match(subject, pattern)


@pytest.mark.parametrize(
    "pattern",
    [
        "(ap)",  # captures
        "%1",  # back-references
        "%b()",  # balanced match
        "%fx",  # frontier
        "%z",  # an unknown class
        "ab%",  # a trailing %
        "[abc",  # an unclosed set
        "[%D]",  # a negated class inside a set
    ],
)
def test_unsupported_patterns_never_match_anything(pattern: str) -> None:
    assert to_regex(pattern) is None
    assert not lua_match(pattern, pattern) and not lua_match(SUBJECT, pattern)


@pytest.mark.parametrize(
    ("letter", "member", "stranger"),
    [
        ("a", "b", "1"),
        ("d", "7", "X"),
        ("l", "q", "X"),
        ("u", "Q", "x"),
        ("s", "\t", "X"),
        ("w", "Z", "_"),
        ("x", "f", "X"),
        ("p", "~", "X"),
        ("c", "\x7f", "X"),
    ],
)
def test_each_class_matches_its_own_characters_only(letter: str, member: str, stranger: str):
    """``%a``, ``%d``, … as Lua defines them, and the upper-case letter as the complement."""
    assert lua_match(member, f"^%{letter}$") and not lua_match(stranger, f"^%{letter}$")
    upper = letter.upper()
    assert lua_match(stranger, f"^%{upper}$") and not lua_match(member, f"^%{upper}$")


def test_a_dot_matches_a_newline_too() -> None:
    assert lua_match("a\nb", "^a.b$")


@pytest.mark.parametrize("pattern", ["[a-", "[%", "%", "[", "[^", "[%]"])  # %] is no ]
def test_a_pattern_cut_short_never_matches(pattern: str) -> None:
    assert to_regex(pattern) is None
    assert not lua_match(SUBJECT, pattern)
