"""ApiClient faults with MockTransport: what the sandbox cannot produce on demand."""

from __future__ import annotations

import asyncio
import json
import socket
import ssl

import httpx
import pytest

from tests.services.provider_kit import StaticTokens, mock_client
from tui import __version__
from tui.services.errors import WizardError
from tui.services.http import ApiClient
from tui.services.target import Target


def ok(request: httpx.Request) -> httpx.Response:
    return httpx.Response(200, json={"ok": True})


async def test_sends_gwa_style_headers_and_bearer() -> None:
    client, rec = mock_client(ok, tokens=StaticTokens("tok-123"))
    response = await client.request("GET", "/ds/api/v3/gateways", action="List")
    assert response.json() == {"ok": True}
    sent = rec.requests[0]
    assert str(sent.url) == "https://portal.example:8443/ds/api/v3/gateways"
    assert sent.headers["User-Agent"] == f"gwa-wizard/{__version__}"
    assert sent.headers["Accept"] == "application/json"
    assert sent.headers["Authorization"] == "Bearer tok-123"
    await client.aclose()


async def test_auth_false_never_sends_the_token_and_absolute_urls_pass_through() -> None:
    client, rec = mock_client(ok, tokens=StaticTokens("tok-123"))
    await client.request(
        "GET", "https://login.example/realms/x/.well-known", action="A", auth=False
    )
    assert "Authorization" not in rec.requests[0].headers
    assert str(rec.requests[0].url) == "https://login.example/realms/x/.well-known"
    await client.aclose()


async def test_only_expected_statuses_are_success() -> None:
    client, _ = mock_client(lambda r: httpx.Response(201, json={"gatewayId": "gw-1"}))
    with pytest.raises(WizardError) as info:
        await client.request("POST", "/x", action="Create the gateway", json={})
    assert info.value.status == 201
    assert "unexpected status" in info.value.why
    response = await client.request("POST", "/x", action="Create", json={}, expect=(200, 201))
    assert response.status_code == 201
    await client.aclose()


async def test_html_error_page_is_named_as_such() -> None:
    page = "<html><body><h1>502 Bad Gateway</h1></body></html>"
    client, _ = mock_client(
        lambda r: httpx.Response(502, text=page, headers={"content-type": "text/html"})
    )
    with pytest.raises(WizardError) as info:
        await client.request("GET", "/ds/api/v3/gateways", action="List your gateways")
    err = info.value
    assert "HTML error page (status 502)" in err.what
    assert err.detail == "received HTML error page (status code 502)"
    await client.aclose()


async def test_500_is_retryable_and_blames_the_server() -> None:
    client, _ = mock_client(
        lambda r: httpx.Response(500, json={"message": "Internal Server Error"})
    )
    with pytest.raises(WizardError) as info:
        await client.request("GET", "/x", action="List")
    assert info.value.retryable
    assert info.value.what == "List failed: Internal Server Error"
    assert "not caused by your input" in info.value.why
    await client.aclose()


@pytest.mark.parametrize(
    ("status", "body", "what", "code"),
    [
        (
            401,
            {"code": "credentials_required", "message": "No authorization token was found"},
            "No authorization token was found",
            "credentials_required",
        ),
        (
            403,
            {
                "code": "permission_denied",
                "message": "Missing required scope: gw-1:Namespace.Manage",
            },
            "Missing required scope: gw-1:Namespace.Manage",
            "permission_denied",
        ),
        (
            422,
            {
                "code": "validation_error",
                "message": "Unable to create Gateway",
                "fields": {"d0": {"message": "Namespace already exists"}},
            },
            "Unable to create Gateway: Namespace already exists",
            "validation_error",
        ),
        (
            422,
            {"message": "Validation Failed", "details": {"d0": {"message": "Bad name"}}},
            "Validation Failed: Bad name",
            "",
        ),
        (
            422,
            {
                "code": "validation_error",
                "message": "",
                "fields": {
                    "body.extra": {
                        "message": '"extra" is an excess property and therefore is not allowed'
                    }
                },
            },
            'body.extra: "extra" is an excess property and therefore is not allowed',
            "validation_error",
        ),
        (
            400,
            {"error": "Validation Errors:\n.services.a missing required tag ns.gw-1"},
            "Validation Errors: .services.a missing required tag ns.gw-1",
            "Validation Errors:\n.services.a missing required tag ns.gw-1",
        ),
        (400, {"error": "Sync Failed.", "results": "deck said no"}, "Sync Failed.", "Sync Failed."),
        (
            400,
            {"error": "invalid_grant", "error_description": "Token is not active"},
            "invalid_grant",
            "invalid_grant",
        ),
        (
            400,
            {
                "status": 400,
                "result": "create-failed",
                "reason": "Record not found [organization] x",
                "childResults": [],
            },
            "create-failed: Record not found [organization] x",
            "create-failed",
        ),
        (404, {"error": "Not Found", "code": 404}, "Not Found", "Not Found"),
        (404, {"message": "Resource not found"}, "Resource not found", ""),
        (
            500,
            {"code": "misconfig_error", "message": "[404] Not Found (realm)"},
            "[404] Not Found (realm)",
            "misconfig_error",
        ),
    ],
)
async def test_every_contract_error_shape_is_read(status, body, what, code) -> None:
    client, _ = mock_client(lambda r: httpx.Response(status, json=body))
    with pytest.raises(WizardError) as info:
        await client.request("PUT", "/x", action="Do it", json={}, auth=False)
    assert info.value.status == status
    assert info.value.what == f"Do it failed: {what}"
    assert info.value.code == code
    await client.aclose()


