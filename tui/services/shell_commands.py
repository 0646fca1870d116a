"""The real ``gwa`` / ``curl`` command for each step, with the learner's own values filled in.

One builder per command; ``tui.steps.STEPS`` names each step's builder, and F1, the command
box under a step and the exported script all call them, so the three always agree. Secrets
never appear: the client secret and the token stay ``$CSC`` and ``$TOKEN``, and the
credentials block asks the learner to paste the secret themselves.
"""

from __future__ import annotations

import re
import shlex

from .session import Session
from .target import split_host_port
from .tutorial_defaults import (
    API_URL_PLACEHOLDER,
    DEFAULT_ORG,
    DEFAULT_ORG_UNIT,
    DEFAULT_OUT_FILE,
    DEFAULT_TEMPLATE,
    DEFAULT_UPSTREAM,
)


def token_curl(flags: str = "", indent: str = "") -> str:
    """The tutorial's token request (client-credentials grant), once for every caller."""
    first = f"curl {flags} -X POST" if flags else "curl -X POST"
    lines = [
        f'{first} "$URL" \\',
        '  -H "Content-Type: application/x-www-form-urlencoded" \\',
        '  -d "client_id=$CID" \\',
        '  -d "client_secret=$CSC" \\',
        '  -d "grant_type=client_credentials" \\',
        '  -d "scopes=openid"',
    ]
    return f"\n{indent}".join(lines)


TOKEN_REQUEST = f"""RESPONSE=$({token_curl()})
echo "$RESPONSE" | jq
export TOKEN=$(echo "$RESPONSE" | jq -r '.access_token')"""


def _q(value: str) -> str:
    """Shell-quote for a person to read: ``"root's Gateway"`` rather than ``'root'"'"'s …'``."""
    quoted = shlex.quote(value)
    if "'" in value and not any(ch in value for ch in '"$`\\!'):
        return f'"{value}"'
    return quoted


def _dq(value: str) -> str:
    """Double quotes as the tutorial writes them, unless the value needs stronger quoting."""
    if any(ch in value for ch in '"$`\\!'):
        return shlex.quote(value)
    return f'"{value}"'


def _or(value: str, placeholder: str) -> str:
    return value if value else placeholder


def _api_url(session: Session) -> str:
    if session.api_url:
        return session.api_url
    if session.env_host:
        scheme = "http" if session.target_kind == "sandbox" else session.scheme or "https"
        return f"{scheme}://{session.env_host}/uuid"
    return API_URL_PLACEHOLDER


def target_command(s: Session) -> str:
    lines = [f"gwa config set host {_q(_or(s.host, '<host>'))}"]
    if s.scheme == "http":
        lines.append("gwa config set scheme http")
    return "\n".join(lines)


def login_command(s: Session) -> str:
    if s.login_method == "client_credentials":
        return f'gwa login --client-id {_q(_or(s.client_id, "<client id>"))} --client-secret "$CSC"'
    return "gwa login"


def gateway_command(s: Session) -> str:
    if s.gateway_picked and s.gateway_id:  # an existing gateway: make it the current one
        return f"gwa config set gateway {_q(s.gateway_id)}"
    if s.gateway_display_name:
        return f"gwa gateway create --display-name {_q(s.gateway_display_name)}"
    return "gwa gateway create"


def template_command(s: Session) -> str:
    parts = [
        "gwa generate-config",
        f"--template {_q(s.template or DEFAULT_TEMPLATE)}",
        f"--service {_q(_or(s.service, '<service>'))}",
        f"--upstream {_q(_or(s.upstream, DEFAULT_UPSTREAM))}",
    ]
    if s.org and s.org != DEFAULT_ORG:
        parts.append(f"--org {_q(s.org)}")
    if s.org_unit and s.org_unit != DEFAULT_ORG_UNIT:
        parts.append(f"--org-unit {_q(s.org_unit)}")
    parts.append(f"--out {_q(_or(s.out_file, DEFAULT_OUT_FILE))}")
    return " ".join(parts)


def review_command(s: Session) -> str:
    name = _or(s.out_file, DEFAULT_OUT_FILE)
    return f"# Review {name} in your editor: nothing is sent to APS until you apply it."


def apply_command(s: Session) -> str:
    return f"gwa apply -i {_q(_or(s.out_file, DEFAULT_OUT_FILE))}"


def status_command(s: Session) -> str:
    return "gwa status --hosts"


LOOPBACK = ("127.0.0.1", "localhost", "::1", "0.0.0.0", "")
_ADDRESS = re.compile(r"[A-Za-z0-9.:-]+")


def connect_to_pair(s: Session, url: str) -> str:
    """curl's ``--connect-to`` value (``name:port:address:port``) when the API lives on a class
    sandbox on another machine, else "".

    curl sends ``*.localhost`` to this machine's loopback by itself; for a sandbox elsewhere
    it must connect to the sandbox's address while keeping the ``*.localhost`` host name.
    """
    rest = url.split("://", 1)[-1]
    hostport = rest.split("/", 1)[0]
    host, port = split_host_port(hostport)
    if not host.endswith(".localhost") or port is None:
        return ""
    address = split_host_port(s.host)[0] if s.host else ""
    if address in LOOPBACK or address.endswith(".localhost"):
        return ""
    if not _ADDRESS.fullmatch(address):  # the Target step's rules; anything else is not a host
        return ""
    if ":" in address:  # an IPv6 address goes in brackets
        address = f"[{address}]"
    return f"{host}:{port}:{address}:{port}"


def _connect_to(s: Session, url: str) -> str:
    pair = connect_to_pair(s, url)
    return f"--connect-to {_q(pair)} " if pair else ""


def try_it_command(s: Session) -> str:
    url = _api_url(s)
    # -i: show the status line too, so the learner sees the 401 itself.
    return f"curl -i {_connect_to(s, url)}{_q(url)}"


def credentials_command(s: Session) -> str:
    return "\n".join(
        [
            f"export CID={_dq(_or(s.client_id, '<paste the Client ID>'))}",
            'export CSC="<paste the Client Secret>"',
            f"export URL={_dq(_or(s.token_endpoint, '<paste the Token Endpoint>'))}",
        ]
    )


def token_command(s: Session) -> str:
    return TOKEN_REQUEST


def call_command(s: Session) -> str:
    url = _api_url(s)
    return f'curl {_connect_to(s, url)}{_q(url)} -H "Authorization: Bearer $TOKEN"'


def cleanup_command(s: Session) -> str:
    return "gwa gateway current\ngwa gateway destroy --force"
