"""Issuer, dataset and product PUTs (BatchResult semantics) and their GET views."""

from __future__ import annotations

import re

import pytest

from tests.sandbox.portal_kit import (
    client,
    config_text,
    dataset_doc,
    issuer_doc,
    new_gateway,
    product_doc,
    publish,
    service_doc,
    service_name,
    user,
)

V3 = "/ds/api/v3"


@pytest.fixture
def provider(sandbox):
    with client(sandbox, user("res")) as c:
        gw = new_gateway(c)
        yield c, gw


def put(c, gw, kind, doc):
    return c.put(f"{V3}/gateways/{gw}/{kind}", json=doc)


# -- issuers ----------------------------------------------------------------------------------
def test_issuer_created_no_change_updated(provider, sandbox):
    c, gw = provider
    r = put(c, gw, "issuers", issuer_doc(gw))
    assert r.status_code == 200
    first = r.json()
    assert first["status"] == 200 and first["result"] == "created"
    assert re.fullmatch(r"[0-9a-f]{24}", first["id"])
    assert first["childResults"] == []
    again = put(c, gw, "issuers", issuer_doc(gw)).json()
    assert (again["result"], again["id"]) == ("no-change", first["id"])
    changed = put(c, gw, "issuers", {**issuer_doc(gw), "description": "Changed"}).json()
    assert (changed["result"], changed["id"]) == ("updated", first["id"])


def test_issuer_get_shape_for_shared_idp(provider, sandbox):
    c, gw = provider
    put(c, gw, "issuers", issuer_doc(gw))
    issuers = c.get(f"{V3}/gateways/{gw}/issuers").json()
    assert len(issuers) == 1
    issuer = issuers[0]
    assert issuer["name"] == f"{gw} default"
    assert issuer["flow"] == "client-credentials" and issuer["mode"] == "auto"
    assert issuer["inheritFrom"] == {"name": "Gold Shared IdP"}
    assert issuer["isShared"] is False
    assert issuer["owner"].endswith("@idir")
    dev = next(e for e in issuer["environmentDetails"] if e["environment"] == "dev")
    assert dev == {
        "exists": True,
        "environment": "dev",
        "issuerUrl": "https://dev.loginproxy.gov.bc.ca/auth/realms/apigw",
        "clientRegistration": "shared-idp",
        "clientId": f"ap-{gw}-default-dev",
    }
    prod = next(e for e in issuer["environmentDetails"] if e["environment"] == "prod")
    assert prod["clientId"] == f"ap-{gw}-default"
    assert all(v is not None for v in issuer.values())


def test_issuer_without_shared_idp_masks_secrets(provider):
    c, gw = provider
    doc = {
        "name": "own-idp",
        "flow": "client-credentials",
        "mode": "auto",
        "clientAuthenticator": "client-secret",
        "environmentDetails": [
            {
                "environment": "dev",
                "issuerUrl": "https://idp.example/auth/realms/x",
                "clientRegistration": "managed",
                "clientId": "reg",
                "clientSecret": "s3cret",
            }
        ],
    }
    assert put(c, gw, "issuers", doc).json()["result"] == "created"
    issuer = c.get(f"{V3}/gateways/{gw}/issuers").json()[0]
    assert issuer["environmentDetails"][0]["clientSecret"] == "****"
    assert "s3cret" not in c.get(f"{V3}/gateways/{gw}/issuers").text


def test_issuer_failures(provider):
    c, gw = provider
    r = put(c, gw, "issuers", {**issuer_doc(gw), "inheritFrom": "Silver IdP"})
    assert r.status_code == 400
    assert r.json() == {
        "status": 400,
        "result": "create-failed",
        "reason": "Record not found [inheritFrom] Silver IdP",
        "childResults": [],
    }
    r = put(c, gw, "issuers", {**issuer_doc(gw), "flow": "authorization-code"})
    assert r.status_code == 422
    assert r.json()["fields"]["body.flow"]["message"] == (
        "should be one of the following; ['client-credentials']"
    )
    r = put(c, gw, "issuers", {**issuer_doc(gw), "kind": "CredentialIssuer"})
    assert r.status_code == 422
    assert r.json()["fields"]["body"]["message"] == (
        '"kind" is an excess property and therefore is not allowed'
    )
    r = put(c, gw, "issuers", {**issuer_doc(gw), "clientRoles": "admin"})
    assert r.json()["fields"]["body.clientRoles"]["message"] == "invalid array"
    assert c.get(f"{V3}/gateways/{gw}/issuers").json() == []


