"""The portal's activity log: what was done to a gateway, by whom, newest first.

``GET /ds/api/v3/gateways/{gw}/activity?first=20&skip=0`` (Namespace.Manage or .View) and
``GET /ds/api/v3/organizations/{org}/activity`` answer ``ActivityDetail`` records:
``{"id", "message", "params", "activityAt"}``. As on the portal, ``message`` is a template
whose ``{placeholders}`` are filled from ``params`` (all strings), e.g.
``"{actor} created {entity} {name}"`` with ``{"actor": "janis@idir", "entity": "gateway", …}``.
Handlers that change a gateway call :func:`record` inside their own transaction.
"""

from __future__ import annotations

import json
import math
import sqlite3
import time
import uuid
from datetime import UTC, datetime
from typing import Any

from .portal_errors import validation_failed

SCHEMA = """
CREATE TABLE IF NOT EXISTS activity (
    id          TEXT PRIMARY KEY,
    gateway_id  TEXT NOT NULL,
    message     TEXT NOT NULL,
    params      TEXT NOT NULL,
    activity_at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS activity_by_gateway ON activity(gateway_id, activity_at);
"""

TEMPLATE = "{actor} {action} {entity} {name}"
MAX_PAGE = 100


def record(
    conn: sqlite3.Connection, gateway_id: str, actor: str, action: str, entity: str, name: str
) -> None:
    params = {"actor": actor, "action": action, "entity": entity, "name": name, "ns": gateway_id}
    conn.execute(
        "INSERT INTO activity(id, gateway_id, message, params, activity_at) VALUES (?,?,?,?,?)",
        (uuid.uuid4().hex[:24], gateway_id, TEMPLATE, json.dumps(params), time.time()),
    )


def _number(value: str | None, name: str, default: int) -> int:
    """``first`` / ``skip``: tsoa reads them as numbers (``format: double``)."""
    if value is None or value == "":
        return default
    try:
        number = float(value)
    except ValueError:
        number = math.nan
    if not math.isfinite(number) or number < 0:
        raise validation_failed(
            "", {name: {"message": "invalid float number", "value": value}}
        ) from None
    return int(number)


def page(query: Any) -> tuple[int, int]:
    first = min(_number(query.get("first"), "first", 20), MAX_PAGE)
    return first, _number(query.get("skip"), "skip", 0)


def listing(db: Any, gateway_ids: list[str], first: int, skip: int) -> list[dict[str, Any]]:
    if not gateway_ids or first == 0:
        return []
    marks = ",".join("?" for _ in gateway_ids)
    rows = db.query(
        f"SELECT * FROM activity WHERE gateway_id IN ({marks})"
        " ORDER BY activity_at DESC, rowid DESC LIMIT ? OFFSET ?",
        (*gateway_ids, first, skip),
    )
    return [
        {
            "id": r["id"],
            "message": r["message"],
            "params": json.loads(r["params"]),
            "activityAt": datetime.fromtimestamp(r["activity_at"], UTC)
            .isoformat(timespec="milliseconds")
            .replace("+00:00", "Z"),
        }
        for r in rows
    ]
