"""The command line a learner or trainer types: --version, sandbox serve, export, locate."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.ports import free_port_block
from tests.waiting import ended
from tui import __version__
from tui.cli import main
from tui.services.session import Session, SessionStore


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["--version"])
    assert exit_info.value.code == 0
    assert capsys.readouterr().out.strip() == f"gwa-wizard {__version__}"


def test_locate_prints_the_session_and_sandbox_paths(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert (
        main(["--state-dir", str(tmp_path / "st"), "--data-dir", str(tmp_path / "sb"), "locate"])
        == 0
    )
    out = capsys.readouterr().out
    assert str(tmp_path / "st" / "session.json") in out
    assert str(tmp_path / "sb") in out
    assert str(tmp_path / "st" / "class-claims.json") in out  # where a class name is kept


def test_export_without_a_session_says_what_to_do(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--state-dir", str(tmp_path), "export", "--out-dir", str(tmp_path)]) == 1
    assert "no saved session" in capsys.readouterr().err


def test_export_writes_script_and_report_without_secrets(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    session = Session(
        target_kind="sandbox",
        host="127.0.0.1:8460",
        scheme="http",
        username="alice",
        gateway_id="gw-1a2b3",
        service="my-service",
        upstream="http://127.0.0.1:8462",
        out_file="gw-config-client-cred.yaml",
        client_id="0A1B2C3D-0A1B2C3D4E5",
        token_endpoint="http://127.0.0.1:8460/auth/realms/apigw/protocol/openid-connect/token",
        api_url="http://my-service-dev-api-gov-bc-ca.localhost:8461/uuid",
    )
    SessionStore(tmp_path / "state" / "session.json").save(session)
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    assert main(["--state-dir", str(tmp_path / "state"), "export", "--out-dir", str(out_dir)]) == 0
    files = sorted(p.name for p in out_dir.iterdir())
    assert any(name.endswith(".sh") for name in files)
    assert any(name.endswith(".md") for name in files)
    script_path = next(out_dir.glob("*.sh"))
    script = script_path.read_text()
    assert "gw-1a2b3" in script and "my-service" in script
    assert "$CSC" in script and "$TOKEN" in script
    # A runnable script: bash accepts its syntax.
    assert subprocess.run(["bash", "-n", str(script_path)]).returncode == 0


def test_sandbox_serve_runs_until_interrupted_and_keeps_state(tmp_path: Path) -> None:
    port = free_port_block()
    data = tmp_path / "class"
    cmd = [
        sys.executable,
        "-m",
        "tui",
        "sandbox",
        "serve",
        "--port",
        str(port),
        "--data-dir",
        str(data),
        "--passcode",
        "tulip",
    ]
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(
        cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env
    )
    try:
        lines: list[str] = []
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            line = proc.stdout.readline() if proc.stdout else ""
            if not line:
                break
            lines.append(line)
            if "Press Ctrl+C" in line:
                break
        text = "".join(lines)
        assert f"http://127.0.0.1:{port}" in text
        assert f"localhost:{port + 1}" in text
        assert "passcode" in text
        assert re.search(rf"--host 127\.0\.0\.1:{port} --scheme http", text)
        discovery = httpx.get(f"http://127.0.0.1:{port}/ds/api")
        assert discovery.status_code == 204
        assert discovery.headers["link"] == '</ds/api/v3/openapi.yaml>; rel="service-desc"'
        info = httpx.get(f"http://127.0.0.1:{port}/sandbox/info").json()
        assert info["data_plane_port"] == port + 1
        assert info["passcode_required"] is True
        uuid = httpx.get(f"http://127.0.0.1:{port + 2}/uuid").json()["uuid"]
        assert len(uuid) == 36
    finally:
        proc.send_signal(signal.SIGINT)
        out = ended(proc)
    assert proc.returncode == 0
    assert "Stopping the sandbox" in out
    assert (data / "sandbox.sqlite3").exists()


def test_sandbox_serve_stops_on_ctrl_c_even_when_started_with_it_ignored(tmp_path: Path) -> None:
    """A script's background job starts with SIGINT ignored (POSIX shells do that); the
    trainer's `kill -INT` (or Ctrl+C after `fg`) must still stop the class sandbox."""
    port = free_port_block()
    cmd = [sys.executable, "-m", "tui", "sandbox", "serve", "--port", str(port)]
    cmd += ["--data-dir", str(tmp_path / "class")]
    proc = subprocess.Popen(
        cmd,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_IGN),
    )
    try:
        assert proc.stdout is not None
        for line in proc.stdout:
            if "Press Ctrl+C" in line:
                break
    finally:
        proc.send_signal(signal.SIGINT)
        out = ended(proc)
    assert proc.returncode == 0
    assert "Stopping the sandbox" in out


def test_sandbox_serve_on_a_busy_port_explains(tmp_path: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen(1)
        port = busy.getsockname()[1]
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "tui",
                "sandbox",
                "serve",
                "--port",
                str(port),
                "--data-dir",
                str(tmp_path / "d"),
            ],
            capture_output=True,
            text=True,
            timeout=30,
        )
    assert result.returncode == 1
    assert "could not listen" in result.stderr and "--port" in result.stderr


def test_default_workspace_is_the_wizards_own_folder_not_the_current_one(
    tmp_path, monkeypatch
) -> None:
    from tui.options import WizardOptions

    clone = tmp_path / "clone"
    clone.mkdir()
    monkeypatch.chdir(clone)  # e.g. following the README from a clone of this repository
    folder = WizardOptions().resolved_workspace
    assert folder == tmp_path / "home" / "Documents" / "gwa-wizard"
