"""Portal discovery, authentication, gateways, availability and organizations over real HTTP."""

from __future__ import annotations

import re

import jwt
import yaml

from tests.sandbox.portal_kit import (
    client,
    config_text,
    issue_consumer,
    new_gateway,
    publish,
    service_doc,
    service_name,
    tutorial,
    user,
)
from tui.sandbox.tokens import issue_provider_token

V3 = "/ds/api/v3"


# -- discovery --------------------------------------------------------------------------------
def test_discovery_answers_204_with_service_desc_link(sandbox):
    with client(sandbox) as c:
        r = c.get("/ds/api")
    assert r.status_code == 204
    assert r.content == b""
    assert r.headers["link"] == '</ds/api/v3/openapi.yaml>; rel="service-desc"'


def test_openapi_points_openid_at_the_login_realm(sandbox):
    with client(sandbox) as c:
        r = c.get(f"{V3}/openapi.yaml")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("application/yaml")
    spec = yaml.safe_load(r.text)
    schemes = spec["components"]["securitySchemes"]
    issuer = sandbox.info.login_issuer
    assert schemes["openid"]["openIdConnectUrl"] == f"{issuer}/.well-known/openid-configuration"
    assert (
        schemes["jwt"]["flows"]["clientCredentials"]["tokenUrl"]
        == f"{issuer}/protocol/openid-connect/token"
    )
    assert spec["info"]["title"] == "APS Directory API"
    assert "/gateways" in spec["paths"]


def test_unknown_paths_get_each_systems_404(sandbox):
    with client(sandbox) as c:
        r = c.get("/ds/api/v3/nothing-here")
        assert r.status_code == 404
        assert r.json() == {"message": "Resource not found"}
        r = c.get("/gw/api/v3/nothing/here")
        assert r.status_code == 404
        assert r.json() == {"error": "Not Found", "code": 404}


# -- authentication ---------------------------------------------------------------------------
def test_portal_401_bodies(sandbox):
    with client(sandbox) as c:
        r = c.get(f"{V3}/gateways")
        assert (r.status_code, r.json()) == (
            401,
            {"code": "credentials_required", "message": "No authorization token was found"},
        )
        r = c.get(f"{V3}/gateways", headers={"Authorization": "Basic abc"})
        assert (r.status_code, r.json()["code"]) == (401, "credentials_bad_scheme")
        assert r.json()["message"] == "Format is Authorization: Bearer [token]"
        r = c.get(f"{V3}/gateways", headers={"Authorization": "Bearer"})
        assert (r.status_code, r.json()["code"]) == (401, "credentials_bad_format")
        r = c.get(f"{V3}/gateways", headers={"Authorization": "Bearer not-a-jwt"})
        assert r.status_code == 401
        assert r.json() == {"code": "invalid_token", "message": "jwt malformed"}
        expired = issue_provider_token(sandbox.ctx, "old@idir", lifetime=-120)
        r = c.get(f"{V3}/gateways", headers={"Authorization": f"Bearer {expired}"})
        assert r.json() == {"code": "invalid_token", "message": "jwt expired"}


def test_token_signed_by_another_key_is_refused(sandbox):
    claims = jwt.decode(
        issue_provider_token(sandbox.ctx, "x@idir"), options={"verify_signature": False}
    )
    forged = sandbox.ctx.keys.sign("apigw", claims)  # the shared IdP key, not the login realm's
    with client(sandbox) as c:
        r = c.get(f"{V3}/gateways", headers={"Authorization": f"Bearer {forged}"})
    assert r.status_code == 401
    assert r.json() == {"code": "invalid_token", "message": "invalid signature"}


# -- create -----------------------------------------------------------------------------------
def test_create_generates_id_and_default_display_name(sandbox):
    name = user("janis")
    with client(sandbox, name) as c:
        r = c.post(f"{V3}/gateways", json={})
    assert r.status_code == 200
    body = r.json()
    assert re.fullmatch(r"gw-[0-9a-f]{5}", body["gatewayId"])
    assert body == {"gatewayId": body["gatewayId"], "displayName": f"{name}'s Gateway"}


def test_create_with_id_and_name_and_duplicate(sandbox):
    gw = f"g{service_name('t')[-6:]}x"
    with client(sandbox, user()) as c:
        r = c.post(f"{V3}/gateways", json={"gatewayId": gw, "displayName": "My Team (dev)"})
        assert r.json() == {"gatewayId": gw, "displayName": "My Team (dev)"}
        r = c.post(f"{V3}/gateways", json={"gatewayId": gw, "displayName": "Again"})
    assert r.status_code == 422
    assert r.json() == {
        "code": "validation_error",
        "message": "Unable to create Gateway",
        "fields": {"d0": {"message": "Namespace already exists"}},
    }


