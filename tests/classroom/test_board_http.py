"""The board's key rule, its JSON, the CSV report and the trainer's actions, over HTTP."""

from __future__ import annotations

import csv
import io
import stat
from pathlib import Path

import httpx

from tests.classroom.class_kit import PASSCODE, CurlLearner, board_row, trainer
from tests.sandbox_kit import start_sandbox
from tui.sandbox.classroom.board import KEY_FILE, trainer_key


def test_board_refuses_without_the_key_and_reveals_nothing(class_sandbox) -> None:
    CurlLearner(class_sandbox, "alice", passcode=PASSCODE).login()
    base = class_sandbox.ctx.portal_url
    for path in ("/class", "/class.json", "/class/report.csv", "/class/cleanup?name=alice"):
        anonymous = httpx.get(base + path)
        assert anonymous.status_code == 401
        assert "alice" not in anonymous.text
        wrong = httpx.get(base + path, params={"key": "guess"})
        assert wrong.status_code == 403
        assert "alice" not in wrong.text
    forged = httpx.get(base + "/class.json", cookies={"aps_trainer": "0" * 64})
    assert forged.status_code == 403
    release = httpx.post(base + "/class/release", data={"name": "alice"})
    assert release.status_code == 401


def test_the_key_is_swapped_for_an_httponly_cookie(class_sandbox) -> None:
    client = httpx.Client(base_url=class_sandbox.ctx.portal_url)
    first = client.get("/class", params={"key": trainer_key(class_sandbox.ctx)})
    assert first.status_code == 303
    assert first.headers["location"] == "/class"  # the key leaves the address bar
    cookie = first.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie
    page = client.get("/class")
    assert page.status_code == 200 and "Class board" in page.text
    data = client.get("/class.json").json()
    assert data["steps"] == [
        "login", "gateway", "apply", "status", "try_it", "credentials", "token", "call", "cleanup"
    ]  # fmt: skip
    assert data["learners"] == []


def test_the_trainer_key_is_random_per_data_dir_and_private(tmp_path: Path) -> None:
    first = start_sandbox(tmp_path / "one", classroom=True)
    second = start_sandbox(tmp_path / "two", classroom=True)
    try:
        key = trainer_key(first.ctx)
        assert key != trainer_key(second.ctx) and len(key) >= 24
        mode = stat.S_IMODE((tmp_path / "one" / KEY_FILE).stat().st_mode)
        assert mode == 0o600
    finally:
        first.stop()
        second.stop()
    again = start_sandbox(tmp_path / "one", classroom=True)
    try:
        assert trainer_key(again.ctx) == key  # kept across restarts
    finally:
        again.stop()
    chosen = start_sandbox(tmp_path / "three", classroom=True, trainer_key="wall-board-7")
    try:
        assert trainer_key(chosen.ctx) == "wall-board-7"
        ok = httpx.get(chosen.ctx.portal_url + "/class", params={"key": "wall-board-7"})
        assert ok.status_code == 303
    finally:
        chosen.stop()


def test_class_report_has_a_row_per_learner(class_sandbox) -> None:
    board = trainer(class_sandbox)
    alice = CurlLearner(class_sandbox, "alice", passcode=PASSCODE)
    alice.login()
    alice.create_gateway()
    bad = alice.http.post("/ds/api/v3/gateways", json={"displayName": "!"}, headers=alice.headers)
    assert bad.status_code == 422
    report = board.get("/class/report.csv")
    assert report.status_code == 200
    assert report.headers["content-type"].startswith("text/csv")
    assert "attachment" in report.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(report.text)))
    assert [r["name"] for r in rows] == ["alice"]
    assert rows[0]["step_reached"] == "gateway"
    assert rows[0]["errors"] == "1"
    assert rows[0]["seconds_login"] == "0" and rows[0]["seconds_gateway"].isdigit()


def test_cleanup_asks_first_then_removes_the_learners_gateways_and_consumers(
    class_sandbox,
) -> None:
    board = trainer(class_sandbox)
    erin = CurlLearner(class_sandbox, "erin", passcode=PASSCODE)
    erin.login()
    erin.create_gateway()
    erin.publish()
    erin.status()
    client_id, _ = erin.credentials()
    other = CurlLearner(class_sandbox, "frank", passcode=PASSCODE)
    other.login()
    other.create_gateway()

    ask = board.get("/class/cleanup", params={"name": "ERIN"})
    assert ask.status_code == 200
    assert erin.gateway in ask.text and client_id in ask.text
    kept = board.post("/class/cleanup", data={"name": "erin", "confirm": "no"})
    assert kept.status_code == 303
    assert erin.http.get(f"/ds/api/v3/gateways/{erin.gateway}", headers=erin.headers).is_success

    done = board.post("/class/cleanup", data={"name": "erin", "confirm": "yes"})
    assert done.status_code == 303
    gone = erin.http.get(f"/ds/api/v3/gateways/{erin.gateway}", headers=erin.headers)
    assert gone.status_code in (401, 403, 404)
    assert erin.call().status_code == 404  # its route is gone from the data plane
    mine = other.http.get(f"/ds/api/v3/gateways/{other.gateway}", headers=other.headers)
    assert mine.status_code == 200  # nobody else's gateway was touched
    assert board_row(board, "erin") is not None  # the row (and its history) stays
