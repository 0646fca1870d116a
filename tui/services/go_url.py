"""Go's ``net/url`` ``Parse`` and ``URL.String``, as far as ``gwa generate-config`` uses them.

generate-config (docs/contract.md#s6.3) splits ``--upstream`` with ``url.Parse`` and writes ``Host``
(with ``:port``), ``Port()``, ``Scheme``, the decoded ``Path`` and, for quick-start, the whole
``String()``. This module reproduces those rules, including the errors ``Parse`` raises, so
the generated YAML is byte-identical. Go works on bytes, so this port works on UTF-8 bytes
too and hands text back decoded with ``surrogateescape``.

Checked against Go's own ``net/url`` on 20,000 generated URLs (see tests/services for the
golden files that came out of that comparison).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

_HOST, _ZONE, _PATH, _USER, _FRAGMENT = "host", "zone", "path", "user", "fragment"
_ALNUM = frozenset(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
_HEX = frozenset(b"0123456789abcdefABCDEF")
_USERINFO_OK = _ALNUM | frozenset(b"-._:~!$&'()*+,;=%@")


class GoURLError(ValueError):
    """``url.Parse`` failed; the text is Go's reason."""


@dataclass(frozen=True)
class GoURL:
    scheme: str = ""
    opaque: str = ""
    user: tuple[str, str | None] | None = None
    host: str = ""
    path: str = ""
    raw_path: str = ""
    omit_host: bool = False
    force_query: bool = False
    raw_query: str = ""
    fragment: str = ""
    raw_fragment: str = ""

    def port(self) -> str:
        host = self.host.encode("utf-8", "surrogateescape")
        colon = host.rfind(b":")
        if colon != -1 and _valid_port(host[colon:]):
            return host[colon + 1 :].decode()
        return ""

    def __str__(self) -> str:
        out = ""
        if self.scheme:
            out += self.scheme + ":"
        if self.opaque:
            out += self.opaque
        else:
            if (self.scheme or self.host or self.user is not None) and not (
                self.omit_host and not self.host and self.user is None
            ):
                if self.host or self.path or self.user is not None:
                    out += "//"
                if self.user is not None:
                    name, password = self.user
                    out += _escape(name, _USER)
                    if password is not None:
                        out += ":" + _escape(password, _USER)
                    out += "@"
                if self.host:
                    out += _escape(self.host, _HOST)
            path = self._escaped(self.raw_path, self.path, _PATH)
            if path and not path.startswith("/") and self.host:
                out += "/"
            if not out and ":" in path.split("/", 1)[0]:
                out += "./"
            out += path
        if self.force_query or self.raw_query:
            out += "?" + self.raw_query
        if self.fragment:
            out += "#" + self._escaped(self.raw_fragment, self.fragment, _FRAGMENT)
        return out

    @staticmethod
    def _escaped(raw: str, decoded: str, mode: str) -> str:
        if raw and _valid_encoded(raw, mode):
            try:
                if _unescape(raw, mode) == decoded:
                    return raw
            except GoURLError:
                pass
        if mode == _PATH and decoded == "*":
            return "*"
        return _escape(decoded, mode)


def _b(text: str) -> bytes:
    return text.encode("utf-8", "surrogateescape")


def _s(data: bytes) -> str:
    return data.decode("utf-8", "surrogateescape")


def _valid_port(colon_port: bytes) -> bool:
    if not colon_port:
        return True
    return colon_port[:1] == b":" and all(48 <= c <= 57 for c in colon_port[1:])


def _should_escape(c: int, mode: str) -> bool:
    if c in _ALNUM:
        return False
    if mode in (_HOST, _ZONE) and c in b"!$&'()*+,;=:[]<>\"":
        return False
    if c in b"-_.~":
        return False
    if c in b"$&+,/:;=?@":
        if mode == _PATH:
            return c == ord("?")
        if mode == _USER:
            return c in b"@/?:"
        if mode == _FRAGMENT:
            return False
    return not (mode == _FRAGMENT and c in b"!()*")


def _valid_encoded(text: str, mode: str) -> bool:
    return all(c in b"!$&'()*+,;=:@[]%" or not _should_escape(c, mode) for c in _b(text))


def _escape(text: str, mode: str) -> str:
    out = bytearray()
    for c in _b(text):
        out += b"%%%02X" % c if _should_escape(c, mode) else bytes([c])
    return _s(bytes(out))