# -- datasets ---------------------------------------------------------------------------------
def test_dataset_created_no_change_updated(provider):
    c, gw = provider
    name = service_name("ds")
    first = put(c, gw, "datasets", dataset_doc(name)).json()
    assert first["result"] == "created"
    assert put(c, gw, "datasets", dataset_doc(name)).json()["result"] == "no-change"
    updated = put(c, gw, "datasets", dataset_doc(name, title="New title")).json()
    assert (updated["result"], updated["id"]) == ("updated", first["id"])
    got = c.get(f"{V3}/gateways/{gw}/datasets/{name}-dataset").json()
    assert got["title"] == "New title"
    assert got["organization"] == "ministry-of-citizens-services"


def test_dataset_failures(provider):
    c, gw = provider
    name = service_name("ds")
    r = put(c, gw, "datasets", dataset_doc(name, organization="ministry-of-x"))
    assert r.status_code == 400
    assert r.json() == {
        "status": 400,
        "result": "create-failed",
        "reason": "Record not found [organization] ministry-of-x",
        "childResults": [],
    }
    r = put(c, gw, "datasets", dataset_doc(name, organizationUnit="nowhere"))
    assert r.status_code == 400
    assert r.json()["reason"] == "Record not found [organizationUnit] nowhere"
    r = put(c, gw, "datasets", dataset_doc(name, security_class="SECRET"))
    assert r.status_code == 422
    assert r.json()["fields"]["body.security_class"]["message"].startswith(
        "should be one of the following; ['HIGH-CABINET'"
    )
    r = put(c, gw, "datasets", dataset_doc(name, view_audience="Everyone"))
    assert r.status_code == 422
    assert "body.view_audience" in r.json()["fields"]
    r = put(c, gw, "datasets", {"title": "no name"})
    assert r.status_code == 422
    assert r.json()["fields"]["body.name"]["message"] == "'name' is required"


def test_dataset_owned_by_another_gateway_is_not_overwritten(sandbox):
    name = service_name("shared")
    with client(sandbox, user()) as a, client(sandbox, user()) as b:
        gw_a, gw_b = new_gateway(a), new_gateway(b)
        assert put(a, gw_a, "datasets", dataset_doc(name)).json()["result"] == "created"
        r = put(b, gw_b, "datasets", dataset_doc(name, title="hijacked"))
        assert r.status_code == 400
        assert r.json()["result"] == "update-failed"
        assert a.get(f"{V3}/gateways/{gw_a}/datasets/{name}-dataset").json()["title"] == name


# -- products ---------------------------------------------------------------------------------
def _setup_service(c, gw, sandbox, name):
    text = config_text(service_doc(gw, name, sandbox.info.upstream_url))
    assert publish(c, gw, text).status_code == 200
    assert put(c, gw, "issuers", issuer_doc(gw)).status_code == 200
    assert put(c, gw, "datasets", dataset_doc(name)).status_code == 200


def test_product_created_no_change_child_updated(provider, sandbox):
    c, gw = provider
    name = service_name("prod")
    _setup_service(c, gw, sandbox, name)
    first = put(c, gw, "products", product_doc(gw, name)).json()
    assert first["result"] == "created"
    assert [child["result"] for child in first["childResults"]] == ["created"]
    products = c.get(f"{V3}/gateways/{gw}/products").json()
    product = products[0]
    assert re.fullmatch(r"[0-9A-F]{12}", product["appId"])
    env = product["environments"][0]
    assert re.fullmatch(r"[0-9A-F]{8}", env["appId"])
    assert env == {
        "name": "dev",
        "appId": env["appId"],
        "active": False,
        "approval": False,
        "flow": "client-credentials",
        "credentialIssuer": f"{gw} default",
        "services": [f"{name}-dev"],
    }
    assert product["dataset"] == f"{name}-dataset"

    again = put(c, gw, "products", product_doc(gw, name)).json()
    assert again["result"] == "no-change"
    assert [ch["result"] for ch in again["childResults"]] == ["no-change"]

    child = put(c, gw, "products", product_doc(gw, name, approval=True)).json()
    assert child["result"] == "updated-child"
    assert [ch["result"] for ch in child["childResults"]] == ["updated"]

    own = put(c, gw, "products", {**product_doc(gw, name, approval=True), "description": "d"})
    assert own.json()["result"] == "updated"

    with_test = product_doc(gw, name, approval=True)
    with_test["environments"].append({**with_test["environments"][0], "name": "test"})
    assert put(c, gw, "products", with_test).json()["result"] == "created-child"

    after = c.get(f"{V3}/gateways/{gw}/products").json()[0]
    assert after["appId"] == product["appId"]  # stable across re-PUTs
    assert after["environments"][0]["appId"] == env["appId"]
    assert [e["name"] for e in after["environments"]] == ["dev", "test"]


