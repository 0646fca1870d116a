"""When a publish runs (``tui/sandbox/publish_turns.py``): in worker-thread lanes, two
ordinary publishes at once and a config over ``LARGE_CONFIG`` characters in a lane of its own,
and one at a time per learner. Each runs with the cyclic collector paused (``gc_pause.py``).

The work of each publish is the real one; the test only holds some at their start, to see
who runs at the same time.
"""

from __future__ import annotations

import gc
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import httpx

from tests.sandbox.portal_kit import (
    client,
    config_text,
    new_gateway,
    publish,
    service_doc,
    service_name,
    user,
)
from tests.sandbox.test_publish import provider
from tui.sandbox import gwa_api, publish_turns

__all__ = ["provider"]  # the fixture, shared with test_publish.py


class Turnstile:
    """Wraps gwa-api's publish: counts the publishes running at once (per lane and per
    gateway), and holds those ``held`` picks until released."""

    def __init__(self, monkeypatch, held=lambda gateway_id, lane: False, pause=0.0) -> None:
        self.lock = threading.Lock()
        self.running: Counter[str] = Counter()
        self.most: Counter[str] = Counter()
        self.collecting: set[bool] = set()  # the cyclic collector's state in each publish
        self.started = threading.Event()  # a held publish has started
        self.release = threading.Event()
        real = gwa_api.publish

        def counted(ctx, gateway_id, text, *args):  # runs in the lane's worker thread
            lane = "large" if len(text) > publish_turns.LARGE_CONFIG else "ordinary"
            self.collecting.add(gc.isenabled())
            with self.lock:
                for key in (lane, gateway_id):
                    self.running[key] += 1
                    self.most[key] = max(self.most[key], self.running[key])
            try:
                if held(gateway_id, lane):
                    self.started.set()
                    assert self.release.wait(10), "a held publish was never released"
                time.sleep(pause)
                return real(ctx, gateway_id, text, *args)
            finally:
                with self.lock:
                    for key in (lane, gateway_id):
                        self.running[key] -= 1

        monkeypatch.setattr(gwa_api, "publish", counted)


def _twin(c: httpx.Client) -> httpx.Client:
    """Another client of the same provider (a client per thread)."""
    return httpx.Client(base_url=c.base_url, headers=c.headers, timeout=15)


def _large(doc: dict) -> str:
    padding = "# " + "x" * 78 + "\n"
    text = config_text(doc)
    return text + padding * (publish_turns.LARGE_CONFIG // len(padding) + 1)


def test_a_large_publish_waits_for_its_own_lane_and_never_holds_up_an_ordinary_one(
    provider, sandbox, monkeypatch
):
    c, gw = provider
    turnstile = Turnstile(monkeypatch, held=lambda gateway_id, lane: lane == "large")
    upstream = sandbox.info.upstream_url
    with client(sandbox, user("big")) as b1, client(sandbox, user("big")) as b2:
        bigs = [(b, new_gateway(b)) for b in (b1, b2)]  # two learners, a large publish each
        texts = [_large(service_doc(g, service_name(), upstream)) for _, g in bigs]
        with ThreadPoolExecutor(2) as pool:
            larges = [pool.submit(publish, b, g, t) for (b, g), t in zip(bigs, texts, strict=True)]
            assert turnstile.started.wait(10)
            # A large publish is held in its lane: an ordinary one still goes through at once.
            small = config_text(service_doc(gw, service_name(), upstream))
            assert publish(c, gw, small, dry_run=True).status_code == 200
            assert turnstile.running["large"] == 1  # the other large one waits its turn
            turnstile.release.set()
            assert [done.result(timeout=20).status_code for done in larges] == [200, 200]
    assert turnstile.most["large"] == 1
    assert turnstile.collecting == {False}  # each ran with collections paused


def test_at_most_two_ordinary_publishes_run_at_once(sandbox, monkeypatch):
    turnstile = Turnstile(monkeypatch, pause=0.2)  # held a moment, so that they overlap
    upstream = sandbox.info.upstream_url
    learners = [client(sandbox, user("pub")) for _ in range(6)]
    try:
        jobs = [(c, new_gateway(c)) for c in learners]
        with ThreadPoolExecutor(len(jobs)) as pool:
            answers = list(
                pool.map(
                    lambda job: publish(
                        *job, config_text(service_doc(job[1], service_name(), upstream))
                    ),
                    jobs,
                )
            )
    finally:
        for c in learners:
            c.close()
    assert [a.status_code for a in answers] == [200] * len(jobs)
    assert turnstile.most["ordinary"] == publish_turns.PUBLISH_LANES["ordinary"] == 2


def test_one_learners_many_publishes_take_turns_and_never_fill_the_lane(
    provider, sandbox, monkeypatch
):
    """Mallory sends five publishes at once and the first is held: the rest of hers wait
    behind it, not in the lane, so another learner's publish goes through meanwhile."""
    c, gw = provider
    with client(sandbox, user("mallory")) as m:
        hers = new_gateway(m)
        turnstile = Turnstile(monkeypatch, held=lambda gateway_id, lane: gateway_id == hers)
        upstream = sandbox.info.upstream_url
        clients = [_twin(m) for _ in range(5)]
        try:
            with ThreadPoolExecutor(len(clients)) as pool:
                floods = [
                    pool.submit(
                        publish,
                        other,
                        hers,
                        config_text(service_doc(hers, service_name(), upstream)),
                    )
                    for other in clients
                ]
                assert turnstile.started.wait(10)
                time.sleep(0.2)  # the other four have arrived and wait
                mine = publish(c, gw, config_text(service_doc(gw, service_name(), upstream)))
                assert mine.status_code == 200, mine.text
                assert turnstile.running[hers] == 1
                turnstile.release.set()
                assert [f.result(timeout=20).status_code for f in floods] == [200] * 5
        finally:
            for other in clients:
                other.close()
    assert turnstile.most[hers] == 1  # hers ran one at a time
