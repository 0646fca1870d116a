"""Gateway step alone: create with a live-checked name, pick an existing one, faults."""

from __future__ import annotations

import httpx

from screens.gateway import GatewayStep
from tests.screens.harness import StepHarness
from tests.screens.step_kit import body_text, log_in, mock_services, sandbox_target, unique_user
from tests.waiting import until
from tui.services.bundle import build_services
from tui.services.secrets import SecretStore
from tui.services.session import Session, SessionStore
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
        # Recorded and saved at once: quitting before Next cannot lose the new gateway (and a
        # save before the create was sent keeps the attempt, should its answer be lost).
        assert session.gateway_id.startswith("gw-") and "gateway" in session.steps_done
        assert session.pending_gateway_create == {}
        assert app.saves == 2
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
        if request.method == "GET":  # the learner's gateways: none yet
            return httpx.Response(200, json=[])
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


class AnswerLost(httpx.AsyncBaseTransport):
    """Real HTTP to the sandbox, except that the first gateway create reaches it and its
    answer is lost on the way back (a timeout the learner sees, a gateway the portal made)."""

    def __init__(self, *, arrives: bool = True) -> None:
        self.inner = httpx.AsyncHTTPTransport()
        self.armed = True  # the next create's answer is lost
        self.arrives = arrives  # False: that create never reaches the portal at all

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        creates = request.method == "POST" and request.url.path == "/ds/api/v3/gateways"
        if creates and self.armed and not self.arrives:
            self.armed = False
            raise httpx.ConnectError("connection reset", request=request)
        response = await self.inner.handle_async_request(request)
        if creates and self.armed:
            self.armed = False
            await response.aclose()
            raise httpx.ReadTimeout("timed out", request=request)
        return response

    async def aclose(self) -> None:
        await self.inner.aclose()


async def lost_answer_services(sandbox, transport: AnswerLost) -> tuple[object, str]:
    services = build_services(sandbox_target(sandbox), transport=transport, secrets=SecretStore())
    user = unique_user()
    await log_in(services, user)
    return services, user


async def create_then_retry(app, pilot) -> None:
    await pilot.press("enter")
    await until(pilot, lambda: app.step.query_one("#step-error").shown, "the timeout")
    assert "no answer from" in body_text(app, "#error-text")
    await pilot.press("ctrl+r")
    await until(pilot, lambda: app.step.ready, "the retry")


async def test_a_create_whose_answer_was_lost_is_not_made_twice(session, sandbox):
    services, user = await lost_answer_services(sandbox, AnswerLost())
    session.username = user
    app = harness(session, services, sandbox)
    try:
        async with app.run_test(size=(100, 30)) as pilot:
            await create_then_retry(app, pilot)
            result = body_text(app, "#gateway-result")
            assert "Gateway created (by the earlier attempt whose answer was lost" in result
        mine = await services.gateways.list()
        assert [g.display_name for g in mine] == [f"{user}'s Gateway"]  # one, not two
        assert session.gateway_id == mine[0].gateway_id
        assert session.created_gateways == [mine[0].gateway_id]  # Clean up will destroy it
    finally:
        await services.aclose()


async def test_a_gateway_of_the_same_name_made_before_is_not_taken_for_the_lost_one(
    session, sandbox
):
    transport = AnswerLost()
    transport.armed = False
    services, user = await lost_answer_services(sandbox, transport)
    session.username = user
    older = await services.gateways.create(f"{user}'s Gateway")
    transport.armed = True  # the learner's create on the step is the one whose answer is lost
    app = harness(session, services, sandbox)
    try:
        async with app.run_test(size=(100, 30)) as pilot:
            await create_then_retry(app, pilot)
            assert "whose answer was lost" in body_text(app, "#gateway-result")
        ids = {g.gateway_id for g in await services.gateways.list()}
        assert len(ids) == 2 and older.gateway_id in ids
        assert session.gateway_id in ids - {older.gateway_id}
    finally:
        await services.aclose()


async def test_a_retry_after_a_create_that_never_arrived_makes_the_gateway(session, sandbox):
    """The other side of the above: neither an older gateway of the same name nor one made
    meanwhile under another name is the one a failed attempt made, so the retry creates
    the learner's gateway."""
    transport = AnswerLost(arrives=False)
    transport.armed = False
    services, user = await lost_answer_services(sandbox, transport)
    session.username = user
    older = await services.gateways.create(f"{user}'s Gateway")
    transport.armed = True
    app = harness(session, services, sandbox)
    try:
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.press("enter")
            await until(pilot, lambda: app.step.query_one("#step-error").shown, "the failure")
            elsewhere = await services.gateways.create("Made in the portal meanwhile")
            await pilot.press("ctrl+r")
            await until(pilot, lambda: app.step.ready, "the retry")
            result = body_text(app, "#gateway-result")
            assert result.startswith("✓ Gateway created. Gateway ID: gw-")
        ids = {g.gateway_id for g in await services.gateways.list()}
        assert len(ids) == 3
        assert session.gateway_id in ids - {older.gateway_id, elsewhere.gateway_id}
        assert session.gateway_display_name == f"{user}'s Gateway"
        assert session.created_gateways == [session.gateway_id]
    finally:
        await services.aclose()


async def test_a_lost_create_is_still_found_after_quitting_and_coming_back(
    session, sandbox, tmp_path
):
    """The learner quits after the timeout (or leaves the step) and creates again later:
    the session kept the attempt, so the gateway it made is taken, not made a second time."""
    services, user = await lost_answer_services(sandbox, AnswerLost())
    session.username = user
    first = harness(session, services, sandbox)
    store = SessionStore(tmp_path / "session.json")
    try:
        async with first.run_test(size=(100, 30)) as pilot:
            await pilot.press("enter")
            await until(pilot, lambda: first.step.query_one("#step-error").shown, "the timeout")
            assert first.saves >= 1  # saved before the create was sent
        store.save(session)  # what quitting leaves on disk
        relaunched = store.load()
        assert relaunched is not None
        assert relaunched.pending_gateway_create["name"] == f"{user}'s Gateway"
        second = harness(relaunched, services, sandbox)
        async with second.run_test(size=(100, 30)) as pilot:
            await pilot.press("enter")
            await until(pilot, lambda: second.step.ready, "the create")
            assert "whose answer was lost" in body_text(second, "#gateway-result")
        mine = await services.gateways.list()
        assert [g.gateway_id for g in mine] == [relaunched.gateway_id]  # one, not two
        assert relaunched.pending_gateway_create == {}
    finally:
        await services.aclose()


async def test_a_lost_create_under_a_name_since_changed_is_left_for_clean_up(session, sandbox):
    """The learner gives up on the name whose create timed out and creates under another:
    the gateway the lost create made is found and recorded, so Clean up destroys it too."""
    services, user = await lost_answer_services(sandbox, AnswerLost())
    session.username = user
    app = harness(session, services, sandbox)
    try:
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.press("enter")
            await until(pilot, lambda: app.step.query_one("#step-error").shown, "the timeout")
            field = app.step.query_one("#display-name")
            field.value = "Second try"
            field.focus()
            await pilot.press("enter")
            await until(pilot, lambda: app.step.ready, "the create")
            notices = " ".join(str(n.message) for n in app._notifications)
            assert "whose answer was lost, made gateway gw-" in notices
        mine = {g.display_name: g.gateway_id for g in await services.gateways.list()}
        assert set(mine) == {f"{user}'s Gateway", "Second try"}
        assert session.gateway_id == mine["Second try"]
        assert sorted(session.created_gateways) == sorted(mine.values())
    finally:
        await services.aclose()
