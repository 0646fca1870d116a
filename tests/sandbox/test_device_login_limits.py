"""How a class sandbox limits device-login requests (``device_flow.authorize``).

A class shares one sandbox, each learner from their own machine: the limit on starting logins
is counted per client address, so one learner who keeps pressing "log in" is slowed down
without locking the rest of the class out. On loopback every 127.x.y.z address is this
machine, so two clients bound to different ones stand for two learners.
"""

from __future__ import annotations

from pathlib import Path

import httpx

from tests.sandbox_kit import start_sandbox
from tui.sandbox import device_flow


def learner_at(address: str) -> httpx.Client:
    """A client whose requests come from ``address`` (a loopback address of its own)."""
    return httpx.Client(transport=httpx.HTTPTransport(local_address=address), timeout=10)


def test_device_login_requests_are_limited_per_learners_address(tmp_path: Path, monkeypatch):
    monkeypatch.setattr(device_flow, "REQUESTS_PER_MINUTE", 2)
    server = start_sandbox(tmp_path / "class", classroom=True, passcode="class-pass")
    url = f"{server.ctx.login_issuer}/protocol/openid-connect/auth/device"
    try:
        with learner_at("127.0.0.2") as eager, learner_at("127.0.0.3") as classmate:
            eager_answers = [eager.post(url, data={"client_id": "gwa-cli"}) for _ in range(3)]
            assert [a.status_code for a in eager_answers] == [200, 200, 429]
            assert eager_answers[-1].json() == {
                "error": "slow_down",
                "error_description": "Too many login requests; try again later",
            }
            assert 0 < int(eager_answers[-1].headers["retry-after"]) <= 60
            # the classmate's first login is not counted against the eager learner's minute
            assert classmate.post(url, data={"client_id": "gwa-cli"}).status_code == 200
    finally:
        server.stop()
