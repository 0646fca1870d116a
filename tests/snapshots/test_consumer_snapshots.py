"""SVG snapshots (100×30) of the consumer steps' key states.

Deterministic by construction: the services talk to a fixed in-memory backend (a
MockTransport that answers like the sandbox, with fixed ports, ids, secrets and a fixed JWT),
the clock of the countdowns is frozen, and request timings are fixed. Review
``snapshot_report.html`` before accepting changes with ``--snapshot-update``.
"""

from __future__ import annotations

import base64
import json
from typing import Any

import httpx
import pytest
from textual.widgets import Input, TextArea

from screens.call import CallStep
from screens.cleanup import CleanupStep
from screens.credentials import CredentialsStep
from screens.summary import SummaryScreen
from screens.token import TokenStep
from screens.try_it import TryItStep
from tests.screens.harness import StepHarness
from tui.services.bundle import build_services
from tui.services.consumer_token import ConsumerToken, decode
from tui.services.credentials import ConsumerCredentials, secret_name
from tui.services.secrets import SecretStore
from tui.services.session import Session
from tui.services.target import Target

SIZE = (100, 30)
GW = "gw-1a2b3"
SERVICE = "my-svc"
ENV_APP = "8C1D2E3F"
CLIENT_ID = "8C1D2E3F-0A1B2C3D4E5"
SECRET = "0b6f3c1e-5d2a-4c8b-9e7f-1a2b3c4d5e6f"
TARGET = Target.sandbox("127.0.0.1:8460")
TOKEN_URL = "http://127.0.0.1:8460/auth/realms/apigw/protocol/openid-connect/token"
API_URL = "http://my-svc-dev-api-gov-bc-ca.localhost:8461/uuid"
NOW = 1_800_000_000  # the frozen wall clock
UUID = "fb49e86c-7e91-45e7-aca1-d0bf1515252d"


