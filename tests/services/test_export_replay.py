"""The exported script, run: each part replays the wizard's own commands, with the learner's values.

``gwa`` and ``curl`` are stand-ins on ``PATH`` that record their arguments (bash's ``%q``
quoting, read back with ``shlex``), so the test sees exactly what a learner's shell would run.
The stand-in ``gwa generate-config`` writes the ``--out`` file as gwa does for an upstream with
a port, so the script's repair of that file is checked too; the stand-in ``curl`` answers the
token request with a token.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.services.test_export import SECRET, finished_session
from tui import __version__
from tui.services.export import SCRIPT_NAME, build_script, write_record
from tui.services.session import Session
from tui.services.shell_commands import (
    apply_command,
    call_command,
    connect_to_pair,
    gateway_command,
    status_command,
    target_command,
    template_command,
)
from tui.services.tutorial_defaults import (
    API_URL_PLACEHOLDER,
    DEFAULT_OUT_FILE,
    DEFAULT_TEMPLATE,
    DEFAULT_UPSTREAM,
    EXAMPLE_SERVICE,
    TEST_HOST,
)

BASH = shutil.which("bash")
pytestmark = pytest.mark.skipif(BASH is None, reason="bash is not installed")

ISSUED_TOKEN = "tok-from-the-stand-in"

RECORDER = r"""#!/usr/bin/env bash
{ printf '%s' "$(basename "$0")"; for a in "$@"; do printf ' %q' "$a"; done; printf '\n'; } >> "$CALLS"
"""

GWA = (
    RECORDER
    + r"""
if [ "${1:-}" = generate-config ]; then
  while [ $# -gt 0 ]; do
    if [ "$1" = --out ]; then printf 'name: svc\nhost: upstream.example:8462\nport: 8462\n' > "$2"; fi
    shift
  done
fi
"""
)

CURL = (
    RECORDER
    + r"""
case " $* " in
  *grant_type=client_credentials*) printf '{"access_token": "%s"}' "$ISSUED" ;;
  *) printf 'HTTP/1.1 200 OK\n' ;;
