"""Status step alone: UP with the URL to call, DOWN explained, no services, faults."""

from __future__ import annotations

import httpx

from screens.status import StatusStep
from tests.screens.harness import StepHarness
from tests.screens.step_kit import body_text, mock_services, sandbox_target
from tests.waiting import until
from tui.services.session import Session
from tui.services.target import Target
from tui.services.templates import generate_config


async def shown(pilot):
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def publish(services, gateway_id, service, upstream):
    text = generate_config("client-credentials-shared-idp", service, upstream, gateway_id)
    report = await services.apply.apply(gateway_id, text)
    assert report.ok, report.summary


async def test_up_service_gives_the_url_to_call(
    session, with_file, sandbox, tmp_path, no_clipboard
):
    services, user, gateway_id = with_file
    await publish(services, gateway_id, session.service, sandbox.info.upstream_url)
    app = StepHarness(StatusStep, session, services, target=sandbox_target(sandbox))
    async with app.run_test(size=(100, 30)) as pilot:
        await shown(pilot)
        table = app.step.query_one("#services")
        assert table.row_count == 1
        row = [str(c) for c in table.get_row_at(0)]
        assert row[0] == "UP" and row[1] == f"{session.service}-dev"
        assert "UP:" in body_text(app, "#reasons")
        url = app.step.url
        assert url.startswith("http://") and ".localhost:" in url and url.endswith("/uuid")
        assert url in body_text(app, "#api-url")
        await pilot.press("ctrl+y")
        await pilot.pause()
        assert app.clipboard == url and no_clipboard == [url]
        await pilot.press("ctrl+n")
        await pilot.pause()
    assert app.completed == ["status"]
    assert session.api_url == url
    assert session.env_host and session.env_host in url


async def test_down_service_is_red_and_explained(session, with_gateway, sandbox):
    services, user, gateway_id = with_gateway
    session.service = f"down-{user}"
    await publish(services, gateway_id, session.service, "http://127.0.0.1:9")
    app = StepHarness(StatusStep, session, services, target=sandbox_target(sandbox))
    async with app.run_test(size=(100, 30)) as pilot:
        await shown(pilot)
        row = app.step.query_one("#services").get_row_at(0)
        assert str(row[0]) == "DOWN" and "red" in str(row[0].style)
        assert "DOWN:" in body_text(app, "#reasons")
        assert "the service is DOWN" in body_text(app, "#api-url")


async def test_no_services_says_apply_first(session, with_gateway, sandbox):
    services, user, gateway_id = with_gateway
    app = StepHarness(StatusStep, session, services, target=sandbox_target(sandbox))
    async with app.run_test(size=(100, 30)) as pilot:
        await shown(pilot)
        assert "do not have any services" in body_text(app, "#reasons")
        assert app.step.check_action("next", ()) is None


async def test_server_error_then_refresh(tmp_path):
    answers = [
        httpx.Response(503, text="upstream connect error", headers={"content-type": "text/plain"}),
        httpx.Response(
            200,
            json=[
                {
                    "name": "a-dev",
                    "upstream": "https://httpbin.org",
                    "status": "UP",
                    "reason": "200 Response",
                    "host": "https://a-dev-api-gov-bc-ca.test.api.gov.bc.ca",
                    "env_host": "a-dev-api-gov-bc-ca.test.api.gov.bc.ca",
                }
            ],
        ),
    ]
    target = Target.test()
    services = mock_services(lambda request: answers.pop(0), target)
    await services.secrets.set(f"{target.host}:access_token", "h.e30.s")
    session = Session(target_kind="test", host=target.host, gateway_id="gw-abc12", service="a")
    app = StepHarness(StatusStep, session, services, target=target)
    async with app.run_test(size=(100, 30)) as pilot:
        await shown(pilot)
        assert "Why:" in body_text(app, "#error-text")
        await pilot.press("f5")
        await shown(pilot)
        assert app.step.url == "https://a-dev-api-gov-bc-ca.test.api.gov.bc.ca/uuid"


async def test_the_host_column_is_never_cut_at_120_columns(session, with_gateway, sandbox):
    services, user, gateway_id = with_gateway
    session.service = f"orders-api-{user}"  # a route host long enough to crowd the table
    await publish(services, gateway_id, session.service, sandbox.info.upstream_url)
    app = StepHarness(StatusStep, session, services, target=sandbox_target(sandbox))
    async with app.run_test(size=(120, 40)) as pilot:
        await shown(pilot)
        table = app.step.query_one("#services")
        labels = [str(c.label) for c in table.columns.values()]
        host = str(table.get_row_at(0)[labels.index("Host")])
        assert f"{session.service}-dev-api-gov-bc-ca" in host
        assert table.virtual_size.width <= table.size.width  # nothing cut, no sideways scroll
        if "Upstream" not in labels:  # moved under the table, not lost
            assert f"Upstream: {sandbox.info.upstream_url}" in body_text(app, "#reasons")


async def test_a_wider_terminal_brings_the_upstream_column_back(session, with_gateway, sandbox):
    services, user, gateway_id = with_gateway
    session.service = f"orders-api-{user}"
    await publish(services, gateway_id, session.service, sandbox.info.upstream_url)
    app = StepHarness(StatusStep, session, services, target=sandbox_target(sandbox))

    def labels() -> list[str]:
        return [str(c.label) for c in app.step.query_one("#services").columns.values()]

    async with app.run_test(size=(100, 30)) as pilot:
        await shown(pilot)
        assert "Upstream" not in labels() and "Host" in labels()
        await pilot.resize_terminal(200, 30)
        await until(pilot, lambda: "Upstream" in labels(), "the columns to be fitted again")
        assert "Upstream:" not in body_text(app, "#reasons")  # not said twice
