"""Status: the §9 table from the real sandbox (UP, DOWN with real reasons), the URL to call
(checked through the sandbox's data plane), and every reason explained."""

from __future__ import annotations

import secrets

import httpx
import pytest

from tests.services.provider_kit import mock_client
from tui.services.apply import ApplyService
from tui.services.errors import WizardError
from tui.services.gateway import GatewaysService
from tui.services.http import ApiClient
from tui.services.status import StatusService, api_url, explain_reason
from tui.services.templates import generate_config


async def published(client: ApiClient, upstream: str) -> tuple[str, str]:
    gw = (await GatewaysService(client).create("Status Tests")).gateway_id
    service = f"status-{secrets.token_hex(3)}"
    text = generate_config("client-credentials-shared-idp", service, upstream, gw)
    hostport = httpx.URL(upstream).netloc.decode()  # as a learner fixes it in Review
    text = text.replace(f"host: {hostport}\n", f"host: {hostport.rsplit(':', 1)[0]}\n")
    report = await ApplyService(client).apply(gw, text)
    assert report.ok, [r.error for r in report.failures]
    return gw, service


async def test_published_service_is_up_and_its_url_answers_401(user_client, sandbox) -> None:
    gw, service = await published(user_client, sandbox.info.upstream_url)
    rows = await StatusService(user_client).services(gw)
    assert len(rows) == 1
    row = rows[0]
    assert row.name == f"{service}-dev"
    assert (row.status, row.reason, row.up) == ("UP", "200 Response", True)
    assert row.upstream == f"{sandbox.info.upstream_url}/"
    assert row.env_host == f"{service}-dev-api-gov-bc-ca.localhost:{sandbox.info.data_plane_port}"
    assert row.host is None
    assert row.explanation.startswith("UP: the upstream answered HTTP 200")

    url = api_url(row.env_host, user_client.target.scheme)
    assert url == f"http://{row.env_host}/uuid"
    answer = await user_client.send_raw("GET", url)
    assert answer.status_code == 401
    assert answer.json() == {"message": "Unauthorized"}


async def test_dead_upstream_is_down_with_a_reason(user_client, sandbox) -> None:
    import socket

    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    gw, _ = await published(user_client, f"http://127.0.0.1:{port}")
    row = (await StatusService(user_client).services(gw))[0]
    assert (row.status, row.reason, row.up) == ("DOWN", "CONNECTION", False)
    assert "refused" in row.explanation


async def test_empty_gateway_has_no_services(user_client) -> None:
    gw = (await GatewaysService(user_client).create("Empty Status")).gateway_id
    assert await StatusService(user_client).services(gw) == []


async def test_someone_elses_gateway_is_refused(user_client, sandbox) -> None:
    from tests.services.provider_kit import StaticTokens, sandbox_target, unique_user
    from tui.sandbox.tokens import issue_provider_token

    gw = (await GatewaysService(user_client).create("Not Yours")).gateway_id
    other = ApiClient(
        sandbox_target(sandbox),
        tokens=StaticTokens(issue_provider_token(sandbox.ctx, unique_user())),
    )
    with pytest.raises(WizardError) as info:
        await StatusService(other).services(gw)
    assert info.value.status == 403
    assert "not yours" in info.value.why
    await other.aclose()


async def test_odd_answers_are_errors() -> None:
    client, _ = mock_client(lambda r: httpx.Response(200, json={"not": "a list"}))
    with pytest.raises(WizardError, match="not a list"):
        await StatusService(client).services("gw-12345")
    await client.aclose()
    client, _ = mock_client(
        lambda r: httpx.Response(500, json={"error": "Unexpected error occurred"})
    )
    with pytest.raises(WizardError) as info:
        await StatusService(client).services("gw-12345")
    assert "could not run its status check" in info.value.why
    await client.aclose()


async def test_json_nulls_and_live_shape() -> None:
    body = [
        {
            "name": "my-svc-dev",
            "upstream": "https://httpbin.org:443/",
            "status": "UP",
            "reason": "200 Response",
            "host": None,
            "env_host": "my-svc-dev-api-gov-bc-ca.test.api.gov.bc.ca",
        }
    ]
    client, _ = mock_client(lambda r: httpx.Response(200, json=body))
    row = (await StatusService(client).services("gw-12345"))[0]
    assert row.host is None
    assert (
        api_url(row.env_host, "https") == "https://my-svc-dev-api-gov-bc-ca.test.api.gov.bc.ca/uuid"
    )
    await client.aclose()


def test_api_url_variants() -> None:
    assert api_url("a.localhost:8461", "http", "/get") == "http://a.localhost:8461/get"
    assert api_url("https://a.example/", "https", "uuid") == "https://a.example/uuid"
    assert api_url("a.example", "https", "") == "https://a.example"


@pytest.mark.parametrize(
    ("reason", "needle"),
    [
        ("200 Response", "UP: the upstream answered HTTP 200"),
        ("302 Response", "UP"),
        ("AUTH 401", "UP: the upstream answered 401"),
        ("AUTH 403", "counts 401 and 403 as UP"),
        ("DNS", "does not resolve"),
        ("TIMEOUT", "did not answer within"),
        ("CONNECTION", "refused"),
        ("CON_ERR", "connection to the upstream failed"),
        ("SSL", "TLS handshake"),
        ("SSL_URLLIB3", "TLS handshake"),
        ("404 Response", "nothing at that path"),
        ("500 Response", "error on the upstream server itself"),
        ("503 Response", "error on the upstream server itself"),
        ("418 Response", "DOWN: the upstream answered HTTP 418"),
        ("UNKNOWN", "could not name"),
        ("something new", "APS reported: something new"),
    ],
)
def test_every_reason_is_explained(reason: str, needle: str) -> None:
    assert needle in explain_reason(reason)
