"""A learner who does the tutorial with nothing but HTTP (as ``curl`` and ``gwa`` would), and
helpers to read the class board as the trainer."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field

import httpx

from tests.sandbox.login_helpers import approve_with_form, poll, start_device
from tests.sandbox.test_tutorial_http import tutorial_documents, without_kind
from tui.sandbox.classroom.board import trainer_key
from tui.sandbox.server import SandboxServer

PASSCODE = "room-42"  # the class sandbox fixture's passcode (tests/classroom/conftest.py)


def trainer(server: SandboxServer) -> httpx.Client:
    """A client holding the trainer cookie (it gave ?key= once)."""
    client = httpx.Client(base_url=server.ctx.portal_url, timeout=15)
    first = client.get("/class", params={"key": trainer_key(server.ctx)})
    assert first.status_code == 303
    return client


def board_row(trainer_client: httpx.Client, name: str) -> dict | None:
    data = trainer_client.get("/class.json").json()
    return next((r for r in data["learners"] if r["name"].lower() == name.lower()), None)


@dataclass
class CurlLearner:
    server: SandboxServer
    name: str
    passcode: str | None = None
    http: httpx.Client = field(init=False)
    headers: dict[str, str] = field(default_factory=dict)
    gateway: str = ""
    env_host: str = ""
    token: str = ""
    client_id: str = ""

    def __post_init__(self) -> None:
        self.http = httpx.Client(base_url=self.server.ctx.portal_url, timeout=15)
        self.service = f"cls-{uuid.uuid4().hex[:6]}"

    def login(self) -> None:
        device = start_device(self.server)
        approved = approve_with_form(device, self.name, passcode=self.passcode)
        assert approved.status_code == 200, approved.text
        tokens = poll(self.server, device)
        assert tokens.status_code == 200, tokens.text
        self.headers = {"Authorization": f"Bearer {tokens.json()['access_token']}"}

    def create_gateway(self) -> None:
        created = self.http.post("/ds/api/v3/gateways", json={}, headers=self.headers)
        assert created.status_code == 200, created.text
        self.gateway = created.json()["gatewayId"]

    def publish(self) -> httpx.Response:
        docs = tutorial_documents(self.gateway, self.service, self.server.ctx.upstream_url + "/")
        services = [without_kind(d) for d in docs if d["kind"] == "GatewayService"]
        response = self.http.put(
            f"/gw/api/v3/gateways/{self.gateway}/gateway",
            data={"dryRun": "false"},
            files={"configFile": ("config.yaml", json.dumps({"services": services}))},
            headers=self.headers,
        )
        if response.status_code == 200:
            for doc, path in ((docs[1], "issuers"), (docs[2], "datasets"), (docs[3], "products")):
                put = self.http.put(
                    f"/ds/api/v3/gateways/{self.gateway}/{path}",
                    json=without_kind(doc),
                    headers=self.headers,
                )
                assert put.status_code == 200, put.text
        return response

    def status(self) -> None:
        status = self.http.get(f"/gw/api/v3/gateways/{self.gateway}/services", headers=self.headers)
        assert status.status_code == 200, status.text
        self.env_host = status.json()[0]["env_host"]

    def call(self, token: str | None = None) -> httpx.Response:
        headers = {"Host": self.env_host}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        url = f"http://127.0.0.1:{self.server.ctx.data_plane_port}/uuid"
        return httpx.get(url, headers=headers)

    def credentials(self) -> tuple[str, str]:
        products = self.http.get(
            f"/ds/api/v3/gateways/{self.gateway}/products", headers=self.headers
        ).json()
        issued = self.http.post(
            f"/ds/api/v3/gateways/{self.gateway}/consumers",
            json={
                "environmentAppId": products[0]["environments"][0]["appId"],
                "application": {"name": "class app"},
            },
            headers=self.headers,
        )
        assert issued.status_code == 201, issued.text
        body = issued.json()
        self.client_id = body["clientId"]
        return body["clientId"], body["clientSecret"]

    def get_token(self, client_id: str, secret: str) -> None:
        response = httpx.post(
            self.server.ctx.shared_idp_token_endpoint,
            data={
                "client_id": client_id,
                "client_secret": secret,
                "grant_type": "client_credentials",
            },
        )
        assert response.status_code == 200, response.text
        self.token = response.json()["access_token"]

    def destroy(self) -> None:
        revoked = self.http.delete(
            f"/ds/api/v3/gateways/{self.gateway}/consumers/{self.client_id}", headers=self.headers
        )
        assert revoked.status_code == 200
        gone = self.http.delete(
            f"/ds/api/v3/gateways/{self.gateway}", params={"force": "true"}, headers=self.headers
        )
        assert gone.status_code == 200, gone.text
