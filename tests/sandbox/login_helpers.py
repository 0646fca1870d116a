"""Helpers for login-realm tests: discovery of the realm, PKCE pairs, the device dance."""

from __future__ import annotations

import base64
import hashlib
import re
import secrets
from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import urljoin

import httpx

from tui.sandbox.server import SandboxServer

DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"


def pkce_pair() -> tuple[str, str]:
    verifier = base64.urlsafe_b64encode(secrets.token_bytes(32)).rstrip(b"=").decode()
    challenge = (
        base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    )
    return verifier, challenge


def oidc(server: SandboxServer) -> dict:
    url = f"{server.ctx.login_issuer}/.well-known/openid-configuration"
    response = httpx.get(url)
    assert response.status_code == 200
    return response.json()


@dataclass
class Device:
    device_code: str
    user_code: str
    verification_uri: str
    verification_uri_complete: str
    expires_in: int
    interval: int
    verifier: str | None


def start_device(server: SandboxServer, *, pkce: bool = True) -> Device:
    verifier, challenge = pkce_pair()
    data = {"client_id": "gwa-cli"}
    if pkce:
        data |= {"code_challenge": challenge, "code_challenge_method": "S256"}
    response = httpx.post(oidc(server)["device_authorization_endpoint"], data=data)
    assert response.status_code == 200, response.text
    body = response.json()
    return Device(**body, verifier=verifier if pkce else None)


def poll(server: SandboxServer, device: Device, verifier: str | None = None) -> httpx.Response:
    data = {"client_id": "gwa-cli", "grant_type": DEVICE_GRANT, "device_code": device.device_code}
    chosen = verifier if verifier is not None else device.verifier
    if chosen is not None:
        data["code_verifier"] = chosen
    return httpx.post(oidc(server)["token_endpoint"], data=data)


class FormReader(HTMLParser):
    """Collects the first form's action and its named inputs (value attributes)."""

    def __init__(self) -> None:
        super().__init__()
        self.action: str | None = None
        self.inputs: dict[str, str] = {}
        self.buttons: list[tuple[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form" and self.action is None:
            self.action = a.get("action")
        elif tag == "input" and "name" in a:
            self.inputs[a["name"]] = a.get("value", "")
        elif tag == "button" and "name" in a:
            self.buttons.append((a["name"], a.get("value", "")))


def read_form(html: str) -> FormReader:
    reader = FormReader()
    reader.feed(html)
    return reader


def approve_with_form(
    device: Device, username: str, *, passcode: str | None = None, action: str = "approve"
) -> httpx.Response:
    """Open the verification page like a browser, fill the form in, submit it."""
    page = httpx.get(device.verification_uri_complete)
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    form = read_form(page.text)
    assert form.action is not None
    assert urljoin(str(page.url), form.action) == device.verification_uri
    assert form.inputs["user_code"] == device.user_code
    fields = dict(form.inputs)
    fields["username"] = username
    if passcode is not None:
        fields["passcode"] = passcode
    fields["action"] = action
    return httpx.post(urljoin(str(page.url), form.action), data=fields)


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))