async def test_plain_text_body_is_the_error() -> None:
    client, _ = mock_client(
        lambda r: httpx.Response(
            400, text="error reaching api", headers={"content-type": "text/plain"}
        )
    )
    with pytest.raises(WizardError, match="error reaching api"):
        await client.request("GET", "/gw/api/v3/gateways/gw-1/services", action="Status")
    await client.aclose()


async def test_hints_replace_the_generic_advice() -> None:
    body = {
        "code": "validation_error",
        "message": "Unable to create Gateway",
        "fields": {"d0": {"message": "Namespace already exists"}},
    }
    client, _ = mock_client(lambda r: httpx.Response(422, json=body))
    with pytest.raises(WizardError) as info:
        await client.request(
            "POST",
            "/x",
            action="Create",
            json={},
            hints={"Namespace already exists": ("taken", "pick another")},
        )
    assert (info.value.why, info.value.fix) == ("taken", "pick another")
    assert info.value.fields == {"d0": "Namespace already exists"}
    await client.aclose()


def _raiser(exc_type: type[Exception], message: str):
    def answer(request: httpx.Request) -> httpx.Response:
        raise exc_type(message, request=request)

    return answer


@pytest.mark.parametrize(
    ("exc_type", "message", "needle"),
    [
        (httpx.ConnectTimeout, "timed out", "no answer from"),
        (httpx.ReadTimeout, "timed out", "no answer from"),
        (httpx.ConnectError, "[Errno -2] Name or service not known", "could not be found (DNS)"),
        (httpx.ConnectError, "[Errno 111] Connection refused", "was refused"),
        (
            httpx.ConnectError,
            "[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed",
            "secure (TLS)",
        ),
        (httpx.RemoteProtocolError, "Server disconnected without sending a response.", "cut off"),
        (httpx.ReadError, "[Errno 104] Connection reset by peer", "cut off"),
    ],
)
async def test_transport_errors_are_explained(exc_type, message, needle) -> None:
    client, _ = mock_client(_raiser(exc_type, message))
    with pytest.raises(WizardError) as info:
        await client.request("GET", "/ds/api/v3/gateways", action="List")
    assert needle in info.value.what
    assert info.value.status is None
    assert "https://portal.example:8443/ds/api/v3/gateways" in info.value.what
    await client.aclose()


def _expire_first(new_token: str):
    """401 (expired) for any token but ``new_token``."""

    def answer(request: httpx.Request) -> httpx.Response:
        if request.headers.get("Authorization") == f"Bearer {new_token}":
            return httpx.Response(200, json={"status": 200, "result": "created"})
        return httpx.Response(401, json={"code": "invalid_token", "message": "jwt expired"})

    return answer


async def test_401_refreshes_once_and_resends_the_same_json_body() -> None:
    tokens = StaticTokens("old", next_token="new")
    client, rec = mock_client(_expire_first("new"), tokens=tokens)
    doc = {"name": "my-svc API", "environments": [{"name": "dev"}]}
    response = await client.request(
        "PUT", "/ds/api/v3/gateways/gw-1/products", action="Apply", json=doc
    )
    assert response.json()["result"] == "created"
    assert tokens.refreshed == 1
    assert len(rec.requests) == 2
    assert [r.headers["Authorization"] for r in rec.requests] == ["Bearer old", "Bearer new"]
    assert rec.bodies[0] == rec.bodies[1] and json.loads(rec.bodies[1]) == doc
    await client.aclose()


