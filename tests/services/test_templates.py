"""generate-config v3 byte for byte, the Template step's field checks, and availability.

How the golden files in ``golden/`` were derived
-------------------------------------------------
Each file is the exact output of gwa-cli's own templates (bcgov/gwa-cli at commit
7624f83fb633c88dbed0a9b2eef0a2794a0f95a6: ``cmd/templates/<name>.go.tmpl``, executed the way
``cmd/generateConfig.go`` ``GenerateConfig`` does: ``text/template`` with the FuncMap of
``pkg/template.go`` and the options struct after ``ParseUpstream``), rendered by Go 1.19's
``text/template`` and ``net/url`` for the inputs in ``GOLDEN`` below. They were then read
against the templates by hand:

* ``{{- if .UpstreamUrl.Path }}`` trims the newline and indent before it, so with a path the
  ``paths: [<Path>]`` line follows the host line, and without one nothing is written
  (``https://httpbin.org`` has an empty Path; ``https://httpbin.org/`` has ``/``).
* ``.UpstreamUrl.Host`` is ``x.com:8000`` for ``https://x.com:8000/api`` (port kept) and
  ``.UpstreamPort`` is the explicit port, else 443 (https) or 80.
* ``kebabCase`` replaces each run of non-alphanumerics with ``-`` and lower-cases, keeping a
  trailing ``-``: ``My Service!`` → ``my-service-`` → names ``my-service--dev``.
* kong-httpbin writes ``tags: [ ns.G ]`` with inner spaces and always ``paths: [/]``.
* quick-start writes ``url: {{ .UpstreamUrl }}``, i.e. Go's ``URL.String()``: the path
  ``/a b/%7Ex`` comes back as ``/a%20b/~x`` while ``paths:`` gets the decoded ``/a b/~x``.
* Every template file ends with one newline, and so does the output.
"""

from __future__ import annotations

import os
from pathlib import Path

import httpx
import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from tui.services import templates
from tui.services.errors import WizardError
from tui.services.templates import (
    Availability,
    check_availability,
    generate_config,
    kebab_case,
    out_file_problem,
    service_problem,
    template_problem,
    upstream_problem,
    write_config,
)

GOLDEN_DIR = Path(__file__).parent / "golden"
ORG, UNIT = "ministry-of-citizens-services", "databc"

# file stem: (template, service, upstream, gateway, org, org unit)
GOLDEN = {
    "cc-httpbin": ("client-credentials-shared-idp", "my-service", "https://httpbin.org",
                   "gw-1a2b3", ORG, UNIT),
    "cc-port-path-punct": ("client-credentials-shared-idp", "My Service!",
                           "https://x.com:8000/api", "gw-1a2b3", ORG, UNIT),
    "cc-sandbox-loopback": ("client-credentials-shared-idp", "example-protected-service",
                            "http://127.0.0.1:8462", "gw-de82c", ORG, UNIT),
    "cc-trailing-slash-org": ("client-credentials-shared-idp", "Orders_API v2",
                              "https://httpbin.org/", "gw-00aa1", "my-org", "my-unit"),
    "kong-httpbin": ("kong-httpbin", "my-service", "https://httpbin.org", "gw-1a2b3", ORG, UNIT),
    "kong-port-path-punct": ("kong-httpbin", "My Service!", "https://x.com:8000/api",
                             "gw-1a2b3", ORG, UNIT),
    "qs-httpbin": ("quick-start", "my-service", "https://httpbin.org", "gw-1a2b3", ORG, UNIT),
    "qs-port-path-punct": ("quick-start", "My Service!", "https://x.com:8000/api", "gw-1a2b3",
                           ORG, UNIT),
    "qs-loopback-escaped-path": ("quick-start", "(weather) feed",
                                 "http://127.0.0.1:8462/a b/%7Ex", "gw-de82c", ORG, UNIT),
}  # fmt: skip


@pytest.mark.parametrize("stem", sorted(GOLDEN))
def test_output_is_byte_for_byte_gwa(stem: str) -> None:
    template, service, upstream, gateway, org, unit = GOLDEN[stem]
    expected = (GOLDEN_DIR / f"{stem}.yaml").read_bytes()
    text = generate_config(template, service, upstream, gateway, org=org, org_unit=unit)
    assert text.encode("utf-8") == expected


def test_golden_files_are_all_covered() -> None:
    assert {p.stem for p in GOLDEN_DIR.glob("*.yaml")} == set(GOLDEN)


