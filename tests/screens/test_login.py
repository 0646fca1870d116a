"""Login step alone: device flow on the sandbox, service accounts, and the failure cases."""

from __future__ import annotations

import httpx

from screens.login import LoginStep
from screens.login_device import countdown
from tests.screens.harness import StepHarness
from tests.screens.step_kit import body_text, mock_services, sandbox_target, unique_user
from tests.waiting import until
from tui.services.session import Session
from tui.services.target import Target


def harness(session, services, target):
    return StepHarness(LoginStep, session, services, target=target)


async def test_device_login_approved_on_the_sandbox(session, services, sandbox, no_clipboard):
    app = harness(session, services, sandbox_target(sandbox))
    user = unique_user("dev")
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        await pilot.click("#start-device")
        copied = lambda: any("OSC 52" in n.message for n in app._notifications)  # noqa: E731
        await until(pilot, copied, "the user code to be copied")
        step = app.step
        assert step.challenge is not None
        code = step.challenge.user_code
        assert body_text(app, "#user-code") == " ".join(code)  # spaced out, large
        assert "expires in" in body_text(app, "#poll-status")
        assert no_clipboard == [code]  # system clipboard tried (and absent here)
        assert app.clipboard == code  # OSC 52 copy done as well
        assert any("OSC 52" in n.message for n in app._notifications)
        sandbox_user = step.query_one("#sandbox-user")
        sandbox_user.value = user
        await pilot.press("ctrl+l")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert f"Successfully logged in as {user}" in body_text(app, "#login-result")
        # No keyring in tests: the learner is told and offered an owner-only file.
        assert "in memory only" in body_text(app, "#storage-text")
        await pilot.press("ctrl+n")
        await pilot.pause()
    assert app.completed == ["login"]
    assert session.username == user and session.login_method == "device"
    assert await services.login.current_user() == user


async def test_cancel_stops_waiting(session, services, sandbox):
    app = harness(session, services, sandbox_target(sandbox))
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.click("#start-device")
        await until(pilot, lambda: app.step.challenge is not None, "a device code")
        await pilot.press("escape")
        await pilot.pause()
        assert app.step.challenge is None
        assert app.step.query_one("#start-device").display
        assert app.step.check_action("next", ()) is None


async def test_owner_only_file_keeps_the_tokens(session, services, sandbox, tmp_path):
    app = harness(session, services, sandbox_target(sandbox))
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.click("#start-device")
        await until(pilot, lambda: app.step.challenge is not None, "a device code")
        app.step.query_one("#sandbox-user").value = unique_user("file")
        await pilot.press("ctrl+l")
        await app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.click("#use-file")
        await pilot.pause()
        assert services.secrets.backend == "file"
        path = services.secrets.file_path
        assert path is not None and path.exists()
        assert oct(path.stat().st_mode & 0o777) == "0o600"
        assert "readable only by you" in body_text(app, "#storage-text")


async def test_service_account_fields_are_required_then_wrong_secret_is_explained(
    session, services, sandbox
):
    app = harness(session, services, sandbox_target(sandbox))
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.click("#method-cc")
        await pilot.pause()
        await pilot.click("#cc-login")
        await pilot.pause()
        assert "client id" in body_text(app, "#cc-message")
        await pilot.click("#cc-id")
        await pilot.press(*"nobody-sa")
        await pilot.click("#cc-login")
        await pilot.pause()
        assert "client secret" in body_text(app, "#cc-message")
        await pilot.click("#cc-secret")
        await pilot.press(*"wrong")
        await pilot.click("#cc-login")
        await app.workers.wait_for_complete()
        await pilot.pause()
        text = body_text(app, "#error-text")
        assert "Why:" in text and "Fix:" in text
        assert "wrong" not in text  # the secret is never echoed
        assert app.step.check_action("next", ()) is None


