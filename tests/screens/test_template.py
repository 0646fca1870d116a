"""Template step alone: field checks, the availability check and its suggestion, writing."""

from __future__ import annotations

from pathlib import Path

import httpx

from screens.template import TemplateStep
from tests.screens.harness import StepHarness
from tests.screens.step_kit import body_text, mock_services, sandbox_target
from tests.waiting import settled, until
from tui.services.session import Session
from tui.services.target import Target
from tui.services.templates import generate_config


def harness(session, services, sandbox, workspace):
    return StepHarness(
        TemplateStep,
        session,
        services,
        target=sandbox_target(sandbox),
        workspace=workspace,
        sandbox_upstream=sandbox.info.upstream_url,
    )


async def type_into(pilot, selector: str, text: str) -> None:
    field = pilot.app.screen.query_one(selector)
    field.value = ""
    field.focus()
    await pilot.press(*text)


async def name_checked(pilot) -> None:
    """Wait for the debounced availability check of the typed name to report: either the name
    is available, or it is taken and another name is suggested."""
    step = pilot.app.step

    def reported() -> bool:
        value = step.query_one("#service").value
        return step.available_for == value or bool(step.suggestion and step.suggestion != value)

    await until(pilot, reported, "the service name check")
    await settled(pilot)


async def test_writes_the_same_file_as_generate_config(session, with_gateway, sandbox, tmp_path):
    services, user, gateway_id = with_gateway
    app = harness(session, services, sandbox, tmp_path)
    service = f"svc-{user}"
    async with app.run_test(size=(100, 30)) as pilot:
        assert app.step.query_one("#upstream").value == sandbox.info.upstream_url
        await type_into(pilot, "#service", service)
        await name_checked(pilot)
        assert f"✓ {service} is available" in body_text(app, "#service-message")
        assert f"{service}.dev.api.gov.bc.ca" in body_text(app, "#service-message")
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "File gw-config-client-cred.yaml created (4 documents)" in body_text(
            app, "#template-result"
        )
        await pilot.press("ctrl+n")
        await pilot.pause()
    written = (tmp_path / "gw-config-client-cred.yaml").read_text()
    assert written == generate_config(
        "client-credentials-shared-idp", service, sandbox.info.upstream_url, gateway_id
    )
    assert app.completed == ["template"]
    assert (session.service, session.out_file) == (service, "gw-config-client-cred.yaml")


