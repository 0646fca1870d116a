"""``gwa-wizard sandbox serve`` as a trainer sees it: the trainer link, the learner command
naming the public host, a warning for 0.0.0.0 without a passcode, one line per learner event,
and the browser wizard's URL."""

from __future__ import annotations

import os
import re
import select
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from tests.ports import free_port_block
from tests.waiting import ended
from tui.cli import exposure_warnings
from tui.sandbox.context import SandboxConfig


def _serve(*extra: str, tmp_path: Path) -> tuple[subprocess.Popen, list[str]]:
    port = free_port_block()
    cmd = [sys.executable, "-m", "tui", "sandbox", "serve", "--port", str(port)]
    cmd += ["--data-dir", str(tmp_path / "class"), *extra]
    proc = subprocess.Popen(
        cmd,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    lines: list[str] = []
    for line in proc.stdout:  # type: ignore[union-attr]
        lines.append(line)
        if "Press Ctrl+C" in line:
            break
    return proc, lines


def test_serve_prints_the_trainer_link_and_a_line_per_learner_event(tmp_path: Path) -> None:
    proc, lines = _serve("--trainer-key", "board-key-1", "--passcode", "tulip", tmp_path=tmp_path)
    try:
        text = "".join(lines)
        # Announced only once its first-use work is done: both realms' signing keys exist, so
        # no learner's first request waits while one is made.
        with sqlite3.connect(tmp_path / "class" / "sandbox.sqlite3") as db:
            realms = {row[0] for row in db.execute("SELECT realm FROM signing_keys")}
        assert realms == {"aps", "apigw"}
        link = next(line for line in lines if "class board" in line).split()[-1]
        assert link.endswith("/class?key=board-key-1")
        assert "WARNING" not in text
        board = httpx.Client()
        assert board.get(link).status_code == 303
        portal = link.split("/class")[0]
        issuer = f"{portal}/auth/realms/aps"
        device = httpx.post(
            f"{issuer}/protocol/openid-connect/auth/device", data={"client_id": "gwa-cli"}
        ).json()
        approved = httpx.post(
            f"{issuer}/device",
            data={"user_code": device["user_code"], "username": "Amy", "passcode": "tulip"},
        )
        assert approved.status_code == 200
        ready, _, _ = select.select([proc.stdout], [], [], 15)
        assert ready, "no event line within 15 s"
        line = proc.stdout.readline()  # type: ignore[union-attr]
        assert re.fullmatch(r"\d\d:\d\d:\d\d  Amy  login  device approved\n", line), line
    finally:
        proc.send_signal(signal.SIGINT)
        ended(proc)
    assert proc.returncode == 0


def test_every_interface_without_a_passcode_is_warned_about() -> None:
    open_room = SandboxConfig(data_dir=Path("x"), host="0.0.0.0")
    (no_passcode, no_public) = exposure_warnings(open_room)
    assert "without a passcode" in no_passcode and "--passcode" in no_passcode
    assert "--public-host" in no_public
    closed = SandboxConfig(data_dir=Path("x"), host="0.0.0.0", passcode="p", public_host="lab-7")
    assert exposure_warnings(closed) == []
    assert exposure_warnings(SandboxConfig(data_dir=Path("x"))) == []


def test_serve_on_every_interface_warns_and_names_the_public_host(tmp_path: Path) -> None:
    proc, lines = _serve("--host", "0.0.0.0", "--public-host", "lab-7.local", tmp_path=tmp_path)
    try:
        text = "".join(lines)
        assert "WARNING: the sandbox listens on every interface" in text
        learners = next(line for line in lines if line.startswith("Learners run:"))
        assert "--host lab-7.local:" in learners
        assert "http://lab-7.local:" in next(line for line in lines if "class board" in line)
    finally:
        proc.send_signal(signal.SIGINT)
        ended(proc)


def test_the_printout_names_the_browser_wizard_url_and_it_answers(tmp_path: Path) -> None:
    proc, lines = _serve(
        "--passcode", "tulip", "--web-port", "0", "--web-limit", "3", tmp_path=tmp_path
    )
    try:
        line = next(line for line in lines if line.startswith("Learners with only a browser"))
        found = re.search(r"(http://127\.0\.0\.1:\d+/)  \(at most 3 at once\)$", line)
        assert found, line
        url = found.group(1)
        page = httpx.get(url)
        assert page.status_code == 200
        assert "aps_learner" in page.headers.get("set-cookie", "")  # the browser's identity
        assert "HttpOnly" in page.headers["set-cookie"]
    finally:
        proc.send_signal(signal.SIGINT)
        ended(proc)
    assert proc.returncode == 0


def test_a_web_limit_below_one_is_refused_with_the_rule(capsys) -> None:
    from tui.cli import main

    with pytest.raises(SystemExit):
        main(["sandbox", "serve", "--web-port", "0", "--web-limit", "0"])
    assert "is not a whole number of at least 1" in capsys.readouterr().err