def test_defaults_are_gwa_org_and_unit() -> None:
    text = generate_config("client-credentials-shared-idp", "s", "https://h.io", "gw-1")
    assert "organization: ministry-of-citizens-services\norganizationUnit: databc\n" in text


def test_host_keeps_port_and_default_ports() -> None:
    with_port = generate_config("kong-httpbin", "s", "https://x.com:8000", "gw-1")
    assert "host: x.com:8000\nport: 8000\nprotocol: https\n" in with_port
    https = generate_config("kong-httpbin", "s", "https://x.com", "gw-1")
    assert "host: x.com\nport: 443\n" in https
    http = generate_config("kong-httpbin", "s", "http://x.com", "gw-1")
    assert "host: x.com\nport: 80\nprotocol: http\n" in http
    # an empty port after the colon is no port: default again, host keeps the colon
    assert "host: x.com:\nport: 443\n" in generate_config(
        "kong-httpbin", "s", "https://x.com:", "g"
    )


def test_paths_only_when_the_upstream_has_a_path() -> None:
    bare = generate_config("client-credentials-shared-idp", "s", "https://h.io", "gw-1")
    assert "paths:" not in bare
    assert "      - s.dev.api.gov.bc.ca\n    methods:\n" in bare
    slash = generate_config("client-credentials-shared-idp", "s", "https://h.io/", "gw-1")
    assert "      - s.dev.api.gov.bc.ca\n    paths: [/]\n    methods:\n" in slash
    qs = generate_config("quick-start", "s", "https://h.io", "gw-1")
    assert "      - s.dev.api.gov.bc.ca\n---\n" in qs
    assert "Development environment: https://s.dev.api.gov.bc.ca\n" in qs
    qs_path = generate_config("quick-start", "s", "https://h.io/v1", "gw-1")
    assert "    paths: [/v1]\n---\n" in qs_path
    assert "Development environment: https://s.dev.api.gov.bc.ca/v1\n" in qs_path


def test_documents_parse_and_link_by_name() -> None:
    text = generate_config("client-credentials-shared-idp", "My Svc", "https://h.io", "gw-9z")
    docs = list(yaml.safe_load_all(text))
    assert [d["kind"] for d in docs] == [
        "GatewayService", "CredentialIssuer", "DraftDataset", "Product",
    ]  # fmt: skip
    service, issuer, dataset, product = docs
    assert service["plugins"][0]["config"]["allowed_aud"] == "ap-gw-9z-default-dev"
    env = product["environments"][0]
    assert env["services"] == [service["name"]] == ["my-svc-dev"]
    assert env["credentialIssuer"] == issuer["name"] == "gw-9z default"
    assert product["dataset"] == dataset["name"] == "my-svc-dataset"
    assert product["name"] == "My Svc API" and dataset["title"] == "My Svc"
    assert (
        len(list(yaml.safe_load_all(generate_config("kong-httpbin", "s", "https://h", "g")))) == 1
    )
    assert len(list(yaml.safe_load_all(generate_config("quick-start", "s", "https://h", "g")))) == 3


def test_quick_start_url_is_go_string_form() -> None:
    text = generate_config("quick-start", "s", "HTTPS://Example.COM:8443/a%2Fb?x=1", "gw-1")
    # Go lower-cases the scheme only, keeps RawPath when the escaping differs, keeps the query
    assert "url: https://Example.COM:8443/a%2Fb?x=1\nprotocol: https\n" in text
    assert "    paths: [/a/b]\n" in text


def test_unknown_template_and_unparseable_upstream_raise() -> None:
    with pytest.raises(WizardError) as bad_template:
        generate_config("quickstart", "s", "https://h.io", "gw-1")
    assert bad_template.value.what == "quickstart is not a valid template"
    with pytest.raises(WizardError) as bad_url:
        generate_config("kong-httpbin", "s", "https://h.io:80a", "gw-1")
    assert 'invalid port ":80a" after host' in bad_url.value.why


def test_missing_scheme_renders_like_gwa() -> None:
    # gwa accepts "httpbin.org": no scheme, no host, the text becomes the path (guide step 5)
    text = generate_config("kong-httpbin", "s", "httpbin.org", "gw-1")
    assert "host: \nport: 80\nprotocol: \n" in text


