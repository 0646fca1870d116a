"""The learner's record: a runnable bash script of the equivalent ``gwa``/``curl`` commands and a
Markdown report of what was built, both written from the session alone.

Neither file contains a secret or a token: the session never holds one, the script reads the
client secret and the token from the environment (``$CSC``, ``$TOKEN``, with ``${VAR:?…}``
guards), and :func:`write_record` refuses to write if a caller-supplied secret value would
appear in either file.
"""

from __future__ import annotations

import os
import shlex
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from .. import __version__
from ..lessons import install_gwa, next_steps, quiz
from ..steps import STEPS
from .shell_commands import (
    apply_command,
    connect_to_pair,
    gateway_command,
    status_command,
    token_curl,
)
from .tutorial_defaults import (
    API_URL_PLACEHOLDER,
    DEFAULT_ORG,
    DEFAULT_ORG_UNIT,
    DEFAULT_OUT_FILE,
    DEFAULT_TEMPLATE,
    DEFAULT_UPSTREAM,
    EXAMPLE_SERVICE,
    TEST_HOST,
)
from .wording import published_list

SCRIPT_NAME = "gwa-tutorial.sh"
LAST_SESSION_NAME = "last-session.json"  # the finished tutorial, kept for `gwa-wizard export`
REPORT_NAME = "gwa-tutorial-report.md"
TARGET_LABELS = {"sandbox": "sandbox", "test": "APS test", "prod": "APS production"}
ISSUED_VIA = {"rest": "over the portal's API", "handoff": "generated in the portal"}


def _q(value: str) -> str:
    return shlex.quote(value)


def _label(session: Any) -> str:
    return TARGET_LABELS.get(session.target_kind, session.host or "custom host")


def _api_url(session: Any) -> str:
    if session.api_url:
        return session.api_url
    if session.env_host:
        return f"{session.scheme}://{session.env_host}/uuid"
    return ""


def _out_file(session: Any) -> str:
    return session.out_file or DEFAULT_OUT_FILE


def _org_lines(session: Any) -> str:
    """``--org``/``--org-unit`` lines when the learner chose others than the tutorial's (as the
    Template step's command has them), so the replay generates the same config."""
    chosen = (
        ("--org", session.org, DEFAULT_ORG),
        ("--org-unit", session.org_unit, DEFAULT_ORG_UNIT),
    )
    return "".join(
        f"    {flag} {_q(value)} \\\n"
        for flag, value, default in chosen
        if value and value != default
    )


