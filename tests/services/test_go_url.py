"""Go's url.Parse / URL.String as generate-config uses them: the parts, the text, the errors."""

from __future__ import annotations

import pytest

from tui.services.go_url import GoURLError, go_url_parse


@pytest.mark.parametrize(
    ("raw", "scheme", "host", "port", "path"),
    [
        ("https://httpbin.org", "https", "httpbin.org", "", ""),
        ("HTTP://httpbin.org/", "http", "httpbin.org", "", "/"),  # the scheme is lower-cased
        ("http://127.0.0.1:8462/a%20b", "http", "127.0.0.1:8462", "8462", "/a b"),
        ("http://[::1]:80/x", "http", "[::1]:80", "80", "/x"),
        ("http://[fe80::1%25en0]:8080/", "http", "[fe80::1%en0]:8080", "8080", "/"),
        ("http://h:/p", "http", "h:", "", "/p"),  # an empty port is allowed, and no port
        ("//h/p", "", "h", "", "/p"),  # no scheme, still an authority
        ("/x:y", "", "", "", "/x:y"),  # a colon after the first slash is fine
    ],
)
def test_the_parts_generate_config_writes(raw, scheme, host, port, path) -> None:
    url = go_url_parse(raw)
    assert (url.scheme, url.host, url.port(), url.path) == (scheme, host, port, path)


@pytest.mark.parametrize(
    ("raw", "text"),
    [
        ("https://httpbin.org", "https://httpbin.org"),
        ("http://127.0.0.1:8462/a%20b", "http://127.0.0.1:8462/a%20b"),
        ("http://h/a%2Fb", "http://h/a%2Fb"),  # an escaped slash is kept as written
        ("http://h/a b", "http://h/a%20b"),  # a space in the path is escaped
        ("http://u:p%40@h/", "http://u:p%40@h/"),  # user info, an @ in the password
        ("http://u@h/", "http://u@h/"),  # a user without a password
        ("http://h/p?", "http://h/p?"),  # an empty query is kept
        ("http://h/p?a=1&b", "http://h/p?a=1&b"),
        ("http://h/#a b", "http://h/#a%20b"),  # the fragment is escaped
        ("http://h/#x%2Fy", "http://h/#x%2Fy"),
        ("http://[fe80::1%25en0]:8080/", "http://[fe80::1%25en0]:8080/"),
        ("mailto:x@y", "mailto:x@y"),  # opaque
        ("http:/p", "http:/p"),  # a scheme, a path, no host
        ("*", "*"),
        ("//h/p", "//h/p"),
        ("h", "h"),
    ],
)
def test_string_is_what_go_writes(raw: str, text: str) -> None:
    assert str(go_url_parse(raw)) == text


def test_opaque_urls_keep_their_text() -> None:
    url = go_url_parse("mailto:x@y")
    assert (url.scheme, url.opaque, url.host) == ("mailto", "x@y", "")


def test_user_info_is_decoded() -> None:
    assert go_url_parse("http://u:p%40@h/").user == ("u", "p@")
    assert go_url_parse("http://u@h/").user == ("u", None)


def test_a_query_and_a_fragment_are_split_off() -> None:
    url = go_url_parse("http://h/p?a=1#frag")
    assert (url.path, url.raw_query, url.fragment) == ("/p", "a=1", "frag")
    assert go_url_parse("http://h/p?").force_query


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("://x", "missing protocol scheme"),
        ("http://h:80x/", 'invalid port ":80x" after host'),
        ("http://[::1]x/", 'invalid port "x" after host'),
        ("http://[::1/", "missing ']' in host"),
        ("1a:b", "first path segment in URL cannot contain colon"),
        ("http://h/\x01", "net/url: invalid control character in URL"),
        ("http://h/\x7f", "net/url: invalid control character in URL"),
        ("http://a b/", 'invalid character " " in host name'),
        ("http://%41/", 'invalid URL escape "%41"'),
        ("http://h/%zz", 'invalid URL escape "%zz"'),
        ("http://h/%4", 'invalid URL escape "%4"'),
        ("http://us er@h/", "net/url: invalid userinfo"),
        ("http://h/#%x", 'invalid URL escape "%x"'),
    ],
)
def test_the_errors_go_gives(raw: str, reason: str) -> None:
    with pytest.raises(GoURLError) as caught:
        go_url_parse(raw)
    assert str(caught.value) == reason
