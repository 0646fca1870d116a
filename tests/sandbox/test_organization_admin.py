"""Organization administration beyond the happy path: an organization cannot take over or
delete another's dataset, nor one a product uses; members lose access when their roles are
emptied; assigning a gateway checks the unit, the gateway and the ``enable`` flag."""

from __future__ import annotations

import pytest

from tests.sandbox.portal_kit import client, new_gateway, service_name, tutorial, user
from tests.sandbox.test_portal_operations import ORG, grant_org_role

ORGS = "/ds/api/v3/organizations"


@pytest.fixture
def admin(sandbox):
    name = user("orgadmin")
    grant_org_role(sandbox, name, "organization-admin")
    with client(sandbox, name) as a:
        yield a


def test_a_dataset_of_another_organization_is_not_overwritten(sandbox):
    theirs, mine = user("health"), user("citizens")
    grant_org_role(sandbox, theirs, "data-custodian", org="ministry-of-health")
    grant_org_role(sandbox, mine, "data-custodian")
    name = f"org-ds-{service_name()}"
    with client(sandbox, theirs) as t:
        first = t.put(f"{ORGS}/ministry-of-health/datasets", json={"name": name, "title": "Theirs"})
        assert first.status_code == 200, first.text
    with client(sandbox, mine) as m:
        r = m.put(f"{ORGS}/{ORG}/datasets", json={"name": name, "title": "Mine now"})
        assert (r.status_code, r.json()) == (
            400,
            {
                "status": 400,
                "result": "update-failed",
                "reason": "Dataset belongs to another organization",
                "childResults": [],
            },
        )
        gone = m.delete(f"{ORGS}/{ORG}/datasets/{name}")
        assert (gone.status_code, gone.json()["result"]) == (404, "not-found")
    with client(sandbox, theirs) as t:
        kept = t.get(f"{ORGS}/ministry-of-health/datasets/{name}").json()
    assert kept["title"] == "Theirs"


def test_a_dataset_a_product_uses_is_not_deleted(sandbox):
    custodian = user("custodian")
    grant_org_role(sandbox, custodian, "data-custodian")
    with client(sandbox, user("owner")) as c:
        gw = new_gateway(c)
        name = service_name()
        product = tutorial(c, gw, name, sandbox.info.upstream_url)
    with client(sandbox, custodian) as d:
        r = d.delete(f"{ORGS}/{ORG}/datasets/{name}-dataset")
        assert (r.status_code, r.json()) == (
            400,
            {
                "status": 400,
                "result": "delete-failed",
                "reason": f"Dataset is used by product {product['name']}",
                "childResults": [],
            },
        )
        assert d.get(f"{ORGS}/{ORG}/datasets/{name}-dataset").status_code == 200


def test_a_member_whose_roles_are_emptied_loses_access(sandbox, admin):
    member = user("member")
    access = f"{ORGS}/{ORG}/access"
    grant = {"name": ORG, "members": [{"member": {"email": member}, "roles": ["data-custodian"]}]}
    assert admin.put(access, json=grant).status_code == 204
    with client(sandbox, member) as m:
        assert m.get(f"{ORGS}/{ORG}/datasets").status_code == 200
    revoke = {
        "name": ORG,
        "members": [{"member": {}, "roles": ["data-custodian"]}, {"member": {"email": member}}],
    }  # an entry naming no one changes nothing
    assert admin.put(access, json=revoke).status_code == 204
    emails = [m["member"]["email"] for m in admin.get(access).json()["members"]]
    assert member not in emails
    with client(sandbox, member) as m:
        assert m.get(f"{ORGS}/{ORG}/datasets").status_code == 403


def test_a_gateway_assigned_with_enable_false_is_listed_disabled(sandbox, admin):
    with client(sandbox, user("owner")) as c:
        gw = new_gateway(c)
    r = admin.put(f"{ORGS}/{ORG}/databc/gateways/{gw}", params={"enable": "false"})
    assert (r.status_code, r.json()) == (200, {"result": "disabled"})
    listed = {g["name"]: g for g in admin.get(f"{ORGS}/{ORG}/gateways").json()}
    assert listed[gw]["enabled"] is False


@pytest.mark.parametrize(
    ("unit", "gateway", "query", "status", "body"),
    [
        (
            "databc",
            None,
            {"enable": "maybe"},
            422,
            {
                "code": "validation_error",
                "message": "",
                "fields": {"enable": {"message": "invalid boolean value", "value": "maybe"}},
            },
        ),
        ("no-such-unit", None, {}, 422, {"message": "Organization Unit not found: no-such-unit"}),
        ("databc", "gw-00000", {}, 404, None),
    ],
)
def test_assigning_a_gateway_checks_flag_unit_and_gateway(
    sandbox, admin, unit, gateway, query, status, body
):
    with client(sandbox, user("owner")) as c:
        gw = gateway or new_gateway(c)
    r = admin.put(f"{ORGS}/{ORG}/{unit}/gateways/{gw}", params=query)
    assert r.status_code == status, r.text
    if body is not None:
        assert r.json() == body
    assert gw not in [g["name"] for g in admin.get(f"{ORGS}/{ORG}/gateways").json()]


def test_unassigning_a_gateway_that_is_not_assigned_is_404(sandbox, admin):
    with client(sandbox, user("owner")) as c:
        gw = new_gateway(c)
    r = admin.delete(f"{ORGS}/{ORG}/databc/gateways/{gw}")
    assert r.status_code == 404
