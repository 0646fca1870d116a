"""Starting a real sandbox for a test: on free loopback ports, its store in ``data_dir``.

The shared fixtures (``sandbox``, ``fresh_sandbox`` in ``tests/conftest.py``) use it; so do
tests that need a sandbox with options of their own (a class passcode, a trainer key).
"""

from __future__ import annotations

from pathlib import Path

from tui.sandbox.context import SandboxConfig
from tui.sandbox.server import SandboxServer


def start_sandbox(data_dir: Path, **overrides: object) -> SandboxServer:
    """A started sandbox; ``overrides`` are :class:`SandboxConfig` fields. Stop it when done."""
    config = SandboxConfig(
        data_dir=data_dir, portal_port=0, data_plane_port=0, upstream_port=0, **overrides
    )
    server = SandboxServer(config)
    server.start()
    return server
