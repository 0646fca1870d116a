"""Publishes take turns in worker-thread lanes (``gwa_api.publish_lane``).

Two ordinary publishes run at once, and a config over ``LARGE_CONFIG`` characters waits for
the one large lane: a learner's thousands of services never hold up the class's ordinary
publishes, and thirty learners publishing at once do not fill thirty threads that fight the
event loop for the GIL. Each runs with the cyclic collector paused. The work of each publish
is the real one; the test only holds it at its start, to see who runs at the same time.
"""

from __future__ import annotations

import gc
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import httpx

from tests.sandbox.portal_kit import config_text, publish, service_doc
from tests.sandbox.test_publish import provider
from tui.sandbox import gwa_api

__all__ = ["provider"]  # the fixture, shared with test_publish.py


class Turnstile:
    """Wraps gwa-api's publish: counts the publishes running in each lane at once, and holds
    large ones until released."""

    def __init__(self, monkeypatch) -> None:
        self.lock = threading.Lock()
        self.running: Counter[str] = Counter()
        self.most: Counter[str] = Counter()
        self.large_started = threading.Event()
        self.release_large = threading.Event()
        self.collecting: set[bool] = set()  # the cyclic collector's state in each publish
        self.ordinary_hold = 0.0  # seconds an ordinary publish is held, so that they overlap
        real = gwa_api.publish

        def held(ctx, gateway_id, text, *args):  # runs in the lane's worker thread
            lane = "large" if len(text) > gwa_api.LARGE_CONFIG else "ordinary"
            self.collecting.add(gc.isenabled())
            with self.lock:
                self.running[lane] += 1
                self.most[lane] = max(self.most[lane], self.running[lane])
            try:
                if lane == "large":
                    self.large_started.set()
                    assert self.release_large.wait(10), "the large publish was never released"
                else:
                    time.sleep(self.ordinary_hold)
                return real(ctx, gateway_id, text, *args)
            finally:
                with self.lock:
                    self.running[lane] -= 1

        monkeypatch.setattr(gwa_api, "publish", held)


def _twin(c: httpx.Client) -> httpx.Client:
    """Another client of the same provider (a client per thread)."""
    return httpx.Client(base_url=c.base_url, headers=c.headers, timeout=15)


def _large(doc: dict) -> str:
    padding = "# " + "x" * 78 + "\n"
    text = config_text(doc)
    return text + padding * (gwa_api.LARGE_CONFIG // len(padding) + 1)


def test_a_large_publish_waits_for_its_own_lane_and_never_holds_up_an_ordinary_one(
    provider, sandbox, monkeypatch
):
    c, gw = provider
    turnstile = Turnstile(monkeypatch)
    upstream = sandbox.info.upstream_url
    big = [_large(service_doc(gw, f"big{i}", upstream)) for i in range(2)]
    with ThreadPoolExecutor(2) as pool, _twin(c) as c2, _twin(c) as c3:
        larges = [
            pool.submit(publish, other, gw, text) for other, text in zip((c2, c3), big, strict=True)
        ]
        assert turnstile.large_started.wait(10)
        # A large publish is held in its lane: an ordinary one still goes through at once.
        ordinary = publish(c, gw, config_text(service_doc(gw, "small", upstream)), dry_run=True)
        assert ordinary.status_code == 200, ordinary.text
        assert turnstile.running["large"] == 1  # the second large one waits its turn
        turnstile.release_large.set()
        for done in larges:
            assert done.result(timeout=20).status_code == 200
    assert turnstile.most["large"] == 1
    assert turnstile.collecting == {False}  # each ran with collections paused (gc_pause.py)


def test_at_most_two_ordinary_publishes_run_at_once(provider, sandbox, monkeypatch):
    c, gw = provider
    turnstile = Turnstile(monkeypatch)
    turnstile.ordinary_hold = 0.2  # six publishes sent together would all overlap
    upstream = sandbox.info.upstream_url
    texts = [config_text(service_doc(gw, f"svc{i}", upstream)) for i in range(6)]
    clients = [_twin(c) for _ in texts]
    try:
        with ThreadPoolExecutor(len(texts)) as pool:
            answers = list(pool.map(lambda other, text: publish(other, gw, text), clients, texts))
    finally:
        for other in clients:
            other.close()
    assert [a.status_code for a in answers] == [200] * len(texts)
    assert turnstile.most["ordinary"] == gwa_api.PUBLISH_LANES["ordinary"] == 2
