"""decK's words for a publish: entity labels and the multi-line ``-``/``+`` diff of an update.

decK prints ``creating plugin jwt-keycloak for service my-service`` (the service's name, not
its id) and, for an update, ``updating service my-service  {`` followed by the whole Kong
object one field per line, sorted by key: unchanged lines start with a space, the old value
of a changed field with ``-`` and the new one with ``+``, nested objects and arrays indented
two spaces per level (the ASCII formatter of the JSON diff library decK uses). Numbers are
JSON numbers printed the way Go prints a float64 (``60000``, ``1e+06``).
"""

from __future__ import annotations

import difflib
import json
from decimal import Decimal
from typing import Any

SAME, ADDED, DELETED = " ", "+", "-"

# What Kong stores for fields a declarative file leaves out (part of the object decK diffs).
SERVICE_DEFAULTS: dict[str, Any] = {
    "connect_timeout": 60000,
    "enabled": True,
    "port": 80,
    "protocol": "http",
    "read_timeout": 60000,
    "retries": 5,
    "write_timeout": 60000,
}
ROUTE_DEFAULTS: dict[str, Any] = {
    "https_redirect_status_code": 426,
    "path_handling": "v0",
    "preserve_host": False,
    "protocols": ["http", "https"],
    "regex_priority": 0,
    "request_buffering": True,
    "response_buffering": True,
    "strip_path": True,
}
PLUGIN_DEFAULTS: dict[str, Any] = {
    "enabled": True,
    "protocols": ["grpc", "grpcs", "http", "https"],
}


def kong_view(entity: dict[str, Any], defaults: dict[str, Any], **refs: Any) -> dict[str, Any]:
    """The Kong object decK compares: defaults filled in, children left out, parents by id."""
    own = {k: v for k, v in entity.items() if k not in ("routes", "plugins") and v is not None}
    view = {**defaults, **own}
    view.update({k: v for k, v in refs.items() if v is not None})
    return view


def go_number(value: float | int) -> str:
    """A JSON number as Go's ``%v`` prints the float64 it decodes to."""
    if isinstance(value, bool):
        return "true" if value else "false"
    number = Decimal(repr(float(value))).normalize()
    sign, digits, exponent = number.as_tuple()
    if not isinstance(exponent, int) or digits == (0,):
        return "0"
    text = "".join(str(d) for d in digits)
    point = len(text) + exponent  # position of the decimal point in ``text``
    exp = point - 1
    prefix = "-" if sign else ""
    if exp < -4 or exp >= 6:
        mantissa = text[0] + ("." + text[1:] if len(text) > 1 else "")
        return f"{prefix}{mantissa}e{'-' if exp < 0 else '+'}{abs(exp):02d}"
    if point <= 0:
        return f"{prefix}0.{'0' * -point}{text}"
    if point >= len(text):
        return prefix + text + "0" * (point - len(text))
    return f"{prefix}{text[:point]}.{text[point:]}"


# -- deltas ------------------------------------------------------------------------------------
class _Delta:
    def __init__(self, kind: str, position: str | int, old: Any = None, new: Any = None):
        self.kind, self.position, self.old, self.new = kind, position, old, new
        self.children: list[_Delta] = []


def _compare(position: str | int, old: Any, new: Any) -> _Delta | None:
    if _same(old, new):
        return None
    if isinstance(old, dict) and isinstance(new, dict):
        delta = _Delta("object", position, old, new)
        delta.children = _object_deltas(old, new)
        return delta
    if isinstance(old, list) and isinstance(new, list):
        delta = _Delta("array", position, old, new)
        delta.children = _array_deltas(old, new)
        return delta
    return _Delta("modified", position, old, new)


def _same(a: Any, b: Any) -> bool:
    return json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True)


def _object_deltas(old: dict[str, Any], new: dict[str, Any]) -> list[_Delta]:
    out: list[_Delta] = []
    for key in sorted(old):
        if key not in new:
            out.append(_Delta("deleted", key, old[key]))
        else:
            delta = _compare(key, old[key], new[key])
            if delta is not None:
                out.append(delta)
    out.extend(_Delta("added", key, new=new[key]) for key in sorted(new) if key not in old)
    return out


