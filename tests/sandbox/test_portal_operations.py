"""The v3 operations beyond the tutorial: pattern, report, activity, links, identifiers,
organization administration, roles, and the DELETEs of issuers, products and environments.
Each answers as the portal does (status and body), never the 404 of an unknown path."""

from __future__ import annotations

import io
import json
import re
import zipfile

import pytest

from tests.sandbox.portal_kit import (
    client,
    issue_consumer,
    new_gateway,
    service_name,
    tutorial,
    user,
)

ORG = "ministry-of-citizens-services"


@pytest.fixture
def applied(sandbox):
    """A gateway after the tutorial's apply step: (client, gateway, service, product)."""
    with client(sandbox, user("ops")) as c:
        gw = new_gateway(c)
        name = service_name()
        product = tutorial(c, gw, name, sandbox.info.upstream_url)
        yield c, gw, name, product


def grant_org_role(sandbox, username: str, role: str, org: str = ORG) -> None:
    with sandbox.ctx.db.transaction() as conn:
        conn.execute(
            "INSERT OR REPLACE INTO org_members(org, username, roles) VALUES (?,?,?)",
            (org, username, json.dumps([role])),
        )


def test_pattern_generates_a_service_document(applied):
    c, gw, _name, _product = applied
    r = c.put(
        f"/ds/api/v3/gateways/{gw}/pattern",
        json={
            "pattern": "simple-service.r1",
            "parameters": {"service_name": "my-service", "service_url": "https://httpbun.com"},
        },
    )
    assert r.status_code == 200, r.text
    (doc,) = r.json()["documents"]
    assert doc["kind"] == "GatewayService" and doc["name"] == "my-service"
    assert doc["url"] == "https://httpbun.com" and doc["tags"] == [f"ns.{gw}"]
    assert doc["routes"][0]["hosts"] == ["my-service.dev.api.gov.bc.ca"]


def test_an_unknown_pattern_is_422_unsupported_pattern(applied):
    c, gw, _name, _product = applied
    r = c.put(f"/ds/api/v3/gateways/{gw}/pattern", json={"pattern": "nope", "parameters": {}})
    assert r.status_code == 422
    assert r.json() == {
        "code": "validation_error",
        "message": "Invalid input",
        "fields": {"pattern": {"message": "unsupported pattern"}},
    }


def test_pattern_needs_publish_scope_on_the_gateway(sandbox, applied):
    _c, gw, _name, _product = applied
    with client(sandbox, user("other")) as stranger:
        r = stranger.put(
            f"/ds/api/v3/gateways/{gw}/pattern", json={"pattern": "x", "parameters": {}}
        )
    assert r.status_code == 403
    assert r.json() == {
        "code": "permission_denied",
        "message": f"Missing required scope: {gw}:GatewayConfig.Publish",
    }


def test_activity_lists_what_was_done_newest_first(applied):
    c, gw, name, _product = applied
    r = c.get(f"/ds/api/v3/gateways/{gw}/activity", params={"first": 2})
    assert r.status_code == 200, r.text
    items = r.json()
    assert len(items) == 2
    assert items[0]["params"]["entity"] == "product" and items[0]["params"]["name"] == f"{name} API"
    assert items[0]["message"] == "{actor} {action} {entity} {name}"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", items[0]["activityAt"])
    everything = c.get(f"/ds/api/v3/gateways/{gw}/activity", params={"first": 50}).json()
    assert everything[-1]["params"] | {"ns": gw} == {
        "actor": everything[-1]["params"]["actor"],
        "action": "created",
        "entity": "gateway",
        "name": gw,
        "ns": gw,
    }
    skipped = c.get(f"/ds/api/v3/gateways/{gw}/activity", params={"first": 1, "skip": 1}).json()
    assert skipped == [items[1]]
    bad = c.get(f"/ds/api/v3/gateways/{gw}/activity", params={"first": "many"})
    assert bad.status_code == 422
    assert bad.json()["fields"]["first"]["message"] == "invalid float number"