def test_create_validation_messages(sandbox):
    id_msg = (
        "Gateway ID must be between 5 and 15 lowercase alpha-numeric characters and start "
        "with a letter."
    )
    name_msg = (
        "Display name must be between 3 and 30 characters, starting with an alpha-numeric "
        'character, and can only use special characters "-()_ .\'/".'
    )
    with client(sandbox, user()) as c:
        for bad in ("ab", "1abcde", "Abcdef", "abc_def", "a" * 16, "abcd-"):
            r = c.post(f"{V3}/gateways", json={"gatewayId": bad})
            assert r.status_code == 422, bad
            assert r.json()["fields"] == {"d0": {"message": id_msg}}, bad
        for bad in ("ab", "-abc", "x" * 31, "semi;colon", "a@b"):
            r = c.post(f"{V3}/gateways", json={"displayName": bad})
            assert r.status_code == 422, bad
            assert r.json()["message"] == "Unable to create Gateway"
            assert r.json()["fields"] == {"d0": {"message": name_msg}}, bad
        r = c.post(f"{V3}/gateways", json={"gatewayId": "A", "displayName": "!"})
        assert r.json()["fields"] == {"d0": {"message": id_msg}, "d1": {"message": name_msg}}


def test_create_rejects_extra_keys_wrong_types_and_bad_json(sandbox):
    with client(sandbox, user()) as c:
        r = c.post(f"{V3}/gateways", json={"displayName": "Okay name", "owner": "me"})
        assert r.status_code == 422
        assert r.json()["code"] == "validation_error"
        assert r.json()["message"] == ""
        assert r.json()["fields"]["body"]["message"] == (
            '"owner" is an excess property and therefore is not allowed'
        )
        r = c.post(f"{V3}/gateways", json={"displayName": 42})
        assert r.status_code == 422
        assert r.json()["fields"]["body.displayName"]["message"] == "invalid string value"
        r = c.post(
            f"{V3}/gateways",
            content=b'{"displayName": "x"',
            headers={"Content-Type": "application/json"},
        )
        assert (r.status_code, r.json()) == (422, {"message": "Syntax Error Parsing JSON"})
        r = c.post(f"{V3}/gateways", json=["not", "an", "object"])
        assert r.status_code == 422
        assert r.json()["fields"]["body"]["message"] == "invalid object"


# -- list, get, permissions -------------------------------------------------------------------
def test_list_is_sorted_and_only_shows_own_gateways(sandbox):
    owner, other = user("owner"), user("other")
    with client(sandbox, owner) as c, client(sandbox, other) as o:
        b = new_gateway(c, displayName="bravo")
        a2 = new_gateway(c, displayName="alpha")
        a1 = new_gateway(c, displayName="alpha")
        listed = c.get(f"{V3}/gateways").json()
        expected = sorted([("alpha", a1), ("alpha", a2), ("bravo", b)])
        assert [(g["displayName"], g["gatewayId"]) for g in listed] == expected
        assert o.get(f"{V3}/gateways").json() == []


def test_get_returns_the_namespace_object(sandbox):
    with client(sandbox, user()) as c:
        gw = new_gateway(c, displayName="Mine")
        body = c.get(f"{V3}/gateways/{gw}").json()
    assert body["name"] == gw
    assert body["displayName"] == "Mine"
    assert body["permDomains"] == [".api.gov.bc.ca"]
    assert {s["name"] for s in body["scopes"]} >= {"Namespace.Manage", "GatewayConfig.Publish"}
    for key in ("permDataPlane", "permProtectedNs", "permRoutePaths", "org", "orgAdmins"):
        assert key in body


def test_other_users_get_403_with_scope_message(sandbox):
    with client(sandbox, user()) as c, client(sandbox, user()) as o:
        gw = new_gateway(c)
        r = o.get(f"{V3}/gateways/{gw}")
        assert r.status_code == 403
        assert r.json() == {
            "code": "permission_denied",
            "message": f"Missing required scope: {gw}:Namespace.Manage",
        }
        r = o.get(f"{V3}/gateways/gw-nope0")
        assert r.status_code == 403


# -- destroy ----------------------------------------------------------------------------------
def test_destroy_rules(sandbox):
    name = service_name("destroy")
    with client(sandbox, user()) as c:
        gw = new_gateway(c)
        product = tutorial(c, gw, name, sandbox.info.upstream_url)
        env_app = product["environments"][0]["appId"]
        credentials = issue_consumer(c, gw, env_app).json()
        for force in ("false", "true"):
            r = c.delete(f"{V3}/gateways/{gw}", params={"force": force})
            assert r.status_code == 422
            assert r.json() == {
                "code": "validation_error",
                "message": "Unable to delete gateway",
                "fields": {"d0": {"message": "1 consumer has access to products in this gateway."}},
            }
        assert (
            c.delete(f"{V3}/gateways/{gw}/consumers/{credentials['clientId']}").status_code == 200
        )
        r = c.delete(f"{V3}/gateways/{gw}", params={"force": "false"})
        assert r.status_code == 422
        assert (
            r.json()["fields"]["d0"]["message"] == "1 service has been configured in this gateway."
        )
        r = c.delete(f"{V3}/gateways/{gw}", params={"force": "true"})
        assert r.status_code == 200
        assert r.json() is True
        assert c.get(f"{V3}/gateways/{gw}").status_code == 403
        assert all(g["gatewayId"] != gw for g in c.get(f"{V3}/gateways").json())
        # Kong objects, products and issuers are gone; the dataset stays (it is global).
        assert sandbox.ctx.db.query("SELECT 1 FROM kong_services WHERE gateway_id=?", (gw,)) == []
        assert sandbox.ctx.db.query("SELECT 1 FROM products WHERE gateway_id=?", (gw,)) == []
        assert sandbox.ctx.db.query("SELECT 1 FROM issuers WHERE gateway_id=?", (gw,)) == []
        assert sandbox.ctx.db.query("SELECT 1 FROM datasets WHERE name=?", (f"{name}-dataset",))
        # The route host is free again.
        avail = c.get(f"{V3}/routes/availability", params={"gatewayId": gw, "serviceName": name})
        assert avail.json()["available"] is True