def _unescape(text: str, mode: str) -> str:
    data = _b(text)
    out = bytearray()
    i = 0
    while i < len(data):
        c = data[i]
        if c == 0x25:  # %
            chunk = data[i : i + 3]
            if i + 2 >= len(data) or data[i + 1] not in _HEX or data[i + 2] not in _HEX:
                raise GoURLError(f'invalid URL escape "{_s(data[i : i + 3])}"')
            value = int(chunk[1:], 16)
            if mode == _HOST and value < 0x80 and chunk != b"%25":
                raise GoURLError(f'invalid URL escape "{_s(chunk)}"')
            if mode == _ZONE and chunk != b"%25" and value != 0x20 and _should_escape(value, _HOST):
                raise GoURLError(f'invalid URL escape "{_s(chunk)}"')
            out.append(value)
            i += 3
            continue
        if mode in (_HOST, _ZONE) and c < 0x80 and _should_escape(c, mode):
            raise GoURLError(f'invalid character "{chr(c)}" in host name')
        out.append(c)
        i += 1
    return _s(bytes(out))


def _parse_host(host: str) -> str:
    if host.startswith("["):
        close = host.rfind("]")
        if close < 0:
            raise GoURLError("missing ']' in host")
        if not _valid_port(_b(host[close + 1 :])):
            raise GoURLError(f'invalid port "{host[close + 1 :]}" after host')
        zone = host.find("%25", 0, close)
        if zone >= 0:
            return (
                _unescape(host[:zone], _HOST)
                + _unescape(host[zone:close], _ZONE)
                + _unescape(host[close:], _HOST)
            )
    elif (colon := host.rfind(":")) != -1 and not _valid_port(_b(host[colon:])):
        raise GoURLError(f'invalid port "{host[colon:]}" after host')
    return _unescape(host, _HOST)


def go_url_parse(raw: str) -> GoURL:
    """Go's ``url.Parse(raw)`` (not via a request); raises :class:`GoURLError`."""
    rest, _, frag = raw.partition("#")
    if any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in rest):
        raise GoURLError("net/url: invalid control character in URL")
    if rest == "*":
        return _with_fragment(GoURL(path="*"), frag)
    fields: dict[str, Any] = {}
    scheme = ""
    for i, ch in enumerate(rest):
        if ch.isascii() and ch.isalpha():
            continue
        if ch.isascii() and (ch.isdigit() or ch in "+-."):
            if i == 0:
                break
            continue
        if ch == ":":
            if i == 0:
                raise GoURLError("missing protocol scheme")
            scheme, rest = rest[:i].lower(), rest[i + 1 :]
        break
    fields["scheme"] = scheme
    if rest.endswith("?") and rest.count("?") == 1:
        fields["force_query"], rest = True, rest[:-1]
    else:
        rest, _, fields["raw_query"] = rest.partition("?")
    if not rest.startswith("/"):
        if scheme:
            return _with_fragment(GoURL(opaque=rest, **fields), frag)
        if ":" in rest.split("/", 1)[0]:
            raise GoURLError("first path segment in URL cannot contain colon")
    if (scheme or not rest.startswith("///")) and rest.startswith("//"):
        authority, slash, tail = rest[2:].partition("/")
        rest = slash + tail
        at = authority.rfind("@")
        fields["host"] = _parse_host(authority[at + 1 :])
        if at >= 0:
            info = authority[:at]
            if not all(c in _USERINFO_OK for c in _b(info)):
                raise GoURLError("net/url: invalid userinfo")
            name, colon, password = info.partition(":")
            fields["user"] = (_unescape(name, _USER), _unescape(password, _USER) if colon else None)
    elif scheme and rest.startswith("/"):
        fields["omit_host"] = True
    fields["path"] = _unescape(rest, _PATH)
    fields["raw_path"] = "" if _escape(fields["path"], _PATH) == rest else rest
    return _with_fragment(GoURL(**fields), frag)


def _with_fragment(url: GoURL, frag: str) -> GoURL:
    if not frag:
        return url
    decoded = _unescape(frag, _FRAGMENT)
    raw = "" if _escape(decoded, _FRAGMENT) == frag else frag
    return GoURL(**{**url.__dict__, "fragment": decoded, "raw_fragment": raw})
