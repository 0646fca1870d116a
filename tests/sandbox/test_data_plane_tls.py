"""The https URL ``gwa status --hosts`` prints is callable: the data plane speaks TLS on the
same port as plain HTTP, with certificates from the sandbox CA (``gwa-wizard sandbox ca``)."""

from __future__ import annotations

import json
import socket
import ssl
import stat
from pathlib import Path

import httpx
import pytest

from tests.sandbox.kong_fixtures import (
    add_consumer,
    consumer_token,
    env_host,
    new_gateway_id,
    publish,
    service_doc,
)
from tests.sandbox_kit import start_sandbox
from tui.cli import main
from tui.services import sandbox_trust
from tui.services.http import shared_ssl_context


@pytest.fixture
def protected(sandbox):
    """A protected service and a consumer token for it: (env host with port, token)."""
    gateway = new_gateway_id()
    service = f"tls-{gateway}"
    publish(sandbox, gateway, service_doc(gateway, service, sandbox.info.upstream_url))
    consumer = add_consumer(sandbox, gateway)
    return env_host(sandbox, service), consumer_token(sandbox, consumer)


def https_get(server, host_port: str, path: str, token: str | None, cafile: Path) -> tuple:
    """GET over TLS to the data plane with SNI = the env host; (status, body, peer cert)."""
    host = host_port.rsplit(":", 1)[0]
    context = ssl.create_default_context(cafile=str(cafile))
    auth = f"Authorization: Bearer {token}\r\n" if token else ""
    request = f"GET {path} HTTP/1.1\r\nHost: {host_port}\r\n{auth}Connection: close\r\n\r\n"
    raw = socket.create_connection(("127.0.0.1", server.ctx.data_plane_port), timeout=10)
    with context.wrap_socket(raw, server_hostname=host) as tls:
        tls.sendall(request.encode())
        data = b""
        while chunk := tls.recv(65536):
            data += chunk
        cert = tls.getpeercert()
    head, _, body = data.partition(b"\r\n\r\n")
    return int(head.split()[1]), body, cert


def test_https_on_the_data_plane_port_answers_like_http(sandbox, protected):
    host_port, token = protected
    cafile = sandbox.ctx.config.data_dir / "sandbox-ca.pem"
    status, body, cert = https_get(sandbox, host_port, "/uuid", token, cafile)
    assert status == 200, body
    assert "uuid" in json.loads(body)
    assert ("DNS", host_port.rsplit(":", 1)[0]) in cert["subjectAltName"]
    refused, body, _ = https_get(sandbox, host_port, "/uuid", None, cafile)
    assert refused == 401 and b'{"message":"Unauthorized"}' in body
    plain = httpx.get(
        f"http://127.0.0.1:{sandbox.ctx.data_plane_port}/uuid",
        headers={"Host": host_port, "Authorization": f"Bearer {token}"},
    )
    assert plain.status_code == 200


def test_without_the_sandbox_ca_the_certificate_is_not_trusted(sandbox, protected):
    host_port, _token = protected
    system_only = Path(
        ssl.get_default_verify_paths().cafile or "/etc/ssl/certs/ca-certificates.crt"
    )
    with pytest.raises(ssl.SSLCertVerificationError):
        https_get(sandbox, host_port, "/uuid", None, system_only)


def test_the_ca_is_private_kept_and_served(tmp_path: Path) -> None:
    data = tmp_path / "sandbox"
    server = start_sandbox(data)
    try:
        pem = (data / "sandbox-ca.pem").read_text()
        for name in ("sandbox-ca.pem", "sandbox-ca-key.pem"):
            assert stat.S_IMODE((data / name).stat().st_mode) == 0o600
        served = httpx.get(f"{server.ctx.portal_url}/sandbox/ca.pem")
        assert served.status_code == 200 and served.text == pem
    finally:
        server.stop()
    again = start_sandbox(data)
    try:
        assert (data / "sandbox-ca.pem").read_text() == pem
    finally:
        again.stop()


def test_sandbox_ca_command_prints_the_path_or_the_pem(tmp_path: Path, capsys) -> None:
    data = tmp_path / "sandbox"
    assert main(["sandbox", "ca", "--data-dir", str(data)]) == 0
    path = capsys.readouterr().out.strip()
    assert path == str(data / "sandbox-ca.pem")
    assert main(["sandbox", "ca", "--data-dir", str(data), "--pem"]) == 0
    pem = capsys.readouterr().out
    assert pem.startswith("-----BEGIN CERTIFICATE-----") and pem == Path(path).read_text()


async def test_the_wizards_client_trusts_the_registered_sandbox_ca(sandbox, protected):
    host_port, token = protected
    sandbox_trust.trust(sandbox.ctx.certificate_authority().pem)
    port = sandbox.ctx.data_plane_port
    async with httpx.AsyncClient(verify=shared_ssl_context()) as client:
        # SNI "localhost": the default certificate; Host routes to the service.
        response = await client.get(
            f"https://localhost:{port}/uuid",
            headers={"Host": host_port, "Authorization": f"Bearer {token}"},
        )
    assert response.status_code == 200
    assert response.url.scheme == "https"
