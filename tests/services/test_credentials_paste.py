"""What the learner reads on the Credentials step when a pasted value is wrong, and the portal
clicks of the hand-off: full texts, since these sentences are the whole help the learner gets."""

from __future__ import annotations

import pytest

from tui.services.credentials import (
    consumers_url,
    default_application_name,
    handoff_steps,
    handoff_url,
    pasted_problem,
    secret_name,
)
from tui.services.target import Target

GOOD_ID = "8C1D2E3F-0A1B2C3D4E5"
GOOD_SECRET = "0b6f3c1e-5d2a-4c8b-9e7f-1a2b3c4d5e6f"
GOOD_URL = "https://dev.loginproxy.gov.bc.ca/auth/realms/apigw/protocol/openid-connect/token"

ID_SHAPE = (
    "A Client ID looks like 8C1D2E3F-0A1B2C3D4E5: 8 hex characters, a dash, 11 hex "
    "characters. Did you paste the application name or the secret?"
)
SECRET_SHAPE = (
    "A Client Secret looks like 0b6f3c1e-5d2a-4c8b-9e7f-1a2b3c4d5e6f (36 characters). "
    "Copy it again with the copy button next to it."
)
URL_SHAPE = (
    "The Token Endpoint is a full https:// URL, e.g. "
    "https://dev.loginproxy.gov.bc.ca/auth/realms/apigw/protocol/openid-connect/token."
)
URL_PATH = (
    "The Token Endpoint ends with /protocol/openid-connect/token; this URL does not "
    "(is it the Issuer or the portal URL?)."
)
QUOTES = "Remove the quotes around the value."
SPACE = "It contains a space or line break; paste the value alone."


@pytest.mark.parametrize(
    ("cid", "csc", "url", "expected"),
    [
        ("", GOOD_SECRET, GOOD_URL, {"client_id": "Paste the Client ID shown after Generate Secrets."}),
        ("my-app", GOOD_SECRET, GOOD_URL, {"client_id": ID_SHAPE}),
        (f'"{GOOD_ID}"', GOOD_SECRET, GOOD_URL, {"client_id": QUOTES}),
        (f"'{GOOD_ID}", GOOD_SECRET, GOOD_URL, {"client_id": QUOTES}),
        (f"{GOOD_ID}'", GOOD_SECRET, GOOD_URL, {"client_id": QUOTES}),
        (GOOD_ID, "", GOOD_URL, {"client_secret": "Paste the Client Secret shown after Generate Secrets."}),
        (GOOD_ID, "abc", GOOD_URL, {"client_secret": SECRET_SHAPE}),
        (GOOD_ID, GOOD_ID, GOOD_URL, {"client_secret": "This is the Client ID again; paste the Client Secret."}),
        (GOOD_ID, "0b6f3c1e 5d2a", GOOD_URL, {"client_secret": SPACE}),
        (GOOD_ID, GOOD_SECRET, "", {"token_endpoint": "Paste the Token Endpoint shown after Generate Secrets."}),
        (GOOD_ID, GOOD_SECRET, f"'{GOOD_URL}'", {"token_endpoint": QUOTES}),
        (GOOD_ID, GOOD_SECRET, "dev.loginproxy.gov.bc.ca/auth", {"token_endpoint": URL_SHAPE}),
        (GOOD_ID, GOOD_SECRET, "https:///auth/realms/apigw/protocol/openid-connect/token", {"token_endpoint": URL_SHAPE}),
        (GOOD_ID, GOOD_SECRET, GOOD_URL.replace("https", "http"), {"token_endpoint": URL_SHAPE}),
        (GOOD_ID, GOOD_SECRET, "https://dev.loginproxy.gov.bc.ca/auth/realms/apigw", {"token_endpoint": URL_PATH}),
        (GOOD_ID, GOOD_SECRET, GOOD_URL + "X", {"token_endpoint": URL_PATH}),
        ("", "", "", {
            "client_id": "Paste the Client ID shown after Generate Secrets.",
            "client_secret": "Paste the Client Secret shown after Generate Secrets.",
            "token_endpoint": "Paste the Token Endpoint shown after Generate Secrets.",
        }),
    ],
)  # fmt: skip
def test_each_wrong_paste_is_told_exactly_what_to_do(
    cid: str, csc: str, url: str, expected: dict[str, str]
) -> None:
    assert pasted_problem(cid, csc, url) == expected


