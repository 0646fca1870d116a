"""The hostile-learner suite's cast: a victim with a protected API and a consumer, an attacker.

Every attack test ends with :func:`Learner.assert_isolated`: the victim's API still answers
the victim's own consumer (200 from the upstream) and refuses the attacker's consumer token.
"""

from __future__ import annotations

from dataclasses import dataclass

import httpx

from tests.sandbox.portal_kit import (
    client,
    issue_consumer,
    new_gateway,
    service_name,
    tutorial,
    user,
)
from tui.sandbox.server import SandboxServer


@dataclass
class Learner:
    server: SandboxServer
    portal: httpx.Client
    gateway: str
    service: str  # the published service's name, "<svc>-dev"
    client_id: str
    client_secret: str

    @property
    def route_host(self) -> str:
        return f"{self.service[: -len('-dev')]}.dev.api.gov.bc.ca"

    def token(self) -> str:
        r = httpx.post(
            self.server.info.shared_idp_token_endpoint,
            data={
                "grant_type": "client_credentials",
                "client_id": self.client_id,
                "client_secret": self.client_secret,
            },
            timeout=15,
        )
        assert r.status_code == 200, r.text
        return r.json()["access_token"]

    def call(self, token: str | None, path: str = "/uuid") -> httpx.Response:
        """A request to this learner's API through the data plane, as the tutorial curls it."""
        host = self.server.ctx.env_host(self.route_host)
        headers = {"Host": host}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        url = f"http://127.0.0.1:{self.server.info.data_plane_port}{path}"
        return httpx.get(url, headers=headers, timeout=15)

    def assert_isolated(self, attacker: Learner) -> None:
        """My API answers my consumer and nobody else's."""
        mine = self.call(self.token())
        assert mine.status_code == 200, mine.text
        theirs = self.call(attacker.token())
        assert theirs.status_code in (401, 403), theirs.text
        assert self.call(None).status_code == 401


def enrol(server: SandboxServer, prefix: str) -> Learner:
    """A learner who has done the whole tutorial: gateway, service, issuer, product, consumer."""
    portal = client(server, user(prefix))
    gateway = new_gateway(portal)
    name = service_name(prefix)
    product = tutorial(portal, gateway, name, server.info.upstream_url)
    r = issue_consumer(portal, gateway, product["environments"][0]["appId"])
    assert r.status_code == 201, r.text
    creds = r.json()
    return Learner(server, portal, gateway, f"{name}-dev", creds["clientId"], creds["clientSecret"])