def _b64(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def fixed_jwt(exp: int = NOW + 245) -> str:
    header = {"alg": "RS256", "typ": "JWT", "kid": "sandbox-apigw"}
    claims = {
        "exp": exp,
        "iat": exp - 300,
        "iss": "https://dev.loginproxy.gov.bc.ca/auth/realms/apigw",
        "aud": [f"ap-{GW}-default-dev"],
        "azp": CLIENT_ID,
        "typ": "Bearer",
    }
    return f"{_b64(header)}.{_b64(claims)}.c2lnbmF0dXJlLW5vdC1jaGVja2Vk"


class Backend:
    """Answers like the sandbox for one finished tutorial gateway."""

    def __init__(
        self, *, consumer: bool = True, issue_status: int = 201, expired: bool = False
    ) -> None:
        self.consumer = consumer
        self.gateway = True
        self.issue_status = issue_status
        self.expired = expired

    def __call__(self, request: httpx.Request) -> httpx.Response:
        path, method = request.url.path, request.method
        host = request.headers.get("host", "")
        if ".localhost" in host:
            if not host.startswith("my-svc-dev-api-gov-bc-ca.localhost"):
                return httpx.Response(404, json={"message": "no Route matched with those values"})
            return self.data_plane(request)
        if path == "/auth/realms/apigw/protocol/openid-connect/token":
            return httpx.Response(
                200,
                json={
                    "access_token": fixed_jwt(),
                    "expires_in": 300,
                    "token_type": "Bearer",
                    "refresh_expires_in": 0,
                },
            )
        if path == f"/ds/api/v3/gateways/{GW}/products":
            return httpx.Response(
                200,
                json=[
                    {
                        "name": f"{SERVICE} API",
                        "appId": "A1B2C3D4E5F6",
                        "dataset": f"{SERVICE}-dataset",
                        "environments": [
                            {
                                "name": "dev",
                                "appId": ENV_APP,
                                "active": False,
                                "approval": False,
                                "flow": "client-credentials",
                                "services": [f"{SERVICE}-dev"],
                                "credentialIssuer": f"{GW} default",
                            }
                        ],
                    }
                ],
            )
        if path == f"/ds/api/v3/gateways/{GW}/consumers":
            if method == "POST":
                if self.issue_status != 201:
                    return httpx.Response(
                        self.issue_status,
                        json={
                            "code": "permission_denied",
                            "message": f"Missing required scope: {GW}:CredentialIssuer.Generate",
                        },
                    )
                return httpx.Response(
                    201,
                    json={
                        "clientId": CLIENT_ID,
                        "clientSecret": SECRET,
                        "tokenEndpoint": TOKEN_URL,
                        "application": {"name": "my-svc-tester"},
                    },
                )
            return httpx.Response(200, json=[{"clientId": CLIENT_ID}] if self.consumer else [])
        if path == f"/ds/api/v3/gateways/{GW}" and method == "GET":
            if not self.gateway:
                return httpx.Response(
                    403,
                    json={
                        "code": "permission_denied",
                        "message": f"Missing required scope: {GW}:Namespace.Manage",
                    },
                )
            return httpx.Response(200, json={"gatewayId": GW, "displayName": "janis's Gateway"})
        if path == f"/ds/api/v3/gateways/{GW}" and method == "DELETE":
            if self.consumer:
                return httpx.Response(
                    422,
                    json={
                        "code": "validation_error",
                        "message": "Unable to delete gateway",
                        "fields": {
                            "d0": {"message": "1 consumer has access to products in this gateway."}
                        },
                    },
                )
            self.gateway = False
            return httpx.Response(200, json=True)
        if path == f"/gw/api/v3/gateways/{GW}/services":
            return httpx.Response(200, json=[{"name": f"{SERVICE}-dev", "status": "UP"}])
        return httpx.Response(404, json={"message": "Resource not found"})

    def data_plane(self, request: httpx.Request) -> httpx.Response:
        auth = request.headers.get("authorization")
        if not auth:
            return httpx.Response(
                401, json={"message": "Unauthorized"}, headers={"x-kong-response-latency": "1"}
            )
        if self.expired:
            return httpx.Response(
                401,
                json={"message": 'Token claims invalid: ["exp"]="token expired"'},
                headers={"x-kong-response-latency": "1"},
            )
        return httpx.Response(
            200,
            json={"uuid": UUID},
            headers={"x-kong-upstream-latency": "3", "x-kong-proxy-latency": "1"},
        )


def session(**fields: Any) -> Session:
    s = Session(
        target_kind="sandbox",
        host=TARGET.host,
        scheme="http",
        username="janis",
        gateway_id=GW,
        gateway_display_name="janis's Gateway",
        service=SERVICE,
        env_host="my-svc-dev-api-gov-bc-ca.localhost:8461",
        api_url=API_URL,
    )
    for step_id in ("target", "login", "gateway", "template", "review", "apply", "status"):
        s.mark_done(step_id)
    for name, value in fields.items():
        setattr(s, name, value)
    return s


def app_for(
    step: type, backend: Backend, sess: Session, *, creds: bool = False, token: str | None = None
) -> StepHarness:
    services = build_services(TARGET, transport=httpx.MockTransport(backend), secrets=SecretStore())
    if creds:
        services.credentials.current = ConsumerCredentials(CLIENT_ID, SECRET, TOKEN_URL)
        services.secrets._memory[secret_name(sess.host, CLIENT_ID)] = SECRET  # test seam
    if token is not None:
        header, claims = decode(token)
        services.tokens.current = ConsumerToken(token, 300, NOW - 55, header, claims)
    return StepHarness(step, sess, services, target=TARGET)


@pytest.fixture(autouse=True)
def frozen(monkeypatch: pytest.MonkeyPatch) -> None:
    # No blinking cursor: a screenshot taken half a second later must look the same.
    monkeypatch.setattr(Input, "_toggle_cursor", lambda self: None, raising=False)
    monkeypatch.setattr(TextArea, "_toggle_cursor_blink_visible", lambda self: None, raising=False)
    monkeypatch.setattr("screens.token.now", lambda: float(NOW))
    monkeypatch.setattr("tui.services.probe._ms", lambda started: 12.0)


async def settle(pilot) -> None:
    """Workers done, then any focus scroll they started (animated) ended, then a refresh."""
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
    await pilot.wait_for_scheduled_animations()
    await pilot.pause()


def consumer_session(**fields: Any) -> Session:
    return session(
        client_id=CLIENT_ID,
        token_endpoint=TOKEN_URL,
        credentials_source="rest",
        environment_app_id=ENV_APP,
        **fields,
    )


# -- Try it -----------------------------------------------------------------------------------


def test_try_it_401_is_success(snap_compare) -> None:
    async def run_before(pilot) -> None:
        await pilot.press("ctrl+s")
        await settle(pilot)

    assert snap_compare(
        app_for(TryItStep, Backend(), session()), run_before=run_before, terminal_size=SIZE
    )


def test_try_it_no_route(snap_compare) -> None:
    async def run_before(pilot) -> None:
        await pilot.press("ctrl+s")
        await settle(pilot)

    wrong = session(api_url="http://my-svc-api-gov-bc-ca.localhost:8461/uuid")
    assert snap_compare(
        app_for(TryItStep, Backend(), wrong), run_before=run_before, terminal_size=SIZE
    )


# -- Credentials ------------------------------------------------------------------------------


def test_credentials_issued_masked(snap_compare) -> None:
    async def run_before(pilot) -> None:
        await settle(pilot)
        await pilot.press("ctrl+g")
        await settle(pilot)

    assert snap_compare(
        app_for(CredentialsStep, Backend(consumer=False), session()),
        run_before=run_before,
        terminal_size=SIZE,
    )


def test_credentials_handoff_with_paste_errors(snap_compare) -> None:
    async def run_before(pilot) -> None:
        await settle(pilot)
        await pilot.press("ctrl+g")
        await settle(pilot)
        screen = pilot.app.screen
        screen.query_one("#paste-id").value = "my-app"
        screen.query_one("#paste-secret").value = "abc"
        screen.query_one("#paste-url").value = "https://example.org/auth"
        await pilot.press("ctrl+s")
        await pilot.pause()
        await pilot.wait_for_scheduled_animations()
        # Scroll to the pasted fields at a fixed place (focus scrolling is animated).
        body = screen.query_one("#step-body")
        body.scroll_to_widget(screen.query_one("#open-portal"), animate=False, top=True)
        await pilot.pause()

    backend = Backend(consumer=False, issue_status=403)
    assert snap_compare(
        app_for(CredentialsStep, backend, session()), run_before=run_before, terminal_size=SIZE
    )


# -- Token ------------------------------------------------------------------------------------


def test_token_decoded_with_countdown(snap_compare) -> None:
    async def run_before(pilot) -> None:
        await pilot.press("ctrl+g")
        await settle(pilot)
        pilot.app.screen.query_one("#step-body").scroll_end(animate=False)
        await pilot.pause()

    assert snap_compare(
        app_for(TokenStep, Backend(), consumer_session(), creds=True),
        run_before=run_before,
        terminal_size=SIZE,
    )


def test_token_expired(snap_compare) -> None:
    async def run_before(pilot) -> None:
        await pilot.pause()

    app = app_for(
        TokenStep, Backend(), consumer_session(), creds=True, token=fixed_jwt(exp=NOW - 5)
    )
    assert snap_compare(app, run_before=run_before, terminal_size=SIZE)


# -- Call -------------------------------------------------------------------------------------


def test_call_200_with_uuid(snap_compare) -> None:
    async def run_before(pilot) -> None:
        await pilot.press("ctrl+s")
        await settle(pilot)

    app = app_for(CallStep, Backend(), consumer_session(), creds=True, token=fixed_jwt())
    assert snap_compare(app, run_before=run_before, terminal_size=SIZE)


def test_call_token_expired(snap_compare) -> None:
    async def run_before(pilot) -> None:
        await pilot.press("ctrl+s")
        await settle(pilot)
        pilot.app.screen.query_one("#step-body").scroll_end(animate=False)
        await pilot.pause()

    app = app_for(
        CallStep,
        Backend(expired=True),
        consumer_session(),
        creds=True,
        token=fixed_jwt(exp=NOW - 5),
    )
    assert snap_compare(app, run_before=run_before, terminal_size=SIZE)


# -- Clean up ---------------------------------------------------------------------------------


def test_cleanup_inventory(snap_compare) -> None:
    async def run_before(pilot) -> None:
        await settle(pilot)

    assert snap_compare(
        app_for(CleanupStep, Backend(), consumer_session(), creds=True),
        run_before=run_before,
        terminal_size=SIZE,
    )


def test_cleanup_destroy_refused_while_consumer_exists(snap_compare) -> None:
    async def run_before(pilot) -> None:
        await settle(pilot)
        await pilot.press("ctrl+d")
        await pilot.pause()
        await pilot.press("y")
        await settle(pilot)

    assert snap_compare(
        app_for(CleanupStep, Backend(), consumer_session(), creds=True),
        run_before=run_before,
        terminal_size=SIZE,
    )


def test_cleanup_confirmation_names_the_gateway(snap_compare) -> None:
    async def run_before(pilot) -> None:
        await settle(pilot)
        await pilot.press("ctrl+d")
        await pilot.pause()

    backend = Backend(consumer=False)
    assert snap_compare(
        app_for(CleanupStep, backend, consumer_session(consumer_revoked=True)),
        run_before=run_before,
        terminal_size=SIZE,
    )


def test_cleanup_done(snap_compare) -> None:
    async def run_before(pilot) -> None:
        await settle(pilot)
        await pilot.press("ctrl+d")
        await pilot.pause()
        await pilot.press("y")
        await settle(pilot)

    backend = Backend(consumer=False)
    sess = consumer_session()
    sess.consumer_revoked = True
    assert snap_compare(
        app_for(CleanupStep, backend, sess), run_before=run_before, terminal_size=SIZE
    )


# -- Summary ----------------------------------------------------------------------------------


def summary_session() -> Session:
    """A finished tutorial, with the time spent on each step."""
    sess = consumer_session(
        upstream="http://127.0.0.1:8462",
        out_file="gw-config.yaml",
        consumer_revoked=True,
        published=[
            "GatewayService my-svc-dev",
            "CredentialIssuer gw-1a2b3 default",
            "DraftDataset my-svc-dataset",
            "Product my-svc API",
        ],
    )
    for step_id, seconds in (
        ("target", 4),
        ("login", 65),
        ("gateway", 12),
        ("template", 40),
        ("review", 95),
        ("apply", 8),
        ("status", 6),
        ("try_it", 5),
        ("credentials", 30),
        ("token", 14),
        ("call", 9),
        ("cleanup", 21),
    ):
        sess.mark_done(step_id)
        sess.add_time(step_id, seconds)
    return sess


def test_summary(snap_compare) -> None:
    async def run_before(pilot) -> None:
        await pilot.pause()

    assert snap_compare(
        app_for(SummaryScreen, Backend(), summary_session()),
        run_before=run_before,
        terminal_size=SIZE,
    )