def test_destroy_counts_plural_consumers_and_services(sandbox):
    with client(sandbox, user()) as c:
        gw = new_gateway(c)
        a, b = service_name(), service_name()
        text = config_text(
            service_doc(gw, a, sandbox.info.upstream_url),
            service_doc(gw, b, sandbox.info.upstream_url),
        )
        assert publish(c, gw, text).status_code == 200
        r = c.delete(f"{V3}/gateways/{gw}", params={"force": "false"})
        assert (
            r.json()["fields"]["d0"]["message"]
            == "2 services have been configured in this gateway."
        )
        product = tutorial(c, gw, a, sandbox.info.upstream_url)
        env_app = product["environments"][0]["appId"]
        assert issue_consumer(c, gw, env_app, "one").status_code == 201
        assert issue_consumer(c, gw, env_app, "two").status_code == 201
        r = c.delete(f"{V3}/gateways/{gw}", params={"force": "true"})
        assert r.json()["fields"]["d0"]["message"] == (
            "2 consumers have access to products in this gateway."
        )


def test_destroy_empty_gateway_without_force(sandbox):
    with client(sandbox, user()) as c:
        gw = new_gateway(c)
        r = c.delete(f"{V3}/gateways/{gw}", params={"force": "false"})
        assert (r.status_code, r.json()) == (200, True)


# -- availability and organizations -----------------------------------------------------------
def test_availability_suggests_in_the_portals_order(sandbox):
    name = service_name("avail")
    with client(sandbox, user()) as c:
        gw = new_gateway(c)
        r = c.get(f"{V3}/routes/availability", params={"gatewayId": gw, "serviceName": name})
        assert r.json() == {
            "available": True,
            "suggestion": {
                "serviceName": name,
                "names": [name, f"{name}-dev", f"{name}-test"],
                "hosts": [
                    f"{name}.api.gov.bc.ca",
                    f"{name}.dev.api.gov.bc.ca",
                    f"{name}.test.api.gov.bc.ca",
                    f"{name}-api-gov-bc-ca.dev.api.gov.bc.ca",
                    f"{name}-api-gov-bc-ca.test.api.gov.bc.ca",
                ],
            },
        }
        assert (
            publish(
                c, gw, config_text(service_doc(gw, name, sandbox.info.upstream_url))
            ).status_code
            == 200
        )
        r = c.get(f"{V3}/routes/availability", params={"gatewayId": gw, "serviceName": name})
        body = r.json()
        assert body["available"] is False
        assert body["suggestion"]["serviceName"] == f"{gw}-{name}"
        # The suggestion taken too → the next candidate is <gw>-3-<name>.
        taken = f"{gw}-{name}"
        assert (
            publish(
                c,
                gw,
                config_text(
                    service_doc(gw, name, sandbox.info.upstream_url),
                    service_doc(gw, taken, sandbox.info.upstream_url),
                ),
            ).status_code
            == 200
        )
        r = c.get(f"{V3}/routes/availability", params={"gatewayId": gw, "serviceName": name})
        assert r.json()["suggestion"]["serviceName"] == f"{gw}-3-{name}"
    # No auth needed.
    with client(sandbox) as anon:
        r = anon.get(f"{V3}/routes/availability", params={"gatewayId": gw, "serviceName": name})
        assert r.status_code == 200 and r.json()["available"] is False


def test_organizations(sandbox):
    with client(sandbox) as c:
        orgs = c.get(f"{V3}/organizations").json()
        assert {"ministry-of-citizens-services"} <= {o["name"] for o in orgs}
        assert all({"name", "title", "description"} <= set(o) for o in orgs)
        units = c.get(f"{V3}/organizations/ministry-of-citizens-services").json()
        assert "databc" in [u["name"] for u in units["orgUnits"]]
        r = c.get(f"{V3}/organizations/ministry-of-nothing")
        assert r.status_code == 422
        assert r.json() == {
            "code": "validation_error",
            "message": "Validation Failed",
            "fields": {"org": {"message": "Organization not found."}},
        }


def test_forwarded_access_token_is_accepted_like_the_portal_ui(sandbox):
    name = user("ui")
    token = issue_provider_token(sandbox.ctx, name)
    with client(sandbox) as c:
        r = c.post(f"{V3}/gateways", json={}, headers={"X-Forwarded-Access-Token": token})
        assert r.status_code == 200
        assert r.json()["displayName"] == f"{name}'s Gateway"