def test_links_name_the_published_route_hosts(applied):
    c, gw, name, _product = applied
    r = c.get(f"/ds/api/v3/gateways/{gw}/links")
    assert r.status_code == 200
    assert r.json() == [{"type": "route-host", "host": f"https://{name}.dev.api.gov.bc.ca"}]


def test_report_is_a_spreadsheet_of_the_callers_gateways(applied):
    c, gw, _name, _product = applied
    r = c.get("/ds/api/v3/gateways/report", params={"ids": json.dumps([gw])})
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("application/vnd.openxmlformats")
    with zipfile.ZipFile(io.BytesIO(r.content)) as book:
        sheet = book.read("xl/worksheets/sheet1.xml").decode()
    assert "<t>Gateway ID</t>" in sheet and f"<t>{gw}</t>" in sheet
    assert c.get("/ds/api/v3/gateways/report", params={"ids": "{"}).status_code == 422


@pytest.mark.parametrize(
    ("kind", "pattern"),
    [
        ("environment", r"[0-9A-F]{8}"),
        ("product", r"[0-9A-F]{12}"),
        ("application", r"[0-9A-F]{11}"),
        ("gateway", r"gw-[0-9a-f]{5}"),
    ],
)
def test_identifiers_are_new_ids_of_the_portals_shapes(sandbox, kind, pattern):
    with client(sandbox) as anonymous:
        r = anonymous.get(f"/ds/api/v3/identifiers/{kind}")
    assert r.status_code == 200
    assert re.fullmatch(pattern, r.json())


def test_an_unknown_identifier_type_is_422(sandbox):
    with client(sandbox) as anonymous:
        r = anonymous.get("/ds/api/v3/identifiers/planet")
    assert r.status_code == 422
    assert r.json()["fields"]["type"]["message"] == (
        "should be one of the following; ['environment','product','application','gateway']"
    )


def test_roles_are_public(sandbox):
    with client(sandbox) as anonymous:
        r = anonymous.get("/ds/api/v3/roles")
    assert r.status_code == 200
    assert "organization-admin" in [role["name"] for role in r.json()]


@pytest.mark.parametrize(
    ("method", "path", "scope"),
    [
        ("GET", f"/ds/api/v3/organizations/{ORG}/datasets", "Dataset.Manage"),
        ("GET", f"/ds/api/v3/organizations/{ORG}/datasets/x", "Dataset.Manage"),
        ("DELETE", f"/ds/api/v3/organizations/{ORG}/datasets/x", "Dataset.Manage"),
        ("GET", f"/ds/api/v3/organizations/{ORG}/roles", "GroupAccess.Manage"),
        ("GET", f"/ds/api/v3/organizations/{ORG}/access", "GroupAccess.Manage"),
        ("GET", f"/ds/api/v3/organizations/{ORG}/gateways", "Namespace.Assign"),
        ("GET", f"/ds/api/v3/organizations/{ORG}/activity", "Namespace.Assign"),
        ("DELETE", f"/ds/api/v3/organizations/{ORG}/databc/gateways/gw-x", "Namespace.Assign"),
    ],
)
def test_organization_administration_needs_the_orgs_scope(sandbox, method, path, scope):
    with client(sandbox, user("learner")) as c:
        r = c.request(method, path)
    assert r.status_code == 403
    assert r.json() == {
        "code": "permission_denied",
        "message": f"Missing required scope: {ORG}:{scope}",
    }


def test_an_org_admin_assigns_a_gateway_and_sees_it(sandbox, applied):
    c, gw, _name, _product = applied
    admin = user("orgadmin")
    grant_org_role(sandbox, admin, "organization-admin")
    with client(sandbox, admin) as a:
        r = a.put(f"/ds/api/v3/organizations/{ORG}/databc/gateways/{gw}")
        assert (r.status_code, r.json()) == (200, {"result": "assigned"})
        listed = a.get(f"/ds/api/v3/organizations/{ORG}/gateways").json()
        assert {"name": gw, "orgUnit": "databc", "enabled": True} == {
            k: v for k, v in next(x for x in listed if x["name"] == gw).items() if k != "updatedAt"
        }
        history = a.get(f"/ds/api/v3/organizations/{ORG}/activity").json()
        assert history[0]["params"]["action"] == "assigned"
    profile = c.get(f"/ds/api/v3/gateways/{gw}").json()
    assert profile["org"]["name"] == ORG and profile["orgUnit"]["name"] == "databc"
    with client(sandbox, admin) as a:
        gone = a.delete(f"/ds/api/v3/organizations/{ORG}/databc/gateways/{gw}")
        assert (gone.status_code, gone.json()) == (200, {"result": "unassigned"})
    assert c.get(f"/ds/api/v3/gateways/{gw}").json()["org"] is None