# --- kebab_case -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "kebab"),
    [
        ("my service!", "my-service-"),
        ("MY-SERVICE-NAME", "my-service-name"),
        ("my_service", "my-service"),
        ("myService", "myservice"),
        ("  two  spaces ", "-two-spaces-"),
        ("Crème brûlée", "cr-me-br-l-e"),
        ("gw-1a2b3-default", "gw-1a2b3-default"),
        ("", ""),
    ],
)
def test_kebab_case_examples(raw: str, kebab: str) -> None:
    assert kebab_case(raw) == kebab


@given(st.text())
def test_kebab_case_is_idempotent_and_uses_a_small_charset(text: str) -> None:
    once = kebab_case(text)
    assert kebab_case(once) == once
    assert set(once) <= set("abcdefghijklmnopqrstuvwxyz0123456789-")
    assert "--" not in once
    assert len(once) <= len(text)


# --- field checks -----------------------------------------------------------------------------


def test_template_problem() -> None:
    assert template_problem("quick-start") is None
    assert template_problem("kong") == "kong is not a valid template"
    assert set(templates.TEMPLATES) == {
        "client-credentials-shared-idp", "kong-httpbin", "quick-start",
    }  # fmt: skip
    assert all(desc and "\n" not in desc for desc in templates.TEMPLATES.values())


@pytest.mark.parametrize(
    "url", ["https://httpbin.org", "http://127.0.0.1:8462", "https://x.com:8000/api", "https://h/"]
)
def test_upstream_ok(url: str) -> None:
    assert upstream_problem(url) is None


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("", "Enter the URL"),
        ("httpbin.org", "Include the scheme, like https://httpbin.org"),
        ("https:/httpbin.org", "two slashes"),
        ("ftp://files.example", "must be http or https"),
        ("https://", "needs a host name"),
        ("https://:8000/x", "needs a host name"),
        ("https://x.com:99999", "out of range"),
        ("https://x.com:8o", "not a valid URL"),
        ("https://bad host.com", "not a valid URL"),
        ("https://u:p@x.com", "user name and password"),
        ("http://localhost:80:80/", "more than one ':'"),
        ("https://x.com/?a=1", "?query"),
        (" https://x.com", "spaces"),
        ("https://x.com/a b", "spaces"),
    ],
)
def test_upstream_problems(url: str, words: str) -> None:
    problem = upstream_problem(url)
    assert problem is not None and words in problem


@pytest.mark.parametrize("name", ["my-service", "Orders API", "svc2", "a", "myservice"])
def test_service_ok(name: str) -> None:
    assert service_problem(name) is None


@pytest.mark.parametrize(
    ("name", "words"),
    [
        ("", "Enter a service name"),
        ("   ", "Enter a service name"),
        ("<MYSERVICE>", "placeholder"),
        ("my-<service>", "placeholder"),
        ("MYSERVICE", "placeholder"),
        ("${SERVICE}", "placeholder"),
        (" my-service", "spaces before or after"),
        ("my service!", "my-service-.dev.api.gov.bc.ca"),
        ("-svc", "start and end with a letter or digit"),
        ("x" * 46, "shorter"),
    ],
)
def test_service_problems(name: str, words: str) -> None:
    problem = service_problem(name)
    assert problem is not None and words in problem


@pytest.mark.parametrize("name", ["gw-config.yaml", "out/cfg.yml", "gw config.yaml"])
def test_out_file_ok(name: str) -> None:
    assert out_file_problem(name) is None


@pytest.mark.parametrize(
    ("name", "words"),
    [
        ("", "Enter a file name"),
        ("gw-config.json", "Only YAML files are accepted"),
        ("gw-config.yaml.bak", "Only YAML files are accepted"),
        ("/tmp/gw-config.yaml", "relative"),
        ("C:\\cfg\\gw.yaml", "relative"),
        ("~/gw.yaml", "relative"),
        ("../gw-config.yaml", "'..'"),
        ("a/../../gw.yml", "'..'"),
        (".yaml", "name before the extension"),
    ],
)
def test_out_file_problems(name: str, words: str) -> None:
    problem = out_file_problem(name)
    assert problem is not None and words in problem


# --- write_config -----------------------------------------------------------------------------


def test_write_config_writes_and_replaces(tmp_path: Path) -> None:
    target = tmp_path / "sub" / "gw-config.yaml"
    text = generate_config("kong-httpbin", "s", "https://h.io", "gw-1")
    assert write_config(text, target) == target
    assert target.read_bytes() == text.encode()
    write_config("kind: Product\n", target)
    assert target.read_text() == "kind: Product\n"
    assert [p.name for p in target.parent.iterdir()] == ["gw-config.yaml"]


