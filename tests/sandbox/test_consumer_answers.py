"""Consumers as a learner, an API provider and an attacker see them: each consumer is a Kong
consumer of its own (the id the upstream is told), and regenerating a secret gives a new one
that cannot be guessed each time, in the same credential the issue answered."""

from __future__ import annotations

import json
import uuid

import httpx

from tests.sandbox.portal_kit import issue_consumer
from tests.sandbox.test_consumers import consumer_token, flow

__all__ = ["flow"]  # the fixture, shared with test_consumers.py


def regenerate(c, gw: str, client_id: str) -> dict:
    url = f"/ds/api/v3/gateways/{gw}/consumers/{client_id}"
    r = c.put(url, params={"action": "regenerate"})
    assert r.status_code == 200, r.text
    return r.json()


def test_each_regenerated_secret_is_new_and_random(flow):
    c, gw, _name, env_app = flow
    issued = issue_consumer(c, gw, env_app).json()
    secrets = [regenerate(c, gw, issued["clientId"])["clientSecret"] for _ in range(2)]
    assert all(str(uuid.UUID(secret)) == secret for secret in secrets)
    assert len({issued["clientSecret"], *secrets}) == 3


def test_a_regenerated_credential_is_the_issued_one_with_a_new_secret(flow):
    c, gw, _name, env_app = flow
    issued = issue_consumer(c, gw, env_app, "billing").json()
    fresh = regenerate(c, gw, issued["clientId"])
    secret = fresh["clientSecret"]
    assert {k: v for k, v in fresh.items() if k not in ("clientSecret", "credential")} == {
        k: v for k, v in issued.items() if k not in ("clientSecret", "credential")
    }
    assert fresh["environmentAppId"] == env_app
    assert json.loads(fresh["credential"]) == json.loads(issued["credential"]) | {
        "clientSecret": secret
    }


def upstream_headers(sandbox, name: str, token: str) -> dict[str, str]:
    host = f"{name}-dev-api-gov-bc-ca.localhost:{sandbox.info.data_plane_port}"
    r = httpx.get(
        f"http://127.0.0.1:{sandbox.info.data_plane_port}/headers",
        headers={"Host": host, "Authorization": f"Bearer {token}"},
    )
    assert r.status_code == 200, r.text
    return {k.lower(): v for k, v in r.json()["headers"].items()}


def test_each_consumer_is_a_kong_consumer_of_its_own(flow, sandbox):
    c, gw, name, env_app = flow
    seen = []
    for app in ("first app", "second app"):
        issued = issue_consumer(c, gw, env_app, app).json()
        token = consumer_token(sandbox, issued["clientId"], issued["clientSecret"])
        headers = upstream_headers(sandbox, name, token.json()["access_token"])
        assert headers["x-consumer-custom-id"] == issued["clientId"]
        seen.append(headers["x-consumer-id"])
    assert all(str(uuid.UUID(kong_id)) == kong_id for kong_id in seen)
    assert seen[0] != seen[1]