def test_org_access_put_grants_roles_that_open_the_org_endpoints(sandbox):
    admin, custodian = user("orgadmin"), user("custodian")
    grant_org_role(sandbox, admin, "organization-admin")
    with client(sandbox, admin) as a:
        put = a.put(
            f"/ds/api/v3/organizations/{ORG}/access",
            json={
                "name": ORG,
                "members": [{"member": {"email": custodian}, "roles": ["data-custodian"]}],
            },
        )
        assert put.status_code == 204 and put.content == b""
        members = a.get(f"/ds/api/v3/organizations/{ORG}/access").json()["members"]
        assert {"member": {"email": custodian}, "roles": ["data-custodian"]} in members
        roles = a.get(f"/ds/api/v3/organizations/{ORG}/roles").json()
        assert roles["name"] == ORG and roles["roles"]
    with client(sandbox, custodian) as d:
        assert d.get(f"/ds/api/v3/organizations/{ORG}/datasets").status_code == 200
        assert d.get(f"/ds/api/v3/organizations/{ORG}/access").status_code == 403


def test_org_datasets_put_get_delete(sandbox):
    custodian = user("custodian")
    grant_org_role(sandbox, custodian, "data-custodian")
    name = f"org-ds-{service_name()}"
    with client(sandbox, custodian) as d:
        put = d.put(
            f"/ds/api/v3/organizations/{ORG}/datasets",
            json={"name": name, "title": "Org dataset", "organizationUnit": "databc"},
        )
        assert put.status_code == 200, put.text
        assert put.json()["result"] == "created"
        one = d.get(f"/ds/api/v3/organizations/{ORG}/datasets/{name}")
        assert one.status_code == 200 and one.json()["organization"] == ORG
        assert name in [x["name"] for x in d.get(f"/ds/api/v3/organizations/{ORG}/datasets").json()]
        gone = d.delete(f"/ds/api/v3/organizations/{ORG}/datasets/{name}")
        assert gone.status_code == 200 and gone.json()["result"] == "deleted"
        again = d.delete(f"/ds/api/v3/organizations/{ORG}/datasets/{name}")
        assert again.status_code == 404 and again.json()["result"] == "not-found"
        assert d.get(f"/ds/api/v3/organizations/{ORG}/datasets/{name}").status_code == 404


def test_put_organization_updates_its_title(fresh_sandbox):
    sandbox = fresh_sandbox  # it changes what every learner sees
    admin = user("orgadmin")
    grant_org_role(sandbox, admin, "organization-admin", org="ministry-of-health")
    with client(sandbox, admin) as a:
        r = a.put("/ds/api/v3/organizations/ministry-of-health", json={"title": "Health (renamed)"})
        assert r.status_code == 200 and r.json()["result"] in ("updated", "no-change")
        listed = a.get("/ds/api/v3/organizations").json()
    assert {
        "name": "ministry-of-health",
        "title": "Health (renamed)",
        "description": "Health",
    } in listed


