"""Hostile learner, router side: no route host of another gateway can be taken over, and no
route regex can make the data plane do unbounded work."""

from __future__ import annotations

import httpx
import pytest

from tests.sandbox.hostile_kit import Learner, enrol
from tests.sandbox.portal_kit import config_text, publish, service_doc, service_name
from tui.sandbox import kong_regex


@pytest.fixture(scope="module")
def cast(sandbox) -> tuple[Learner, Learner]:
    return enrol(sandbox, "victim"), enrol(sandbox, "mallory")


def takeover_doc(attacker: Learner, host: str) -> dict:
    doc = service_doc(attacker.gateway, service_name("evil"), attacker.server.info.upstream_url)
    doc["routes"][0]["hosts"] = [host]
    doc["plugins"] = []  # an open route: it would pass the victim's bearer tokens upstream
    return doc


@pytest.mark.parametrize(
    "spelling",
    [
        lambda h: h.upper(),
        lambda h: h.capitalize(),
        lambda h: h + ".",
        lambda h: h + ":8000",
        lambda h: "*.dev.api.gov.bc.ca",
        lambda h: "*." + h.split(".", 1)[1],
        lambda h: "*.api.gov.bc.ca",
        # the test portal's transform maps both to <svc>-dev-api-gov-bc-ca.localhost
        lambda h: h.split(".", 1)[0] + "-dev.api.gov.bc.ca",
    ],
    ids=[
        "upper",
        "capitalised",
        "trailing-dot",
        "port",
        "wildcard",
        "wildcard2",
        "wide",
        "transform",
    ],
)
def test_route_host_of_another_gateway_cannot_be_taken(cast, spelling):
    victim, mallory = cast
    host = spelling(victim.route_host)
    doc = takeover_doc(mallory, host)
    r = publish(mallory.portal, mallory.gateway, config_text(doc))
    assert r.status_code == 400, r.text
    assert r.json() == {
        "error": "Validation Errors:\n"
        f"service.{doc['name']}.route.{doc['routes'][0]['name']} "
        f"The host is already used in another gateway '{host}'"
    }
    victim.assert_isolated(mallory)


def test_an_exact_host_under_another_gateways_wildcard_is_refused(cast, sandbox):
    victim, mallory = cast
    zone = f"{service_name('zone')}.dev.api.gov.bc.ca"
    wild = takeover_doc(victim, f"*.{zone}")
    wild["name"] = victim.service  # keep the victim's service, add the wildcard host
    wild["routes"][0]["hosts"].append(victim.route_host)
    wild["plugins"] = service_doc(victim.gateway, "x", sandbox.info.upstream_url)["plugins"]
    wild["plugins"][0]["config"]["allowed_aud"] = f"ap-{victim.gateway}-default-dev"
    assert publish(victim.portal, victim.gateway, config_text(wild)).status_code == 200
    doc = takeover_doc(mallory, f"api.{zone}")
    r = publish(mallory.portal, mallory.gateway, config_text(doc))
    assert r.status_code == 400
    assert "The host is already used in another gateway" in r.json()["error"]
    victim.assert_isolated(mallory)


def test_a_gateways_own_hosts_may_be_republished_in_any_case(cast):
    victim, _ = cast
    doc = takeover_doc(victim, victim.route_host.upper())
    r = publish(victim.portal, victim.gateway, config_text(doc), dry_run=True)
    assert r.status_code == 200, r.text


def test_regex_route_paths_are_matched_in_linear_time(cast):
    """``~/(a+)+$`` took 10 s at 27 characters with a backtracking engine; RE2 is linear."""
    victim, mallory = cast
    doc = takeover_doc(mallory, f"{service_name('regex')}.dev.api.gov.bc.ca")
    doc["routes"][0]["paths"] = ["~/(a+)+$"]
    r = publish(mallory.portal, mallory.gateway, config_text(doc))
    assert r.status_code == 200, r.text
    # The work bound: the pattern is an RE2 program of bounded size, and RE2's matching work
    # is proportional to (program size x path length) with no backtracking at all.
    compiled = kong_regex.compile_path("/(a+)+$")
    assert type(compiled).__module__.startswith("re2")
    assert kong_regex.program_size(compiled) <= kong_regex.MAX_PROGRAM_SIZE
    host = mallory.server.ctx.env_host(doc["routes"][0]["hosts"][0])
    url = f"http://127.0.0.1:{mallory.server.info.data_plane_port}/{'a' * 4000}b"
    # A backtracking engine would need ~2**4000 steps here; the answer must come at all.
    answer = httpx.get(url, headers={"Host": host}, timeout=30)
    assert answer.status_code == 404
    assert answer.json() == {"message": "no Route matched with those values"}
    matched = httpx.get(url[:-1], headers={"Host": host}, timeout=30)
    assert matched.headers["via"].startswith("1.1 kong/")  # routed and proxied upstream
    victim.assert_isolated(mallory)


