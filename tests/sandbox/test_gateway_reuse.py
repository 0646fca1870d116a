"""A gateway id that is deleted and taken again starts empty: nothing of the old gateway
(its owner's rights, its applications, its organization) reaches the next learner, and the
old owner cannot reach the new gateway. And what a gateway's profile says about its org."""

from __future__ import annotations

import secrets

from tests.sandbox.kong_fixtures import publish as store_service
from tests.sandbox.kong_fixtures import service_doc as kong_service
from tests.sandbox.portal_kit import client, issue_consumer, new_gateway, service_name, tutorial
from tests.sandbox.portal_kit import user as new_user
from tests.sandbox.test_portal_operations import ORG, grant_org_role
from tui.sandbox.portal_errors import CREATOR_SCOPES

V3 = "/ds/api/v3"


def test_a_reused_gateway_id_gives_the_old_owner_nothing(sandbox):
    gateway_id = f"gw-r{secrets.token_hex(3)}"
    first, second = new_user("first"), new_user("second")
    admin = new_user("orgadmin")
    grant_org_role(sandbox, admin, "organization-admin")
    with client(sandbox, first) as a:
        new_gateway(a, gatewayId=gateway_id)
        product = tutorial(a, gateway_id, service_name(), sandbox.info.upstream_url)
        env_app = product["environments"][0]["appId"]
        issued = issue_consumer(a, gateway_id, env_app, "old app").json()
        with client(sandbox, admin) as org_admin:
            url = f"{V3}/organizations/{ORG}/databc/gateways/{gateway_id}"
            assert org_admin.put(url).status_code == 200
        consumer_url = f"{V3}/gateways/{gateway_id}/consumers/{issued['clientId']}"
        assert a.delete(consumer_url).status_code == 200
        assert a.delete(f"{V3}/gateways/{gateway_id}", params={"force": "true"}).status_code == 200
    with client(sandbox, second) as b:
        assert new_gateway(b, gatewayId=gateway_id, displayName="Second") == gateway_id
        profile = b.get(f"{V3}/gateways/{gateway_id}").json()
        assert profile["displayName"] == "Second"
        assert (profile["org"], profile["orgUnit"], profile["orgEnabled"]) == (None, None, None)
        product = tutorial(b, gateway_id, service_name(), sandbox.info.upstream_url)
        old_app = issued["application"]["appId"]
        borrowed = b.post(
            f"{V3}/gateways/{gateway_id}/consumers",
            json={
                "environmentAppId": product["environments"][0]["appId"],
                "application": {"appId": old_app},
            },
        )
        assert (borrowed.status_code, borrowed.json()) == (
            422,
            {"message": f"Application {old_app} not found"},
        )
    with client(sandbox, first) as a:
        assert a.get(f"{V3}/gateways/{gateway_id}").status_code == 403
        assert gateway_id not in [g["gatewayId"] for g in a.get(f"{V3}/gateways").json()]


def test_the_profile_names_the_org_unit_and_whether_it_is_enabled(sandbox):
    admin = new_user("orgadmin")
    grant_org_role(sandbox, admin, "organization-admin")
    with client(sandbox, new_user("owner")) as c:
        gw = new_gateway(c)
        with client(sandbox, admin) as a:
            url = f"{V3}/organizations/{ORG}/digital-office/gateways/{gw}"
            assert a.put(url, params={"enable": "false"}).json() == {"result": "disabled"}
        profile = c.get(f"{V3}/gateways/{gw}").json()
    assert profile["org"] == {"name": ORG, "title": "Ministry of Citizens' Services"}
    assert profile["orgUnit"] == {"name": "digital-office", "title": "Digital Office"}
    assert profile["orgEnabled"] is False
    assert isinstance(profile["orgUpdatedAt"], int | float) and profile["orgUpdatedAt"] > 0


def test_the_profile_lists_every_scope_its_creator_holds(sandbox):
    with client(sandbox, new_user("owner")) as c:
        gw = new_gateway(c)
        scopes = [s["name"] for s in c.get(f"{V3}/gateways/{gw}").json()["scopes"]]
    assert sorted(scopes) == sorted(CREATOR_SCOPES)


def test_the_profile_names_the_sandbox_data_plane(sandbox):
    with client(sandbox, new_user("owner")) as c:
        gw = new_gateway(c)
        assert c.get(f"{V3}/gateways/{gw}").json()["permDataPlane"] == "sandbox-dp"


def test_deleting_without_force_keeps_a_gateway_with_services(sandbox):
    """``DELETE /gateways/{gw}`` with no ``force`` is ``force=false``: services protect it."""
    with client(sandbox, new_user("owner")) as c:
        gw = new_gateway(c)
        store_service(sandbox, gw, kong_service(gw, service_name(), sandbox.info.upstream_url))
        r = c.delete(f"{V3}/gateways/{gw}")
        assert r.status_code == 422
        assert c.get(f"{V3}/gateways/{gw}").status_code == 200


def test_availability_without_its_parameters_names_both(sandbox):
    with client(sandbox) as anonymous:
        r = anonymous.get(f"{V3}/routes/availability")
    assert (r.status_code, r.json()) == (
        422,
        {
            "code": "validation_error",
            "message": "",
            "fields": {
                "serviceName": {"message": "'serviceName' is required"},
                "gatewayId": {"message": "'gatewayId' is required"},
            },
        },
    )


def test_when_every_suggestion_is_taken_the_name_is_not_available(sandbox):
    gw, name = f"gw-a{secrets.token_hex(3)}", service_name("full")
    taken = [name, f"{gw}-{name}"] + [f"{gw}-{n}-{name}" for n in range(3, 100)]
    for candidate in taken:
        store_service(sandbox, gw, kong_service(gw, candidate, sandbox.info.upstream_url))
    with client(sandbox) as anonymous:
        r = anonymous.get(
            f"{V3}/routes/availability", params={"gatewayId": gw, "serviceName": name}
        )
    assert r.json()["available"] is False
    assert r.json()["suggestion"]["serviceName"] == f"{gw}-99-{name}"
