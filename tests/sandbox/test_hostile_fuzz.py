"""A bounded fuzz run (Hypothesis, deterministic): publish documents and JSON bodies of every
shape get a 4xx or a 2xx, never a 5xx, and another learner's API still works afterwards."""

from __future__ import annotations

import json

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.sandbox.hostile_kit import Learner, enrol

FUZZ = settings(
    max_examples=100,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=12),
    st.sampled_from(["abc", "~/(a+)+$", "*.dev.api.gov.bc.ca", "127.0.0.1", "", "GET", "\x00"]),
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=8,
)
SERVICE_KEYS = ["name", "host", "port", "protocol", "path", "retries", "connect_timeout",
                "tags", "url", "enabled"]  # fmt: skip
ROUTE_KEYS = ["name", "hosts", "paths", "methods", "protocols", "strip_path",
              "https_redirect_status_code", "path_handling", "tags", "plugins"]  # fmt: skip


@pytest.fixture(scope="module")
def cast(sandbox) -> tuple[Learner, Learner]:
    return enrol(sandbox, "victim"), enrol(sandbox, "fuzzer")


def documents(gw: str):
    tag = st.just([f"ns.{gw}"])
    route = st.fixed_dictionaries(
        {"name": st.text(min_size=1, max_size=8), "tags": tag},
        optional={k: values for k in ROUTE_KEYS if k not in ("name", "tags")},
    )
    plugin = st.fixed_dictionaries(
        {"name": st.sampled_from(["jwt-keycloak", "cors", "x"]), "tags": tag},
        optional={"config": st.dictionaries(st.sampled_from(
            ["allowed_aud", "maximum_expiration", "iss_key_grace_period", "algorithm",
             "uri_param_names", "consumer_match"]), values, max_size=3), "enabled": values},
    )  # fmt: skip
    service = st.fixed_dictionaries(
        {"name": st.text(min_size=1, max_size=10), "tags": tag, "host": st.just("example.com")},
        optional={
            **{k: values for k in SERVICE_KEYS if k not in ("name", "tags", "host")},
            "routes": st.lists(route, max_size=2),
            "plugins": st.lists(plugin, max_size=2),
        },
    )
    return st.fixed_dictionaries(
        {"services": st.lists(service, max_size=2)},
        optional={"upstreams": values, "_format_version": values},
    )


def _dump(doc) -> str | None:
    try:
        return yaml.safe_dump(doc, allow_unicode=True)
    except yaml.YAMLError:
        return None


def test_fuzzed_publish_documents_never_answer_5xx(cast):
    victim, fuzzer = cast

    @FUZZ
    @given(doc=documents(fuzzer.gateway), dry=st.booleans())
    def run(doc, dry):
        text = _dump(doc)
        if text is None:
            return
        r = fuzzer.portal.put(
            f"/gw/api/v3/gateways/{fuzzer.gateway}/gateway",
            data={"dryRun": "true" if dry else "false"},
            files={"configFile": ("c.yaml", text.encode("utf-8"), "application/octet-stream")},
        )
        assert r.status_code < 500, (r.status_code, r.text, text)
        assert (
            fuzzer.portal.get(f"/gw/api/v3/gateways/{fuzzer.gateway}/services").status_code == 200
        )

    run()
    victim.assert_isolated(fuzzer)


def test_fuzzed_json_publish_bodies_never_answer_5xx(cast):
    """gwa-api's JSON variant: ``{"configFile": …, "dryRun": …, "qualifier": …}`` of any shape."""
    victim, fuzzer = cast

    @settings(FUZZ, max_examples=40)
    @given(
        body=st.one_of(
            values,
            st.fixed_dictionaries(
                {"configFile": st.one_of(values, st.text(max_size=40)), "dryRun": values},
                optional={"qualifier": values},
            ),
        )
    )
    def run(body):
        r = fuzzer.portal.put(
            f"/gw/api/v3/gateways/{fuzzer.gateway}/gateway",
            content=_raw_json(body),
            headers={"Content-Type": "application/json"},
        )
        assert r.status_code < 500, (r.status_code, r.text, body)

    run()
    victim.assert_isolated(fuzzer)


def _raw_json(value) -> str:
    """JSON text, with NaN/Infinity spelled the way a careless client would."""
    return json.dumps(value, allow_nan=True)


@pytest.mark.parametrize("kind", ["issuers", "datasets", "products"])
def test_fuzzed_json_bodies_never_answer_5xx(cast, kind):
    victim, fuzzer = cast
    keys = {
        "issuers": ["name", "flow", "mode", "inheritFrom", "environmentDetails", "clientRoles"],
        "datasets": ["name", "title", "tags", "organization", "record_publish_date", "contacts"],
        "products": ["name", "appId", "dataset", "environments"],
    }[kind]

    @settings(FUZZ, max_examples=35)
    @given(body=st.one_of(values, st.dictionaries(st.sampled_from(keys), values, max_size=4)))
    def run(body):
        r = fuzzer.portal.put(
            f"/ds/api/v3/gateways/{fuzzer.gateway}/{kind}",
            content=_raw_json(body),
            headers={"Content-Type": "application/json"},
        )
        assert r.status_code < 500, (r.status_code, r.text, body)
        listing = fuzzer.portal.get(f"/ds/api/v3/gateways/{fuzzer.gateway}/{kind}")
        assert listing.status_code < 500, listing.text

    run()
    victim.assert_isolated(fuzzer)


def test_a_non_finite_number_is_refused_wherever_it_appears(cast):
    victim, fuzzer = cast
    for constant in ("NaN", "Infinity", "-Infinity"):
        body = f'{{"name": "x", "description": {constant}}}'
        r = fuzzer.portal.put(
            f"/ds/api/v3/gateways/{fuzzer.gateway}/issuers",
            content=body,
            headers={"Content-Type": "application/json"},
        )
        assert (r.status_code, r.json()) == (422, {"message": "Syntax Error Parsing JSON"})
    victim.assert_isolated(fuzzer)