async def test_401_resends_the_same_multipart_body() -> None:
    tokens = StaticTokens("old", next_token="new")
    client, rec = mock_client(_expire_first("new"), tokens=tokens)
    await client.request(
        "PUT",
        "/gw/api/v3/gateways/gw-1/gateway",
        action="Publish",
        data={"dryRun": "false"},
        files={"configFile": ("config.yaml", b'{"services": []}', "application/octet-stream")},
    )
    assert len(rec.bodies) == 2
    for body in rec.bodies:
        assert b'name="dryRun"' in body and b'{"services": []}' in body
        assert b'filename="config.yaml"' in body
    await client.aclose()


async def test_parallel_401s_share_one_refresh() -> None:
    # The refresh is held until all three requests have met their 401, so the three really
    # overlap however loaded the machine is (a fixed pause here would be a guess).
    all_refused = asyncio.Event()
    refused: list[httpx.Request] = []
    expire = _expire_first("new")

    def answer(request: httpx.Request) -> httpx.Response:
        response = expire(request)
        if response.status_code == 401:
            refused.append(request)
            if len(refused) == 3:
                all_refused.set()
        return response

    class Rotating(StaticTokens):
        async def refresh(self) -> bool:
            await asyncio.wait_for(all_refused.wait(), timeout=30)
            return await super().refresh()

    tokens = Rotating("old", next_token="new")
    client, rec = mock_client(answer, tokens=tokens)
    results = await asyncio.gather(
        *(client.request("GET", f"/x/{i}", action="List") for i in range(3))
    )
    assert [r.status_code for r in results] == [200, 200, 200]
    assert tokens.refreshed == 1
    assert len(rec.requests) == 6
    await client.aclose()


async def test_second_401_gives_up_with_log_in_again() -> None:
    tokens = StaticTokens("old", next_token="still-bad")
    client, rec = mock_client(_expire_first("never"), tokens=tokens)
    with pytest.raises(WizardError) as info:
        await client.request("GET", "/ds/api/v3/gateways", action="List")
    assert tokens.refreshed == 1 and len(rec.requests) == 2
    assert "no longer logged in" in info.value.what
    assert "Log in again" in info.value.fix
    assert info.value.status == 401 and info.value.code == "login_required"
    assert "jwt expired" in info.value.detail
    assert "still-bad" not in str(info.value) + info.value.detail
    await client.aclose()


async def test_failed_refresh_gives_up_without_resending() -> None:
    tokens = StaticTokens("old", next_token=None)
    client, rec = mock_client(_expire_first("never"), tokens=tokens)
    with pytest.raises(WizardError, match="no longer logged in"):
        await client.request("GET", "/ds/api/v3/gateways", action="List")
    assert len(rec.requests) == 1
    await client.aclose()


async def test_refresh_network_failure_is_reported_as_network() -> None:
    class Broken(StaticTokens):
        async def refresh(self) -> bool:
            raise WizardError("Renew the login failed: the connection was refused")

    client, _ = mock_client(_expire_first("never"), tokens=Broken("old"))
    with pytest.raises(WizardError, match="connection was refused"):
        await client.request("GET", "/ds/api/v3/gateways", action="List")
    await client.aclose()


async def test_401_without_token_source_is_plain_error() -> None:
    client, rec = mock_client(_expire_first("never"))
    with pytest.raises(WizardError) as info:
        await client.request("GET", "/x", action="List")
    assert info.value.status == 401 and len(rec.requests) == 1
    assert "Log in again" in info.value.fix
    await client.aclose()


async def test_send_raw_routes_localhost_env_hosts_to_the_target_address() -> None:
    target = Target.sandbox("10.1.2.3:8460")
    client, rec = mock_client(
        lambda r: httpx.Response(401, json={"message": "Unauthorized"}),
        tokens=StaticTokens("portal-token"),
        target=target,
    )
    response = await client.send_raw("GET", "http://my-svc-dev-api-gov-bc-ca.localhost:8461/uuid")
    assert response.status_code == 401  # no status check
    sent = rec.requests[0]
    assert str(sent.url) == "http://10.1.2.3:8461/uuid"
    assert sent.headers["Host"] == "my-svc-dev-api-gov-bc-ca.localhost:8461"
    assert "Authorization" not in sent.headers  # never the portal login
    await client.aclose()