def _array_deltas(old: list[Any], new: list[Any]) -> list[_Delta]:
    if len(old) == len(new):
        pairs = (_compare(i, a, b) for i, (a, b) in enumerate(zip(old, new, strict=True)))
        return [d for d in pairs if d is not None]
    keys_old = [json.dumps(v, sort_keys=True) for v in old]
    keys_new = [json.dumps(v, sort_keys=True) for v in new]
    out: list[_Delta] = []
    matcher = difflib.SequenceMatcher(a=keys_old, b=keys_new, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag in ("delete", "replace"):
            out.extend(_Delta("deleted", i, old[i]) for i in range(i1, i2))
        if tag in ("insert", "replace"):
            out.extend(_Delta("added", j, new=new[j]) for j in range(j1, j2))
    return out


# -- the ASCII formatter ---------------------------------------------------------------------
class _Formatter:
    def __init__(self) -> None:
        self.out: list[str] = []
        self.path: list[str | int] = []
        self.size: list[int] = []
        self.in_array: list[bool] = []

    def push(self, name: str | int, size: int, array: bool) -> None:
        self.path.append(name)
        self.size.append(size)
        self.in_array.append(array)

    def pop(self) -> None:
        self.path.pop()
        self.size.pop()
        self.in_array.pop()

    def indent(self, marker: str) -> None:
        self.out.append(marker + "  " * len(self.path))

    def key(self, name: str | int, marker: str) -> None:
        self.indent(marker)
        if not self.in_array[-1]:
            self.out.append(f'"{name}": ')

    def comma(self) -> None:
        self.size[-1] -= 1
        self.out.append(",\n" if self.size[-1] > 0 else "\n")

    def value(self, value: Any) -> None:
        if isinstance(value, str):
            self.out.append(f'"{value}"')
        elif value is None:
            self.out.append("null")
        elif isinstance(value, bool):
            self.out.append("true" if value else "false")
        elif isinstance(value, int | float):
            self.out.append(go_number(value))
        else:
            self.out.append(str(value))

    def recursive(self, name: str | int, value: Any, marker: str) -> None:
        if isinstance(value, dict):
            self.key(name, marker)
            self.out.append("{\n")
            self.push(name, len(value), False)
            for key in sorted(value):
                self.recursive(key, value[key], marker)
            self.pop()
            self.indent(marker)
            self.out.append("}")
            self.comma()
        elif isinstance(value, list):
            self.key(name, marker)
            self.out.append("[\n")
            self.push("", len(value), True)
            for item in value:
                self.recursive("", item, marker)
            self.pop()
            self.indent(marker)
            self.out.append("]")
            self.comma()
        else:
            self.key(name, marker)
            self.value(value)
            self.comma()

    def item(self, value: Any, deltas: list[_Delta], position: str | int) -> None:
        matched = [d for d in deltas if d.position == position]
        if not matched:
            self.recursive(position, value, SAME)
            return
        for delta in matched:
            if delta.kind in ("object", "array"):
                opening, closing = ("{", "}") if delta.kind == "object" else ("[", "]")
                self.key(position, SAME)
                self.out.append(opening + "\n")
                self.push(position, len(value), delta.kind == "array")
                if delta.kind == "object":
                    self.object(value, delta.children)
                else:
                    self.array(value, delta.children)
                self.pop()
                self.indent(SAME)
                self.out.append(closing)
                self.comma()
            elif delta.kind == "added":
                self.recursive(position, delta.new, ADDED)
                self.size[-1] += 1
            elif delta.kind == "modified":
                saved = self.size[-1]
                self.recursive(position, delta.old, DELETED)
                self.size[-1] = saved
                self.recursive(position, delta.new, ADDED)
            else:
                self.recursive(position, delta.old, DELETED)

    def object(self, obj: dict[str, Any], deltas: list[_Delta]) -> None:
        for key in sorted(obj):
            self.item(obj[key], [d for d in deltas if d.kind != "added"], key)
        for delta in deltas:
            if delta.kind == "added":
                self.recursive(delta.position, delta.new, ADDED)

    def array(self, items: list[Any], deltas: list[_Delta]) -> None:
        for index, value in enumerate(items):
            self.item(value, deltas, index)
        for delta in deltas:
            if delta.kind == "added" and int(delta.position) >= len(items):
                self.recursive("", delta.new, ADDED)


def ascii_diff(old: dict[str, Any], new: dict[str, Any]) -> str:
    """decK's diff text of one entity (starts with `` {`` and ends with `` }`` + newline)."""
    formatter = _Formatter()
    formatter.out.append(" {\n")
    formatter.push("ROOT", len(old), False)
    formatter.object(old, _object_deltas(old, new))
    formatter.pop()
    formatter.out.append(" }\n")
    return "".join(formatter.out)
