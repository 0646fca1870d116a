"""The equivalent gwa / curl commands, with the learner's values and no secrets."""

from __future__ import annotations

import shlex

import pytest

from tui.services.session import Session
from tui.services.shell_commands import TOKEN_REQUEST
from tui.steps import STEP_IDS, equivalent


def session(**values) -> Session:
    base = dict(
        target_kind="sandbox",
        host="127.0.0.1:8460",
        scheme="http",
        username="janis",
        gateway_id="gw-1a2b3",
        gateway_display_name="janis's Gateway",
        service="my-svc",
        upstream="http://127.0.0.1:8462",
        out_file="gw-config-client-cred.yaml",
        env_host="my-svc-dev-api-gov-bc-ca.localhost:8461",
        api_url="http://my-svc-dev-api-gov-bc-ca.localhost:8461/uuid",
        client_id="ABCDEF12-A1B2C3D4E5F",
        token_endpoint="http://127.0.0.1:8460/auth/realms/apigw/protocol/openid-connect/token",
    )
    base.update(values)
    return Session(**base)


def test_every_step_has_a_command() -> None:
    s = session()
    for step_id in STEP_IDS:
        assert equivalent(step_id, s).strip()
    with pytest.raises(KeyError):
        equivalent("nope", s)


def test_target_adds_scheme_only_for_http() -> None:
    assert equivalent("target", session()) == (
        "gwa config set host 127.0.0.1:8460\ngwa config set scheme http"
    )
    live = session(target_kind="test", host="api-gov-bc-ca.test.api.gov.bc.ca", scheme="https")
    assert equivalent("target", live) == "gwa config set host api-gov-bc-ca.test.api.gov.bc.ca"


def test_login_and_service_account_login() -> None:
    assert equivalent("login", session()) == "gwa login"
    sa = equivalent("login", session(login_method="client_credentials", client_id="sa-1"))
    assert sa == 'gwa login --client-id sa-1 --client-secret "$CSC"'


def test_gateway_name_is_shell_quoted() -> None:
    cmd = equivalent("gateway", session())
    assert cmd == 'gwa gateway create --display-name "janis\'s Gateway"'
    assert shlex.split(cmd)[-1] == "janis's Gateway"
    assert equivalent("gateway", session(gateway_display_name="")) == "gwa gateway create"


def test_template_command() -> None:
    assert equivalent("template", session()) == (
        "gwa generate-config --template client-credentials-shared-idp --service my-svc "
        "--upstream http://127.0.0.1:8462 --out gw-config-client-cred.yaml"
    )
    other = equivalent("template", session(org="ministry-of-x", org_unit="unit y"))
    assert "--org ministry-of-x --org-unit 'unit y'" in other


def test_review_apply_status() -> None:
    assert equivalent("review", session()).startswith("# Review gw-config-client-cred.yaml")
    assert equivalent("apply", session()) == "gwa apply -i gw-config-client-cred.yaml"
    assert equivalent("status", session()) == "gwa status --hosts"


def test_consumer_side_commands_keep_secrets_out() -> None:
    s = session()
    assert equivalent("try_it", s) == "curl -i http://my-svc-dev-api-gov-bc-ca.localhost:8461/uuid"
    creds = equivalent("credentials", s)
    assert creds.splitlines() == [
        'export CID="ABCDEF12-A1B2C3D4E5F"',
        'export CSC="<paste the Client Secret>"',
        f'export URL="{s.token_endpoint}"',
    ]
    assert equivalent("token", s) == TOKEN_REQUEST
    assert 'curl -X POST "$URL"' in TOKEN_REQUEST and "jq -r '.access_token'" in TOKEN_REQUEST
    assert equivalent("call", s) == (
        'curl http://my-svc-dev-api-gov-bc-ca.localhost:8461/uuid -H "Authorization: Bearer $TOKEN"'
    )
    assert equivalent("cleanup", s) == "gwa gateway current\ngwa gateway destroy --force"


def test_placeholders_before_values_exist() -> None:
    empty = Session()
    assert "<paste the Client ID>" in equivalent("credentials", empty)
    assert "<MYSERVICE>" in equivalent("try_it", empty)
    assert "--service '<service>'" in equivalent("template", empty)
    from_env_host = Session(target_kind="test", scheme="https", env_host="a-dev.example")
    assert equivalent("call", from_env_host).startswith("curl https://a-dev.example/uuid ")


def test_class_sandbox_on_another_machine_connects_to_it() -> None:
    s = session(host="10.0.0.5:8460")
    assert equivalent("try_it", s) == (
        "curl -i --connect-to my-svc-dev-api-gov-bc-ca.localhost:8461:10.0.0.5:8461 "
        "http://my-svc-dev-api-gov-bc-ca.localhost:8461/uuid"
    )
    assert equivalent("call", s).startswith("curl --connect-to my-svc-dev-api-gov-bc-ca.localhost")
    assert "--connect-to" not in equivalent("try_it", session(host="localhost:8460"))
    live = session(
        target_kind="test",
        host="api-gov-bc-ca.test.api.gov.bc.ca",
        scheme="https",
        api_url="https://my-svc-dev-api-gov-bc-ca.test.api.gov.bc.ca/uuid",
    )
    assert (
        equivalent("try_it", live)
        == "curl -i https://my-svc-dev-api-gov-bc-ca.test.api.gov.bc.ca/uuid"
    )


def test_quoting_is_readable_and_still_exact_for_bash() -> None:
    import subprocess

    from tui.services.shell_commands import _q

    for value in ("root's Gateway", "plain", "a b", "it's $HOME", 'x"y', "back\\slash's"):
        quoted = _q(value)
        echoed = subprocess.run(
            ["bash", "-c", f"printf %s {quoted}"], capture_output=True, text=True, check=True
        ).stdout
        assert echoed == value, (value, quoted)
    assert _q("root's Gateway") == '"root\'s Gateway"'
