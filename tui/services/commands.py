"""The real ``gwa`` / ``curl`` command for each step, with the learner's own values filled in.

Shown in every step's help so the learner can redo the tutorial without the wizard. Secrets
never appear: the client secret and the token stay ``$CSC`` and ``$TOKEN``, and the
credentials block asks the learner to paste the secret themselves.
"""

from __future__ import annotations

import shlex

from .session import Session
from .target import split_host_port

DEFAULT_ORG = "ministry-of-citizens-services"
DEFAULT_ORG_UNIT = "databc"
DEFAULT_OUT = "gw-config.yaml"

TOKEN_REQUEST = """RESPONSE=$(curl -X POST "$URL" \\
  -H "Content-Type: application/x-www-form-urlencoded" \\
  -d "client_id=$CID" \\
  -d "client_secret=$CSC" \\
  -d "grant_type=client_credentials" \\
  -d "scopes=openid")

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
    return "https://<MYSERVICE>-dev-api-gov-bc-ca.test.api.gov.bc.ca/uuid"


def equivalent(step_id: str, session: Session) -> str:
    """The command(s) for ``step_id`` (one of tui.steps.STEP_IDS); KeyError for others."""
    builder = _BUILDERS[step_id]
    return builder(session)


def _target(s: Session) -> str:
    lines = [f"gwa config set host {_q(_or(s.host, '<host>'))}"]
    if s.scheme == "http":
        lines.append("gwa config set scheme http")
    return "\n".join(lines)


def _login(s: Session) -> str:
    if s.login_method == "client_credentials":
        return f'gwa login --client-id {_q(_or(s.client_id, "<client id>"))} --client-secret "$CSC"'
    return "gwa login"


def _gateway(s: Session) -> str:
    if s.gateway_display_name:
        return f"gwa gateway create --display-name {_q(s.gateway_display_name)}"
    return "gwa gateway create"


def _template(s: Session) -> str:
    parts = [
        "gwa generate-config",
        f"--template {_q(s.template or 'client-credentials-shared-idp')}",
        f"--service {_q(_or(s.service, '<service>'))}",
        f"--upstream {_q(_or(s.upstream, 'https://httpbin.org'))}",
    ]
    if s.org and s.org != DEFAULT_ORG:
        parts.append(f"--org {_q(s.org)}")
    if s.org_unit and s.org_unit != DEFAULT_ORG_UNIT:
        parts.append(f"--org-unit {_q(s.org_unit)}")
    parts.append(f"--out {_q(_or(s.out_file, DEFAULT_OUT))}")
    return " ".join(parts)


def _review(s: Session) -> str:
    name = _or(s.out_file, DEFAULT_OUT)
    return f"# Review {name} in your editor: nothing is sent to APS until you apply it."


def _apply(s: Session) -> str:
    return f"gwa apply -i {_q(_or(s.out_file, DEFAULT_OUT))}"


def _status(s: Session) -> str:
    return "gwa status --hosts"


LOOPBACK = ("127.0.0.1", "localhost", "::1", "0.0.0.0", "")


def _connect_to(s: Session, url: str) -> str:
    """``--connect-to …`` when the API lives on a class sandbox on another machine.

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
    return f"--connect-to {_q(f'{host}:{port}:{address}:{port}')} "


def _try_it(s: Session) -> str:
    url = _api_url(s)
    return f"curl {_connect_to(s, url)}{_q(url)}"


def _credentials(s: Session) -> str:
    return "\n".join(
        [
            f"export CID={_dq(_or(s.client_id, '<paste the Client ID>'))}",
            'export CSC="<paste the Client Secret>"',
            f"export URL={_dq(_or(s.token_endpoint, '<paste the Token Endpoint>'))}",
        ]
    )


def _token(s: Session) -> str:
    return TOKEN_REQUEST


def _call(s: Session) -> str:
    url = _api_url(s)
    return f'curl {_connect_to(s, url)}{_q(url)} -H "Authorization: Bearer $TOKEN"'


def _cleanup(s: Session) -> str:
    return "gwa gateway current\ngwa gateway destroy --force"


_BUILDERS = {
    "target": _target,
    "login": _login,
    "gateway": _gateway,
    "template": _template,
    "review": _review,
    "apply": _apply,
    "status": _status,
    "try_it": _try_it,
    "credentials": _credentials,
    "token": _token,
    "call": _call,
    "cleanup": _cleanup,
}
