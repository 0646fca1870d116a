"""What the portal keeps about a gateway: its profile as a whole, the activity line its
creation leaves, the limit on each learner's gateways, the organization units it can be put
in, the service names, route names and hosts that make a name unavailable, and the answers
when it cannot be deleted or is destroyed while its profile is being read."""

from __future__ import annotations

import pytest

from tests.sandbox.kong_fixtures import new_gateway_id
from tests.sandbox.kong_fixtures import publish as store_service
from tests.sandbox.kong_fixtures import service_doc as kong_service
from tests.sandbox.portal_kit import client, new_gateway, service_name, start_server, user
from tests.sandbox.test_portal_operations import ORG, grant_org_role
from tui.sandbox.gateways import namespace_object
from tui.sandbox.portal_errors import CREATOR_SCOPES, Problem

V3 = "/ds/api/v3"


def test_creating_a_gateway_is_the_first_line_of_its_activity(sandbox):
    owner = user("owner")
    with client(sandbox, owner) as c:
        gw = new_gateway(c)
        items = c.get(f"{V3}/gateways/{gw}/activity").json()
    assert [item["params"] for item in items] == [
        {"actor": owner, "action": "created", "entity": "gateway", "name": gw, "ns": gw}
    ]


def test_a_route_name_of_another_service_makes_the_name_unavailable(sandbox):
    gw, service, taken = new_gateway_id(), service_name("svc"), service_name("route")
    doc = kong_service(gw, service, sandbox.info.upstream_url, route={"name": taken})
    store_service(sandbox, gw, doc)
    with client(sandbox) as anonymous:
        r = anonymous.get(
            f"{V3}/routes/availability", params={"gatewayId": gw, "serviceName": taken}
        )
    assert r.json()["available"] is False
    assert r.json()["suggestion"]["serviceName"] == f"{gw}-{taken}"


def test_a_route_host_of_another_service_makes_the_name_unavailable(sandbox):
    gw, service, taken = new_gateway_id(), service_name("svc"), service_name("host")
    route = {"name": f"{service}-route", "hosts": [f"{taken}.api.gov.bc.ca"]}
    store_service(sandbox, gw, kong_service(gw, service, sandbox.info.upstream_url, route=route))
    with client(sandbox) as anonymous:
        r = anonymous.get(
            f"{V3}/routes/availability", params={"gatewayId": gw, "serviceName": taken}
        )
    assert r.json()["available"] is False
    assert r.json()["suggestion"]["serviceName"] == f"{gw}-{taken}"


def test_a_gateway_destroyed_while_its_profile_is_read_is_not_found(sandbox):
    """The permission check and the read are two queries: a destroy can fall between them.
    The learner then gets the portal's 404, not a server error. (No request can be timed to
    land in that gap, so the read is called as the handler calls it, after the check.)"""
    with pytest.raises(Problem) as refused:
        namespace_object(sandbox.ctx, user("owner"), new_gateway_id())
    assert (refused.value.status, refused.value.body) == (404, {"message": "Resource not found"})


def test_a_gateway_with_services_is_refused_in_the_portals_words(sandbox):
    with client(sandbox, user("owner")) as c:
        gw = new_gateway(c)
        store_service(sandbox, gw, kong_service(gw, service_name(), sandbox.info.upstream_url))
        r = c.delete(f"{V3}/gateways/{gw}")
    assert (r.status_code, r.json()) == (
        422,
        {
            "code": "validation_error",
            "message": "Unable to delete gateway",
            "fields": {"d0": {"message": "1 service has been configured in this gateway."}},
        },
    )


def test_a_new_gateways_profile_is_the_portals_namespace_object(sandbox):
    with client(sandbox, user("owner")) as c:
        gw = new_gateway(c, displayName="My Gateway")
        profile = c.get(f"{V3}/gateways/{gw}").json()
    assert profile == {
        "name": gw,
        "displayName": "My Gateway",
        "scopes": [{"name": scope} for scope in sorted(CREATOR_SCOPES)],
        "permDomains": [".api.gov.bc.ca"],
        "permDataPlane": "sandbox-dp",
        "permProtectedNs": "deny",
        "permRoutePaths": [],
        "org": None,
        "orgUnit": None,
        "orgUpdatedAt": None,
        "orgEnabled": None,
        "orgAdmins": [],
    }


def test_an_enabled_organization_shows_as_enabled_on_the_profile(sandbox):
    admin = user("orgadmin")
    grant_org_role(sandbox, admin, "organization-admin")
    with client(sandbox, user("owner")) as c:
        gw = new_gateway(c)
        with client(sandbox, admin) as a:
            url = f"{V3}/organizations/{ORG}/databc/gateways/{gw}"
            assert a.put(url, params={"enable": "true"}).json() == {"result": "assigned"}
        profile = c.get(f"{V3}/gateways/{gw}").json()
    assert profile["orgUnit"] == {"name": "databc", "title": "DataBC"}
    assert profile["orgEnabled"] is True


def test_a_gateway_cannot_be_put_in_a_unit_its_organization_lacks(sandbox):
    admin = user("orgadmin")
    grant_org_role(sandbox, admin, "organization-admin")
    with client(sandbox, user("owner")) as c:
        gw = new_gateway(c)
        with client(sandbox, admin) as a:
            r = a.put(f"{V3}/organizations/{ORG}/highways/gateways/{gw}")
        assert (r.status_code, r.json()) == (
            422,
            {"message": "Organization Unit not found: highways"},
        )
        assert c.get(f"{V3}/gateways/{gw}").json()["org"] is None


def test_the_gateway_limit_counts_each_learners_own_gateways(tmp_path):
    server = start_server(tmp_path, max_gateways_per_user=1)
    try:
        with client(server, user("first")) as first, client(server, user("second")) as second:
            new_gateway(first)
            refused = first.post(f"{V3}/gateways", json={})
            assert refused.status_code == 422
            assert refused.json()["fields"]["d0"]["message"].startswith(
                "You have reached the limit of 1 gateways in this sandbox"
            )
            assert second.post(f"{V3}/gateways", json={}).status_code == 200
    finally:
        server.stop()


def test_a_service_name_in_use_makes_the_name_unavailable(sandbox):
    """Neither its route's name nor its hosts are the name: only the service's own name is."""
    gw, service = new_gateway_id(), service_name("svc")
    route = {"name": service_name("route"), "hosts": [f"{service_name('host')}.api.gov.bc.ca"]}
    store_service(sandbox, gw, kong_service(gw, service, sandbox.info.upstream_url, route=route))
    with client(sandbox) as anonymous:
        r = anonymous.get(
            f"{V3}/routes/availability", params={"gatewayId": gw, "serviceName": service}
        )
    assert r.json()["available"] is False


def test_a_made_up_gateway_id_never_collides_with_an_existing_one(sandbox, monkeypatch):
    """Five hex digits are about a million ids: in a class (or a long test run) two learners'
    made-up ids can meet, and the second learner must get a fresh one, not "Namespace
    already exists" for an id they never chose."""
    with client(sandbox, user("first")) as c:
        taken = new_gateway(c)
    draws = iter([taken, "gw-abcde"])  # the first draw is the id already taken
    monkeypatch.setattr("tui.sandbox.gateways._new_gateway_id", lambda: next(draws))
    with client(sandbox, user("second")) as c:
        made = new_gateway(c)
    assert made != taken
    assert made == "gw-abcde"
