"""``/sandbox/service-accounts`` refuses what it cannot use with a 422 that says why, and only
the owner can list or delete an account (another learner's delete is a 404 and changes nothing);
``whoami`` with an account's token names its gateway as the namespace."""

from __future__ import annotations

import httpx
import pytest

from tests.sandbox.portal_kit import client, new_gateway, user

ACCOUNTS = "/sandbox/service-accounts"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"{not json", "Syntax Error Parsing JSON"),
        (b'{"gatewayId": "gw-1", "scopes": ["all"]}', 'The body may only hold "gatewayId"'),
        (b'["gw-1"]', 'The body may only hold "gatewayId"'),
        (b'{"gatewayId": "../gw"}', "gatewayId must be a gateway id"),
        (b'{"gatewayId": 7}', "gatewayId must be a gateway id"),
    ],
)
def test_a_body_it_cannot_use_is_422_with_the_reason(sandbox, body, message):
    with client(sandbox, user("sa")) as c:
        r = c.post(ACCOUNTS, content=body, headers={"Content-Type": "application/json"})
        assert (r.status_code, r.json()) == (422, {"message": message})
        assert c.get(ACCOUNTS).json() == []  # nothing was made


def test_only_the_owner_lists_and_deletes_an_account(sandbox):
    with client(sandbox, user("owner")) as owner, client(sandbox, user("other")) as other:
        made = owner.post(ACCOUNTS, json={})
        assert made.status_code == 201, made.text
        client_id = made.json()["clientId"]
        assert other.get(ACCOUNTS).json() == []
        refused = other.delete(f"{ACCOUNTS}/{client_id}")
        assert (refused.status_code, refused.json()) == (404, {"message": "Resource not found"})
        assert [a["clientId"] for a in owner.get(ACCOUNTS).json()] == [client_id]
        assert (owner.delete(f"{ACCOUNTS}/{client_id}").json()) is True
        assert owner.get(ACCOUNTS).json() == []


def test_whoami_with_a_gateway_accounts_token_names_its_namespace(sandbox):
    with client(sandbox, user("owner")) as owner:
        gw = new_gateway(owner)
        account = owner.post(ACCOUNTS, json={"gatewayId": gw}).json()
    token = httpx.post(
        account["tokenEndpoint"],
        data={
            "grant_type": "client_credentials",
            "client_id": account["clientId"],
            "client_secret": account["clientSecret"],
        },
        timeout=15,
    )
    assert token.status_code == 200, token.text
    who = httpx.get(
        f"{sandbox.info.portal_url}/gw/api/v2/whoami",
        headers={"Authorization": f"Bearer {token.json()['access_token']}"},
        timeout=15,
    )
    assert who.status_code == 200, who.text
    assert who.json()["namespace"] == gw
    assert who.json()["username"] == account["username"]
