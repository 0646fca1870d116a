"""A learner's gateway after the tutorial's apply step, and the tutorial's curl calls."""

from __future__ import annotations

from dataclasses import dataclass

import httpx

from tests.sandbox.portal_kit import (
    client,
    dataset_doc,
    issuer_doc,
    new_gateway,
    product_doc,
    service_name,
    tutorial,
)
from tests.web.browser import learner


@dataclass
class World:
    base: str
    username: str
    gateway: str
    service: str


def tutorial_world(sandbox, *, approval: bool = False) -> World:
    username = learner()
    with client(sandbox, username) as c:
        gw = new_gateway(c)
        name = service_name()
        tutorial(c, gw, name, sandbox.info.upstream_url)
        if approval:
            r = c.put(
                f"/ds/api/v3/gateways/{gw}/products", json=product_doc(gw, name, approval=True)
            )
            assert r.status_code == 200, r.text
        assert issuer_doc and dataset_doc  # the documents tutorial() PUT
    return World(sandbox.info.portal_url, username, gw, name)


def token_request(token_endpoint: str, client_id: str, secret: str) -> httpx.Response:
    """The tutorial's ``curl -X POST $TOKEN_ENDPOINT -d client_id=… -d grant_type=…``."""
    return httpx.post(
        token_endpoint,
        data={
            "client_id": client_id,
            "client_secret": secret,
            "grant_type": "client_credentials",
            "scopes": "openid",
        },
        timeout=10,
    )


def call_api(sandbox, service: str, token: str | None) -> httpx.Response:
    port = sandbox.info.data_plane_port
    headers = {"Host": f"{service}-dev-api-gov-bc-ca.localhost:{port}"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    return httpx.get(f"http://127.0.0.1:{port}/uuid", headers=headers, timeout=10)


def rest_consumers(sandbox, world: World) -> list[str]:
    with client(sandbox, world.username) as c:
        r = c.get(f"/ds/api/v3/gateways/{world.gateway}/consumers")
        assert r.status_code == 200, r.text
        return [x["clientId"] for x in r.json()]
