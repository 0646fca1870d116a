"""The learner's record: a runnable bash script and a Markdown report, never a secret."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from tui.services.export import REPORT_NAME, SCRIPT_NAME, build_script, write_record
from tui.services.session import Session
from tui.steps import equivalent

SECRET = "0b6f3c1e-5d2a-4c8b-9e7f-1a2b3c4d5e6f"
TOKEN = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl"


def finished_session() -> Session:
    s = Session(
        target_kind="sandbox",
        host="127.0.0.1:8460",
        scheme="http",
        username="janis@idir",
        gateway_id="gw-1a2b3",
        gateway_display_name="janis@idir's Gateway",
        service="my-svc",
        upstream="http://127.0.0.1:8462",
        out_file="gw-config.yaml",
        published=["GatewayService my-svc-dev", "Product my-svc API"],
        env_host="my-svc-dev-api-gov-bc-ca.localhost:8461",
        api_url="http://my-svc-dev-api-gov-bc-ca.localhost:8461/uuid",
        environment_app_id="8C1D2E3F",
        client_id="8C1D2E3F-0A1B2C3D4E5",
        token_endpoint="http://127.0.0.1:8460/auth/realms/apigw/protocol/openid-connect/token",
        credentials_source="rest",
    )
    for step_id, seconds in (("target", 4.2), ("login", 65.0), ("call", 3.0)):
        s.mark_done(step_id)
        s.add_time(step_id, seconds)
    return s


def test_write_record_writes_both_files_without_secrets(tmp_path: Path) -> None:
    script, report = write_record(finished_session(), tmp_path / "out", forbidden=[SECRET, TOKEN])
    assert script == tmp_path / "out" / SCRIPT_NAME
    assert report == tmp_path / "out" / REPORT_NAME
    text, md = script.read_text(), report.read_text()
    for value in (SECRET, TOKEN):
        assert value not in text and value not in md
    assert os.access(script, os.X_OK)
    # secrets come from the environment, guarded
    assert ': "${CSC:?set CSC to the Client Secret}"' in text
    assert '-H "Authorization: Bearer $TOKEN"' in text
    assert "gwa apply -i gw-config.yaml" in text
    assert "gwa generate-config --template client-credentials-shared-idp" in text
    assert "gwa gateway destroy --force" in text
    assert "8C1D2E3F-0A1B2C3D4E5" in text  # the client id is not a secret
    # the report: what was built, the URLs, time per step
    assert "gw-1a2b3" in md and "my-svc" in md
    assert "http://my-svc-dev-api-gov-bc-ca.localhost:8461/uuid" in md
    assert "| Login | ✓ | 1 min 05 s |" in md
    assert "| Target | ✓ | 4 s |" in md
    assert "| **Total** | 3/12 | 1 min 12 s |" in md


def test_write_record_refuses_when_a_secret_would_leak(tmp_path: Path) -> None:
    s = finished_session()
    s.service = SECRET  # absurd, but proves the guard works on any field
    with pytest.raises(ValueError):
        write_record(s, tmp_path, forbidden=[SECRET])
    assert not (tmp_path / SCRIPT_NAME).exists()


def test_script_is_valid_bash_and_prints_usage_without_arguments(tmp_path: Path) -> None:
    bash = shutil.which("bash")
    if bash is None:
        pytest.skip("bash is not installed")
    script, _ = write_record(finished_session(), tmp_path)
    subprocess.run([bash, "-n", str(script)], check=True)
    done = subprocess.run([bash, str(script)], capture_output=True, text=True)
    assert done.returncode == 2
    assert "Usage:" in done.stdout


def test_consumer_part_refuses_to_run_without_the_secret(tmp_path: Path) -> None:
    bash = shutil.which("bash")
    if bash is None:
        pytest.skip("bash is not installed")
    script, _ = write_record(finished_session(), tmp_path)
    env = {k: v for k, v in os.environ.items() if k not in ("CSC", "CID", "URL", "TOKEN")}
    done = subprocess.run([bash, str(script), "consumer"], capture_output=True, text=True, env=env)
    assert done.returncode != 0
    assert "set CSC to the Client Secret" in done.stderr


def test_values_with_quotes_are_shell_quoted() -> None:
    s = finished_session()
    s.gateway_display_name = "O'Brien's Gateway"
    text = build_script(s)
    # The same readable quoting as F1 shows (bash reads it back exactly: see test_commands).
    assert "--display-name \"O'Brien's Gateway\"" in text
    assert equivalent("gateway", s) in text


def test_retire_session_keeps_a_copy_for_export(tmp_path: Path) -> None:
    from tui.services.export import LAST_SESSION_NAME, retire_session
    from tui.services.session import SessionStore

    store = SessionStore(tmp_path / "session.json")
    session = finished_session()
    store.save(session)
    kept = retire_session(store, session)
    assert store.load() is None
    assert kept == tmp_path / LAST_SESSION_NAME
    assert SessionStore(kept).load() == session


def test_export_refuses_a_secret_that_would_appear_only_in_the_report(tmp_path: Path) -> None:
    from tui.services.export import build_report

    s = finished_session()
    s.published = [f"Product {SECRET}"]  # listed in the report, not used by the script
    assert SECRET in build_report(s) and SECRET not in build_script(s)
    with pytest.raises(ValueError):
        write_record(s, tmp_path, forbidden=[TOKEN, SECRET])
    assert not (tmp_path / REPORT_NAME).exists() and not (tmp_path / SCRIPT_NAME).exists()


def test_export_creates_the_folder_it_is_asked_to_write_into(tmp_path: Path) -> None:
    script, report = write_record(finished_session(), tmp_path / "new" / "record")
    assert script.parent == report.parent == tmp_path / "new" / "record"
    assert script.read_text().startswith("#!/usr/bin/env bash")


def test_exported_script_runs_for_everyone_but_only_its_owner_may_change_it(
    tmp_path: Path,
) -> None:
    script, _ = write_record(finished_session(), tmp_path)
    assert stat.S_IMODE(script.stat().st_mode) == 0o755


def test_a_refused_export_says_why_without_repeating_the_secret(tmp_path: Path) -> None:
    s = finished_session()
    s.service = SECRET
    with pytest.raises(ValueError) as refused:
        write_record(s, tmp_path, forbidden=["", SECRET])
    # The Summary screen shows this text as it is.
    assert str(refused.value) == "refusing to export: a secret value would appear in the record"
    assert SECRET not in str(refused.value)


def test_export_writes_the_same_utf8_files_whatever_the_learners_locale(tmp_path: Path) -> None:
    """The report has ✓ and — in it, the script the learner's own file name: a learner whose
    shell runs in the plain C locale (ASCII) gets the very files a UTF-8 shell gets."""
    session = finished_session()
    session.out_file = "gw-config-\u00e9quipe.yaml"
    here, _ = write_record(session, tmp_path / "utf8")
    env = os.environ | {"LC_ALL": "C", "LANG": "C", "PYTHONUTF8": "0"}
    env |= {"PYTHONCOERCECLOCALE": "0", "PYTHONIOENCODING": "utf-8"}
    code = (
        "import sys, locale; from pathlib import Path;"
        "from tests.services.test_export import finished_session;"
        "from tui.services.export import write_record;"
        "assert locale.getpreferredencoding(False).lower() in ('ascii', 'ansi_x3.4-1968');"
        "s = finished_session(); s.out_file = 'gw-config-\\u00e9quipe.yaml';"
        "write_record(s, Path(sys.argv[1]))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path / "c")],
        env=env,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    for name in (REPORT_NAME, SCRIPT_NAME):
        utf8, c = (tmp_path / "utf8" / name).read_bytes(), (tmp_path / "c" / name).read_bytes()
        # the script's stamp may differ by a minute between the two runs
        assert utf8.splitlines()[3:] == c.splitlines()[3:], name
    report = (tmp_path / "c" / REPORT_NAME).read_text(encoding="utf-8")
    assert "| Login | ✓ | 1 min 05 s |" in report
    script = (tmp_path / "c" / SCRIPT_NAME).read_text(encoding="utf-8")
    assert "gwa apply -i 'gw-config-équipe.yaml'" in script
