"""Discovery chain: faults with MockTransport, the real chain against the sandbox."""

from __future__ import annotations

import httpx
import pytest

from tests.services.provider_kit import mock_client
from tui.services.discovery import NOT_APS, Discovery, discover, link_target
from tui.services.errors import WizardError

OPENAPI = """
openapi: 3.0.0
components:
  securitySchemes:
    openid:
      type: openIdConnect
      openIdConnectUrl: https://login.example/auth/realms/aps/.well-known/openid-configuration
"""
OIDC = {
    "issuer": "https://login.example/auth/realms/aps",
    "token_endpoint": "https://login.example/auth/realms/aps/protocol/openid-connect/token",
    "device_authorization_endpoint": "https://login.example/auth/realms/aps/protocol/openid-connect/auth/device",
}


def portal(
    *,
    status: int = 204,
    link: str | None = '</ds/api/v3/openapi.yaml>; rel="service-desc"',
    openapi: str = OPENAPI,
    oidc: dict | None = None,
):
    def answer(request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if path == "/ds/api":
            headers = {"Link": link} if link is not None else {}
            return httpx.Response(status, headers=headers)
        if path == "/ds/api/v3/openapi.yaml":
            return httpx.Response(200, text=openapi, headers={"content-type": "application/yaml"})
        if path.endswith("/.well-known/openid-configuration"):
            return httpx.Response(200, json=OIDC if oidc is None else oidc)
        return httpx.Response(404, json={"message": "Resource not found"})

    return answer


def test_link_target_takes_the_last_part() -> None:
    assert link_target('</a.yaml>; rel="x", </ds/api/v3/openapi.yaml>; rel="service-desc"') == (
        "/ds/api/v3/openapi.yaml"
    )
    assert link_target("") is None
    assert link_target("rel=service-desc") is None
    assert link_target("<>; rel=x") is None


async def test_full_chain_against_a_mock_portal() -> None:
    client, rec = mock_client(portal())
    found = await discover(client)
    assert found == Discovery(
        openapi_path="/ds/api/v3/openapi.yaml",
        oidc_config_url="https://login.example/auth/realms/aps/.well-known/openid-configuration",
        issuer=OIDC["issuer"],
        token_endpoint=OIDC["token_endpoint"],
        device_authorization_endpoint=OIDC["device_authorization_endpoint"],
    )
    assert [str(r.url) for r in rec.requests][:2] == [
        "https://portal.example:8443/ds/api",
        "https://portal.example:8443/ds/api/v3/openapi.yaml",
    ]
    assert all("Authorization" not in r.headers for r in rec.requests)
    await client.aclose()


@pytest.mark.parametrize("status", [200, 404, 301])
async def test_anything_but_204_is_not_an_aps_portal(status: int) -> None:
    client, _ = mock_client(portal(status=status))
    with pytest.raises(WizardError) as info:
        await discover(client)
    assert info.value.what == NOT_APS
    assert f"answered {status}" in info.value.why
    assert "bare portal host" in info.value.fix
    await client.aclose()


async def test_an_html_page_gets_its_own_message() -> None:
    client, _ = mock_client(
        lambda r: httpx.Response(
            200,
            text="<html>Sign in to the Wi-Fi</html>",
            headers={"content-type": "text/html; charset=utf-8"},
        )
    )
    with pytest.raises(WizardError) as info:
        await discover(client)
    assert info.value.what.startswith(NOT_APS)
    assert "web page" in info.value.what
    assert "captive portal" in info.value.fix
    await client.aclose()


async def test_204_without_link_cannot_find_the_openapi() -> None:
    client, _ = mock_client(portal(link=None))
    with pytest.raises(WizardError, match="unable to find OpenAPI configuration"):
        await discover(client)
    await client.aclose()


async def test_openapi_without_openid_url_is_explained() -> None:
    client, _ = mock_client(portal(openapi="openapi: 3.0.0\ncomponents: {}\n"))
    with pytest.raises(WizardError, match="does not say where to log in"):
        await discover(client)
    await client.aclose()


async def test_openapi_that_is_not_yaml_is_explained() -> None:
    client, _ = mock_client(portal(openapi="a: [unclosed"))
    with pytest.raises(WizardError, match="could not be read"):
        await discover(client)
    await client.aclose()


async def test_oidc_without_token_endpoint_is_explained() -> None:
    client, _ = mock_client(portal(oidc={"issuer": "x"}))
    with pytest.raises(WizardError, match="no token endpoint"):
        await discover(client)
    await client.aclose()


@pytest.mark.parametrize(
    ("message", "needle"),
    [
        ("[Errno -2] Name or service not known", "(DNS)"),
        ("[Errno 111] Connection refused", "refused"),
        ("[SSL: WRONG_VERSION_NUMBER] wrong version number (_ssl.c:1006)", "TLS"),
    ],
)
async def test_network_failures_say_what_failed(message: str, needle: str) -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError(message, request=request)

    client, _ = mock_client(answer)
    with pytest.raises(WizardError) as info:
        await discover(client)
    assert needle in info.value.what
    assert info.value.what.startswith("Check the host failed")
    await client.aclose()


async def test_real_chain_against_the_sandbox(anon_client, sandbox) -> None:
    found = await discover(anon_client)
    issuer = sandbox.info.login_issuer
    assert found.openapi_path == "/ds/api/v3/openapi.yaml"
    assert found.oidc_config_url == f"{issuer}/.well-known/openid-configuration"
    assert found.issuer == issuer
    assert found.token_endpoint == f"{issuer}/protocol/openid-connect/token"
    assert found.device_authorization_endpoint.startswith(issuer)


async def test_a_live_server_that_is_not_a_portal(sandbox) -> None:
    """The sandbox's built-in upstream is a real web server, but not an APS portal."""
    from tui.services.http import ApiClient
    from tui.services.target import Target

    upstream = httpx.URL(sandbox.info.upstream_url)
    client = ApiClient(Target("custom", f"{upstream.host}:{upstream.port}", "http"))
    with pytest.raises(WizardError) as info:
        await discover(client)
    assert info.value.what.startswith(NOT_APS)
    assert info.value.status == 404
    await client.aclose()


async def test_a_port_nobody_listens_on_is_refused() -> None:
    import socket

    from tui.services.http import ApiClient
    from tui.services.target import Target

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    client = ApiClient(Target("custom", f"127.0.0.1:{port}", "http"))
    with pytest.raises(WizardError) as info:
        await discover(client)
    assert "refused" in info.value.what
    # A custom host is likely a class sandbox the learner cannot start: ask the trainer.
    assert "ask your trainer" in info.value.fix and "Start the sandbox" not in info.value.fix
    await client.aclose()


async def test_a_refused_live_portal_is_not_blamed_on_a_trainer() -> None:
    import httpx

    from tui.services.network_errors import network_error

    refused = httpx.ConnectError("[Errno 111] Connection refused")
    live = network_error("Log in", refused, "https://api.gov.bc.ca/", "prod")
    assert "trainer" not in live.fix and "host and port" in live.fix
    embedded = network_error("Log in", refused, "http://127.0.0.1:1/", "sandbox")
    assert "start gwa-wizard again" in embedded.fix


async def test_https_against_a_plain_http_server_is_a_tls_problem(sandbox) -> None:
    from tui.services.http import ApiClient
    from tui.services.target import Target

    client = ApiClient(Target("custom", sandbox.info.portal_host, "https"))
    with pytest.raises(WizardError) as info:
        await discover(client)
    assert "TLS" in info.value.what
    assert "--scheme http" in info.value.fix
    await client.aclose()
