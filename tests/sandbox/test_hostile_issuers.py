"""Hostile learner, issuer side: no issuer name gives the attacker's consumers tokens that the
victim's API accepts (same shared-IdP client, or an audience that is a Lua pattern)."""

from __future__ import annotations

import pytest

from tests.sandbox.hostile_kit import Learner, enrol
from tests.sandbox.portal_kit import issuer_doc


@pytest.fixture(scope="module")
def cast(sandbox) -> tuple[Learner, Learner]:
    return enrol(sandbox, "victim"), enrol(sandbox, "mallory")


def put_issuer(learner: Learner, name: str):
    doc = {**issuer_doc(learner.gateway), "name": name}
    return learner.portal.put(f"/ds/api/v3/gateways/{learner.gateway}/issuers", json=doc)


def refused(r, words: str) -> None:
    assert r.status_code == 400, r.text
    body = r.json()
    assert (body["status"], body["result"], body["childResults"]) == (400, "create-failed", [])
    assert words in body["reason"]


@pytest.mark.parametrize(
    "name",
    [
        lambda gw: f"{gw} default",
        lambda gw: f"{gw.upper()} DEFAULT",
        lambda gw: f"{gw}__default",
    ],
    ids=["same", "upper", "punctuation"],
)
def test_an_issuer_cannot_take_another_gateways_client_id(cast, name):
    victim, mallory = cast
    r = put_issuer(mallory, name(victim.gateway))
    refused(r, f"Client {victim.gateway}-default already exists on the shared IdP")
    victim.assert_isolated(mallory)


@pytest.mark.parametrize("name", ["-", "---", "u", "ul", "ult"])
def test_an_issuer_whose_audience_is_a_lua_pattern_matching_others_is_refused(cast, name):
    """``-`` gives ``ap--`` in prod; ``ult`` gives ``ap-ult``, found in every ``…default…``."""
    victim, mallory = cast
    r = put_issuer(mallory, name)
    refused(r, "that another gateway's API would accept")
    victim.assert_isolated(mallory)


def test_an_ordinary_second_issuer_is_still_accepted(cast):
    victim, mallory = cast
    r = put_issuer(mallory, "mallory's partner issuer")
    assert r.status_code == 200, r.text
    assert r.json()["result"] == "created"
    victim.assert_isolated(mallory)


def test_republishing_ones_own_issuer_is_a_no_change(cast):
    victim, _ = cast
    r = put_issuer(victim, f"{victim.gateway} default")
    assert (r.status_code, r.json()["result"]) == (200, "no-change")
