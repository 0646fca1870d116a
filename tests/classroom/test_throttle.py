"""Guessing is slowed down on a class sandbox: wrong passcodes and wrong codes get one answer,
a few tries per client and per code, then 429 with Retry-After and a locked code; device-code
requests are rate-limited and expire on time; the throttle survives ``kill -9``."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.classroom.class_kit import PASSCODE
from tests.ports import free_port_block
from tests.sandbox.login_helpers import approve_with_form, poll, start_device, text_of
from tests.waiting import ended
from tui.sandbox import device_flow
from tui.sandbox.classroom import throttle


def post_page(server, data: dict, client: httpx.Client | None = None) -> httpx.Response:
    sender = client or httpx
    return sender.post(f"{server.ctx.login_issuer}/device", data=data)


def test_a_wrong_passcode_and_a_wrong_code_get_the_same_answer(class_sandbox) -> None:
    device = start_device(class_sandbox)
    wrong_pass = post_page(
        class_sandbox, {"user_code": device.user_code, "username": "amy", "passcode": "nope"}
    )
    wrong_code = post_page(
        class_sandbox, {"user_code": "BBBB-CCCC", "username": "amy", "passcode": PASSCODE}
    )
    assert wrong_pass.status_code == wrong_code.status_code == 403
    assert text_of(wrong_pass.text) == text_of(wrong_code.text).replace(
        "BBBB-CCCC", device.user_code
    )
    assert "code or the class passcode is not right" in text_of(wrong_pass.text)


def test_a_few_wrong_tries_then_429_with_retry_after(class_sandbox) -> None:
    device = start_device(class_sandbox)
    answers = [
        post_page(class_sandbox, {"user_code": "BBBB-CCCC", "username": "amy", "passcode": "x"})
        for _ in range(throttle.WRONG_TRIES)
    ]
    assert [a.status_code for a in answers[:-1]] == [403] * (throttle.WRONG_TRIES - 1)
    assert answers[-1].status_code == 429
    assert int(answers[-1].headers["retry-after"]) >= throttle.LOCKOUT - 1
    # even the right passcode and a real code wait now: the client is slowed down
    right = approve_with_form(device, "amy", passcode=PASSCODE)
    assert right.status_code == 429
    assert "Wait" in text_of(right.text)


def test_a_code_that_gets_wrong_passcodes_is_locked(class_sandbox, monkeypatch) -> None:
    monkeypatch.setattr(throttle, "WRONG_TRIES", 3)
    device = start_device(class_sandbox)
    # three guessers from "different" clients: the per-code count locks it regardless
    for i in range(3):
        post_page(class_sandbox, {"user_code": device.user_code, "username": "amy", "passcode": i})
        with class_sandbox.ctx.db.transaction() as conn:  # forget the client, keep the code
            conn.execute("DELETE FROM class_throttle WHERE key LIKE 'client:%'")
    approved = approve_with_form(device, "amy", passcode=PASSCODE)
    assert approved.status_code == 400
    assert "locked after too many wrong tries" in text_of(approved.text)
    assert poll(class_sandbox, device).json()["error"] == "access_denied"


def test_device_code_requests_are_rate_limited(class_sandbox, monkeypatch) -> None:
    monkeypatch.setattr(device_flow, "REQUESTS_PER_MINUTE", 3)
    for _ in range(3):
        start_device(class_sandbox)
    refused = httpx.post(
        f"{class_sandbox.ctx.login_issuer}/protocol/openid-connect/auth/device",
        data={"client_id": "gwa-cli"},
    )
    assert refused.status_code == 429
    assert refused.json()["error"] == "slow_down"
    assert 0 < int(refused.headers["retry-after"]) <= 60


def test_device_codes_expire_on_time(class_sandbox, monkeypatch) -> None:
    monkeypatch.setattr(device_flow, "DEVICE_CODE_LIFETIME", 1)
    device = start_device(class_sandbox)
    assert device.expires_in == 1
    deadline = time.monotonic() + 10
    while poll(class_sandbox, device).json()["error"] != "expired_token":
        assert time.monotonic() < deadline
        time.sleep(0.2)  # time itself is tested: the code expires 1 s after it was issued
    late = approve_with_form(device, "amy", passcode=PASSCODE)
    assert late.status_code == 400 and "expired" in text_of(late.text)


def test_the_embedded_sandbox_is_not_throttled(sandbox) -> None:
    for _ in range(throttle.WRONG_TRIES + 2):
        unknown = post_page(sandbox, {"user_code": "BBBB-CCCC", "username": "amy"})
        assert unknown.status_code == 400


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL")
def test_the_lock_out_survives_kill_9(tmp_path: Path) -> None:
    def serve(port: int) -> subprocess.Popen:
        cmd = [sys.executable, "-m", "tui", "sandbox", "serve", "--port", str(port)]
        cmd += ["--data-dir", str(tmp_path / "class"), "--passcode", PASSCODE]
        proc = subprocess.Popen(
            cmd,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
        for line in proc.stdout:  # type: ignore[union-attr]
            if "Press Ctrl+C" in line:
                return proc
        raise AssertionError("sandbox serve did not start")

    port = free_port_block()
    page = f"http://127.0.0.1:{port}/auth/realms/aps/device"
    guess = {"user_code": "BBBB-CCCC", "username": "amy", "passcode": "guess"}
    first = serve(port)
    try:
        statuses = [httpx.post(page, data=guess).status_code for _ in range(throttle.WRONG_TRIES)]
        assert statuses[-1] == 429
    finally:
        first.send_signal(signal.SIGKILL)
        first.wait(10)
    second = serve(port)
    try:
        after = httpx.post(page, data=guess)
        assert after.status_code == 429  # the restart handed out no fresh allowance
        assert int(after.headers["retry-after"]) > 0
    finally:
        second.send_signal(signal.SIGINT)
        ended(second)
