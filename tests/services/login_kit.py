"""Helpers for the login service's MockTransport tests: a discovery, a device challenge, an
unsigned token with given claims, and a LoginService wired to a mock client."""

from __future__ import annotations

import base64
import json

import httpx

from tests.services.provider_kit import mock_client
from tui.services.device_login import DeviceChallenge
from tui.services.discovery import Discovery
from tui.services.login import LoginService
from tui.services.secrets import SecretStore

DISCOVERY = Discovery(
    openapi_path="/ds/api/v3/openapi.yaml",
    oidc_config_url="https://login.example/.well-known/openid-configuration",
    issuer="https://login.example",
    token_endpoint="https://login.example/token",
    device_authorization_endpoint="https://login.example/device",
)


def fake_jwt(claims: object) -> str:
    """A token whose payload is ``claims`` (not signed: the wizard only decodes it)."""

    def part(obj: object) -> str:
        return base64.urlsafe_b64encode(json.dumps(obj).encode()).rstrip(b"=").decode()

    return f"{part({'alg': 'RS256'})}.{part(claims)}.c2ln"


def challenge(**overrides) -> DeviceChallenge:
    values: dict = dict(
        device_code="dev-1",
        user_code="BCDF-GHJK",
        verification_uri="https://login.example/v",
        verification_uri_complete="https://login.example/v?user_code=BCDF-GHJK",
        expires_in=600,
        interval=5,
        code_verifier="v" * 43,
        token_endpoint="https://login.example/token",
    )
    values.update(overrides)
    return DeviceChallenge(**values)


def json_answer(status: int, body: object):
    return lambda request: httpx.Response(status, json=body)


def service(answer) -> tuple[LoginService, object]:
    client, rec = mock_client(answer)
    login = LoginService(client, SecretStore())
    login.discovery = DISCOVERY
    client.tokens = login
    return login, rec