def test_delete_issuer_in_use_is_refused_then_allowed(applied):
    c, gw, name, product = applied
    issuer = product["environments"][0]["credentialIssuer"]
    busy = c.delete(f"/ds/api/v3/gateways/{gw}/issuers/{issuer}")
    assert busy.status_code == 400
    assert busy.json()["result"] == "delete-failed"
    assert busy.json()["reason"].startswith("Authorization Profile is in use by environment")
    env_app = product["environments"][0]["appId"]
    assert c.delete(f"/ds/api/v3/gateways/{gw}/environments/{env_app}").status_code == 204
    done = c.delete(f"/ds/api/v3/gateways/{gw}/issuers/{issuer}")
    assert done.status_code == 200 and done.json()["result"] == "deleted"
    assert c.get(f"/ds/api/v3/gateways/{gw}/issuers").json() == []
    missing = c.delete(f"/ds/api/v3/gateways/{gw}/issuers/{issuer}")
    assert missing.status_code == 404
    assert missing.json() == {
        "status": 404,
        "result": "not-found",
        "reason": issuer,
        "childResults": [],
    }


def test_delete_environment_with_a_consumer_needs_force(applied):
    c, gw, _name, product = applied
    env_app = product["environments"][0]["appId"]
    assert issue_consumer(c, gw, env_app).status_code == 201
    refused = c.delete(f"/ds/api/v3/gateways/{gw}/environments/{env_app}")
    assert refused.status_code == 422
    assert refused.json() == {
        "code": "validation_error",
        "message": "Unable to delete product environment",
        "fields": {"d0": {"message": "1 consumer has access to this environment"}},
    }
    forced = c.delete(f"/ds/api/v3/gateways/{gw}/environments/{env_app}", params={"force": "true"})
    assert forced.status_code == 204
    assert c.get(f"/ds/api/v3/gateways/{gw}/consumers").json() == []
    envs = c.get(f"/ds/api/v3/gateways/{gw}/products").json()[0]["environments"]
    assert envs == []
    unknown = c.delete(f"/ds/api/v3/gateways/{gw}/environments/{env_app}")
    assert (unknown.status_code, unknown.json()) == (404, {"message": "Resource not found"})


def test_delete_product_with_a_consumer_is_refused_then_allowed(applied):
    c, gw, name, product = applied
    env_app = product["environments"][0]["appId"]
    issued = issue_consumer(c, gw, env_app).json()
    refused = c.delete(f"/ds/api/v3/gateways/{gw}/products/{product['appId']}")
    assert refused.status_code == 400
    assert refused.json()["reason"] == "1 consumer has access to this product"
    assert c.delete(f"/ds/api/v3/gateways/{gw}/consumers/{issued['clientId']}").status_code == 200
    done = c.delete(f"/ds/api/v3/gateways/{gw}/products/{product['appId']}")
    assert done.status_code == 200 and done.json()["result"] == "deleted"
    assert c.get(f"/ds/api/v3/gateways/{gw}/products").json() == []


def test_gwa_api_status_answers_without_a_login(sandbox):
    with client(sandbox) as anonymous:
        r = anonymous.get("/gw/api/v2/status")
    assert r.status_code == 200
    assert r.json() == {"message": "ok", "results": f"gwa-api sandbox {sandbox.ctx.version}"}


def test_gwa_api_whoami_names_the_caller(sandbox):
    name = user("who")
    with client(sandbox, name) as c:
        r = c.get("/gw/api/v2/whoami")
    assert r.status_code == 200
    assert r.json() == {
        "authorized-party": "gwa-cli",
        "issuer": sandbox.ctx.login_issuer,
        "scope": "profile email",
        "username": name,
    }
    with client(sandbox) as anonymous:
        refused = anonymous.get("/gw/api/v2/whoami")
    assert (refused.status_code, refused.json()) == (401, {"error": "Invalid Token"})


@pytest.mark.parametrize(("suffix", "expected_suffix"), [("", "@idir"), ("@github", "@github")])
def test_an_issuers_owner_is_named_with_its_identity_provider(sandbox, suffix, expected_suffix):
    bare = f"kim-{service_name()}"
    with client(sandbox, bare + suffix) as c:
        gw = new_gateway(c)
        put = c.put(
            f"/ds/api/v3/gateways/{gw}/issuers",
            json={"name": f"{gw} own", "flow": "client-credentials"},
        )
        assert put.status_code == 200, put.text
        (issuer,) = c.get(f"/ds/api/v3/gateways/{gw}/issuers").json()
    assert issuer["owner"] == bare + expected_suffix
