"""Quit after Status, start the wizard again (its embedded sandbox stopped and started in
between), and the learner's API still answers 200: the sandbox kept its ports, or, when one
was taken meanwhile, moved it and re-pointed the published upstream."""

from __future__ import annotations

import socket
from pathlib import Path

from tests.e2e.test_provider_flow import (
    drive_provider_flow,
    next_step,
    on_step,
    options_in,
    wait_for,
)
from tui.app import WizardApp


async def _first_run(tmp_path: Path, service: str) -> dict[str, int]:
    app = WizardApp(options_in(tmp_path))
    async with app.run_test(size=(100, 30)) as pilot:
        await drive_provider_flow(pilot, service)
        assert app.sandbox is not None
        return dict(app.sandbox.bound)


async def _resume_and_call(app: WizardApp, pilot) -> str:
    """Log in again (tokens were in memory), then Try it → Credentials → Token → Call."""
    await wait_for(pilot, lambda: app.ready_event.is_set(), "the resumed step")
    assert on_step(app, "login")
    await pilot.press("enter")
    await wait_for(pilot, lambda: app.screen.challenge is not None, "the user code")
    await pilot.press("ctrl+l")
    await next_step(pilot, app, "login", "try_it")
    await pilot.press("ctrl+s")
    await next_step(pilot, app, "try_it", "credentials")
    await wait_for(pilot, lambda: app.screen.environment is not None, "the Dev environment")
    await pilot.press("ctrl+g")
    await next_step(pilot, app, "credentials", "token")
    await pilot.press("ctrl+g")
    await next_step(pilot, app, "token", "call")
    await pilot.press("ctrl+s")
    await wait_for(pilot, lambda: app.screen.ready, "the call")
    return str(app.screen.query_one("#verdict").content)


async def test_resumed_api_answers_200_on_the_same_ports(tmp_path: Path) -> None:
    ports = await _first_run(tmp_path, "again-svc")
    app = WizardApp(options_in(tmp_path))
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        verdict = await _resume_and_call(app, pilot)
        assert app.sandbox is not None and dict(app.sandbox.bound) == ports
        assert "UUID" in verdict and "call" in app.session.steps_done
        assert not any("moved" in n.message for n in app._notifications)


async def test_resumed_api_answers_200_after_the_upstream_port_was_taken(tmp_path: Path) -> None:
    ports = await _first_run(tmp_path, "moved-svc")
    squatter = socket.socket()
    squatter.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    squatter.bind(("127.0.0.1", ports["upstream"]))
    squatter.listen(1)  # another program took the upstream port while the wizard was closed
    try:
        app = WizardApp(options_in(tmp_path))
        async with app.run_test(size=(100, 30), notifications=True) as pilot:
            await wait_for(pilot, lambda: app.ready_event.is_set(), "the resumed step")
            messages = [n.message for n in app._notifications]
            assert any(
                f"built-in upstream from port {ports['upstream']}" in m
                and "moved-svc-dev now points at the new upstream port" in m
                for m in messages
            ), messages
            new_port = app.sandbox.bound["upstream"]
            assert app.session.upstream.startswith(f"http://127.0.0.1:{new_port}")
            written = (tmp_path / "work" / "gw-config-client-cred.yaml").read_text()
            assert f":{new_port}" in written and f":{ports['upstream']}" not in written
            verdict = await _resume_and_call(app, pilot)
            assert "UUID" in verdict
    finally:
        squatter.close()