async def test_send_raw_leaves_other_hosts_alone_and_keeps_caller_headers() -> None:
    client, rec = mock_client(ok, target=Target.test())
    url = "https://my-svc-dev-api-gov-bc-ca.test.api.gov.bc.ca/uuid"
    await client.send_raw("GET", url, headers={"Authorization": "Bearer consumer"})
    sent = rec.requests[0]
    assert str(sent.url) == url
    assert sent.headers["Host"] == "my-svc-dev-api-gov-bc-ca.test.api.gov.bc.ca"
    assert sent.headers["Authorization"] == "Bearer consumer"
    await client.aclose()


async def test_send_raw_transport_error_is_wizard_error() -> None:
    client, _ = mock_client(_raiser(httpx.ConnectError, "[Errno 111] Connection refused"))
    with pytest.raises(WizardError, match="refused"):
        await client.send_raw("GET", "http://svc.localhost:8461/uuid", action="Call the API")
    await client.aclose()


async def test_a_slow_server_times_out_with_a_plain_message(sandbox) -> None:
    """Live: the sandbox upstream's /delay/2 against a 0.5 s read timeout."""
    upstream = httpx.URL(sandbox.info.upstream_url)
    client = ApiClient(Target("custom", f"{upstream.host}:{upstream.port}", "http"), timeout=0.5)
    with pytest.raises(WizardError) as info:
        await client.send_raw("GET", "/delay/2", action="Call the API")
    assert "no answer from" in info.value.what and "in time" in info.value.what
    assert info.value.retryable
    await client.aclose()


def _chained(cause: BaseException):
    """httpx's ConnectError with a bland message, raised from the OS error as httpx does."""

    def answer(request: httpx.Request) -> httpx.Response:
        try:
            raise cause
        except OSError as exc:
            raise httpx.ConnectError("All connection attempts failed", request=request) from exc

    return answer


@pytest.mark.parametrize(
    ("cause", "needle"),
    [
        (socket.gaierror(socket.EAI_NONAME, "unexpected words"), "could not be found (DNS)"),
        (ssl.SSLCertVerificationError(1, "unexpected words"), "secure (TLS)"),
        (ConnectionRefusedError(111, "unexpected words"), "was refused"),
    ],
)
async def test_connect_errors_are_classified_by_the_os_error_underneath(cause, needle) -> None:
    client, _ = mock_client(_chained(cause))
    with pytest.raises(WizardError) as info:
        await client.request("GET", "/ds/api", action="Find the portal")
    assert needle in info.value.what and info.value.status is None
    await client.aclose()


async def test_a_real_refused_connection_names_the_os_reason() -> None:
    with socket.socket() as probe:  # a loopback port nobody listens on any more
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    async with ApiClient(Target("custom", f"127.0.0.1:{port}", "http")) as client:
        with pytest.raises(WizardError) as info:
            await client.request("GET", "/ds/api", action="Find the portal")
    assert "was refused" in info.value.what
    assert f"http://127.0.0.1:{port}/ds/api" in info.value.what
    assert info.value.detail.endswith("([Errno 111] Connection refused)")


async def test_the_refresh_is_an_httpx_auth_flow_that_resends_a_fresh_request() -> None:
    from tui.services.http import RefreshOnce

    client, rec = mock_client(_expire_first("new"), tokens=StaticTokens("old", "new"))
    await client.request("PUT", "/x", action="Put", json={"a": 1})
    assert isinstance(RefreshOnce(None, asyncio.Lock(), "x"), httpx.Auth)
    first, second = rec.requests
    assert first is not second and first.content == second.content == b'{"a":1}'
    await client.aclose()


async def test_the_wizards_client_reaches_the_sandbox_over_https_with_its_ca(sandbox) -> None:
    """The client trusts the embedded sandbox's own CA (registered at start), so the data plane
    answers over TLS as it does over plain HTTP."""
    from tests.sandbox.kong_fixtures import (
        add_consumer,
        consumer_token,
        env_host,
        new_gateway_id,
        publish,
        service_doc,
    )
    from tui.services import sandbox_trust

    gateway = new_gateway_id()
    service = f"tls-{gateway}"
    publish(sandbox, gateway, service_doc(gateway, service, sandbox.info.upstream_url))
    token = consumer_token(sandbox, add_consumer(sandbox, gateway))
    sandbox_trust.trust(sandbox.ctx.certificate_authority().pem)
    port = sandbox.ctx.data_plane_port
    async with ApiClient(Target.sandbox(sandbox.info.portal_host)) as client:
        response = await client.send_raw(
            "GET",
            f"https://localhost:{port}/uuid",
            headers={"Host": env_host(sandbox, service), "Authorization": f"Bearer {token}"},
        )
    assert response.status_code == 200 and response.url.scheme == "https"
