"""The organizations a provider picks from (docs/contract.md#s10): each listed with its title
and description, and what an organization admin changed on one is what everyone reads next."""

from __future__ import annotations

from tests.sandbox.portal_kit import client, user
from tests.sandbox.test_portal_operations import grant_org_role
from tui.sandbox.gateways import ORGANIZATIONS

V3 = "/ds/api/v3"


def test_organizations_are_listed_by_name_with_title_and_description(sandbox):
    with client(sandbox) as anonymous:
        listed = anonymous.get(f"{V3}/organizations").json()
    assert [o["name"] for o in listed] == sorted(ORGANIZATIONS)
    health = next(o for o in listed if o["name"] == "ministry-of-health")
    assert health == {
        "name": "ministry-of-health",
        "title": "Ministry of Health",
        "description": "Health",
    }


def test_an_admins_change_to_an_organization_is_what_everyone_reads(fresh_sandbox):
    org = "ministry-of-transportation-and-infrastructure"
    admin = user("orgadmin")
    grant_org_role(fresh_sandbox, admin, "organization-admin", org=org)
    with client(fresh_sandbox, admin) as a:
        r = a.put(f"{V3}/organizations/{org}", json={"name": org, "title": "MoTI"})
        assert r.status_code == 200, r.text
    with client(fresh_sandbox) as anonymous:
        listed = anonymous.get(f"{V3}/organizations").json()
        units = anonymous.get(f"{V3}/organizations/{org}").json()
    changed = next(o for o in listed if o["name"] == org)
    assert changed == {"name": org, "title": "MoTI", "description": "Transportation"}
    assert units == {"orgUnits": [{"name": "highways", "title": "Highways"}]}
