"""What the wizard loads before the Target step's check, and what it loads after it.

Until Target has checked its host the UI process imports only what that needs (its screen,
httpx, the client and the login); the other steps' screens and services load in a thread
after the check (``tui.start_up.warm_up_rest``), and every step still gets its own."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tui.services.bundle import build_services
from tui.services.secrets import SecretStore
from tui.services.target import Target

ROOT = Path(__file__).resolve().parents[2]

LOADED = """
import json, sys
import tui.app, screens.target, tui.start_up
from tui.services.target import Target
tui.start_up.preload()
from tui.services.bundle import build_services, LATER_SERVICES
build_services(Target.sandbox("127.0.0.1:1"))
later = ["screens.steps"] + [f"tui.services.{name}" for name in LATER_SERVICES]
before = [m for m in later if m in sys.modules]
tui.start_up.warm_up_rest()
after = [m for m in later if m in sys.modules]
print(json.dumps({"before": before, "after": after, "all": later}))
"""


def run_script(script: str, **environ: str) -> subprocess.CompletedProcess[str]:
    """``script`` in a fresh interpreter at the repository's root, with ``environ`` added."""
    return subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=dict(os.environ, **environ),
        timeout=120,
        check=True,
    )


def test_before_targets_check_no_other_steps_screen_or_service_is_imported() -> None:
    result = run_script(LOADED, PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring")
    seen = json.loads(result.stdout.splitlines()[-1])
    assert seen["before"] == []
    assert seen["after"] == seen["all"]  # the warm-up loads every one of them


async def test_each_later_service_is_made_once_on_first_use() -> None:
    services = build_services(Target.sandbox("127.0.0.1:1"), secrets=SecretStore())
    try:
        assert services.tokens is services.tokens  # a consumer token lives in it
        assert services.gateways.client is services.client is services.cleanup.client
    finally:
        await services.aclose()


BAD_TLS = """
import tui.start_up
try:
    tui.start_up.preload()
except OSError as exc:
    print("reported:", type(exc).__name__)
"""


def test_a_tls_context_that_cannot_be_made_is_reported_by_preload_without_a_traceback() -> None:
    # The context is made on a thread of its own (its CA bundle read overlaps the imports);
    # a failure there must reach preload's caller (the start-up screen says why), and must
    # not print a thread's traceback over the wizard's screen.
    result = run_script(BAD_TLS, SSL_CERT_FILE=str(ROOT / "no-such-ca.pem"))
    assert "reported: FileNotFoundError" in result.stdout
    assert "Traceback" not in result.stderr, result.stderr
