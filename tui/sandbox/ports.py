"""The embedded sandbox keeps its ports from one launch to the next (same data folder).

Everything a learner publishes or copies carries a sandbox port: the upstream URL in their
GatewayService, the portal host in ``gwa config set host``, the data-plane port in the URL they
call. So the embedded sandbox saves the ports it bound in ``ports.json`` beside its database
and asks for the same ones next time. Only a port another program now holds is replaced by a
free one; :func:`repair_upstreams` then points the learner's published services that used the
old upstream port at the new one, and the wizard tells the learner what moved.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from .db import Database, dumps

PORTS_FILE = "ports.json"
LOOPBACK_NAMES = ("127.0.0.1", "localhost", "::1", "[::1]")


@dataclass(frozen=True)
class PortMove:
    """A listener that could not get its saved port back."""

    listener: str  # portal | data_plane | upstream
    old: int
    new: int


def load(path: Path) -> dict[str, int]:
    """The saved ports by listener name; empty when there is no usable file."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict):
        return {}
    return {
        str(name): port
        for name, port in data.items()
        if isinstance(port, int) and not isinstance(port, bool) and 0 < port < 65536
    }


def save(path: Path, ports: dict[str, int]) -> None:
    """Write the bound ports atomically (a crash never leaves half a file)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".ports-", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(dict(sorted(ports.items())), handle, indent=1)
            handle.flush()
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def repair_upstreams(db: Database, old_port: int, new_port: int) -> list[str]:
    """Point published services at the sandbox's upstream on its new port; their names.

    Only services whose upstream is this machine's loopback on ``old_port`` are changed: that
    is the sandbox's own upstream the learner published. Anything else is left alone.
    """
    repaired: list[str] = []
    with db.transaction() as conn:
        rows = conn.execute("SELECT gateway_id, name, doc FROM kong_services").fetchall()
        for row in rows:
            doc = json.loads(row["doc"])
            host = str(doc.get("host", "")).lower()
            if host not in LOOPBACK_NAMES or _as_int(doc.get("port")) != old_port:
                continue
            doc["port"] = new_port
            conn.execute(
                "UPDATE kong_services SET doc=? WHERE gateway_id=? AND name=?",
                (dumps(doc), row["gateway_id"], row["name"]),
            )
            repaired.append(str(row["name"]))
    return repaired


def _as_int(value: object) -> int | None:
    try:
        return int(str(value))
    except ValueError:
        return None


def describe(moves: list[PortMove], repaired: list[str]) -> str:
    """One sentence for the learner about what moved and what the wizard fixed."""
    names = {"portal": "portal", "data_plane": "gateway", "upstream": "built-in upstream"}
    parts = [f"the {names.get(m.listener, m.listener)} from port {m.old} to {m.new}" for m in moves]
    text = (
        "Another program was using the sandbox's usual ports, so it moved " + ", ".join(parts) + "."
    )
    if repaired:
        text += " Your published " + ", ".join(repaired) + " now points at the new upstream port."
    return text