def device_server(poll_answers: list[tuple[int, dict]]):
    """A login server (MockTransport) whose token endpoint answers from a script."""
    base = "https://aps.example"

    def handler(request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if path == "/ds/api":
            return httpx.Response(204, headers={"Link": '</ds/api/v3/openapi.yaml>; rel="x"'})
        if path.endswith("openapi.yaml"):
            return httpx.Response(
                200,
                text=(
                    "components:\n  securitySchemes:\n    openid:\n      type: openIdConnect\n"
                    f"      openIdConnectUrl: {base}/oidc\n"
                ),
            )
        if path == "/oidc":
            return httpx.Response(
                200,
                json={
                    "issuer": f"{base}/realm",
                    "token_endpoint": f"{base}/token",
                    "device_authorization_endpoint": f"{base}/device",
                },
            )
        if path == "/device":
            return httpx.Response(
                200,
                json={
                    "device_code": "dc",
                    "user_code": "ABCD-EFGH",
                    "verification_uri": f"{base}/device/verify",
                    "expires_in": 600,
                    "interval": 1,
                },
            )
        if path == "/token":
            status, body = poll_answers.pop(0)
            return httpx.Response(status, json=body)
        return httpx.Response(404, json={"message": "nope"})

    return handler


async def run_device(answers) -> tuple[StepHarness, str]:
    target = Target("custom", "aps.example", "https")
    services = mock_services(device_server(answers), target)
    app = harness(Session(), services, target)
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        await pilot.click("#start-device")
        await until(pilot, lambda: body_text(app, "#error-text"), "the error to be shown")
        error = body_text(app, "#error-text")
        assert not app.step.query_one("#approve").display  # no sandbox button on live hosts
    return app, error


async def test_denied_login_is_explained_with_a_retry():
    app, error = await run_device([(400, {"error": "access_denied"})])
    assert "The login was refused" in error and "Press ctrl+r to retry" in error


async def test_expired_code_is_explained():
    app, error = await run_device([(400, {"error": "expired_token"})])
    assert "expired" in error.lower()


async def test_slow_down_makes_the_wizard_wait_longer():
    answers = [(400, {"error": "slow_down"}), (400, {"error": "authorization_pending"})]
    target = Target("custom", "aps.example", "https")
    services = mock_services(device_server(answers), target)
    app = harness(Session(), services, target)
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        await pilot.click("#start-device")
        await until(
            pilot,
            lambda: (
                app.step.poll_interval == 6
                and any("slow down" in n.message for n in app._notifications)
            ),
            "the longer interval, and the notice saying why",
        )  # 1 s + 5 s, as RFC 8628 asks
        assert "every 6 s" in body_text(app, "#poll-status")
        assert any("slow down" in n.message for n in app._notifications)


def test_countdown_format():
    assert countdown(599) == "9:59" and countdown(5) == "0:05"


async def test_service_account_login_on_the_sandbox(session, logged_in, sandbox):
    provider, user = logged_in
    response = await provider.client.request(
        "POST", "/sandbox/service-accounts", action="Make a service account", json={}, expect=(201,)
    )
    account = response.json()
    from tests.screens.step_kit import sandbox_target as target_of
    from tui.services.bundle import build_services
    from tui.services.secrets import SecretStore

    services = build_services(target_of(sandbox), secrets=SecretStore())
    app = harness(session, services, target_of(sandbox))
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.click("#method-cc")
        app.step.query_one("#cc-id").value = account["clientId"]
        app.step.query_one("#cc-secret").focus()
        await pilot.press(*account["clientSecret"], "enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "as a service account" in body_text(app, "#login-result")
        assert app.step.query_one("#cc-secret").password  # masked until revealed
        assert account["clientSecret"] not in app.export_screenshot()
        await pilot.press("ctrl+n")
        await pilot.pause()
    assert session.login_method == "client_credentials"
    assert session.username == f"service-account-{account['clientId']}"
    await services.aclose()


async def test_the_secret_is_revealed_only_on_request(session, services, sandbox):
    app = harness(session, services, sandbox_target(sandbox))
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.click("#method-cc")
        app.step.query_one("#cc-secret").focus()
        await pilot.press(*"s3cret-value")
        assert "s3cret-value" not in app.export_screenshot()
        await pilot.press("ctrl+t")
        await until(pilot, lambda: "s3cret-value" in app.export_screenshot(), "the secret shown")
        await pilot.press("ctrl+t")
        await until(
            pilot, lambda: "s3cret-value" not in app.export_screenshot(), "the secret hidden"
        )


async def test_after_a_login_the_screen_no_longer_offers_start_and_the_header_names_the_user(
    session, services, sandbox
):
    app = harness(session, services, sandbox_target(sandbox))
    user = unique_user("hdr")
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        assert "User: —" in body_text(app, "#wizard-header")
        assert "Start the login" in str(app.step.query_one("#start-device").label)
        await pilot.click("#start-device")
        await until(pilot, lambda: app.step.challenge is not None, "a device code")
        app.step.query_one("#sandbox-user").value = user
        await pilot.press("ctrl+l")
        await until(pilot, lambda: app.step.ready, "the login to succeed")
        assert f"Successfully logged in as {user}" in body_text(app, "#login-result")
        assert f"User: {user}" in body_text(app, "#wizard-header")
        label = str(app.step.query_one("#start-device").label)
        assert "Start the login" not in label and "Log in again" in label
