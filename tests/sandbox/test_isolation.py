"""Providers are isolated from each other, and state survives a restart."""

from __future__ import annotations

from tests.sandbox.portal_kit import (
    client,
    config_text,
    issue_consumer,
    issuer_doc,
    new_gateway,
    publish,
    service_doc,
    service_name,
    start_server,
    tutorial,
    user,
)

V3 = "/ds/api/v3"


def test_second_user_cannot_touch_the_first_users_gateway(sandbox):
    alice, mallory = user("alice"), user("mallory")
    name = service_name()
    with client(sandbox, alice) as a, client(sandbox, mallory) as m:
        gw = new_gateway(a)
        product = tutorial(a, gw, name, sandbox.info.upstream_url)
        env_app = product["environments"][0]["appId"]

        # read
        assert gw not in [g["gatewayId"] for g in m.get(f"{V3}/gateways").json()]
        for path in ("", "/products", "/issuers", "/directory", "/consumers"):
            r = m.get(f"{V3}/gateways/{gw}{path}")
            assert r.status_code == 403, path
            assert r.json()["code"] == "permission_denied"
        assert m.get(f"/gw/api/v3/gateways/{gw}/services").status_code == 403

        # publish
        r = publish(m, gw, config_text(service_doc(gw, service_name(), sandbox.info.upstream_url)))
        assert r.status_code == 403
        r = m.put(f"{V3}/gateways/{gw}/issuers", json=issuer_doc(gw))
        assert r.status_code == 403

        # issue credentials
        r = issue_consumer(m, gw, env_app)
        assert r.status_code == 403
        assert r.json()["message"] == f"Missing required scope: {gw}:CredentialIssuer.Generate"

        # destroy
        r = m.delete(f"{V3}/gateways/{gw}", params={"force": "true"})
        assert r.status_code == 403
        assert r.json()["message"] == f"Missing required scope: {gw}:Namespace.Manage"

        # nothing changed for alice
        assert a.get(f"{V3}/gateways/{gw}").status_code == 200
        services = a.get(f"/gw/api/v3/gateways/{gw}/services").json()
        assert [s["name"] for s in services] == [f"{name}-dev"]
        assert a.get(f"{V3}/gateways/{gw}/consumers").json() == []


def test_restart_keeps_state(tmp_path):
    data = tmp_path / "data"
    name = service_name()
    who = user("persist")
    first = start_server(data)
    try:
        with client(first, who) as c:
            gw = new_gateway(c, displayName="Persistent")
            product = tutorial(c, gw, name, first.info.upstream_url)
            creds = issue_consumer(c, gw, product["environments"][0]["appId"]).json()
    finally:
        first.stop()

    second = start_server(data)
    try:
        with client(second, who) as c:
            assert c.get(f"{V3}/gateways").json() == [
                {"gatewayId": gw, "displayName": "Persistent"}
            ]
            products = c.get(f"{V3}/gateways/{gw}/products").json()
            assert products == [product]
            assert [x["clientId"] for x in c.get(f"{V3}/gateways/{gw}/consumers").json()] == [
                creds["clientId"]
            ]
            status = c.get(f"/gw/api/v3/gateways/{gw}/services").json()
            assert [s["name"] for s in status] == [f"{name}-dev"]
            # env_host follows the new listener, it is not stored
            assert status[0]["env_host"].endswith(f":{second.info.data_plane_port}")
            # republishing the same file is a no-change after the restart
            r = publish(c, gw, config_text(service_doc(gw, name, first.info.upstream_url)))
            assert r.json()["results"] == "Summary:\n  Created: 0\n  Updated: 0\n  Deleted: 0\n"
            # the portal's discovery still points at the live login realm
            spec = c.get(f"{V3}/openapi.yaml").text
            assert second.info.login_issuer in spec
    finally:
        second.stop()
