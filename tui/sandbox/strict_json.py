"""JSON as the real services read it: ``NaN``, ``Infinity`` and ``-Infinity`` are not JSON.

Python's ``json.loads`` accepts them; a body carrying one would later fail to serialise (a
500 for every reader of the stored value). Refusing them at the door keeps the 4xx with the
request that caused it.
"""

from __future__ import annotations

import json
from typing import Any


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


def strict_json(raw: bytes | str) -> Any:
    """``json.loads`` that refuses non-finite numbers (raises ``ValueError`` like bad JSON)."""
    return json.loads(raw, parse_constant=_refuse_constant)
