"""jwt-keycloak's last rows (docs/contract.md#s13, rows 7 to 9) through the data plane: the
role a provider requires keeps out a caller without it, and what a refused caller reads.

Each test publishes its own service with the plugin configured as a provider would, then
calls it with tokens signed by the shared IdP's real key that differ only in the claim the
check reads.
"""

from __future__ import annotations

import time
from types import SimpleNamespace
from typing import Any

import httpx
import pytest

from tests.sandbox.kong_fixtures import add_consumer, new_gateway_id, publish, service_doc
from tests.sandbox.test_jwt_keycloak import Protected, message

REFUSED = "Access token does not have the required scope/role: "


def protected(sandbox, **plugin: Any) -> Protected:
    """A service of a new gateway, its jwt-keycloak plugin configured with ``plugin``."""
    gateway = new_gateway_id()
    service = f"roles-{gateway}"
    doc = service_doc(gateway, service, sandbox.ctx.upstream_url + "/", plugin_overrides=plugin)
    publish(sandbox, gateway, doc)
    consumer = add_consumer(sandbox, gateway)
    return Protected(
        sandbox, gateway, sandbox.ctx.env_host(f"{service}.dev.api.gov.bc.ca"), consumer
    )


def refusal(response: httpx.Response) -> tuple[int, str]:
    status, text = message(response)
    return status, text.removeprefix(REFUSED)


# -- realm roles ---------------------------------------------------------------------------
def test_a_required_realm_role_keeps_out_callers_without_it(sandbox) -> None:
    api = protected(sandbox, realm_roles=["auditor"])
    others = api.signed(realm_access={"roles": ["viewer", "editor"]})
    assert refusal(api.call(others)) == (403, "Missing required realm role")
    assert refusal(api.call(api.signed())) == (403, "Missing required realm role")
    holder = api.signed(realm_access={"roles": ["viewer", "auditor"]})
    assert api.call(holder).status_code == 200


def test_any_one_of_the_required_realm_roles_is_enough(sandbox) -> None:
    api = protected(sandbox, realm_roles=["auditor", "admin"])
    assert api.call(api.signed(realm_access={"roles": ["admin"]})).status_code == 200


# -- client roles (client:role) -------------------------------------------------------------
def test_a_client_role_is_held_only_in_the_named_client(sandbox) -> None:
    api = protected(sandbox, client_roles=["billing:read"])
    elsewhere = api.signed(resource_access={"reports": {"roles": ["read"]}})
    assert refusal(api.call(elsewhere)) == (403, "Missing required role")
    other_role = api.signed(resource_access={"billing": {"roles": ["write"]}})
    assert refusal(api.call(other_role)) == (403, "Missing required role")
    assert refusal(api.call(api.signed())) == (403, "Missing required role")
    holder = api.signed(resource_access={"billing": {"roles": ["write", "read"]}})
    assert api.call(holder).status_code == 200


def test_a_malformed_resource_access_is_refused_not_a_server_error(sandbox) -> None:
    api = protected(sandbox, client_roles=["billing:read"])
    odd = api.signed(resource_access={"billing": "read", "x": {"roles": "read"}})
    assert refusal(api.call(odd)) == (403, "Missing required role")


# -- roles of the caller's own client (azp) -------------------------------------------------
def test_roles_are_read_from_the_callers_own_client_only(sandbox) -> None:
    api = protected(sandbox, roles=["read"])
    own = api.consumer.client_id
    borrowed = api.signed(resource_access={"someone-else": {"roles": ["read"]}})
    assert refusal(api.call(borrowed)) == (403, "Missing required role")
    assert refusal(api.call(api.signed())) == (403, "Missing required role")
    assert api.call(api.signed(resource_access={own: {"roles": ["read"]}})).status_code == 200


def test_scope_is_one_of_the_space_separated_scopes(sandbox) -> None:
    api = protected(sandbox, scope=["write"])
    assert refusal(api.call(api.signed(scope="read writer"))) == (403, "Missing required scope")
    assert api.call(api.signed(scope="read write")).status_code == 200


def test_every_required_kind_must_hold_together(sandbox) -> None:
    api = protected(sandbox, scope=["write"], realm_roles=["auditor"])
    only_scope = api.signed(scope="write")
    assert refusal(api.call(only_scope)) == (403, "Missing required realm role")
    only_role = api.signed(realm_access={"roles": ["auditor"]})
    assert refusal(api.call(only_role)) == (403, "Missing required scope")
    both = api.signed(scope="write", realm_access={"roles": ["auditor"]})
    assert api.call(both).status_code == 200


# -- claims (row 7) ---------------------------------------------------------------------------
def test_not_before_in_the_future_is_refused_when_verified(sandbox) -> None:
    api = protected(sandbox, claims_to_verify=["exp", "nbf"])
    now = int(time.time())
    later = api.signed(nbf=now + 600)
    assert message(api.call(later)) == (401, 'Token claims invalid: ["nbf"]="token not valid yet"')
    assert api.call(api.signed(nbf=now - 5)).status_code == 200
    missing = api.signed()
    assert message(api.call(missing)) == (401, 'Token claims invalid: ["nbf"]="must be a number"')