def test_product_failures(provider, sandbox):
    c, gw = provider
    name = service_name("pf")
    _setup_service(c, gw, sandbox, name)
    r = put(c, gw, "products", product_doc(gw, name, services=["missing-svc"]))
    assert r.status_code == 400
    assert r.json() == {
        "status": 400,
        "result": "create-failed",
        "reason": "Failed updating children",
        "childResults": [
            {
                "status": 400,
                "result": "create-failed",
                "reason": "Failed to find missing-svc in allGatewayServices",
                "childResults": [],
            }
        ],
    }
    assert c.get(f"{V3}/gateways/{gw}/products").json() == []  # nothing half-written
    r = put(c, gw, "products", product_doc(gw, name, credentialIssuer="nope"))
    assert r.status_code == 400
    assert r.json()["childResults"][0]["reason"] == "Record not found [credentialIssuer] nope"
    r = put(c, gw, "products", {**product_doc(gw, name), "dataset": "no-such-dataset"})
    assert r.status_code == 400
    assert r.json()["reason"] == "Record not found [dataset] no-such-dataset"
    r = put(c, gw, "products", product_doc(gw, name, flow="magic"))
    assert r.status_code == 422
    assert "body.environments.$0.flow" in r.json()["fields"]
    staging = product_doc(gw, name)
    staging["environments"][0]["name"] = "staging"
    r = put(c, gw, "products", staging)
    assert r.status_code == 422
    assert r.json()["fields"]["body.environments.$0.name"]["message"] == (
        "should be one of the following; ['dev','test','prod','sandbox','other']"
    )
    r = put(c, gw, "products", product_doc(gw, name, colour="blue"))
    assert r.status_code == 422
    assert r.json()["fields"]["body.environments.$0"]["message"] == (
        '"colour" is an excess property and therefore is not allowed'
    )


def test_product_services_must_be_in_the_same_gateway(sandbox):
    name = service_name("cross")
    with client(sandbox, user()) as a, client(sandbox, user()) as b:
        gw_a, gw_b = new_gateway(a), new_gateway(b)
        _setup_service(a, gw_a, sandbox, name)
        assert put(b, gw_b, "issuers", issuer_doc(gw_b)).status_code == 200
        r = put(b, gw_b, "products", {**product_doc(gw_b, name), "dataset": f"{name}-dataset"})
        assert r.status_code == 400
        assert r.json()["childResults"][0]["reason"] == (
            f"Failed to find {name}-dev in allGatewayServices"
        )


def test_environment_put_is_not_a_route(provider):
    c, gw = provider
    r = c.put(f"{V3}/gateways/{gw}/environments", json={"name": "dev"})
    assert (r.status_code, r.json()) == (404, {"message": "Resource not found"})


def test_directory_lists_datasets_with_products(provider, sandbox):
    c, gw = provider
    name = service_name("dir")
    _setup_service(c, gw, sandbox, name)
    assert c.get(f"{V3}/gateways/{gw}/directory").json() == []
    put(c, gw, "products", product_doc(gw, name))
    items = c.get(f"{V3}/gateways/{gw}/directory").json()
    assert len(items) == 1
    item = items[0]
    assert item["name"] == f"{name}-dataset"
    assert item["tags"] == [name, "openapi"]
    assert item["organization"] == {
        "name": "ministry-of-citizens-services",
        "title": "Ministry of Citizens' Services",
    }
    assert item["organizationUnit"] == {"name": "databc", "title": "DataBC"}
    assert item["products"][0]["name"] == f"{name} API"
    assert item["products"][0]["environments"] == [
        {"name": "dev", "active": False, "flow": "client-credentials"}
    ]
    one = c.get(f"{V3}/gateways/{gw}/directory/{item['id']}")
    assert one.status_code == 200 and one.json()["id"] == item["id"]
    assert c.get(f"{V3}/gateways/{gw}/directory/nope").status_code == 404


