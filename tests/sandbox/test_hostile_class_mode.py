"""Hostile learner in a class sandbox: no upstream on the trainer's machine or private network
(unless the trainer allows it), and quotas so one learner cannot slow the class down."""

from __future__ import annotations

import json
import socket
import threading
import uuid

import httpx
import pytest
import yaml

from tests.sandbox.hostile_kit import enrol
from tests.sandbox.portal_kit import (
    client,
    config_text,
    new_gateway,
    publish,
    service_doc,
    service_name,
    start_server,
    user,
)
from tui.cli import build_parser
from tui.sandbox.upstream_policy import REFUSED


@pytest.fixture(scope="module")
def class_sandbox(tmp_path_factory):
    server = start_server(
        tmp_path_factory.mktemp("class"),
        allow_local_upstreams=False,
        max_gateways_per_user=2,
        max_services_per_gateway=3,
        max_config_bytes=20_000,
    )
    yield server
    server.stop()


@pytest.fixture(scope="module")
def cast(class_sandbox):
    return enrol(class_sandbox, "victim"), enrol(class_sandbox, "mallory")


class Listener:
    """A TCP listener on loopback that counts the connections it accepts."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen()
        self.port = self.sock.getsockname()[1]
        self.accepted = 0
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.accepted += 1
            conn.close()

    def close(self) -> None:
        self.sock.close()


def test_the_built_in_upstream_is_always_allowed(cast):
    victim, mallory = cast  # both published the built-in upstream during the tutorial
    victim.assert_isolated(mallory)
    mallory.assert_isolated(victim)


@pytest.mark.parametrize(
    ("upstream", "line"),
    [
        ("http://localhost:9000", "service upstream is invalid (e1)"),
        ("http://127.0.0.1:22", "service upstream is invalid (e1)"),
        ("http://[::1]:8080", "service upstream is invalid (e1)"),
        ("http://10.0.0.5/admin", REFUSED),
        ("http://192.168.1.1", REFUSED),
        ("http://169.254.169.254/latest/meta-data", REFUSED),
        ("http://2130706433:8080", REFUSED),  # 127.0.0.1 spelled as one number
        ("http://127.1:8080", REFUSED),
        ("http://admin.localhost", REFUSED),
    ],
)
def test_upstreams_on_the_trainers_machine_or_network_are_refused(cast, upstream, line):
    victim, mallory = cast
    doc = service_doc(mallory.gateway, service_name("probe"), upstream)
    r = publish(mallory.portal, mallory.gateway, config_text(doc))
    assert r.status_code == 400, r.text
    problem = r.json()["error"].split("\n")[1]
    assert problem.endswith(line)
    victim.assert_isolated(mallory)


def test_a_stored_local_upstream_is_refused_at_proxy_and_status_time(cast, class_sandbox):
    """A name can change address after publish: the data plane and status check again."""
    victim, mallory = cast
    listener = Listener()
    name = service_name("rebind")
    doc = service_doc(mallory.gateway, name, f"http://127.0.0.1:{listener.port}")
    doc["plugins"] = []
    with class_sandbox.ctx.db.transaction() as conn:
        conn.execute(
            "INSERT OR REPLACE INTO kong_services(gateway_id, name, id, doc) VALUES (?,?,?,?)",
            (mallory.gateway, doc["name"], str(uuid.uuid4()), json.dumps(doc)),
        )
    try:
        host = class_sandbox.ctx.env_host(doc["routes"][0]["hosts"][0])
        url = f"http://127.0.0.1:{class_sandbox.info.data_plane_port}/"
        r = httpx.get(url, headers={"Host": host}, timeout=15)
        assert (r.status_code, r.json()) == (502, {"message": REFUSED})
        status = mallory.portal.get(f"/gw/api/v3/gateways/{mallory.gateway}/services").json()
        mine = next(s for s in status if s["name"] == doc["name"])
        assert (mine["status"], mine["reason"]) == ("DOWN", "CONNECTION")
        assert listener.accepted == 0
        victim.assert_isolated(mallory)
    finally:
        listener.close()
        with class_sandbox.ctx.db.transaction() as conn:
            conn.execute("DELETE FROM kong_services WHERE name=?", (doc["name"],))


def test_gateways_per_user_quota(class_sandbox):
    with client(class_sandbox, user("hoarder")) as c:
        new_gateway(c)
        new_gateway(c)
        r = c.post("/ds/api/v3/gateways", json={})
        assert r.status_code == 422
        assert r.json() == {
            "code": "validation_error",
            "message": "Unable to create Gateway",
            "fields": {
                "d0": {
                    "message": "You have reached the limit of 2 gateways in this sandbox; "
                    "delete one you no longer need"
                }
            },
        }


def test_services_per_gateway_quota(cast, class_sandbox):
    victim, mallory = cast
    up = class_sandbox.info.upstream_url
    docs = [service_doc(mallory.gateway, service_name("many"), up) for _ in range(4)]
    r = publish(mallory.portal, mallory.gateway, config_text(*docs))
    assert (r.status_code, r.json()) == (
        400,
        {
            "error": "Validation Errors:\nToo many services for one gateway in this sandbox "
            "(4; the limit is 3)"
        },
    )
    victim.assert_isolated(mallory)


def test_config_size_quota(cast):
    victim, mallory = cast
    text = yaml.safe_dump({"services": [], "x": "y" * 30_000})
    r = publish(mallory.portal, mallory.gateway, text)
    assert r.status_code == 400
    assert r.json()["error"].startswith(
        "Validation Errors:\nConfiguration is too large for this sandbox ("
    )
    assert r.json()["error"].endswith("the limit is 20000 bytes)")
    victim.assert_isolated(mallory)


def test_sandbox_serve_refuses_local_upstreams_unless_allowed():
    args = build_parser().parse_args(["sandbox", "serve"])
    assert args.allow_local_upstreams is False
    args = build_parser().parse_args(["sandbox", "serve", "--allow-local-upstreams"])
    assert args.allow_local_upstreams is True
