"""ApiClient: a login that runs out, URLs it cannot parse or must route, bodies, redirects, and
what the learner is told each time.

MockTransport only: an expiring token, a refused refresh, a renewal that yields no token, a
refused connection and a redirect cannot be staged on the sandbox on demand.
"""

from __future__ import annotations

import httpx
import pytest

from tests.services.provider_kit import StaticTokens, mock_client
from tui.services.errors import WizardError
from tui.services.target import Target

RELOGIN_WHY = "Your login has expired and could not be renewed automatically."
RELOGIN_FIX = "Log in again on the Login step, then retry."


def expired_unless(fresh: str, fields: dict | None = None):
    """401 for any token but ``fresh`` (with validation ``fields`` in the body, if given)."""

    def answer(request: httpx.Request) -> httpx.Response:
        if request.headers.get("Authorization") == f"Bearer {fresh}":
            return httpx.Response(200, json={"ok": True})
        body: dict = {"code": "invalid_token", "message": "jwt expired"}
        if fields:
            body["fields"] = fields
        return httpx.Response(401, json=body)

    return answer


class Refused(StaticTokens):
    """A login server that refuses the refresh token (Keycloak's invalid_grant)."""

    async def refresh(self) -> bool:
        self.refreshed += 1
        raise WizardError(
            "Renew the login failed: invalid_grant",
            why="Session not active",
            fix="Log in again.",
            status=400,
            detail="Session not active",
        )


async def test_a_refused_refresh_says_the_login_expired_why_and_to_log_in_again() -> None:
    client, rec = mock_client(expired_unless("never"), tokens=Refused("old"))
    with pytest.raises(WizardError) as info:
        await client.request("GET", "/ds/api/v3/gateways", action="List your gateways")
    await client.aclose()
    err = info.value
    assert err.what == "List your gateways failed: you are no longer logged in"
    assert err.why == f"{RELOGIN_WHY} (Renew the login failed: invalid_grant)"
    assert err.fix == RELOGIN_FIX
    assert (err.status, err.code, err.retryable) == (401, "login_required", False)
    assert err.detail == "Session not active"
    assert len(rec.requests) == 1  # nothing is resent with a login that is gone


async def test_a_refresh_with_nothing_to_renew_ends_in_log_in_again_without_detail() -> None:
    client, rec = mock_client(expired_unless("never"), tokens=StaticTokens("old", None))
    with pytest.raises(WizardError) as info:
        await client.request("GET", "/ds/api/v3/gateways", action="List your gateways")
    await client.aclose()
    err = info.value
    assert err.what == "List your gateways failed: you are no longer logged in"
    assert (err.why, err.fix, err.detail) == (RELOGIN_WHY, RELOGIN_FIX, "")
    assert (err.status, err.code, err.retryable) == (401, "login_required", False)


async def test_a_second_401_keeps_the_servers_words_in_the_log_in_again_error() -> None:
    fields = {"token": {"message": "jwt audience invalid"}}
    client, _ = mock_client(expired_unless("never", fields), tokens=StaticTokens("old", "new"))
    with pytest.raises(WizardError) as info:
        await client.request(
            "GET", "/ds/api/v3/gateways", action="List your gateways", hints={"jwt": ("a", "b")}
        )
    await client.aclose()
    err = info.value
    assert err.what == "List your gateways failed: you are no longer logged in"
    assert (err.why, err.fix, err.retryable) == (RELOGIN_WHY, RELOGIN_FIX, False)
    assert "jwt expired" in err.detail
    assert err.fields == {"token": "jwt audience invalid"}


async def test_the_resent_request_keeps_the_headers_and_timeout_of_the_first() -> None:
    client, rec = mock_client(expired_unless("new"), tokens=StaticTokens("old", "new"))
    await client.request(
        "POST",
        "/gw/api/v3/gateways/gw-1/services",
        action="Publish",
        json={"a": 1},
        headers={"X-Trace": "t-1"},
    )
    await client.aclose()
    first, again = rec.requests
    unchanged = ("Content-Type", "User-Agent", "Accept", "X-Trace", "Content-Length")
    assert [again.headers[h] for h in unchanged] == [first.headers[h] for h in unchanged]
    assert again.headers["Authorization"] == "Bearer new"
    # A resent request that hangs still ends with the client's timeout.
    assert again.extensions["timeout"] == first.extensions["timeout"]
    assert again.extensions["timeout"]["read"] == 15.0


class RenewedWithoutToken(StaticTokens):
    """The renewal "worked" but left no access token behind."""

    async def refresh(self) -> bool:
        self.refreshed += 1
        self.token = None
        return True


async def test_a_renewal_that_leaves_no_token_never_resends_the_expired_one() -> None:
    client, rec = mock_client(expired_unless("never"), tokens=RenewedWithoutToken("old"))
    with pytest.raises(WizardError, match="no longer logged in"):
        await client.request("GET", "/x", action="List")
    await client.aclose()
    assert [r.headers.get("Authorization") for r in rec.requests] == ["Bearer old", None]


async def test_without_a_login_no_authorization_header_is_sent() -> None:
    client, rec = mock_client(
        lambda r: httpx.Response(200, json={}), tokens=StaticTokens(None, None)
    )
    await client.request("GET", "/ds/api/v3/gateways", action="List")
    await client.aclose()
    assert "Authorization" not in rec.requests[0].headers


