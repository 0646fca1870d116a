"""The Review step's model: parse with lines, every validation message at its line, field
explanations, and what apply sends. Lines in Problems are 1-based; field_at is 0-based."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tui.services import manifest
from tui.services.manifest import (
    ManifestError,
    ManifestProblem,
    explain,
    field_at,
    parse,
    summarize,
    to_apply_payloads,
    validate,
)
from tui.services.templates import generate_config

GOLDEN = Path(__file__).parent / "golden"
GW = "gw-1a2b3"
CC = (GOLDEN / "cc-httpbin.yaml").read_text()  # generated for my-service / gw-1a2b3


def line_of(text: str, needle: str, nth: int = 0) -> int:
    """1-based number of the nth line containing needle."""
    hits = [i + 1 for i, line in enumerate(text.splitlines()) if needle in line]
    return hits[nth]


def only(problems: list[ManifestProblem], words: str) -> ManifestProblem:
    found = [p for p in problems if words in p.message]
    assert len(found) == 1, problems
    return found[0]


# --- parse / summarize ------------------------------------------------------------------------


def test_parse_generated_config_documents_and_lines() -> None:
    docs = parse(CC).documents
    assert [(d.kind, d.name, d.line) for d in docs] == [
        ("GatewayService", "my-service-dev", 1),
        ("CredentialIssuer", "gw-1a2b3 default", line_of(CC, "kind: CredentialIssuer")),
        ("DraftDataset", "my-service-dataset", line_of(CC, "kind: DraftDataset")),
        ("Product", "my-service API", line_of(CC, "kind: Product")),
    ]
    assert docs[0].end_line == line_of(CC, "http_method: null")
    assert docs[3].end_line == len(CC.splitlines())
    assert docs[1].data["inheritFrom"] == "Gold Shared IdP"
    assert summarize(CC) == [(d.kind, d.name, d.line) for d in docs]


def test_every_golden_file_is_valid_for_its_gateway() -> None:
    for path in GOLDEN.glob("*.yaml"):
        text = path.read_text()
        gateway = next(line for line in text.splitlines() if "ns.gw-" in line)
        gateway = gateway.split("ns.")[1].strip(" ]")
        problems = [p for p in validate(text, gateway) if p.severity == "error"]
        hosts_ok = "-." not in text and "\n- -" not in text and ".-" not in text
        if hosts_ok:
            assert problems == [], (path.name, problems)


def test_summarize_keeps_documents_before_a_syntax_error() -> None:
    broken = CC.replace("kind: Product\n", "kind: Product\n\tname: x\n")
    assert [kind for kind, _, _ in summarize(broken)] == [
        "GatewayService", "CredentialIssuer", "DraftDataset",
    ]  # fmt: skip


def test_yaml_reads_like_gwa() -> None:
    text = "kind: Product\nname: p\nflag: yes\nwhen: 2021-05-27\nok: true\n"
    data = parse(text).documents[0].data
    assert data == {"kind": "Product", "name": "p", "flag": "yes", "when": "2021-05-27", "ok": True}


MERGED = """kind: GatewayService
name: s-dev
shared: &shared
  tags: [ns.gw-1a2b3]
host: h.io
<<: *shared
routes:
  - <<: *shared
    name: s-dev
    hosts: [s.dev.api.gov.bc.ca]
