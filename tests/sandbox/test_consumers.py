"""Consumer credentials over REST (§16): issue, use, regenerate, revoke."""

from __future__ import annotations

import json
import re
import uuid

import httpx
import jwt
import pytest

from tests.sandbox.portal_kit import (
    client,
    issue_consumer,
    new_gateway,
    service_name,
    tutorial,
    user,
)

SHARED_ISSUER = "https://dev.loginproxy.gov.bc.ca/auth/realms/apigw"


@pytest.fixture
def flow(sandbox):
    """A gateway after the tutorial's apply step: (client, gateway, service name, env appId)."""
    with client(sandbox, user("cons")) as c:
        gw = new_gateway(c)
        name = service_name()
        product = tutorial(c, gw, name, sandbox.info.upstream_url)
        yield c, gw, name, product["environments"][0]["appId"]


def consumer_token(sandbox, client_id, secret) -> httpx.Response:
    return httpx.post(
        sandbox.info.shared_idp_token_endpoint,
        data={
            "client_id": client_id,
            "client_secret": secret,
            "grant_type": "client_credentials",
            "scopes": "openid",
        },
        timeout=10,
    )


def call_api(sandbox, name, token=None) -> httpx.Response:
    headers = {"Host": f"{name}-dev-api-gov-bc-ca.localhost:{sandbox.info.data_plane_port}"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    return httpx.get(f"http://127.0.0.1:{sandbox.info.data_plane_port}/uuid", headers=headers)


def test_issue_returns_201_and_the_credential(flow, sandbox):
    c, gw, _name, env_app = flow
    r = issue_consumer(c, gw, env_app, "my app")
    assert r.status_code == 201
    body = r.json()
    assert re.fullmatch(rf"{env_app}-[0-9A-F]{{11}}", body["clientId"])
    assert str(uuid.UUID(body["clientSecret"])) == body["clientSecret"]
    assert body["tokenEndpoint"] == sandbox.info.shared_idp_token_endpoint
    assert body["issuer"] == SHARED_ISSUER
    assert body["environmentAppId"] == env_app
    assert body["application"]["name"] == "my app"
    assert body["clientId"].endswith(body["application"]["appId"])
    credential = json.loads(body["credential"])
    assert credential["flow"] == "client-credentials"
    assert credential["clientId"] == body["clientId"]
    assert credential["clientSecret"] == body["clientSecret"]
    assert credential["tokenEndpoint"] == body["tokenEndpoint"]
    row = sandbox.ctx.db.query_one("SELECT * FROM consumers WHERE client_id=?", (body["clientId"],))
    assert row["gateway_id"] == gw
    assert row["audience"] == f"ap-{gw}-default-dev"
    listed = c.get(f"/ds/api/v3/gateways/{gw}/consumers").json()
    assert [x["clientId"] for x in listed] == [body["clientId"]]
    assert body["clientSecret"] not in json.dumps(listed)


def test_the_credential_works_end_to_end(flow, sandbox):
    c, gw, name, env_app = flow
    creds = issue_consumer(c, gw, env_app).json()
    r = consumer_token(sandbox, creds["clientId"], creds["clientSecret"])
    assert r.status_code == 200, r.text
    claims = jwt.decode(r.json()["access_token"], options={"verify_signature": False})
    assert claims["iss"] == SHARED_ISSUER
    assert claims["azp"] == creds["clientId"]
    assert f"ap-{gw}-default-dev" in claims["aud"]
    assert call_api(sandbox, name).status_code == 401
    ok = call_api(sandbox, name, r.json()["access_token"])
    assert ok.status_code == 200, ok.text
    assert uuid.UUID(ok.json()["uuid"])


def test_second_issue_for_same_application_fails(flow):
    c, gw, _name, env_app = flow
    first = issue_consumer(c, gw, env_app).json()
    app_id = first["application"]["appId"]
    r = c.post(
        f"/ds/api/v3/gateways/{gw}/consumers",
        json={"environmentAppId": env_app, "application": {"appId": app_id}},
    )
    assert (r.status_code, r.json()) == (422, {"message": "This application already has access."})


def test_regenerate_and_revoke(flow, sandbox):
    c, gw, name, env_app = flow
    creds = issue_consumer(c, gw, env_app).json()
    base = f"/ds/api/v3/gateways/{gw}/consumers/{creds['clientId']}"
    r = c.put(base, params={"action": "regenerate"})
    assert r.status_code == 200
    fresh = r.json()
    assert fresh["clientId"] == creds["clientId"]
    assert fresh["clientSecret"] != creds["clientSecret"]
    assert consumer_token(sandbox, creds["clientId"], creds["clientSecret"]).status_code == 401
    token = consumer_token(sandbox, fresh["clientId"], fresh["clientSecret"]).json()["access_token"]
    assert c.put(base, params={"action": "rotate"}).status_code == 422
    r = c.delete(base)
    assert (r.status_code, r.json()) == (200, True)
    assert consumer_token(sandbox, fresh["clientId"], fresh["clientSecret"]).status_code == 401
    gone = call_api(sandbox, name, token)
    assert gone.status_code == 401
    assert gone.json() == {"message": f"Unable to find consumer {creds['clientId']} for token"}
    assert c.delete(base).status_code == 404
    assert c.put(base, params={"action": "regenerate"}).status_code == 404


def test_issue_validation(flow):
    c, gw, _name, env_app = flow
    url = f"/ds/api/v3/gateways/{gw}/consumers"
    r = c.post(url, json={"environmentAppId": "DEADBEEF", "application": {"name": "x"}})
    assert r.status_code == 422
    assert r.json() == {"message": "Product environment DEADBEEF not found in this gateway"}
    r = c.post(url, json={"environmentAppId": env_app})
    assert r.status_code == 422
    assert r.json()["fields"]["body.application.name"]["message"] == "'name' is required"
    r = c.post(url, json={"environmentAppId": env_app, "application": {"name": "x"}, "x": 1})
    assert r.status_code == 422
    assert r.json()["fields"]["body"]["message"] == (
        '"x" is an excess property and therefore is not allowed'
    )
    r = c.post(url, json={"application": {"name": "x"}})
    assert (
        r.json()["fields"]["body.environmentAppId"]["message"] == "'environmentAppId' is required"
    )
    r = c.post(url, content=b"{", headers={"Content-Type": "application/json"})
    assert (r.status_code, r.json()) == (422, {"message": "Syntax Error Parsing JSON"})


def test_consumers_need_credential_issuer_generate(flow, sandbox):
    c, gw, _name, env_app = flow
    with client(sandbox, user("outsider")) as o:
        r = issue_consumer(o, gw, env_app)
        assert r.status_code == 403
        assert r.json() == {
            "code": "permission_denied",
            "message": f"Missing required scope: {gw}:CredentialIssuer.Generate",
        }
        assert o.get(f"/ds/api/v3/gateways/{gw}/consumers").status_code == 403


def test_revoke_is_scoped_to_own_gateway(flow, sandbox):
    """Another learner, owner of their own gateway, cannot revoke my consumer through it."""
    c, gw, name, env_app = flow
    mine = issue_consumer(c, gw, env_app, "my app").json()["clientId"]
    with client(sandbox, user("other")) as other:
        their_gw = new_gateway(other)
        r = other.delete(f"/ds/api/v3/gateways/{their_gw}/consumers/{mine}")
        assert r.status_code == 404
        assert other.get(f"/ds/api/v3/gateways/{their_gw}/consumers").json() == []
    listed = c.get(f"/ds/api/v3/gateways/{gw}/consumers").json()
    assert [row["clientId"] for row in listed] == [mine]


def test_regenerate_is_scoped_to_own_gateway(flow, sandbox):
    """Another learner cannot rotate my secret through their own gateway: mine still works."""
    c, gw, _name, env_app = flow
    mine = issue_consumer(c, gw, env_app).json()
    with client(sandbox, user("other")) as other:
        their_gw = new_gateway(other)
        url = f"/ds/api/v3/gateways/{their_gw}/consumers/{mine['clientId']}"
        r = other.put(url, params={"action": "regenerate"})
        assert r.status_code == 404
        assert mine["clientSecret"] not in r.text
    assert consumer_token(sandbox, mine["clientId"], mine["clientSecret"]).status_code == 200


def test_an_application_of_another_gateway_cannot_be_borrowed(flow, sandbox):
    c, gw, _name, env_app = flow
    with client(sandbox, user("other")) as other:
        their_gw = new_gateway(other)
        product = tutorial(other, their_gw, service_name(), sandbox.info.upstream_url)
        theirs = issue_consumer(other, their_gw, product["environments"][0]["appId"]).json()
    app_id = theirs["application"]["appId"]
    r = c.post(
        f"/ds/api/v3/gateways/{gw}/consumers",
        json={"environmentAppId": env_app, "application": {"appId": app_id}},
    )
    assert (r.status_code, r.json()) == (422, {"message": f"Application {app_id} not found"})


def test_an_existing_application_gets_a_second_environment_credential(flow, sandbox):
    """Reusing an application by appId keeps its name, in the answer and in the listing."""
    c, gw, _name, env_app = flow
    first = issue_consumer(c, gw, env_app, "reporting").json()
    app_id = first["application"]["appId"]
    regenerated = c.put(
        f"/ds/api/v3/gateways/{gw}/consumers/{first['clientId']}",
        params={"action": "regenerate"},
    ).json()
    assert regenerated["application"] == {"appId": app_id, "name": "reporting"}
    listed = c.get(f"/ds/api/v3/gateways/{gw}/consumers").json()
    assert listed == [
        {
            "clientId": first["clientId"],
            "environmentAppId": env_app,
            "application": {"appId": app_id, "name": "reporting"},
            "labels": {},
        }
    ]


def test_labels_are_kept_and_listed_in_issue_order(flow):
    c, gw, _name, env_app = flow
    url = f"/ds/api/v3/gateways/{gw}/consumers"
    one = c.post(
        url,
        json={"environmentAppId": env_app, "application": {"name": "one"}, "labels": {"t": "a"}},
    ).json()
    two = issue_consumer(c, gw, env_app, "two").json()
    listed = c.get(url).json()
    assert [row["clientId"] for row in listed] == [one["clientId"], two["clientId"]]
    assert [row["labels"] for row in listed] == [{"t": "a"}, {}]
    assert [row["application"]["name"] for row in listed] == ["one", "two"]


def test_a_held_client_gets_no_token_until_approved(flow, sandbox):
    """An access request that needs approval: refused by the shared IdP, then accepted."""
    from tui.sandbox import consumers

    _c, gw, _name, env_app = flow
    body = {"environmentAppId": env_app, "application": {"name": "waits"}}
    held = consumers.issue(sandbox.ctx, gw, body, enabled=False)
    assert not consumers.is_enabled(sandbox.ctx, held["clientId"])
    refused = consumer_token(sandbox, held["clientId"], held["clientSecret"])
    assert refused.status_code == 401
    consumers.enable(sandbox.ctx, held["clientId"])
    assert consumers.is_enabled(sandbox.ctx, held["clientId"])
    assert consumer_token(sandbox, held["clientId"], held["clientSecret"]).status_code == 200


def test_access_requested_again_after_a_revoke_is_not_left_on_hold(flow, sandbox):
    """Revoking a held client forgets the hold: the application's next credential works."""
    from tui.sandbox import consumers

    c, gw, _name, env_app = flow
    body = {"environmentAppId": env_app, "application": {"name": "again"}}
    held = consumers.issue(sandbox.ctx, gw, body, enabled=False)
    assert c.delete(f"/ds/api/v3/gateways/{gw}/consumers/{held['clientId']}").status_code == 200
    app_id = held["application"]["appId"]
    again = c.post(
        f"/ds/api/v3/gateways/{gw}/consumers",
        json={"environmentAppId": env_app, "application": {"appId": app_id}},
    ).json()
    assert again["clientId"] == held["clientId"]
    assert consumer_token(sandbox, again["clientId"], again["clientSecret"]).status_code == 200


def test_credentials_are_issued_only_where_a_credential_issuer_applies(flow, sandbox):
    """A public environment, or one whose issuer does not inherit from the shared IdP, gets
    no credential (and nothing is registered)."""
    from tests.sandbox.portal_kit import dataset_doc, issuer_doc, product_doc

    c, gw, name, _env_app = flow
    url = f"/ds/api/v3/gateways/{gw}"
    own_issuer = issuer_doc(gw) | {"name": f"{gw} own"}
    del own_issuer["inheritFrom"]
    assert c.put(f"{url}/issuers", json=own_issuer).status_code == 200
    assert c.put(f"{url}/datasets", json=dataset_doc(name)).status_code == 200
    cases = {
        f"{name} open": (
            {"flow": "public", "credentialIssuer": None},
            "The sandbox issues credentials only for client-credentials environments with a "
            "credential issuer",
        ),
        f"{name} own": ({"credentialIssuer": f"{gw} own"}, "Communication error with issuer"),
        f"{name} key": (
            {"flow": "kong-api-key-only", "credentialIssuer": f"{gw} default"},
            "The sandbox issues credentials only for client-credentials environments with a "
            "credential issuer",
        ),
        f"{name} noissuer": (
            {"credentialIssuer": None},
            "The sandbox issues credentials only for client-credentials environments with a "
            "credential issuer",
        ),
    }
    for product_name, (env, reason) in cases.items():
        doc = product_doc(gw, name, **env) | {"name": product_name}
        assert c.put(f"{url}/products", json=doc).status_code == 200, product_name
        product = next(p for p in c.get(f"{url}/products").json() if p["name"] == product_name)
        r = issue_consumer(c, gw, product["environments"][0]["appId"])
        assert (r.status_code, r.json()) == (422, {"message": reason})
    assert c.get(f"{url}/consumers").json() == []


def test_an_unknown_action_names_the_one_the_portal_knows(flow, sandbox):
    c, gw, _name, env_app = flow
    creds = issue_consumer(c, gw, env_app).json()
    r = c.put(f"/ds/api/v3/gateways/{gw}/consumers/{creds['clientId']}", params={"action": "x"})
    assert (r.status_code, r.json()) == (
        422,
        {
            "code": "validation_error",
            "message": "",
            "fields": {
                "action": {
                    "message": "should be one of the following; ['regenerate']",
                    "value": "x",
                }
            },
        },
    )
    assert consumer_token(sandbox, creds["clientId"], creds["clientSecret"]).status_code == 200


def test_the_credential_is_the_portals_generate_secrets_document(flow, sandbox):
    c, gw, _name, env_app = flow
    body = issue_consumer(c, gw, env_app, "doc app").json()
    assert body["flow"] == "client-credentials"
    assert json.loads(body["credential"]) == {
        "flow": "client-credentials",
        "clientId": body["clientId"],
        "clientSecret": body["clientSecret"],
        "issuer": None,
        "tokenEndpoint": sandbox.info.shared_idp_token_endpoint,
        "clientPublicKey": None,
        "clientPrivateKey": None,
    }


def test_a_nameless_application_gets_the_portals_validation_body(flow):
    c, gw, _name, env_app = flow
    r = c.post(f"/ds/api/v3/gateways/{gw}/consumers", json={"environmentAppId": env_app})
    assert (r.status_code, r.json()) == (
        422,
        {
            "code": "validation_error",
            "message": "",
            "fields": {"body.application.name": {"message": "'name' is required"}},
        },
    )
