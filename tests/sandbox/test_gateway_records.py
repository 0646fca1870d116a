"""What the portal keeps about a gateway beyond its profile: the activity line its creation
leaves, the route names and hosts that make a service name unavailable, and the answer when
a gateway is destroyed while its profile is being read."""

from __future__ import annotations

import pytest

from tests.sandbox.kong_fixtures import new_gateway_id
from tests.sandbox.kong_fixtures import publish as store_service
from tests.sandbox.kong_fixtures import service_doc as kong_service
from tests.sandbox.portal_kit import client, new_gateway, service_name, user
from tui.sandbox.gateways import namespace_object
from tui.sandbox.portal_errors import Problem

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
