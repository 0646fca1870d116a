"""Stopping a sandbox (quitting the wizard, ending a class) never waits for a slow upstream."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import httpx

from tests.sandbox_kit import start_sandbox
from tui.sandbox.server import LISTENERS, STOP_GRACE


def test_stopping_cancels_a_request_still_waiting_on_a_slow_upstream(tmp_path: Path) -> None:
    server = start_sandbox(tmp_path / "sandbox")
    upstream = server.info.upstream_url
    outcome: list[object] = []
    sent = threading.Event()

    def slow_call() -> None:
        try:
            with httpx.Client(timeout=30) as client:
                sent.set()
                outcome.append(client.get(f"{upstream}/delay/6").status_code)
        except httpx.HTTPError as exc:
            outcome.append(exc)

    caller = threading.Thread(target=slow_call)
    caller.start()
    assert sent.wait(10)
    # In flight: the upstream listener is running the request (its /delay answers after 6 s).
    upstream_server = server._servers[LISTENERS.index("upstream")]
    deadline = time.monotonic() + 10
    while not upstream_server.server_state.tasks and time.monotonic() < deadline:
        time.sleep(0.01)  # polling a condition, not waiting a fixed time
    assert upstream_server.server_state.tasks, "the slow request never reached the upstream"
    server.stop()
    caller.join(30)
    # Had stop waited for the request, the caller would hold the 200 of /delay/6; it was
    # cancelled after STOP_GRACE instead (uvicorn answers 500 to a cancelled request).
    assert STOP_GRACE < 6
    assert outcome and outcome[0] != 200, outcome
