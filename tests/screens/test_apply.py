"""Apply step alone: live lines and N/M against the sandbox; failures and retry-only-failed."""

from __future__ import annotations

import httpx

from screens.apply import ApplyStep
from tests.screens.harness import StepHarness
from tests.screens.step_kit import body_text, mock_services, sandbox_target
from tui.services.session import Session
from tui.services.target import Target
from tui.services.templates import generate_config


async def applied(pilot):
    await pilot.press("ctrl+a")
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def test_publishes_all_four_with_a_line_each(session, with_file, sandbox, tmp_path):
    services, user, gateway_id = with_file
    app = StepHarness(
        ApplyStep, session, services, target=sandbox_target(sandbox), workspace=tmp_path
    )
    async with app.run_test(size=(100, 30)) as pilot:
        await applied(pilot)
        log = app.step.query_one("#apply-log").text()
        assert "✓ Gateway Services published" in log
        for kind in ("CredentialIssuer", "DraftDataset", "Product"):
            assert f"✓ [{kind}]" in log and "created" in log
        assert "4/4 published" in body_text(app, "#apply-summary")
        assert body_text(app, "#deck-output")  # decK's summary is shown
        await pilot.press("ctrl+n")
        await pilot.pause()
    assert app.completed == ["apply"]
    assert len(session.published) == 4
    statuses = await services.status.services(gateway_id)  # the sandbox really has it
    assert [s.name for s in statuses] == [f"{session.service}-dev"]


async def test_a_file_for_another_gateway_fails_and_is_not_done(
    session, with_file, sandbox, tmp_path
):
    services, user, gateway_id = with_file
    text = generate_config(
        "client-credentials-shared-idp", session.service, sandbox.info.upstream_url, "gw-other1"
    )
    (tmp_path / "gw-config-client-cred.yaml").write_text(text)
    app = StepHarness(
        ApplyStep, session, services, target=sandbox_target(sandbox), workspace=tmp_path
    )
    async with app.run_test(size=(100, 30)) as pilot:
        await applied(pilot)
        assert "✗" in app.step.query_one("#apply-log").text()
        summary = body_text(app, "#apply-summary")
        assert "failed" in summary and "/4 published" in summary
        error = body_text(app, "#error-text")
        assert "Why:" in error and "Fix:" in error
        assert app.step.check_action("next", ()) is None


def race_portal(calls: list[str]):
    """A portal where the Product fails once (the §7.3 race) and then succeeds."""
    product_attempts = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(f"{request.method} {request.url.path}")
        if request.url.path.endswith("/gateway"):
            return httpx.Response(
                200, json={"message": "Sync successful.", "results": "Summary:\n  Created: 1"}
            )
        if request.url.path.endswith("/products"):
            product_attempts.append(1)
            if len(product_attempts) == 1:
                return httpx.Response(
                    400,
                    json={
                        "result": "create-failed",
                        "reason": "Unexpected error: service not found",
                    },
                )
        return httpx.Response(200, json={"result": "created"})

    return handler


async def test_retry_resends_only_what_failed(tmp_path):
    calls: list[str] = []
    target = Target("custom", "aps.example", "https")
    services = mock_services(race_portal(calls), target)
    await services.secrets.set("aps.example:access_token", "h.e30.s")
    text = generate_config(
        "client-credentials-shared-idp", "my-svc", "https://httpbin.org", "gw-abc12"
    )
    (tmp_path / "gw.yaml").write_text(text)
    session = Session(gateway_id="gw-abc12", out_file="gw.yaml")
    app = StepHarness(ApplyStep, session, services, target=target, workspace=tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        await applied(pilot)
        assert "3/4 published; 1 failed" in body_text(app, "#apply-summary")
        assert app.step.check_action("next", ()) is None
        first_run = len(calls)
        await pilot.press("ctrl+r")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert calls[first_run:] == ["PUT /ds/api/v3/gateways/gw-abc12/products"]
        assert "4/4 published" in body_text(app, "#apply-summary")
        assert "✓ [Product]" in app.step.query_one("#apply-log").text()
        assert app.step.check_action("next", ()) is True


async def test_a_route_host_taken_by_another_gateway_offers_one_fix_back_to_template(
    session, with_file, sandbox, tmp_path
):
    services, user, gateway_id = with_file
    # Another gateway publishes the same service name (so the same route host) first.
    other = await services.gateways.create(f"{user} other")
    text = generate_config(
        "client-credentials-shared-idp",
        session.service,
        sandbox.info.upstream_url,
        other.gateway_id,
    )
    assert (await services.apply.apply(other.gateway_id, text)).ok
    app = StepHarness(
        ApplyStep, session, services, target=sandbox_target(sandbox), workspace=tmp_path
    )
    async with app.run_test(size=(100, 30)) as pilot:
        await applied(pilot)
        error = body_text(app, "#error-text")
        assert "already used in another gateway" in error
        assert "ctrl+t to go back to Template" in error and "suggests a free name" in error
        # One fix, not "retry" beside "pick another name": applying again cannot help.
        assert app.step.check_action("retry", ()) is False
        assert "ctrl+r" not in body_text(app, "#apply-summary")
        assert app.step.check_action("pick_name", ()) is True
        await pilot.press("ctrl+t")
        await pilot.pause()
    assert app.went == ["template"]


async def test_a_new_apply_does_not_keep_the_previous_runs_output(
    session, with_file, sandbox, tmp_path
):
    services, user, gateway_id = with_file
    app = StepHarness(
        ApplyStep, session, services, target=sandbox_target(sandbox), workspace=tmp_path
    )
    async with app.run_test(size=(100, 30)) as pilot:
        await applied(pilot)
        assert "4/4 published" in body_text(app, "#apply-summary")
        assert app.step.query_one("#deck-output").display
        # The file now names another gateway: the publish fails before decK says anything.
        text = generate_config(
            "client-credentials-shared-idp", session.service, sandbox.info.upstream_url, "gw-zz9"
        )
        (tmp_path / "gw-config-client-cred.yaml").write_text(text)
        await applied(pilot)
        assert "4/4 published" not in body_text(app, "#apply-summary")
        assert "failed" in body_text(app, "#apply-summary")
        assert not app.step.query_one("#deck-output").display  # the old decK output is gone