esac
"""
)


@dataclass
class Run:
    returncode: int
    stdout: str
    stderr: str
    calls: list[list[str]]
    folder: Path

    def commands(self, tool: str) -> list[list[str]]:
        return [c for c in self.calls if c[0] == tool]


def replay(
    tmp_path: Path,
    session: Session,
    part: str,
    *,
    env: dict[str, str] | None = None,
    answer: str = "",
) -> Run:
    """Write the record for ``session`` and run ``bash gwa-tutorial.sh part`` in its folder."""
    folder = tmp_path / "record"
    script, _ = write_record(session, folder)
    tools = tmp_path / "bin"
    tools.mkdir(exist_ok=True)
    for name, body in (("gwa", GWA), ("curl", CURL)):
        (tools / name).write_text(body)
        (tools / name).chmod(0o755)
    calls = tmp_path / "calls.txt"
    calls.unlink(missing_ok=True)
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in {"CID", "CSC", "URL", "TOKEN", "HOST", "UPSTREAM", "API_URL"}
    }
    full_env = clean | {
        "PATH": f"{tools}{os.pathsep}{os.environ['PATH']}",
        "CALLS": str(calls),
        "ISSUED": ISSUED_TOKEN,
        **(env or {}),
    }
    assert BASH is not None
    done = subprocess.run(
        [BASH, str(script), part],
        cwd=folder,
        env=full_env,
        input=answer,
        capture_output=True,
        text=True,
        timeout=60,
    )
    lines = calls.read_text().splitlines() if calls.exists() else []
    return Run(done.returncode, done.stdout, done.stderr, [shlex.split(x) for x in lines], folder)


def words(command: str) -> list[list[str]]:
    """A wizard command (one per line) as the argument lists a shell would pass."""
    return [shlex.split(line) for line in command.splitlines()]


@pytest.mark.parametrize("template", ["client-credentials-shared-idp", "quick-start"])
def test_provider_part_runs_the_wizards_commands_with_the_learners_values(
    tmp_path: Path, template: str
) -> None:
    s = finished_session()
    s.template, s.out_file = template, f"gw-config-{template}.yaml"
    run = replay(tmp_path, s, "provider")
    assert run.returncode == 0, run.stderr
    assert run.commands("gwa") == [
        *words(target_command(s)),  # host, then scheme http: the sandbox speaks plain http
        ["gwa", "login"],
        *words(gateway_command(s)),
        ["gwa", "gateway", "current"],
        *words(template_command(s)),
        *words(apply_command(s)),
        *words(status_command(s)),
    ]
    # Without a token the API must refuse: the learner sees the 401 for themselves.
    assert run.commands("curl") == [["curl", "-s", "-i", s.api_url]]


def test_provider_part_speaks_https_unless_the_wizard_used_http(tmp_path: Path) -> None:
    s = finished_session()
    s.target_kind, s.host, s.scheme = "test", TEST_HOST, "https"
    gwa = replay(tmp_path, s, "provider").commands("gwa")
    assert gwa[0] == ["gwa", "config", "set", "host", TEST_HOST]
    assert not any(c[1:4] == ["config", "set", "scheme"] for c in gwa)


def test_provider_part_fills_in_the_tutorials_defaults_for_what_was_never_chosen(
    tmp_path: Path,
) -> None:
    run = replay(tmp_path, Session(), "provider")
    assert run.returncode == 0, run.stderr
    gwa = run.commands("gwa")
    assert gwa[0] == ["gwa", "config", "set", "host", TEST_HOST]
    generate = next(c for c in gwa if c[1] == "generate-config")
    assert generate == [
        "gwa",
        "generate-config",
        "--template",
        DEFAULT_TEMPLATE,
        "--service",
        EXAMPLE_SERVICE,
        "--upstream",
        DEFAULT_UPSTREAM,
        "--out",
        DEFAULT_OUT_FILE,
    ]
    assert ["gwa", "apply", "-i", DEFAULT_OUT_FILE] in gwa
    assert run.commands("curl") == [["curl", "-s", "-i", API_URL_PLACEHOLDER]]


def test_provider_part_can_be_pointed_at_another_sandbox_from_the_environment(
    tmp_path: Path,
) -> None:
    """The header's advice for a sandbox run: HOST, UPSTREAM and API_URL override the record."""
    s = finished_session()
    other = {
        "HOST": "127.0.0.1:9460",
        "UPSTREAM": "http://127.0.0.1:9462",
        "API_URL": "http://my-svc-dev-api-gov-bc-ca.localhost:9461/uuid",
    }
    run = replay(tmp_path, s, "provider", env=other)
    gwa = run.commands("gwa")
    assert gwa[0] == ["gwa", "config", "set", "host", other["HOST"]]
    generate = next(c for c in gwa if c[1] == "generate-config")
    assert generate[generate.index("--upstream") + 1] == other["UPSTREAM"]
    assert run.commands("curl") == [["curl", "-s", "-i", other["API_URL"]]]


def test_provider_part_drops_the_port_gwa_leaves_in_the_services_host_line(
    tmp_path: Path,
) -> None:
    """Kong refuses ``host: name:port``; the script repairs the file gwa wrote before applying."""
    s = finished_session()
    run = replay(tmp_path, s, "provider")
    written = (run.folder / s.out_file).read_text()
    assert "host: upstream.example\n" in written
    assert "port: 8462" in written and "upstream.example:8462" not in written


def test_consumer_part_gets_a_token_with_the_learners_client_and_calls_the_api(
    tmp_path: Path,
) -> None:
    s = finished_session()
    run = replay(tmp_path, s, "consumer", env={"CSC": SECRET})
    assert run.returncode == 0, run.stderr
    token_request, api_call = run.commands("curl")
    assert token_request[:5] == ["curl", "-s", "-X", "POST", s.token_endpoint]
    form = [token_request[i + 1] for i, word in enumerate(token_request) if word == "-d"]
    assert form == [
        f"client_id={s.client_id}",
        f"client_secret={SECRET}",
        "grant_type=client_credentials",
        "scopes=openid",
    ]
    assert api_call == [
        "curl",
        "-s",
        "-i",
        s.api_url,
        "-H",
        f"Authorization: Bearer {ISSUED_TOKEN}",
    ]


def test_consumer_part_asks_for_each_value_the_record_does_not_hold(tmp_path: Path) -> None:
    """A session without credentials: the learner must export CID and URL, and CSC always."""
    s = finished_session()
    s.client_id, s.token_endpoint = "", ""
    no_id = replay(tmp_path, s, "consumer", env={"CSC": SECRET})
    assert no_id.returncode != 0 and "set CID to the Client ID" in no_id.stderr
    no_url = replay(tmp_path, s, "consumer", env={"CSC": SECRET, "CID": "8C1D2E3F-0A1B2C3D4E5"})
    assert no_url.returncode != 0 and "set URL to the Token Endpoint" in no_url.stderr
    assert no_id.commands("curl") == no_url.commands("curl") == []