@pytest.mark.parametrize(
    ("regex", "why"),
    [
        ("/(?=admin)", "look-around assertions"),
        ("/(a)\\1", "back-references"),
        ("/(?>a+)", "atomic groups"),
        ("/a++", "possessive quantifiers"),
        ("/(", "RE2 returned: missing )"),
    ],
)
def test_regexes_re2_cannot_run_are_refused_at_publish(cast, regex, why):
    victim, mallory = cast
    doc = takeover_doc(mallory, f"{service_name('regex')}.dev.api.gov.bc.ca")
    doc["routes"][0]["paths"] = [f"~{regex}"]
    r = publish(mallory.portal, mallory.gateway, config_text(doc))
    assert r.status_code == 400, r.text
    assert r.json()["error"] == "Sync Failed."
    assert f"paths: invalid regex: '{regex}' (" in r.json()["results"]
    assert why in r.json()["results"]
    victim.assert_isolated(mallory)


def test_two_learners_racing_for_one_host_cannot_both_get_it(cast):
    """Validation runs without the write lock; the write re-checks that nothing changed."""
    from concurrent.futures import ThreadPoolExecutor

    victim, mallory = cast
    for _ in range(5):
        host = f"{service_name('race')}.dev.api.gov.bc.ca"
        docs = [takeover_doc(learner, host) for learner in (victim, mallory)]
        docs[0]["name"] = victim.service  # the victim keeps its own service name
        docs[0]["plugins"] = service_doc(victim.gateway, "x", victim.server.info.upstream_url)[
            "plugins"
        ]
        docs[0]["routes"][0]["hosts"].append(victim.route_host)
        with ThreadPoolExecutor(2) as pool:
            answers = list(
                pool.map(
                    lambda pair: publish(pair[0].portal, pair[0].gateway, config_text(pair[1])),
                    [(victim, docs[0]), (mallory, docs[1])],
                )
            )
        codes = sorted(r.status_code for r in answers)
        assert codes == [200, 400], [r.text for r in answers]
        loser = next(r for r in answers if r.status_code == 400)
        assert "The host is already used in another gateway" in loser.json()["error"]
    victim.assert_isolated(mallory)


def test_a_request_looks_only_at_its_own_hosts_routes(cast, sandbox):
    """Many published services cost a request nothing: routes are indexed by exact host, and
    a rebuild after someone's publish reuses every unchanged row's parsed routes."""
    from tests.sandbox import kong_fixtures
    from tui.sandbox.kong_router import Router

    victim, mallory = cast
    for i in range(40):
        doc = kong_fixtures.service_doc(
            mallory.gateway, f"bulk{i}-{mallory.gateway}", sandbox.info.upstream_url
        )
        kong_fixtures.publish(sandbox, mallory.gateway, doc)
    router = Router(sandbox.ctx)
    every = router.routes()
    host = sandbox.ctx.env_host(victim.route_host).split(":")[0]
    candidates = router.candidates(host)
    assert any(r.service.name == victim.service for r in candidates)
    assert len(candidates) <= len(every) - 40
    before = {id(r) for r in every if r.service.gateway_id == victim.gateway}
    doc = kong_fixtures.service_doc(
        mallory.gateway, f"late-{mallory.gateway}", sandbox.info.upstream_url
    )
    kong_fixtures.publish(sandbox, mallory.gateway, doc)
    after = {id(r) for r in router.routes() if r.service.gateway_id == victim.gateway}
    assert after == before  # the victim's rows were not parsed again
    victim.assert_isolated(mallory)
