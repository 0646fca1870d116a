from __future__ import annotations

import pytest

from tui.services.errors import WizardError
from tui.services.target import PROD_HOST, TEST_HOST, Target, host_problem, parse_host


def test_known_hosts_get_their_labels() -> None:
    assert parse_host(TEST_HOST).label == "APS test"
    assert parse_host(TEST_HOST).kind == "test"
    assert parse_host("API.gov.bc.ca").label == "APS production"
    assert parse_host(PROD_HOST).base_url == "https://api.gov.bc.ca"


def test_custom_host_with_port_and_http() -> None:
    target = parse_host(" classroom.example:8460 ", scheme="http")
    assert target == Target("custom", "classroom.example:8460", "http")
    assert target.label == "classroom.example:8460"
    assert target.base_url == "http://classroom.example:8460"
    assert target.hostname == "classroom.example"


def test_sandbox_target_is_plain_http() -> None:
    target = Target.sandbox("127.0.0.1:8460")
    assert target.label == "sandbox"
    assert target.base_url == "http://127.0.0.1:8460"
    assert not target.is_live


@pytest.mark.parametrize(
    "text",
    ["https://api-gov-bc-ca.test.api.gov.bc.ca", "http://localhost:8080", "HTTPS://api.gov.bc.ca"],
)
def test_scheme_in_host_is_refused_with_the_reason(text: str) -> None:
    with pytest.raises(WizardError) as info:
        parse_host(text)
    assert "without http:// or https://" in info.value.why
    assert "scheme is a separate setting" in info.value.why


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("", "Type a host name"),
        ("api.gov.bc.ca/ds/api", "no slashes"),
        ("my host", "spaces"),
        ("bad_host!", "not a valid host name"),
        ("host:99999", "between 1 and 65535"),
    ],
)
def test_host_problems(text: str, needle: str) -> None:
    problem = host_problem(text)
    assert problem is not None and needle in problem


def test_unknown_scheme_is_refused() -> None:
    with pytest.raises(WizardError, match="Unknown scheme"):
        parse_host("api.gov.bc.ca", scheme="ftp")