def test_cleanup_destroys_the_gateway_only_after_a_typed_yes(tmp_path: Path) -> None:
    s = finished_session()
    kept = replay(tmp_path, s, "cleanup", answer="no\n")
    assert kept.returncode == 1 and "Not destroyed." in kept.stdout
    assert kept.commands("gwa") == [["gwa", "gateway", "current"]]
    gone = replay(tmp_path, s, "cleanup", answer="yes\n")
    assert gone.returncode == 0, gone.stderr
    assert gone.commands("gwa") == [
        ["gwa", "gateway", "current"],
        ["gwa", "gateway", "destroy", "--force"],
    ]


def test_provider_part_generates_the_config_for_the_learners_own_organization(
    tmp_path: Path,
) -> None:
    """A learner who chose another organization on the Template step replays the same config."""
    s = finished_session()
    s.org, s.org_unit = "ministry-of-health", "health-it"
    run = replay(tmp_path, s, "provider")
    generate = next(c for c in run.commands("gwa") if c[1] == "generate-config")
    assert generate == words(template_command(s))[0]
    assert generate[generate.index("--org") + 1] == "ministry-of-health"
    assert generate[generate.index("--org-unit") + 1] == "health-it"


def test_token_request_is_the_tutorials_form_post(tmp_path: Path) -> None:
    s = finished_session()
    token_request = replay(tmp_path, s, "consumer", env={"CSC": SECRET}).commands("curl")[0]
    assert token_request == [
        "curl",
        "-s",
        "-X",
        "POST",
        s.token_endpoint,
        "-H",
        "Content-Type: application/x-www-form-urlencoded",
        "-d",
        f"client_id={s.client_id}",
        "-d",
        f"client_secret={SECRET}",
        "-d",
        "grant_type=client_credentials",
        "-d",
        "scopes=openid",
    ]


def test_script_without_a_part_prints_where_and_when_it_was_recorded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The stamp says UTC, so it is UTC even for a learner in Vancouver."""
    monkeypatch.setenv("TZ", "America/Vancouver")
    time.tzset()
    try:
        before = datetime.now(UTC).replace(second=0, microsecond=0)
        run = replay(tmp_path, finished_session(), "")
        after = datetime.now(UTC)
    finally:
        monkeypatch.undo()
        time.tzset()
    assert run.returncode == 2 and run.calls == []
    lines = run.stdout.splitlines()
    assert lines[0] == (
        '# The "Protect an API with Client Credential Flow" tutorial as plain gwa and curl commands.'
    )
    stamp = re.fullmatch(
        rf"# Recorded by gwa-wizard {re.escape(__version__)} on "
        r"(\d{4}-\d\d-\d\d \d\d:\d\d) UTC, target: sandbox \(127\.0\.0\.1:8460\)\.",
        lines[1],
    )
    assert stamp is not None, lines[1]
    recorded = datetime.strptime(stamp[1], "%Y-%m-%d %H:%M").replace(tzinfo=UTC)
    assert before <= recorded <= after
    assert lines[2] == "# The wizard used gateway gw-1a2b3 and service my-svc."
    usage = [line[1:].split("#")[0].removeprefix(" Usage:").strip() for line in lines[4:7]]
    assert usage == [f"bash {SCRIPT_NAME} {part}" for part in ("provider", "consumer", "cleanup")]
    assert lines[-1] == "#    export CSC='<Client Secret>'"


def test_script_of_a_fresh_session_says_no_gateway_was_used(tmp_path: Path) -> None:
    lines = replay(tmp_path, Session(), "").stdout.splitlines()
    assert lines[2] == f"# The wizard used gateway (none) and service {EXAMPLE_SERVICE}."


def test_a_sandbox_record_shows_how_to_replay_against_a_sandbox_on_fixed_ports(
    tmp_path: Path,
) -> None:
    """The embedded sandbox's ports change every run; the script's note gives a command for a
    ``gwa-wizard sandbox serve`` on its fixed ports, and that command works as written."""
    s = finished_session()  # the embedded sandbox's ports of that run, not the fixed ones
    s.host, s.upstream = "127.0.0.1:39127", "http://127.0.0.1:39129"
    s.api_url = "http://my-svc-dev-api-gov-bc-ca.localhost:39128/uuid"
    script = build_script(s)
    assert (
        "# This run used the wizard's embedded sandbox, on ports that change every run." in script
    )
    assert "`gwa-wizard sandbox serve`" in script
    note = script.split("run e.g.\n", 1)[1].split("\nset -euo", 1)[0]
    command = " ".join(line.removeprefix("#").strip().rstrip("\\") for line in note.splitlines())
    replay(tmp_path, s, "")  # writes the record and the stand-ins
    assert BASH is not None
    env = os.environ | {"PATH": f"{tmp_path / 'bin'}{os.pathsep}{os.environ['PATH']}"}
    env |= {"CALLS": str(tmp_path / "calls.txt")}
    (tmp_path / "calls.txt").unlink(missing_ok=True)
    subprocess.run([BASH, "-c", command], cwd=tmp_path / "record", env=env, check=True)
    calls = [shlex.split(x) for x in (tmp_path / "calls.txt").read_text().splitlines()]
    assert calls[0] == ["gwa", "config", "set", "host", "127.0.0.1:8460"]
    generate = next(c for c in calls if c[:2] == ["gwa", "generate-config"])
    assert generate[generate.index("--upstream") + 1] == "http://127.0.0.1:8462"
    assert calls[-1] == ["curl", "-s", "-i", "http://my-svc-dev-api-gov-bc-ca.localhost:8461/uuid"]


def test_only_a_sandbox_record_has_the_fixed_ports_note() -> None:
    s = finished_session()
    s.target_kind, s.host, s.scheme = "test", TEST_HOST, "https"
    script = build_script(s)
    assert "sandbox serve" not in script and "HOST=127.0.0.1:8460" not in script
    header = script.split("set -euo pipefail", 1)[0]
    assert header.endswith("#    export CSC='<Client Secret>'\n")


def class_sandbox_session() -> Session:
    """A learner whose class sandbox runs on the trainer's machine, not this one."""
    s = finished_session()
    s.host = "192.0.2.20:8460"
    s.token_endpoint = "http://192.0.2.20:8460/auth/realms/apigw/protocol/openid-connect/token"
    return s