def build_script(session: Any) -> str:
    """The tutorial as a bash script in three parts: provider, consumer, cleanup."""
    host = session.host or TEST_HOST
    api_url = _api_url(session) or API_URL_PLACEHOLDER
    service = session.service or EXAMPLE_SERVICE
    upstream = session.upstream or DEFAULT_UPSTREAM
    template = session.template or DEFAULT_TEMPLATE
    scheme_line = (
        f"  gwa config set scheme {_q(session.scheme)}\n" if session.scheme != "https" else ""
    )
    token_endpoint = session.token_endpoint or ""
    connect_to = connect_to_pair(session, api_url) if _api_url(session) else ""
    client_id = session.client_id or ""
    stamp = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    sandbox_note = (
        "#\n# This run used the wizard's embedded sandbox, on ports that change every run. To replay\n"
        "# against a sandbox, start one on fixed ports with `gwa-wizard sandbox serve` and run e.g.\n"
        "#    HOST=127.0.0.1:8460 UPSTREAM=http://127.0.0.1:8462 \\\n"
        f"#    API_URL=http://{service}-dev-api-gov-bc-ca.localhost:8461/uuid bash {SCRIPT_NAME} provider\n"
        if session.target_kind == "sandbox"
        else ""
    )
    return f"""#!/usr/bin/env bash
# The "Protect an API with Client Credential Flow" tutorial as plain gwa and curl commands.
# Recorded by gwa-wizard {__version__} on {stamp}, target: {_label(session)} ({host}).
# The wizard used gateway {session.gateway_id or "(none)"} and service {service}.
#
# Usage:  bash {SCRIPT_NAME} provider   # configure, log in, create a gateway, generate, apply, status, try
#         bash {SCRIPT_NAME} consumer   # token and call; needs CID, CSC and URL from Generate Secrets
#         bash {SCRIPT_NAME} cleanup    # after deleting the consumer in the portal: destroy the gateway
#
# No secret is stored in this file. Export the client secret yourself (it is not in your
# shell history if you type a space before the command in bash):
#    export CSC='<Client Secret>'
{sandbox_note}set -euo pipefail

HOST="${{HOST:-{host}}}"
UPSTREAM="${{UPSTREAM:-{upstream}}}"
API_URL="${{API_URL:-{api_url}}}"
# The API's *.localhost name reaches this machine; on a class sandbox elsewhere curl must
# connect to the sandbox's address instead (name:port:address:port; empty: not needed).
CONNECT_TO="${{CONNECT_TO:-{connect_to}}}"

provider() {{
  gwa config set host "$HOST"
{scheme_line}  gwa login
  {gateway_command(session)}   # prints the new gateway id and makes it current
  gwa gateway current
  gwa generate-config --template {_q(template)} \\
    --service {_q(service)} \\
    --upstream "$UPSTREAM" \\
{_org_lines(session)}    --out {_q(_out_file(session))}
  # gwa keeps an upstream's :port in the service's host: line, which Kong refuses
  # ("host: must not have a port"); drop it there (port: already holds it).
  sed -i.bak -E 's/^(host: [^:]+):[0-9]+$/\\1/' {_q(_out_file(session))}
  {apply_command(session)}
  {status_command(session)}
  # Without a token the gateway must refuse: expect 401 {{"message":"Unauthorized"}}
  curl -s -i ${{CONNECT_TO:+--connect-to "$CONNECT_TO"}} "$API_URL" || true
  echo
  echo "Now, in the portal: Gateways -> your gateway -> Products -> Preview in Directory ->"
  echo "card -> Request Access -> Create Application -> Dev -> Request Access & Continue ->"
  echo "Generate Secrets. Then export CID, CSC and URL and run: bash {SCRIPT_NAME} consumer"
}}

consumer() {{
  export CID="${{CID:-{client_id}}}"
  : "${{CID:?set CID to the Client ID}}"
  : "${{CSC:?set CSC to the Client Secret}}"
  export URL="${{URL:-{token_endpoint}}}"
  : "${{URL:?set URL to the Token Endpoint}}"
  RESPONSE=$({token_curl("-s", indent="  ")})
  TOKEN=$(printf '%s' "$RESPONSE" | python3 -c 'import json,sys; print(json.load(sys.stdin).get("access_token") or "")')
  : "${{TOKEN:?the token request failed: $RESPONSE}}"
  export TOKEN
  # Expect 200 and a UUID
  curl -s -i ${{CONNECT_TO:+--connect-to "$CONNECT_TO"}} "$API_URL" -H "Authorization: Bearer $TOKEN"
  echo
}}

cleanup() {{
  echo "First delete the consumer: portal -> Gateways -> Consumers -> ... -> Delete."
  gwa gateway current
  read -r -p "Destroy the gateway shown above? Type yes: " answer
  [ "$answer" = "yes" ] || {{ echo "Not destroyed."; exit 1; }}
  gwa gateway destroy --force
  unset CID CSC URL TOKEN
}}

case "${{1:-}}" in
  provider) provider ;;
  consumer) consumer ;;
  cleanup) cleanup ;;
  *) sed -n '2,12p' "$0"; exit 2 ;;
esac
"""


def _seconds(value: float) -> str:
    total = int(round(value))
    if total < 60:
        return f"{total} s"
    return f"{total // 60} min {total % 60:02d} s"