def test_resource_puts_need_the_right_scope(provider, sandbox):
    c, gw = provider
    with client(sandbox, user("intruder")) as o:
        r = put(o, gw, "issuers", issuer_doc(gw))
        assert r.status_code == 403
        assert r.json()["message"] == f"Missing required scope: {gw}:CredentialIssuer.Admin"
        for kind in ("datasets", "products"):
            r = put(o, gw, kind, {"name": "x"})
            assert r.json()["message"] == f"Missing required scope: {gw}:Namespace.Manage"
        for path in ("products", "issuers", "directory"):
            assert o.get(f"{V3}/gateways/{gw}/{path}").status_code == 403


def test_malformed_json_and_path_traversal(provider):
    c, gw = provider
    r = c.put(
        f"{V3}/gateways/{gw}/products",
        content=b"{nope",
        headers={"Content-Type": "application/json"},
    )
    assert (r.status_code, r.json()) == (422, {"message": "Syntax Error Parsing JSON"})
    r = c.get(f"{V3}/gateways/{gw}/datasets/..%2F..%2Fetc%2Fpasswd")
    assert r.status_code == 404
    assert r.json() == {"message": "Resource not found"}
    r = c.get(f"{V3}/gateways/..%2F{gw}/products")
    assert r.status_code in (403, 404)
    assert "message" in r.json()


def test_public_directory_lists_only_active_environments(provider, sandbox):
    c, gw = provider
    name = service_name("pub")
    _setup_service(c, gw, sandbox, name)
    put(c, gw, "products", product_doc(gw, name))  # dev, active: false
    with client(sandbox) as anon:
        listed = anon.get(f"{V3}/directory").json()
        assert f"{name}-dataset" not in [d["name"] for d in listed]
        doc = product_doc(gw, name)
        doc["environments"].append({**doc["environments"][0], "name": "test", "active": True})
        put(c, gw, "products", doc)
        listed = anon.get(f"{V3}/directory").json()
        item = next(d for d in listed if d["name"] == f"{name}-dataset")
        assert item["products"][0]["environments"] == [
            {"name": "test", "active": True, "flow": "client-credentials"}
        ]
        one = anon.get(f"{V3}/directory/{item['id']}")
        assert one.status_code == 200 and one.json() == item
        missing = anon.get(f"{V3}/directory/000000000000000000000000")
        assert missing.status_code == 204 and missing.content == b""


def test_portal_services_lists_gateway_routes(provider, sandbox):
    c, gw = provider
    name = service_name("routes")
    _setup_service(c, gw, sandbox, name)
    routes = c.get(f"{V3}/gateways/{gw}/services").json()
    assert [r["name"] for r in routes] == [f"{name}-dev"]
    route = routes[0]
    assert route["hosts"] == [f"{name}.dev.api.gov.bc.ca"]
    assert route["service"] == f"{name}-dev"
    assert route["methods"] == ["GET"]
    assert {p["name"] for p in route["plugins"]} == {"jwt-keycloak", "request-transformer"}
    r = c.put(f"{V3}/gateways/{gw}/services", json={})
    assert r.status_code == 403
    assert r.json()["message"] == f"Missing required scope: {gw}:Gateway.Config"


def test_dataset_of_a_destroyed_gateway_is_adopted_by_the_next(sandbox):
    # A learner destroys the gateway and redoes the tutorial with the same service name.
    name = service_name("again")
    with client(sandbox, user()) as c:
        first = new_gateway(c)
        assert put(c, first, "datasets", dataset_doc(name)).json()["result"] == "created"
        assert c.delete(f"{V3}/gateways/{first}", params={"force": "true"}).json() is True
        second = new_gateway(c)
        r = put(c, second, "datasets", dataset_doc(name))
        assert (r.status_code, r.json()["result"]) == (200, "no-change")
        r = put(c, second, "datasets", dataset_doc(name, title="Second run"))
        assert r.json()["result"] == "updated"