async def test_a_taken_name_shows_the_suggestion_and_ctrl_g_takes_it(
    session, with_gateway, sandbox, tmp_path
):
    services, user, gateway_id = with_gateway
    taken = f"taken-{user}"
    # Another gateway already publishes this name.
    text = generate_config(
        "client-credentials-shared-idp", taken, sandbox.info.upstream_url, gateway_id
    )
    report = await services.apply.apply(gateway_id, text)
    assert report.ok, report.summary
    session.gateway_id = (await services.gateways.create(f"{user} two")).gateway_id
    app = harness(session, services, sandbox, tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        await type_into(pilot, "#service", taken)
        await name_checked(pilot)
        message = body_text(app, "#service-message")
        assert f"Service {taken} is already in use. Suggestion:" in message
        suggestion = app.step.suggestion
        assert suggestion and suggestion != taken
        await pilot.press("enter")
        await pilot.pause()
        assert not (tmp_path / "gw-config-client-cred.yaml").exists()
        await pilot.press("ctrl+g")
        await name_checked(pilot)
        assert app.step.query_one("#service").value == suggestion
        assert f"✓ {suggestion} is available" in body_text(app, "#service-message")


async def test_each_field_message(session, with_gateway, sandbox, tmp_path):
    services, user, _ = with_gateway
    app = harness(session, services, sandbox, tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        await type_into(pilot, "#service", "<MYSERVICE>")
        await pilot.pause()
        assert "Replace the placeholder" in body_text(app, "#service-message")
        await type_into(pilot, "#upstream", "httpbin.org")
        await pilot.pause()
        assert "Include the scheme, like https://httpbin.org" in body_text(app, "#upstream-message")
        await type_into(pilot, "#out-file", "/tmp/x.yaml")
        await pilot.pause()
        assert "relative to the current folder" in body_text(app, "#out-message")
        await type_into(pilot, "#out-file", "config.txt")
        await pilot.pause()
        assert "Only YAML files are accepted" in body_text(app, "#out-message")
        assert app.step.check_action("next", ()) is None


async def test_availability_check_failure_is_explained_with_retry(tmp_path):
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(500, json={"message": "Internal error"})

    target = Target("custom", "aps.example", "https")
    services = mock_services(handler, target)
    session = Session(gateway_id="gw-abc12")
    app = StepHarness(TemplateStep, session, services, target=target, workspace=tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        assert app.step.query_one("#upstream").value == "https://httpbin.org"
        await type_into(pilot, "#service", "my-api")
        await until(pilot, lambda: "Press ctrl+r" in body_text(app, "#error-text"), "the error")
        text = body_text(app, "#error-text")
        assert "Check the service name failed" in text and "Press ctrl+r" in text


async def test_another_template_writes_its_own_documents(session, with_gateway, sandbox, tmp_path):
    services, user, gateway_id = with_gateway
    app = harness(session, services, sandbox, tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.click("#tpl-kong-httpbin")
        await pilot.pause()
        assert "1 document" in str(app.screen.query_one("#template-help").content)
        await type_into(pilot, "#out-file", "bare.yaml")
        await type_into(pilot, "#service", f"bare-{user}")
        await name_checked(pilot)
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "File bare.yaml created (1 document)" in body_text(app, "#template-result")
    assert (tmp_path / "bare.yaml").read_text() == generate_config(
        "kong-httpbin", f"bare-{user}", sandbox.info.upstream_url, gateway_id
    )


async def test_a_class_sandbox_reached_with_host_offers_its_own_upstream(sandbox, tmp_path):
    # Learners in a class run `gwa-wizard --host trainer:8460 --scheme http`: a custom target.
    # httpbin.org is out of reach there, so the sandbox's built-in upstream is proposed.
    from tui.services.bundle import build_services
    from tui.services.secrets import SecretStore

    target = Target("custom", sandbox.info.portal_host, "http")
    services = build_services(target, secrets=SecretStore())
    session = Session(target_kind="custom", host=target.host, scheme="http")
    app = StepHarness(TemplateStep, session, services, target=target, workspace=tmp_path)
    try:
        async with app.run_test(size=(100, 30)) as pilot:
            await until(
                pilot,
                lambda: "gwa-wizard sandbox" in body_text(app, "#upstream-message"),
                "the class sandbox to be recognised",
            )
            assert app.step.query_one("#upstream").value == sandbox.info.upstream_url
    finally:
        await services.aclose()


async def test_a_real_portal_keeps_httpbin_as_the_upstream(tmp_path):
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(404, json={"message": "Resource not found"})

    target = Target("custom", "portal.example", "https")
    services = mock_services(handler, target)
    session = Session(target_kind="custom", host=target.host)
    app = StepHarness(TemplateStep, session, services, target=target, workspace=tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.step.query_one("#upstream").value == "https://httpbin.org"


async def test_coming_back_after_the_name_was_taken_does_not_keep_available(
    session, with_gateway, sandbox, tmp_path
):
    from screens.modals import ConfirmModal

    services, user, gateway_id = with_gateway
    name = f"late-{user}"
    app = harness(session, services, sandbox, tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        await type_into(pilot, "#service", name)
        await name_checked(pilot)
        assert f"✓ {name} is available" in body_text(app, "#service-message")
        # Meanwhile another gateway publishes that name (Apply would now say it is taken).
        other = await services.gateways.create(f"{user} other")
        text = generate_config(
            "client-credentials-shared-idp", name, sandbox.info.upstream_url, other.gateway_id
        )
        assert (await services.apply.apply(other.gateway_id, text)).ok
        await app.push_screen(ConfirmModal("away"))  # leave the step and come back
        app.pop_screen()
        await name_checked(pilot)
        message = body_text(app, "#service-message")
        assert "✓" not in message and "already in use" in message
        assert app.step.suggestion and not app.step.ready


async def write_and_wait(pilot) -> None:
    await pilot.press("enter")
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def test_the_workspace_is_shown_changed_on_screen_created_and_kept(
    session, with_gateway, sandbox, tmp_path
):
    services, user, gateway_id = with_gateway
    app = harness(session, services, sandbox, tmp_path)
    chosen = Path.home() / "mine" / "gwa-files"  # does not exist yet
    async with app.run_test(size=(100, 30)) as pilot:
        assert app.step.query_one("#workspace").value == str(tmp_path)  # shown
        await type_into(pilot, "#workspace", "~/mine/gwa-files")  # as a learner types it
        assert f"→ {chosen / 'gw-config-client-cred.yaml'}" in body_text(app, "#out-message")
        await type_into(pilot, "#service", f"svc-{user}")
        await name_checked(pilot)
        await write_and_wait(pilot)
        assert f"in {chosen}" in body_text(app, "#template-result")
    assert (chosen / "gw-config-client-cred.yaml").is_file()
    assert session.workspace == str(chosen) and app.workspace == chosen  # kept for later steps


async def test_a_workspace_that_cannot_be_written_is_refused_with_a_fix(
    session, with_gateway, sandbox, tmp_path
):
    services, user, gateway_id = with_gateway
    (Path.home() / "a-file").write_text("not a folder")
    app = harness(session, services, sandbox, tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        await type_into(pilot, "#service", f"svc-{user}")
        await name_checked(pilot)
        await type_into(pilot, "#workspace", "~/a-file/inside")
        app.step.query_one("#service").focus()
        await write_and_wait(pilot)
        message = body_text(app, "#workspace-message")
        assert "Cannot write into" in message and "Choose a folder you own" in message
        assert not app.step.ready and session.workspace == ""


async def test_writing_over_a_file_with_other_content_asks_first(
    session, with_gateway, sandbox, tmp_path
):
    services, user, gateway_id = with_gateway
    existing = tmp_path / "gw-config-client-cred.yaml"
    existing.write_text("# my own edits\nkind: Product\n")
    app = harness(session, services, sandbox, tmp_path)
    async with app.run_test(size=(100, 30)) as pilot:
        await type_into(pilot, "#service", f"svc-{user}")
        await name_checked(pilot)
        await write_and_wait(pilot)
        await until(pilot, lambda: app.screen.query("#choice-question"), "the question")
        question = str(app.screen.query_one("#choice-question").content)
        assert "already exists with other content" in question
        assert "-# my own edits" in question  # what would be replaced is shown
        await pilot.press("escape")  # keep it
        await pilot.pause()
        assert existing.read_text() == "# my own edits\nkind: Product\n" and not app.step.ready
        app.step.query_one("#service").focus()
        await write_and_wait(pilot)
        await until(pilot, lambda: app.screen.query("#choice-replace"), "the question")
        await pilot.click("#choice-replace")
        await until(pilot, lambda: app.step.ready, "the file to be written")
    assert existing.read_text().startswith("kind: GatewayService")
