"""Wording the learner reads: plurals, published resources, the portal's numbered details."""

from __future__ import annotations

import httpx

from tui.services.errors import WizardError, detail_note
from tui.services.network_errors import network_error
from tui.services.wording import plural, published_list
from tui.widgets.error_panel import error_content


def test_counts_read_as_english_never_problem_s() -> None:
    assert plural(1, "problem") == "1 problem"
    assert plural(0, "document") == "0 documents"
    assert plural(4, "document") == "4 documents"


def test_the_published_list_does_not_say_gatewayservice_gateway_services() -> None:
    keys = ["GatewayService Gateway Services", "CredentialIssuer svc-auth", "Product svc API"]
    text = published_list(keys)
    assert "GatewayService Gateway Services" not in text
    assert text == "Gateway Services (Kong), CredentialIssuer svc-auth, Product svc API"


def test_a_raw_d0_prefix_is_kept_and_explained() -> None:
    detail = "d0: Gateway ID is already taken"
    shown = str(error_content(WizardError("Create the gateway failed", detail=detail), False))
    assert "d0: Gateway ID is already taken" in shown  # the raw text stays
    assert "numbers the details of one refusal" in shown
    assert detail_note("Unauthorized") == ""  # nothing to explain: no note


def test_only_an_http_answer_is_labelled_what_the_server_said() -> None:
    """A timeout or a refused connection has no answer: its detail is the client's own."""
    request = httpx.Request("POST", "http://127.0.0.1:1/ds/api/v3/gateways")
    timeout = network_error("Create the gateway", httpx.ReadTimeout("", request=request), "u")
    shown = str(error_content(timeout, True))
    assert "Details: ReadTimeout\n" in shown and "Server said" not in shown
    refused = WizardError("Create the gateway failed", status=409, detail="Gateway ID taken")
    assert "Server said: Gateway ID taken" in str(error_content(refused, False))