def build_report(session: Any) -> str:
    host = session.host or "(not set)"
    api_url = _api_url(session)
    lines = [
        "# gwa-wizard: Protect an API with Client Credential Flow",
        "",
        f"Target: **{_label(session)}** (`{session.scheme}://{host}`)"
        + (f", user `{session.username}`" if session.username else ""),
        "",
        "## What was built",
        "",
        "| Thing | Value |",
        "|---|---|",
        f"| Gateway | `{session.gateway_id or '—'}` {session.gateway_display_name or ''} |",
        f"| Template | `{session.template}` |",
        f"| Service | `{session.service or '—'}` |",
        f"| Upstream | `{session.upstream or '—'}` |",
        f"| Config file | `{session.out_file or '—'}` |",
        f"| Published | {published_list(session.published) or '—'} |",
        f"| Consumer (Client ID) | `{session.client_id or '—'}`"
        + (
            f" ({ISSUED_VIA.get(session.credentials_source, session.credentials_source)})"
            if session.credentials_source
            else ""
        )
        + " |",
        f"| Consumer revoked | {'yes' if session.consumer_revoked else 'no'} |",
        "",
        "## URLs",
        "",
        f"- API: `{api_url or '—'}`",
        f"- Gateway host: `{session.env_host or '—'}`",
        f"- Token endpoint: `{session.token_endpoint or '—'}`",
        f"- Portal: `{session.base_url or '—'}`",
        "",
        "## Time per step",
        "",
        "| Step | Done | Time |",
        "|---|---|---|",
    ]
    total = 0.0
    for info in STEPS:
        seconds = float(session.step_seconds.get(info.id, 0.0))
        total += seconds
        done = "✓" if info.id in session.steps_done else ""
        lines.append(f"| {info.title} | {done} | {_seconds(seconds) if seconds else '—'} |")
    lines += [
        f"| **Total** | {len(session.steps_done)}/{len(STEPS)} | {_seconds(total)} |",
        "",
    ]
    answers = quiz.report_lines(list(getattr(session, "answers", []) or []))
    if answers:
        lines += ["## Check your understanding", "", *answers, ""]
    lines += [
        "## Install the gwa CLI",
        "",
        install_gwa.as_markdown(install_gwa.install_steps()),
        "",
        "## Next steps and help",
        "",
        "```",
        *next_steps.summary_lines(),
        "```",
        "",
        "## Secrets",
        "",
        "The client secret and all tokens were kept out of this report and out of the script. "
        f"Run `bash {SCRIPT_NAME}` to see how to replay the tutorial with the real `gwa` CLI; "
        "it reads the secret from `$CSC`. When you are done: `unset CID CSC URL TOKEN`.",
        "",
    ]
    return "\n".join(lines)


def write_record(
    session: Any, folder: Path | str, *, forbidden: Iterable[str] = ()
) -> tuple[Path, Path]:
    """Write the script and the report into ``folder``; returns their paths.

    ``forbidden`` lists secret values (client secret, tokens) that must not appear; if one
    would, nothing is written and ``ValueError`` is raised.
    """
    target = Path(folder)
    script, report = build_script(session), build_report(session)
    for value in forbidden:
        if value and (value in script or value in report):
            raise ValueError("refusing to export: a secret value would appear in the record")
    target.mkdir(parents=True, exist_ok=True)
    script_path, report_path = target / SCRIPT_NAME, target / REPORT_NAME
    script_path.write_text(script, encoding="utf-8")
    os.chmod(script_path, 0o755)
    report_path.write_text(report, encoding="utf-8")
    return script_path, report_path


def retire_session(store: Any, session: Any) -> Path:
    """The tutorial is over (everything cleaned up): clear the active session so the next run
    starts afresh, but keep it beside as ``last-session.json`` so the record can still be
    exported later. Returns the path of the kept copy."""
    from .session import SessionStore

    kept = Path(store.path).with_name(LAST_SESSION_NAME)
    SessionStore(kept).save(session)
    store.clear()
    return kept
