"""After the embedded sandbox had to move a port, the saved session and the learner's file
follow it, and the learner is told; nothing that does not use the sandbox is touched."""

from __future__ import annotations

from pathlib import Path

from tui.resume import relocate
from tui.sandbox.ports import PortMove
from tui.services.session import Session

YAML = """services:
- name: svc-dev
  host: 127.0.0.1:41001
  port: 41001
  protocol: http
  routes:
  - hosts: [svc.dev.api.gov.bc.ca]
"""


def test_upstream_move_updates_session_and_the_generated_file(tmp_path: Path) -> None:
    (tmp_path / "gw.yaml").write_text(YAML)
    session = Session(upstream="http://127.0.0.1:41001/", out_file="gw.yaml")
    notices = relocate(session, [PortMove("upstream", 41001, 42002)], tmp_path)
    assert session.upstream == "http://127.0.0.1:42002/"
    text = (tmp_path / "gw.yaml").read_text()
    assert "host: 127.0.0.1:42002" in text and "port: 42002" in text and "41001" not in text
    assert len(notices) == 1 and "gw.yaml" in notices[0] and "new ports" in notices[0]


def test_data_plane_move_updates_the_api_url() -> None:
    session = Session(
        env_host="svc-dev-api-gov-bc-ca.localhost:41002",
        api_url="http://svc-dev-api-gov-bc-ca.localhost:41002/uuid",
    )
    relocate(session, [PortMove("data_plane", 41002, 43003)])
    assert session.env_host == "svc-dev-api-gov-bc-ca.localhost:43003"
    assert session.api_url == "http://svc-dev-api-gov-bc-ca.localhost:43003/uuid"


def test_an_upstream_elsewhere_is_left_alone(tmp_path: Path) -> None:
    own = "services:\n- name: x\n  url: https://httpbin.org:41001/\n  port: 41001\n"
    (tmp_path / "gw.yaml").write_text(own)
    session = Session(upstream="https://httpbin.org:41001/", out_file="gw.yaml")
    assert relocate(session, [PortMove("upstream", 41001, 42002)], tmp_path) == []
    assert session.upstream == "https://httpbin.org:41001/"
    assert (tmp_path / "gw.yaml").read_text() == own


def test_no_moves_no_notice() -> None:
    session = Session(upstream="http://127.0.0.1:41001/")
    assert relocate(session, []) == []
