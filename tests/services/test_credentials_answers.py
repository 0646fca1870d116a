"""CredentialsService against answers the sandbox does not give on demand (other shapes of the
issue answer, an approval-gated environment, a failing portal), and what it keeps in memory."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from tests.services.provider_kit import mock_client
from tui.services.credentials import ConsumerCredentials, CredentialsService, parse_issued
from tui.services.errors import WizardError
from tui.services.secrets import SecretStore
from tui.services.session import Session

GOOD_ID = "8C1D2E3F-0A1B2C3D4E5"
GOOD_SECRET = "0b6f3c1e-5d2a-4c8b-9e7f-1a2b3c4d5e6f"
GOOD_URL = "https://dev.loginproxy.gov.bc.ca/auth/realms/apigw/protocol/openid-connect/token"
ISSUER = "https://dev.loginproxy.gov.bc.ca/auth/realms/apigw"
VALUES = {"clientId": GOOD_ID, "clientSecret": GOOD_SECRET, "tokenEndpoint": GOOD_URL}


@pytest.mark.parametrize("key", ["credential", "credentials", "consumer", "data"])
@pytest.mark.parametrize("as_text", [False, True])
def test_issued_values_are_found_under_each_key_the_portal_uses(key: str, as_text: bool) -> None:
    inner: Any = VALUES | {"issuer": ISSUER}
    body = {key: json.dumps(inner) if as_text else inner, "application": {"name": "app-1"}}
    assert parse_issued(body, "asked-for") == ConsumerCredentials(
        GOOD_ID, GOOD_SECRET, GOOD_URL, issuer=ISSUER, application="app-1"
    )


def test_issued_values_at_the_top_win_and_the_asked_name_fills_in() -> None:
    body = VALUES | {"data": {"clientId": "other", "issuer": ISSUER}}
    assert parse_issued(json.dumps(body), "asked-for") == ConsumerCredentials(
        GOOD_ID, GOOD_SECRET, GOOD_URL, issuer=ISSUER, application="asked-for"
    )
    assert parse_issued(VALUES).issuer is None


@pytest.mark.parametrize(
    "body",
    [
        [VALUES],  # a list, not an object
        "not json",
        {"clientId": GOOD_ID, "data": ["x"]},
        {"clientId": GOOD_ID, "application": "a name, not an object"},
    ],
)
def test_an_issue_answer_of_another_shape_is_an_error_with_the_handoff_as_fix(body: Any) -> None:
    with pytest.raises(WizardError) as caught:
        parse_issued(body)
    err = caught.value
    assert err.what.startswith("The portal issued credentials but its answer lacks ")
    assert err.what.endswith("clientSecret, tokenEndpoint")
    assert err.why == "The consumers endpoint answered in a shape the wizard does not know."
    assert err.fix == "Use the portal hand-off instead, and paste the three values."


async def test_issue_asks_for_a_named_application_labelled_as_the_wizards() -> None:
    answer = VALUES | {"application": {"name": "app-1"}}
    client, rec = mock_client(lambda r: httpx.Response(200, json=answer))
    creds = await CredentialsService(client).issue("gw-1a2b3", "8C1D2E3F", "my-svc-tester")
    await client.aclose()
    assert creds == ConsumerCredentials(GOOD_ID, GOOD_SECRET, GOOD_URL, application="app-1")
    (sent,) = rec.requests
    assert (sent.method, sent.url.path) == ("POST", "/ds/api/v3/gateways/gw-1a2b3/consumers")
    assert json.loads(rec.bodies[0]) == {
        "environmentAppId": "8C1D2E3F",
        "application": {
            "name": "my-svc-tester",
            "description": "Created by gwa-wizard for the client-credentials tutorial",
        },
        "labels": {"issued-by": "gwa-wizard"},
    }


async def test_environments_read_every_field_and_default_what_is_missing() -> None:
    products = [
        {
            "name": "my-svc API",
            "appId": "P1",
            "environments": [
                {
                    "name": "dev",
                    "appId": "E1",
                    "flow": "client-credentials",
                    "active": True,
                    "approval": True,
                    "services": ["my-svc-dev"],
                    "credentialIssuer": "gw-1a2b3 default",
                },
                {},
            ],
        },
        {"environments": None},
        {"environments": [{"name": "test"}]},  # a product without a name or an appId
    ]
    client, _ = mock_client(lambda r: httpx.Response(200, json=products))
    envs = await CredentialsService(client).environments("gw-1a2b3")
    await client.aclose()
    assert [
        (e.product, e.product_app_id, e.name, e.app_id, e.flow, e.active, e.approval)
        + (e.services, e.credential_issuer)
        for e in envs
    ] == [
        ("my-svc API", "P1", "dev", "E1", "client-credentials", True, True)
        + (("my-svc-dev",), "gw-1a2b3 default"),
        ("my-svc API", "P1", "", "", "", False, False, (), ""),
        ("", "", "test", "", "", False, False, (), ""),
    ]


@pytest.mark.parametrize("answer", [{"message": "not a list"}, "text"])
async def test_a_products_answer_that_is_not_a_list_means_no_environments(answer: Any) -> None:
    client, _ = mock_client(lambda r: httpx.Response(200, json=answer))
    assert await CredentialsService(client).environments("gw-1a2b3") == []
    await client.aclose()


@pytest.mark.parametrize(
    ("answer", "listed"),
    [
        ([{"clientId": GOOD_ID}, {"clientId": ""}, "stray", {"name": "no id"}], [GOOD_ID]),
        ({"message": "not a list"}, None),
    ],
)
async def test_consumers_lists_only_real_client_ids(answer: Any, listed: Any) -> None:
    client, _ = mock_client(lambda r: httpx.Response(200, json=answer))
    assert await CredentialsService(client).consumers("gw-1a2b3") == listed
    await client.aclose()


async def _fail(call: str) -> WizardError:
    client, _ = mock_client(lambda r: httpx.Response(500, json={"message": "boom"}))
    service = CredentialsService(client)
    calls = {
        "consumers": lambda: service.consumers("gw-1a2b3"),
        "environments": lambda: service.environments("gw-1a2b3"),
        "issue": lambda: service.issue("gw-1a2b3", "E1", "app"),
        "revoke": lambda: service.revoke("gw-1a2b3", GOOD_ID),
    }
    with pytest.raises(WizardError) as caught:
        await calls[call]()
    await client.aclose()
    return caught.value


@pytest.mark.parametrize(
    ("call", "headline"),
    [
        ("consumers", "List the consumers failed: boom"),
        ("environments", "List the gateway's products failed: boom"),
        ("issue", "Issue consumer credentials failed: boom"),
        ("revoke", "Revoke the consumer failed: boom"),
    ],
)
async def test_a_failing_portal_call_names_what_the_wizard_was_doing(
    call: str, headline: str
) -> None:
    assert (await _fail(call)).what == headline


@pytest.mark.parametrize("status", [200, 201])
async def test_issue_takes_200_as_well_as_201_as_created(status: int) -> None:
    client, _ = mock_client(lambda r: httpx.Response(status, json=VALUES))
    creds = await CredentialsService(client).issue("gw-1a2b3", "E1", "app")
    await client.aclose()
    assert creds.client_id == GOOD_ID
    assert creds.application == "app"  # the answer names none: the name asked for


async def test_the_credentials_of_this_run_stay_in_memory_as_issued() -> None:
    secrets = SecretStore()
    session = Session(host="127.0.0.1:8460", client_id=GOOD_ID, token_endpoint=GOOD_URL)
    service = CredentialsService(None)
    issued = ConsumerCredentials(GOOD_ID, GOOD_SECRET, GOOD_URL, issuer=ISSUER, application="a")
    await service.remember(session, secrets, issued)
    assert await service.remembered(session, secrets) == issued  # not just the stored secret


async def test_remembered_never_hands_out_the_credentials_of_another_client() -> None:
    secrets = SecretStore()
    session = Session(host="127.0.0.1:8460", client_id=GOOD_ID, token_endpoint=GOOD_URL)
    service = CredentialsService(None)
    await service.remember(session, secrets, ConsumerCredentials(GOOD_ID, GOOD_SECRET, GOOD_URL))
    session.client_id = "1A2B3C4D-0A1B2C3D4E5"  # the learner pasted another client since
    assert await service.remembered(session, secrets) is None


async def test_remembered_needs_both_the_client_id_and_the_token_endpoint() -> None:
    secrets = SecretStore()
    session = Session(host="127.0.0.1:8460", client_id=GOOD_ID, token_endpoint=GOOD_URL)
    await CredentialsService(None).remember(
        session, secrets, ConsumerCredentials(GOOD_ID, GOOD_SECRET, GOOD_URL)
    )
    session.token_endpoint = ""
    assert await CredentialsService(None).remembered(session, secrets) is None


async def test_forgetting_another_client_keeps_the_current_credentials() -> None:
    secrets = SecretStore()
    session = Session(host="127.0.0.1:8460", client_id=GOOD_ID, token_endpoint=GOOD_URL)
    service = CredentialsService(None)
    current = ConsumerCredentials(GOOD_ID, GOOD_SECRET, GOOD_URL, application="a")
    await service.forget(session, secrets, GOOD_ID)  # nothing current yet: fine
    await service.remember(session, secrets, current)
    await service.forget(session, secrets, "1A2B3C4D-0A1B2C3D4E5")
    assert service.current == current
    assert await service.remembered(session, secrets) == current