async def test_query_parameters_reach_the_server() -> None:
    client, rec = mock_client(lambda r: httpx.Response(200, json={}))
    await client.request(
        "DELETE", "/gw/api/v3/gateways/gw-1", action="Destroy", params={"force": "true"}
    )
    await client.aclose()
    assert rec.requests[0].url.params["force"] == "true"


async def test_a_malformed_url_is_named_with_what_the_wizard_was_doing() -> None:
    client, rec = mock_client(lambda r: httpx.Response(200, json={}))
    with pytest.raises(WizardError) as info:
        await client.request("GET", "http://[::1/x", action="Find the portal")
    await client.aclose()
    err = info.value
    assert err.what == "Find the portal failed: http://[::1/x is not a valid URL"
    assert err.fix == "Check the host name." and err.retryable is False
    assert "Invalid port" in err.why  # httpx's reason, as it gave it
    assert rec.requests == []


async def test_a_malformed_api_url_to_call_is_an_error_not_a_traceback() -> None:
    client, rec = mock_client(lambda r: httpx.Response(200, json={}))
    with pytest.raises(WizardError) as info:
        await client.send_raw("GET", "http://[::1:8461/uuid", action="Call the API")
    await client.aclose()
    assert info.value.what == "Call the API failed: http://[::1:8461/uuid is not a valid URL"
    assert rec.requests == []


def refused(request: httpx.Request) -> httpx.Response:
    raise httpx.ConnectError("[Errno 111] Connection refused", request=request)


async def test_a_refused_connection_names_the_action_the_url_and_who_can_fix_it() -> None:
    sandbox = Target.sandbox("127.0.0.1:8460")
    client, _ = mock_client(refused, target=sandbox)
    with pytest.raises(WizardError) as portal:
        await client.request("GET", "/ds/api/v3/gateways", action="List your gateways")
    with pytest.raises(WizardError) as api:
        await client.send_raw("GET", "http://127.0.0.1:8461/uuid")
    await client.aclose()
    assert portal.value.what.startswith("List your gateways failed: ")
    assert "http://127.0.0.1:8460/ds/api/v3/gateways" in portal.value.what
    assert api.value.what.startswith("Call the API failed: ")
    assert "http://127.0.0.1:8461/uuid" in api.value.what
    # On the built-in sandbox the learner restarts the wizard; elsewhere they check the host.
    assert "The built-in sandbox stopped" in portal.value.fix
    elsewhere, _ = mock_client(refused, target=Target.test())
    with pytest.raises(WizardError) as other:
        await elsewhere.request("GET", "/ds/api/v3/gateways", action="List your gateways")
    await elsewhere.aclose()
    assert other.value.fix == "Check the host and port, then retry."


async def test_the_client_never_follows_a_redirect() -> None:
    """A redirect (to a login page, say) is an answer to explain, not a page to fetch."""
    client, rec = mock_client(
        lambda r: httpx.Response(302, headers={"Location": "https://login.example/page"})
    )
    with pytest.raises(WizardError) as info:
        await client.request("GET", "/ds/api/v3/gateways", action="List")
    await client.aclose()
    assert info.value.status == 302 and len(rec.requests) == 1


async def test_a_path_without_a_leading_slash_is_joined_to_the_host() -> None:
    client, rec = mock_client(lambda r: httpx.Response(200, json={}))
    await client.request("GET", "ds/api/v3/gateways", action="List")
    await client.aclose()
    assert str(rec.requests[0].url) == "https://portal.example:8443/ds/api/v3/gateways"


@pytest.mark.parametrize(
    ("target", "url"),
    [
        # a *.localhost URL without a port, and any other URL with a port, are left alone
        (Target.sandbox("10.1.2.3:8460"), "http://svc-dev-api-gov-bc-ca.localhost/uuid"),
        (Target.sandbox("10.1.2.3:8460"), "http://api.example.org:8080/uuid"),
        # a sandbox addressed by a *.localhost name of its own: curl reaches it the same way
        (Target.sandbox("class.localhost:8460"), "http://svc.localhost:8461/uuid"),
    ],
)
async def test_only_env_host_urls_are_sent_to_a_remote_sandboxs_address(
    target: Target, url: str
) -> None:
    client, rec = mock_client(lambda r: httpx.Response(200), target=target)
    await client.send_raw("GET", url)
    await client.aclose()
    sent = rec.requests[0]
    assert str(sent.url) == url
    assert sent.headers["Host"] == httpx.URL(url).netloc.decode()


async def test_send_raw_sends_text_as_is_and_a_mapping_as_a_form() -> None:
    client, rec = mock_client(lambda r: httpx.Response(200))
    await client.send_raw("POST", "https://api.example/x", data='{"raw": true}')
    await client.send_raw("POST", "https://api.example/x", data=b"\x00bytes")
    await client.send_raw("POST", "https://api.example/x", data={"user_code": "BCDF-GHJK"})
    await client.aclose()
    assert rec.bodies == [b'{"raw": true}', b"\x00bytes", b"user_code=BCDF-GHJK"]
    assert rec.requests[2].headers["Content-Type"] == "application/x-www-form-urlencoded"
