"""Gateway step alone: create with a live-checked name, pick an existing one, faults."""

from __future__ import annotations

import httpx

from screens.gateway import GatewayStep
from tests.screens.harness import StepHarness
from tests.screens.step_kit import body_text, mock_services, sandbox_target
from tests.waiting import until
from tui.services.session import Session
from tui.services.target import Target


def harness(session, services, sandbox):
    return StepHarness(GatewayStep, session, services, target=sandbox_target(sandbox))


async def test_create_with_the_default_name(session, logged_in, sandbox):
    services, user = logged_in
    session.username = user
    app = harness(session, services, sandbox)
    async with app.run_test(size=(100, 30)) as pilot:
        assert app.step.query_one("#display-name").value == f"{user}'s Gateway"
        assert "accepts this name" in body_text(app, "#name-message")
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        result = body_text(app, "#gateway-result")
        assert "Gateway created. Gateway ID: gw-" in result
        assert f"display name: {user}'s Gateway" in result
        # Recorded and saved at once: quitting before Next cannot lose the new gateway.
        assert session.gateway_id.startswith("gw-") and "gateway" in session.steps_done
        assert app.saves == 1
        await pilot.press("ctrl+n")
        await pilot.pause()
    assert app.completed == ["gateway"]
    assert session.gateway_id.startswith("gw-")
    gateway = await services.gateways.get(session.gateway_id)  # it really exists
    assert gateway.display_name == f"{user}'s Gateway"


async def test_display_name_rule_is_checked_as_you_type(session, logged_in, sandbox):
    services, user = logged_in
    app = harness(session, services, sandbox)
    async with app.run_test(size=(100, 30)) as pilot:
        field = app.step.query_one("#display-name")
        field.value = "x!"
        await pilot.pause()
        assert "Display name must be between 3 and 30 characters" in body_text(app, "#name-message")
        assert app.step.query_one("#create").disabled
        await pilot.press("enter")
        await pilot.pause()
        await app.workers.wait_for_complete()
        assert not app.step.query_one("#gateway-result").display  # nothing was created
        assert app.step.check_action("next", ()) is None
    assert await services.gateways.list() == []


async def test_pick_one_of_my_gateways(session, logged_in, sandbox):
    services, user = logged_in
    made = await services.gateways.create("Picked Gateway")
    app = harness(session, services, sandbox)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.click("#mode-pick")
        await app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.press("enter")  # the first (only) gateway
        await pilot.pause()
        assert f"Using gateway {made.gateway_id}" in body_text(app, "#gateway-result")
        # An existing gateway is made current, not created: so says the equivalent command.
        command = str(app.step.query_one("#step-command").command)
        assert command == f"gwa config set gateway {made.gateway_id}"
        await pilot.press("ctrl+n")
        await pilot.pause()
    assert session.gateway_id == made.gateway_id
    assert session.gateway_display_name == "Picked Gateway"
    assert session.gateway_picked and session.created_gateways == []


async def test_enter_pressed_twice_creates_one_gateway(session, logged_in, sandbox):
    services, user = logged_in
    session.username = user
    app = harness(session, services, sandbox)
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        await pilot.press("enter", "enter")  # a double press, as a learner does
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "Gateway created" in body_text(app, "#gateway-result")
        assert not app.step.query_one("#create").disabled  # usable again afterwards
        assert any("was just created with this name" in n.message for n in app._notifications)
        assert "gwa gateway create" in str(app.step.query_one("#step-command").command)
    mine = [g for g in await services.gateways.list() if g.display_name == f"{user}'s Gateway"]
    assert len(mine) == 1
    assert session.created_gateways == [mine[0].gateway_id]


async def test_next_before_a_gateway_says_what_is_missing(session, logged_in, sandbox):
    services, user = logged_in
    session.username = user
    app = harness(session, services, sandbox)
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        await pilot.pause()
        assert not app.step.ready
        await pilot.press("ctrl+n")
        await pilot.pause()
        messages = [n.message for n in app._notifications]
        assert any("Create a gateway (Enter)" in m for m in messages), messages
    assert app.completed == []


async def test_not_logged_in_is_explained(session, services, sandbox):
    app = harness(session, services, sandbox)  # services with no login at all
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        text = body_text(app, "#error-text")
        assert "Create the gateway failed" in text and "log in" in text.lower()


async def test_an_html_error_page_is_explained_and_retry_works():
    calls: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request.url.path)
        if len(calls) == 1:
            return httpx.Response(
                502,
                text="<html><body>Bad gateway</body></html>",
                headers={"content-type": "text/html"},
            )
        return httpx.Response(200, json={"gatewayId": "gw-abc12", "displayName": "Mine"})

    target = Target("custom", "aps.example", "https")
    services = mock_services(handler, target)
    await services.secrets.set("aps.example:access_token", "header.e30.sig")
    session = Session(username="me")
    app = StepHarness(GatewayStep, session, services, target=target)
    async with app.run_test(size=(100, 30)) as pilot:
        app.step.query_one("#display-name").value = "Mine"
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "HTML error page" in body_text(app, "#error-text")
        await pilot.press("ctrl+r")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "Gateway ID: gw-abc12" in body_text(app, "#gateway-result")
        assert not app.step.query_one("#step-error").shown


async def test_an_old_error_goes_away_once_the_name_is_changed(session, services, sandbox):
    app = harness(session, services, sandbox)  # no login: the create fails
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("enter")
        await until(pilot, lambda: app.step.query_one("#step-error").shown, "the error")
        assert "Create the gateway failed" in body_text(app, "#error-text")
        app.step.query_one("#display-name").focus()
        await pilot.press("end", "x")  # the learner edits the name the error was about
        await pilot.pause()
        assert not app.step.query_one("#step-error").shown
