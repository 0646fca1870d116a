"""The embedded sandbox as a process of its own: ``python -m tui.sandbox.child '<config>'``.

The wizard starts it first thing at launch, so the sandbox's imports (Starlette, uvicorn,
cryptography) run on the other core while the wizard imports Textual. ``<config>`` is a JSON
object: ``data_dir`` and optionally ``host``, ``portal_port``, ``data_plane_port`` and
``upstream_port`` (0 picks free ports).

It reports on stdout, one JSON object a line: ``{"ports": {...}}`` as soon as its sockets
are bound (before the heavy imports; connections wait in the listen queue meanwhile), then
``{"ready": {...}}`` with the :class:`~.server.SandboxInfo` once it serves, or
``{"error": "..."}``. It stops when its stdin closes: when the wizard quits, or dies.
Warnings go to stderr, which the wizard sends to ``sandbox.log`` in the data folder.
"""

from __future__ import annotations

import json
import signal
import sys
from pathlib import Path

from .listeners import bind


def _say(message: dict) -> None:
    sys.stdout.write(json.dumps(message) + "\n")
    sys.stdout.flush()


def main(argv: list[str]) -> int:
    # The terminal's Ctrl+C belongs to the wizard; this process ends when its stdin closes.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    raw = json.loads(argv[0])
    host = str(raw.get("host") or "127.0.0.1")
    ports = {
        name: int(raw.get(f"{name}_port") or 0) for name in ("portal", "data_plane", "upstream")
    }
    try:
        sockets = bind(host, ports)
    except OSError as exc:
        _say({"error": f"could not listen on {host}: {exc}"})
        return 1
    _say({"ports": {name: sock.getsockname()[1] for name, sock in sockets.items()}})
    try:
        from dataclasses import asdict

        from .context import SandboxConfig
        from .server import SandboxServer

        config = SandboxConfig(data_dir=Path(raw["data_dir"]), host=host, **{
            f"{name}_port": port for name, port in ports.items()
        })  # fmt: skip
        server = SandboxServer(config)
        server.adopt(sockets)
        info = server.start()
    except Exception as exc:  # reported to the wizard, which shows cause and fix
        _say({"error": str(exc) or type(exc).__name__})
        return 1
    _say({"ready": asdict(info)})
    try:
        sys.stdin.buffer.read()  # until the wizard closes the pipe
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