"""


def test_merge_keys_count_like_yaml_loading() -> None:
    assert validate(MERGED, GW) == []
    data = parse(MERGED).documents[0].data
    assert data["tags"] == ["ns.gw-1a2b3"] and data["routes"][0]["tags"] == ["ns.gw-1a2b3"]
    assert field_at(MERGED, 3, 3) == ("GatewayService", "shared", "tags")
    assert field_at(MERGED, 7, 4) == ("GatewayService", "routes", "<<")
    twice = MERGED.replace("host: h.io\n", "host: h.io\nhost: x.io\n")
    assert only(validate(twice, GW), "already defined").line == 6


# --- syntax problems --------------------------------------------------------------------------


def test_tab_indentation_has_line_and_column() -> None:
    text = CC.replace("    strip_path: false", "\tstrip_path: false")
    problem = validate(text, GW)[0]
    assert problem.line == line_of(text, "strip_path")
    assert problem.column == 1
    assert "tab character" in problem.message and "spaces" in problem.message


def test_bad_indentation_has_line() -> None:
    text = CC.replace("    methods:", "   methods:")
    [problem] = validate(text, GW)
    assert problem.line == line_of(text, "   methods:")
    assert "indentation" in problem.message


def test_unexpected_colon() -> None:
    text = "kind: DraftDataset\nname: d\nnotes: Version: 2\n"
    [problem] = validate(text, GW)
    assert (problem.line, problem.column) == (3, 15)
    assert "quote a value" in problem.message


def test_parse_raises_manifest_error_with_the_problem() -> None:
    with pytest.raises(ManifestError) as caught:
        parse("kind: [unclosed\n")
    assert caught.value.problems and caught.value.problems[0].line >= 1
    assert caught.value.what.startswith(f"Line {caught.value.problems[0].line}")


def test_empty_file() -> None:
    assert validate("", GW) == [ManifestProblem(1, 1, validate("", GW)[0].message)]
    assert "no documents" in validate("# only a comment\n", GW)[0].message


def test_huge_input_is_refused_quickly() -> None:
    [problem] = validate("a: b\n" * 300_000, GW)
    assert "too large" in problem.message


def test_alias_bomb_is_a_problem_not_a_hang() -> None:
    lines = ['a: &a ["x","x","x","x","x","x","x","x","x","x"]']
    for i in range(1, 9):
        prev = chr(ord("a") + i - 1)
        cur = chr(ord("a") + i)
        lines.append(f"{cur}: &{cur} [" + ",".join(f"*{prev}" for _ in range(10)) + "]")
    [problem] = validate("\n".join(lines) + "\n", GW)
    assert "aliases" in problem.message
    with pytest.raises(ManifestError):
        to_apply_payloads("\n".join(lines) + "\n")


def test_recursive_alias_and_deep_nesting() -> None:
    assert "refers to the node that contains it" in validate("a: &x [*x]\n", GW)[0].message
    assert "nested too deeply" in validate("[" * 5000 + "]" * 5000, GW)[0].message


# --- document problems ------------------------------------------------------------------------


def test_document_without_kind() -> None:
    text = CC.replace("kind: DraftDataset\n", "")
    problem = only(validate(text, GW), "This config template is not supported")
    assert problem.line == line_of(text, "name: my-service-dataset")
    assert "no kind" in problem.message


def test_stray_separator_points_at_it() -> None:
    text = CC + "---\n"
    problem = only(validate(text, GW), "This config template is not supported")
    assert problem.line == len(text.splitlines())
    assert "stray ---" in problem.message


def test_unknown_kind_suggests_the_right_one() -> None:
    text = CC.replace("kind: Product", "kind: Prodcut")
    problem = only(validate(text, GW), "Unknown kind")
    assert problem.line == line_of(text, "Prodcut")
    assert 'Did you mean "Product"?' in problem.message


def test_environment_kind_warns() -> None:
    text = CC + "---\nkind: Environment\nname: dev\n"
    problem = only(validate(text, GW), "no v3 route")
    assert problem.severity == "warning" and problem.line == line_of(text, "kind: Environment")


def test_duplicate_key() -> None:
    text = CC.replace("retries: 0\n", "retries: 0\nretries: 1\n")
    problem = only(validate(text, GW), "already defined")
    assert problem.message == 'mapping key "retries" already defined at line 7'
    assert problem.line == 8


def test_duplicate_names_and_missing_name() -> None:
    text = CC + "---\nkind: CredentialIssuer\nname: gw-1a2b3 default\n"
    assert only(validate(text, GW), "already named").line == len(text.splitlines())
    text = CC.replace("name: my-service API\n", "")
    assert only(validate(text, GW), "needs a name").line == line_of(text, "kind: Product")


def test_unknown_portal_field_is_a_422() -> None:
    text = CC.replace("license_title:", "licence_title:")
    problem = only(validate(text, GW), "no field")
    assert problem.line == line_of(text, "licence_title")
    assert "(422)" in problem.message and 'Did you mean "license_title"?' in problem.message


# --- GatewayService (gwa-api wording) -----------------------------------------------------------


def test_service_without_tags() -> None:
    text = CC.replace("tags: [ns.gw-1a2b3]\nhost:", "host:")
    problem = only(validate(text, GW), "no tags found")
    assert problem.message.startswith(".services.my-service-dev no tags found")
    assert problem.line == 1


def test_tags_of_another_gateway() -> None:
    problems = validate(CC, "gw-other")
    missing = [p for p in problems if "missing required tag ns.gw-other" in p.message]
    assert [p.line for p in missing] == [
        3, line_of(CC, "tags:", 1), line_of(CC, "tags:", 2), line_of(CC, "tags:", 3),
    ]  # fmt: skip
    assert missing[0].message.startswith(".services.my-service-dev missing required tag")
    assert missing[1].message.startswith(".services.my-service-dev.routes.my-service-dev ")
    assert missing[2].message.startswith(".services.my-service-dev.plugins.jwt-keycloak ")
    invalid = [p for p in problems if "invalid ns tag ns.gw-1a2b3" in p.message]
    assert len(invalid) == 4


def test_qualified_tag_is_accepted() -> None:
    text = CC.replace("[ns.gw-1a2b3]", "[ns.gw-1a2b3.dev]")
    assert validate(text, GW) == []


def test_route_without_hosts() -> None:
    text = CC.replace("    hosts:\n      - my-service.dev.api.gov.bc.ca\n", "")
    problem = only(validate(text, GW), "A host must be specified")
    assert problem.message == (
        "service.my-service-dev.route.my-service-dev A host must be specified for routes."
    )
    assert problem.line == line_of(text, "- name: my-service-dev")


def test_host_outside_the_domain() -> None:
    text = CC.replace("- my-service.dev.api.gov.bc.ca", "- my-service.example.com")
    problem = only(validate(text, GW), "Host invalid")
    assert problem.message == (
        "Host invalid: my-service-dev my-service.example.com.  Route hosts must end with one "
        "of [.api.gov.bc.ca] for this gateway."
    )
    assert (problem.line, problem.column) == (line_of(text, "example.com"), 9)


def test_route_field_problems() -> None:
    text = CC.replace("      - GET", "      - get").replace("strip_path: false", "strip_path: no")
    problems = validate(text, GW)
    assert only(problems, "not an HTTP method").line == line_of(text, "- get")
    assert only(problems, "strip_path must be true or false").line == line_of(text, "strip_path")


def test_live_targets_refuse_a_local_upstream() -> None:
    text = generate_config("client-credentials-shared-idp", "svc", "http://127.0.0.1", GW)
    assert validate(text, GW) == []
    problem = only(validate(text, GW, live=True), "service upstream is invalid (e1)")
    assert problem.line == line_of(text, "host: 127.0.0.1")
    text = generate_config("quick-start", "svc", "http://localhost:8462/x", GW)
    assert validate(text, GW) == []
    problem = only(validate(text, GW, live=True), "service upstream is invalid (e1)")
    assert problem.line == line_of(text, "url: http://localhost")


def test_host_with_port_from_gwa_quirk() -> None:
    # gwa writes URL.Host, port included; real Kong's service schema refuses a host with a port
    text = (GOLDEN / "cc-port-path-punct.yaml").read_text()
    live = only(validate(text, GW, live=True), "host must not have a port")
    assert live.line == line_of(text, "host: x.com:8000")
    assert "Write host: x.com and put 8000 in port:" in live.message
    assert live.severity == "error" and "Sync Failed." in live.message
    # A gwa-wizard sandbox accepts exactly gwa's shape (host h:p with port p) ...
    assert [p for p in validate(text, GW) if "port" in p.message] == []
    # ... but not a host whose port disagrees with port:
    odd = text.replace("port: 8000", "port: 9000")
    assert only(validate(odd, GW), "host must not have a port").severity == "error"


def test_the_sandbox_upstream_with_its_port_is_accepted_on_a_sandbox_only() -> None:
    text = (GOLDEN / "cc-sandbox-loopback.yaml").read_text()
    assert [p for p in validate(text, GW) if "port" in p.message] == []
    assert only(validate(text, GW, live=True), "host must not have a port").severity == "error"


# --- enums and references ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("old", "new", "words"),
    [
        ("flow: client-credentials\nmode", "flow: client-credential\nmode",
         'Did you mean "client-credentials"?'),
        ("mode: auto", "mode: manual", "mode is \"manual\""),
        ("clientAuthenticator: client-secret", "clientAuthenticator: secret",
         "client-secret, client-jwt, client-jwt-jwks-url"),
        ("security_class: PUBLIC", "security_class: public", 'Did you mean "PUBLIC"?'),
        ("view_audience: Government", "view_audience: everyone", "view_audience is"),
        ("  - name: dev", "  - name: development", "environment name is \"development\""),
        ("    flow: client-credentials\n    credentialIssuer",
         "    flow: oauth\n    credentialIssuer", "flow is \"oauth\""),
        ("    approval: false", "    approval: 'false'", "approval must be true or false"),
    ],
)  # fmt: skip
def test_enum_problems(old: str, new: str, words: str) -> None:
    assert old in CC
    text = CC.replace(old, new, 1)
    problem = only(validate(text, GW), words)
    changed_line = new.split("\n")[0].strip()
    assert problem.line == line_of(text, changed_line)
    assert problem.severity == "error"


def test_product_references() -> None:
    text = CC.replace("services: [my-service-dev]", "services: [my-servce-dev]")
    problem = only(validate(text, GW), "is not a GatewayService name")
    assert problem.line == line_of(text, "services: [my-servce-dev]")
    assert "Failed to find my-servce-dev in allGatewayServices" in problem.message
    assert 'Did you mean "my-service-dev"?' in problem.message

    text = CC.replace("credentialIssuer: gw-1a2b3 default", "credentialIssuer: gw-1a2b3 dflt")
    problem = only(validate(text, GW), "is not a CredentialIssuer in this file")
    assert problem.line == line_of(text, "credentialIssuer:")

    text = CC.replace("dataset: my-service-dataset", "dataset: other-dataset")
    problem = only(validate(text, GW), "is not a DraftDataset in this file")
    assert problem.severity == "warning" and problem.line == line_of(text, "dataset: other")


def test_client_credentials_flow_needs_an_issuer() -> None:
    text = CC.replace("    credentialIssuer: gw-1a2b3 default\n", "")
    problem = only(validate(text, GW), "needs credentialIssuer")
    assert problem.line == line_of(text, "  - name: dev")


def test_allowed_aud_must_match_issuer_and_environment() -> None:
    text = CC.replace("credentialIssuer: gw-1a2b3 default", "credentialIssuer: team issuer")
    text = text.replace("name: gw-1a2b3 default", "name: team issuer")
    problem = only(validate(text, GW), "allowed_aud does not match")
    assert problem.severity == "warning"
    assert problem.line == line_of(text, "allowed_aud:")
    assert "Set allowed_aud: ap-team-issuer-dev." in problem.message
    renamed_env = CC.replace("  - name: dev", "  - name: test")
    assert "ap-gw-1a2b3-default-test" in only(validate(renamed_env, GW), "allowed_aud").message


# --- field_at / explain -----------------------------------------------------------------------


def test_field_at_uses_zero_based_cursor() -> None:
    row = line_of(CC, "allowed_aud") - 1
    assert field_at(CC, row, 8) == (
        "GatewayService", "plugins", "jwt-keycloak", "config", "allowed_aud",
    )  # fmt: skip
    assert field_at(CC, 0, 0) == ("GatewayService", "kind")
    assert field_at(CC, 2, 10) == ("GatewayService", "tags")
    host_row = line_of(CC, "- my-service.dev") - 1
    assert field_at(CC, host_row, 10) == ("GatewayService", "routes", "hosts")
    assert field_at(CC, line_of(CC, "---") - 1, 0) is None
    env_flow = line_of(CC, "    flow: client-credentials") - 1
    assert field_at(CC, env_flow, 4) == ("Product", "environments", "flow")
    assert field_at(CC, 10_000, 0) is None
    assert field_at("kind: [broken", 0, 0) is None


def test_field_at_on_indentation_and_line_end() -> None:
    row = line_of(CC, "strip_path") - 1
    assert field_at(CC, row, 0) == ("GatewayService", "routes", "strip_path")
    assert field_at(CC, row, 200) == ("GatewayService", "routes", "strip_path")


@pytest.mark.parametrize(
    ("needle", "words"),
    [
        ("allowed_aud", "ap-<issuer client id>-<environment>"),
        ("allowed_iss", "issuers the gateway trusts"),
        ("tags: [ns", "ns.<gateway id>"),
        ("- name: jwt-keycloak", "valid JWT"),
        ("- name: request-transformer", "does nothing"),
        ("consumer_match_ignore_not_found", "unknown client is still refused"),
        ("consumer_match_claim:", "azp"),
        ("claims_to_verify", "exp"),
        ("uri_param_names", "?jwt="),
        ("strip_path", "forwards the path unchanged"),
        ("methods:", "GET only"),
        ("    hosts:", ".api.gov.bc.ca"),
        ("host: httpbin", "upstream's host"),
        ("port: 443", "443 for https"),
        ("protocol:", "https or http"),
        ("retries", "never"),
        ("inheritFrom", "shared Keycloak realm"),
        ("clientAuthenticator", "client-secret"),
        ("mode: auto", "no manual step"),
        ("authPlugin", "jwt-keycloak"),
        ("name: gw-1a2b3 default", "kebab-case"),
        ("security_class", "security class"),
        ("view_audience", "Who may see"),
        ("dataset: my-service-dataset", "Directory card"),
        ("    active:", "not listed in the Directory"),
        ("    approval:", "granted at once"),
        ("    flow: client-credentials", "client ID and secret"),
        ("credentialIssuer:", "issues consumers' credentials"),
        ("services: [", "GatewayServices (by name)"),
        ("name: my-service API", "as consumers see it"),
        ("kind: CredentialIssuer", "Authorization Profile"),
        ("  - name: dev", "dev, test, prod"),
        ("  - name: my-service-dev", "error messages"),
    ],
)
def test_every_field_of_the_generated_file_is_explained(needle: str, words: str) -> None:
    row = line_of(CC, needle) - 1
    column = len(CC.splitlines()[row]) - len(CC.splitlines()[row].lstrip()) + 1
    path = field_at(CC, row, column)
    assert path is not None
    text = explain(path)
    assert text is not None and words in text, (path, text)


def test_explain_bare_terms_and_unknowns() -> None:
    assert explain(("ns.gw-1a2b3",)) == explain(("tags",))
    assert "valid JWT" in (explain(("jwt-keycloak",)) or "")
    assert explain(("?", "no-such-field")) is None
    assert explain(()) is None
    assert explain(("CredentialIssuer", "flow")) != explain(("Product", "environments", "flow"))


def test_every_key_of_every_golden_file_has_an_explanation() -> None:
    # the jwt-keycloak options that are null in the templates are left unexplained on purpose
    unexplained = {"http_method", "scope", "roles", "realm_roles", "client_roles", "anonymous"}
    missing = set()
    for path in GOLDEN.glob("*.yaml"):
        text = path.read_text()
        for row, line in enumerate(text.splitlines()):
            if not re.match(r"^[ ]*(?:- )?[A-Za-z_]+:", line):
                continue  # not a key line (list item, notes text, ---)
            found = field_at(text, row, 0)
            assert found is not None, (path.name, row, line)
            if found[-1] not in unexplained and explain(found) is None:
                missing.add(found)
    assert missing == set()


# --- apply payloads ---------------------------------------------------------------------------


def test_apply_payloads_match_gwa_order_and_shape() -> None:
    text = CC + "---\nkind: Widget\nname: w\n"
    payloads = to_apply_payloads(text)
    assert [(p.kind, p.name, p.action) for p in payloads] == [
        ("GatewayService", "Gateway Services", "gateway"),
        ("CredentialIssuer", "gw-1a2b3 default", "issuer"),
        ("DraftDataset", "my-service-dataset", "dataset"),
        ("Product", "my-service API", "product"),
        ("Widget", "w", None),
    ]
    services = payloads[0].body["services"]
    assert len(services) == 1 and "kind" not in services[0]
    assert services[0]["plugins"][0]["config"]["allowed_aud"] == "ap-gw-1a2b3-default-dev"
    assert all("kind" not in p.body for p in payloads)
    assert payloads[2].body["record_publish_date"] == "2021-05-27"
    json.dumps([p.body for p in payloads])  # all JSON-ready
    assert [p.line for p in payloads][:2] == [1, line_of(CC, "kind: CredentialIssuer")]


def test_apply_payloads_are_json_even_for_tagged_values() -> None:
    text = "kind: DraftDataset\nname: d\nwhen: !!timestamp 2021-05-27\nblob: !!binary aGk=\n"
    [payload] = to_apply_payloads(text)
    assert json.loads(json.dumps(payload.body)) == {"name": "d", "when": "2021-05-27", "blob": "hi"}


def test_apply_payloads_merge_services_even_when_later_in_the_file() -> None:
    second = generate_config("kong-httpbin", "other", "https://h.io", GW)
    product_first = CC.split("---\n")[3] + "---\n" + CC.split("---\n")[0] + "---\n" + second
    payloads = to_apply_payloads(product_first)
    assert [p.kind for p in payloads] == ["GatewayService", "Product"]
    assert [s["name"] for s in payloads[0].body["services"]] == ["my-service-dev", "other-dev"]


def test_apply_payloads_stop_where_gwa_stops() -> None:
    with pytest.raises(ManifestError) as caught:
        to_apply_payloads(CC + "---\n")
    assert caught.value.what == "This config template is not supported"
    with pytest.raises(ManifestError):
        to_apply_payloads("kind: [")


def test_save_atomic(tmp_path: Path) -> None:
    target = tmp_path / "work" / "gw.yaml"
    manifest.save_atomic(target, CC)
    assert target.read_text() == CC


# --- properties -------------------------------------------------------------------------------

_yamlish = st.text(alphabet=st.sampled_from(list("ab:- \n\t[]{}&*!|>'\"#%@`,?~0.")), max_size=80)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(st.text(max_size=200), _yamlish))
def test_parse_only_ever_raises_manifest_error(text: str) -> None:
    try:
        parse(text)
    except ManifestError as exc:
        assert exc.problems and all(p.line >= 1 and p.column >= 1 for p in exc.problems)
    problems = validate(text, GW)
    assert all(isinstance(p, ManifestProblem) and p.line >= 1 for p in problems)
    summarize(text)
    field_at(text, 0, 0)


@settings(max_examples=100, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, len(CC)), st.text(alphabet=st.sampled_from(list(" \t:-[]\n#x")), max_size=5))
def test_edits_of_the_real_file_never_crash(position: int, insert: str) -> None:
    text = CC[:position] + insert + CC[position:]
    for problem in validate(text, GW):
        assert 1 <= problem.line <= len(text.splitlines()) + 1
    rows = text.splitlines()
    for row in range(0, len(rows), 7):
        field_at(text, row, 4)