@pytest.mark.parametrize(
    "secret",
    [
        "X" + "a1" * 16,  # long alphanumeric secrets that merely start or end with an X
        "a1" * 16 + "X",
        "Z9" * 20,
        GOOD_SECRET.upper(),
    ],
)
def test_every_secret_shape_the_portal_issues_is_accepted(secret: str) -> None:
    assert pasted_problem(GOOD_ID, secret, GOOD_URL) == {}


@pytest.mark.parametrize(
    ("url", "allow_http"),
    [
        (GOOD_URL, True),
        (GOOD_URL + "/", False),  # a trailing slash is harmless
        ("http://127.0.0.1:8460/auth/realms/apigw/protocol/openid-connect/token", True),
    ],
)
def test_token_endpoints_of_either_scheme_pass_where_http_is_allowed(
    url: str, allow_http: bool
) -> None:
    assert pasted_problem(GOOD_ID, GOOD_SECRET, url, allow_http=allow_http) == {}


def test_handoff_walks_through_the_portal_with_the_learners_names() -> None:
    target = Target.test()
    base = "https://api-gov-bc-ca.test.api.gov.bc.ca"
    assert handoff_url(target, "gw-1a2b3") == f"{base}/manager/gateways/list"
    assert handoff_steps(target, "gw-1a2b3", "my-svc API", "my-svc") == [
        f"Open {base}/manager/gateways/list and log in (the same instance as this wizard: "
        "api-gov-bc-ca.test.api.gov.bc.ca).",
        "Select your gateway gw-1a2b3 (this makes it the active gateway).",
        f"Open Products ({base}/manager/products) and click Preview in Directory.",
        "Click the card 'my-svc', then Request Access.",
        "Click Create Application, give it a name, and save.",
        "Choose the Dev environment of my-svc API and click Request Access & Continue.",
        "Click Generate Secrets, then copy Client ID, Client Secret and Token Endpoint into "
        "the fields below.",
    ]


def test_handoff_without_names_yet_still_reads_plainly() -> None:
    steps = handoff_steps(Target.test(), "gw-1a2b3")
    assert steps[3] == "Click the card 'your service', then Request Access."
    assert steps[5] == "Choose the Dev environment and click Request Access & Continue."


def test_clean_up_sends_the_learner_to_the_portals_consumers_page() -> None:
    assert consumers_url(Target.test()) == (
        "https://api-gov-bc-ca.test.api.gov.bc.ca/manager/consumers"
    )
    assert (
        consumers_url(Target.sandbox("127.0.0.1:8460")) == "http://127.0.0.1:8460/manager/consumers"
    )
    # A host typed in capitals is kept as typed, to its last letter.
    custom = Target("custom", "DEMO-BOX", "https")
    assert consumers_url(custom) == "https://DEMO-BOX/manager/consumers"


def test_client_secrets_of_two_targets_or_two_clients_never_share_a_key() -> None:
    names = {
        secret_name(host, client)
        for host in ("127.0.0.1:8460", "api-gov-bc-ca.test.api.gov.bc.ca")
        for client in (GOOD_ID, "1A2B3C4D-0A1B2C3D4E5")
    }
    assert len(names) == 4


@pytest.mark.parametrize(
    ("service", "name"),
    [
        ("my-svc", "my-svc-tester"),
        ("", "my-tester"),
        ("s" * 40, "s" * 40),  # the proposal is kept to 40 characters: it must fit the field
    ],
)
def test_the_proposed_application_name_is_named_for_the_service(service: str, name: str) -> None:
    assert default_application_name(service) == name