def test_write_config_failure_keeps_old_file_and_no_temp(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "work"
    folder.mkdir()
    target = folder / "gw-config.yaml"
    target.write_text("old\n")

    def broken_replace(src: str, dst: str) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(OSError):
        write_config("new\n", target)
    assert target.read_text() == "old\n"
    assert [p.name for p in folder.iterdir()] == ["gw-config.yaml"]


def test_write_config_keeps_raw_bytes_from_the_path(tmp_path: Path) -> None:
    # %FF decodes to the byte 0xFF, which gwa writes into the file unchanged
    text = generate_config("kong-httpbin", "s", "https://h.io/%FF", "gw-1")
    write_config(text, tmp_path / "x.yaml")
    text2 = generate_config("client-credentials-shared-idp", "s", "https://h.io/%FF", "gw-1")
    write_config(text2, tmp_path / "y.yaml")
    assert b"    paths: [/\xff]\n" in (tmp_path / "y.yaml").read_bytes()


# --- availability -----------------------------------------------------------------------------


class _MockClient:
    """Stands in for ApiClient.request where the sandbox cannot produce the answer."""

    def __init__(self, handler) -> None:  # type: ignore[no-untyped-def]
        self.calls: list[dict[str, object]] = []
        self._http = httpx.AsyncClient(
            transport=httpx.MockTransport(handler), base_url="https://portal.test"
        )

    async def request(self, method: str, path: str, **kwargs: object) -> httpx.Response:
        self.calls.append({"method": method, "path": path, **kwargs})
        return await self._http.request(method, path)


async def test_availability_html_answer_is_a_wizard_error() -> None:
    client = _MockClient(lambda request: httpx.Response(200, text="<html>login</html>"))
    with pytest.raises(WizardError) as caught:
        await check_availability(client, "gw-1", "svc")
    assert "not understood" in caught.value.what
    assert client.calls[0]["action"] == "Check the service name"
    assert client.calls[0]["auth"] is True


async def test_availability_sends_the_name_as_typed() -> None:
    seen: list[httpx.URL] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.url)
        return httpx.Response(200, json={"available": True, "suggestion": {"serviceName": "x"}})

    client = _MockClient(handler)
    result = await check_availability(client, "gw-1", "My Svc&co")
    assert result == Availability(available=True, suggestion="x", hosts=[], names=[])
    assert seen[0].path == "/ds/api/v3/routes/availability"
    assert dict(seen[0].params) == {"gatewayId": "gw-1", "serviceName": "My Svc&co"}


def test_unavailable_message_is_gwa_wording() -> None:
    text = templates.unavailable_message("svc", Availability(False, "gw-1-svc"))
    assert text == (
        "Checking service availability: Service svc is already in use. Suggestion: gw-1-svc"
    )


async def test_availability_against_the_sandbox(sandbox) -> None:  # type: ignore[no-untyped-def]
    import json
    import uuid

    from tui.services.http import ApiClient
    from tui.services.target import Target

    client = ApiClient(Target.sandbox(sandbox.info.portal_host))
    name = f"avail-{uuid.uuid4().hex[:8]}"
    try:
        free = await check_availability(client, "gw-aaaa1", name)
        assert free.available is True
        assert free.suggestion == name
        assert f"{name}.dev.api.gov.bc.ca" in free.hosts

        # another gateway publishes a route on that name's host: the name is now taken
        doc = {"name": f"{name}-dev", "routes": [
            {"name": f"{name}-dev", "hosts": [f"{name}.dev.api.gov.bc.ca"]},
        ]}  # fmt: skip
        with sandbox.ctx.db.transaction() as conn:
            conn.execute(
                "INSERT INTO kong_services (gateway_id, name, id, doc) VALUES (?, ?, ?, ?)",
                ("gw-other", f"{name}-dev", str(uuid.uuid4()), json.dumps(doc)),
            )
        taken = await check_availability(client, "gw-aaaa1", name)
        assert taken.available is False
        assert taken.suggestion == f"gw-aaaa1-{name}"
        assert templates.unavailable_message(name, taken).endswith(f"Suggestion: gw-aaaa1-{name}")
    finally:
        await client.aclose()