def test_every_failed_claim_is_named_in_the_answer(sandbox) -> None:
    api = protected(sandbox, claims_to_verify=["exp", "nbf"])
    now = int(time.time())
    token = api.signed(exp=now - 5, nbf=now + 600)
    assert message(api.call(token)) == (
        401,
        'Token claims invalid: ["exp"]="token expired",["nbf"]="token not valid yet"',
    )


def test_a_token_is_expired_from_its_exp_second_on(sandbox, monkeypatch) -> None:
    """RFC 7519: a token must not be accepted on or after ``exp``; the plugin's clock is held
    still at a whole second so the boundary itself is tried."""
    from tui.sandbox import jwt_keycloak

    now = float(int(time.time()))
    monkeypatch.setattr(jwt_keycloak, "time", SimpleNamespace(time=lambda: now))
    api = protected(sandbox)
    at_exp = api.signed(exp=int(now))
    assert message(api.call(at_exp)) == (401, 'Token claims invalid: ["exp"]="token expired"')
    assert api.call(api.signed(exp=int(now) + 1)).status_code == 200


def test_maximum_expiration_allows_exactly_the_maximum(sandbox, monkeypatch) -> None:
    """The plugin refuses a token whose ``exp`` is *more* than ``maximum_expiration`` seconds
    away (the clock held still so the boundary itself is tried); 1 s is a maximum too."""
    from tui.sandbox import jwt_keycloak

    now = float(int(time.time()))
    monkeypatch.setattr(jwt_keycloak, "time", SimpleNamespace(time=lambda: now))
    too_long = (403, 'Token claims invalid: ["exp"]="exceeds maximum allowed expiration"')
    api = protected(sandbox, maximum_expiration=60)
    assert api.call(api.signed(exp=int(now) + 60)).status_code == 200
    assert message(api.call(api.signed(exp=int(now) + 61))) == too_long
    strict = protected(sandbox, maximum_expiration=1)
    assert message(strict.call(strict.signed(exp=int(now) + 2))) == too_long


def test_a_boolean_expiry_is_not_a_number(sandbox) -> None:
    api = protected(sandbox)
    assert message(api.call(api.signed(exp=True))) == (
        401,
        'Token claims invalid: ["exp"]="must be a number"',
    )


def test_exp_is_not_checked_when_the_provider_leaves_it_out(sandbox) -> None:
    api = protected(sandbox, claims_to_verify=[])
    assert api.call(api.signed(exp=int(time.time()) - 60)).status_code == 200


# -- row 8: who the plugin could not find ------------------------------------------------------
@pytest.mark.parametrize(
    ("azp", "named"),
    [(None, "nil"), (True, "true"), (False, "false"), (42, "42")],
)
def test_an_unknown_consumer_is_named_as_lua_prints_it(sandbox, azp: Any, named: str) -> None:
    api = protected(sandbox)
    assert message(api.call(api.signed(azp=azp))) == (
        401,
        f"Unable to find consumer {named} for token",
    )


def test_without_custom_id_the_consumer_is_found_by_id_then_by_username(sandbox) -> None:
    """``consumer_match_claim_custom_id: false`` (the schema default): Kong loads the consumer
    by its id, then by its username (the client id), and names it to the upstream."""
    api = protected(sandbox, consumer_match_claim_custom_id=False)
    for azp in (api.consumer.kong_consumer_id, api.consumer.client_id):
        response = api.call(api.signed(azp=azp), path="/headers")
        assert response.status_code == 200
        seen = {k.lower(): v for k, v in response.json()["headers"].items()}
        assert seen["x-consumer-id"] == api.consumer.kong_consumer_id
    stranger = api.signed(azp="00000000-0000-0000-0000-000000000000")
    assert message(api.call(stranger)) == (
        401,
        "Unable to find consumer 00000000-0000-0000-0000-000000000000 for token",
    )


def test_ignore_not_found_lets_an_unknown_consumer_through_unnamed(sandbox) -> None:
    """``consumer_match_ignore_not_found``: the call goes through, and no consumer is named to
    the upstream (Kong only sets the X-Consumer-* headers when it found one)."""
    api = protected(sandbox, consumer_match_ignore_not_found=True)
    response = api.call(api.signed(azp="NOBODY-00000000000"), path="/headers")
    assert response.status_code == 200
    seen = {k.lower() for k in response.json()["headers"]}
    assert "x-consumer-id" not in seen and "x-consumer-custom-id" not in seen
    known = api.call(api.signed(), path="/headers").json()["headers"]
    assert {k.lower(): v for k, v in known.items()}["x-consumer-id"] == (
        api.consumer.kong_consumer_id
    )


def test_a_caller_cannot_claim_to_be_the_anonymous_consumer(sandbox) -> None:
    """An authenticated call never carries a client's own X-Anonymous-Consumer upstream."""
    api = protected(sandbox)
    response = api.call(api.signed(), path="/headers", headers={"X-Anonymous-Consumer": "true"})
    assert response.status_code == 200
    assert "x-anonymous-consumer" not in {k.lower() for k in response.json()["headers"]}


def test_an_anonymous_consumer_that_does_not_exist_is_kongs_500(sandbox) -> None:
    api = protected(sandbox, anonymous="00000000-0000-0000-0000-000000000000")
    response = api.call()
    assert (response.status_code, response.json()) == (
        500,
        {"message": "An unexpected error occurred"},
    )