def test_replayed_api_calls_reach_a_class_sandbox_on_another_machine(tmp_path: Path) -> None:
    """``*.localhost`` names this machine; the script's curl must connect to the sandbox's
    address instead, as the wizard's own Try it and Call commands do."""
    s = class_sandbox_session()
    pair = "my-svc-dev-api-gov-bc-ca.localhost:8461:192.0.2.20:8461"
    provider = replay(tmp_path, s, "provider")
    assert provider.returncode == 0, provider.stderr
    assert provider.commands("curl") == [["curl", "-s", "-i", "--connect-to", pair, s.api_url]]
    consumer = replay(tmp_path, s, "consumer", env={"CSC": SECRET})
    assert consumer.returncode == 0, consumer.stderr
    api_call = consumer.commands("curl")[-1]
    assert api_call[:6] == ["curl", "-s", "-i", "--connect-to", pair, s.api_url]
    # The same value the Call step shows (one builder for both).
    assert f"--connect-to {pair}" in call_command(s)


def test_replayed_api_calls_on_this_machine_need_no_connect_to(tmp_path: Path) -> None:
    run = replay(tmp_path, finished_session(), "provider")
    assert run.returncode == 0, run.stderr
    assert all("--connect-to" not in c for c in run.commands("curl"))


def test_the_connect_to_value_takes_real_curl_to_the_other_address(tmp_path: Path) -> None:
    """Real curl, a server on another loopback address (127.0.0.2): the ``*.localhost`` name
    alone would reach 127.0.0.1 and fail; with the script's value it reaches the server."""
    import http.server
    import threading

    curl = shutil.which("curl")
    if curl is None:
        pytest.skip("curl is not installed")

    class Hello(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = f"host={self.headers['Host']}".encode()
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    try:
        server = http.server.HTTPServer(("127.0.0.2", 0), Hello)
    except OSError:
        pytest.skip("127.0.0.2 cannot be bound here")
    port = server.server_address[1]
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        s = finished_session()
        s.host = f"127.0.0.2:{port - 1}"
        s.api_url = f"http://my-svc-dev-api-gov-bc-ca.localhost:{port}/uuid"
        pair = connect_to_pair(s, s.api_url)
        assert pair == f"my-svc-dev-api-gov-bc-ca.localhost:{port}:127.0.0.2:{port}"
        done = subprocess.run(
            [curl, "-s", "--max-time", "10", "--connect-to", pair, s.api_url],
            capture_output=True,
            text=True,
            timeout=30,
        )
        assert done.stdout == f"host=my-svc-dev-api-gov-bc-ca.localhost:{port}"
    finally:
        server.shutdown()
        server.server_close()
