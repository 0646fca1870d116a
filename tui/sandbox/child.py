"""The embedded sandbox as a process of its own: ``python -m tui.sandbox.child '<config>'``.

The wizard starts it first thing at launch, so the sandbox's imports (Starlette, uvicorn,
cryptography) run on the other core while the wizard imports Textual. ``<config>`` is a JSON
object of :class:`~.context.SandboxConfig` fields: ``data_dir`` and optionally ``host``,
``portal_port``, ``data_plane_port``, ``upstream_port`` (0 picks free ports) and
``keep_ports``.

It reports on stdout, one JSON object a line: ``{"ready": {...}}`` with the
:class:`~.server.SandboxInfo` once it serves, or ``{"error": "..."}``. It stops when its
stdin closes: when the wizard quits, or dies. Warnings go to stderr, which the wizard sends
to ``sandbox.log`` in the data folder.

With ``warm_up_later`` it serves before it warms up (signing keys, httpx, the portal pages'
templates: :meth:`~.context.SandboxContext.warm_up`), so that work does not compete with its
boot and the wizard's first check; it warms up when the wizard writes ``warm-up`` on its
stdin, or :data:`WARM_UP_AFTER` seconds after it serves, whichever comes first.
"""

from __future__ import annotations

import json
import signal
import sys
import threading
from dataclasses import asdict
from pathlib import Path

WARM_UP_AFTER = 3.0  # seconds after serving, if the wizard has not asked for it by then


def _say(message: dict) -> None:
    sys.stdout.write(json.dumps(message) + "\n")
    sys.stdout.flush()


def main(argv: list[str]) -> int:
    # The terminal's Ctrl+C belongs to the wizard; this process ends when its stdin closes.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    raw = json.loads(argv[0])
    try:
        from .context import SandboxConfig
        from .server import SandboxServer, freeze_heap

        fields = {k: v for k, v in raw.items() if k != "data_dir"}
        server = SandboxServer(SandboxConfig(data_dir=Path(raw["data_dir"]), **fields))
        info = server.start()
        freeze_heap()
    except OSError as exc:
        _say({"error": f"could not listen or write its files: {exc}"})
        return 1
    except Exception as exc:  # reported to the wizard, which shows cause and fix
        _say({"error": str(exc) or type(exc).__name__})
        return 1
    _say({"ready": asdict(info), "bound": dict(server.ctx.bound)})
    timer = None
    if server.config.warm_up_later:
        timer = threading.Timer(WARM_UP_AFTER, server.warm_up)
        timer.daemon = True
        timer.start()
    try:
        for line in sys.stdin.buffer:  # until the wizard closes the pipe
            if line.strip() == b"warm-up":
                server.warm_up()
    finally:
        if timer is not None:
            timer.cancel()
        server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
