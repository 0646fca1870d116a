"""A class at once: N learners doing the tutorial's HTTP flow against one class sandbox.

Run: ``uv run python tests/benchmarks/bench_class.py [--learners 30] [--calls 20]``. A
script, no assertions: it prints errors, latency percentiles (all requests, and per step),
the same measured inside the sandbox (app called to answer sent), the longest single
event-loop callback by wall time and the most CPU one took, the probe's longest stall, the
CPU both sides used and the sandbox's peak memory.

The sandbox runs in a child process, as ``gwa-wizard sandbox serve`` would for a class; a
probe task inside its event loop records how late it wakes (one callback holding the loop,
or a turn of many short ones, or the machine not running the process). Every learner, concurrently, with a client of its own (a machine of its own):
discovery chain → device login (authorise, approve on the HTML page, poll) → gateway →
route availability, publish the client-credentials template, issuer/dataset/product →
status → anonymous call (401 expected) → consumer → consumer token → ``--calls`` authorised
``GET /uuid``. Bounded: at most 200 learners and 100 calls each, and ``--deadline`` seconds.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import multiprocessing as mp
import os
import re
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from urllib.parse import urljoin

import httpx

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.sandbox.login_helpers import DEVICE_GRANT, pkce_pair, read_form  # noqa: E402
from tests.sandbox.test_tutorial_http import tutorial_documents, without_kind  # noqa: E402


def _time_handles(longest: list[tuple[float, float, str]]) -> None:
    """Time every callback the event loop runs (wall and thread CPU): the longest one is how
    long one request held every other one up (the probe's figure also counts a loop turn
    that ran many short callbacks, which is load, not one request blocking)."""
    from asyncio import events

    run = events.Handle._run

    def timed(handle: events.Handle) -> None:
        wall, cpu = time.perf_counter(), time.thread_time()
        run(handle)
        wall, cpu = time.perf_counter() - wall, time.thread_time() - cpu
        for index, value in ((0, wall), (1, cpu)):  # longest by wall time, and by CPU
            if value > longest[index][index]:
                callback = getattr(handle, "_callback", None)
                owner = getattr(callback, "__self__", None)
                what = repr(owner.get_coro() if isinstance(owner, asyncio.Task) else callback)
                longest[index] = (wall, cpu, what.split(" at 0x")[0][:90])

    events.Handle._run = timed  # type: ignore[method-assign]


def _time_answers(answers: list[tuple[float, str]]) -> None:
    """Record, in the sandbox, how long each answer of the portal and data plane took from
    the app receiving the request to its last byte being handed to the server."""
    from tui.sandbox import server as sandbox_server

    build = sandbox_server.build_apps

    def timed_apps(ctx):  # type: ignore[no-untyped-def]
        apps = build(ctx)

        def timer(inner):  # type: ignore[no-untyped-def]
            async def timed(scope, receive, send):  # type: ignore[no-untyped-def]
                if scope["type"] != "http":
                    return await inner(scope, receive, send)
                started = time.perf_counter()
                await inner(scope, receive, send)
                took = (time.perf_counter() - started) * 1000
                answers.append((took, f"{scope['method']} {scope['path']}"))

            return timed

        return apps | {name: timer(apps[name]) for name in ("portal", "data_plane")}

    sandbox_server.build_apps = timed_apps


def serve(data_dir: str, ready: mp.Queue, stop: mp.Event, done: mp.Queue) -> None:
    from tui.sandbox import server as sandbox_server
    from tui.sandbox.context import SandboxConfig

    answers: list[tuple[float, str]] = []
    _time_answers(answers)
    config = SandboxConfig(
        data_dir=Path(data_dir), portal_port=0, data_plane_port=0, upstream_port=0
    )
    server = sandbox_server.SandboxServer(config)
    server.start()
    server.ctx.warmed.wait(30)  # as gwa-wizard sandbox serve does before it prints its URLs
    sandbox_server.freeze_heap()
    longest_gc = [0.0]
    gc_started = [0.0]

    def gc_timer(phase: str, info: dict) -> None:  # the longest full collection
        if phase == "start":
            gc_started[0] = time.perf_counter()
        elif info["generation"] == 2:
            longest_gc[0] = max(longest_gc[0], time.perf_counter() - gc_started[0])

    gc.callbacks.append(gc_timer)
    worst = [0.0]
    probing = [True]
    longest = [(0.0, 0.0, ""), (0.0, 0.0, "")]

    async def probe() -> None:  # wakes every 5 ms; how late it wakes is how long others waited
        loop = asyncio.get_running_loop()
        while probing[0]:
            before = loop.time()
            await asyncio.sleep(0.005)
            worst[0] = max(worst[0], loop.time() - before - 0.005)

    assert server._loop is not None
    task = asyncio.run_coroutine_threadsafe(probe(), server._loop)
    server._loop.call_soon_threadsafe(_time_handles, longest)
    ready.put({"portal_url": server.ctx.portal_url, "data_plane_port": server.ctx.data_plane_port})
    cpu = time.process_time()
    stop.wait()
    cpu = time.process_time() - cpu
    probing[0] = False
    task.result(5)
    peak_kb = 0
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            peak_kb = int(line.split()[1])
    done.put(
        {"stall": worst[0], "peak_mb": peak_kb / 1024, "gc": longest_gc[0], "cpu": cpu,
         "longest": longest, "answers": answers}
    )  # fmt: skip
    server.stop()


class Learner:
    def __init__(self, index: int, portal: str, data_plane_port: int, calls: int) -> None:
        self.name = f"learner{index:03d}"
        self.portal = portal
        self.gateway_url = f"http://127.0.0.1:{data_plane_port}/uuid"
        self.calls = calls
        self.samples: dict[str, list[float]] = defaultdict(list)
        self.errors: list[str] = []

    async def send(
        self, client: httpx.AsyncClient, step: str, method: str, url: str, *, expect: int, **kw
    ) -> httpx.Response:
        started = time.perf_counter()
        response = await client.request(method, url, **kw)
        self.samples[step].append((time.perf_counter() - started) * 1000)
        if response.status_code != expect:
            self.errors.append(f"{self.name} {step}: {response.status_code} {response.text[:120]}")
            raise _Stop
        return response

    def client(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(base_url=self.portal, timeout=30, trust_env=False)

    async def run(self, client: httpx.AsyncClient) -> None:
        async with client as http:
            try:
                await self._flow(http)
            except _Stop:
                pass
            except httpx.HTTPError as exc:
                self.errors.append(f"{self.name}: {type(exc).__name__} {exc}")

    async def _flow(self, http: httpx.AsyncClient) -> None:
        send = self.send
        ds = await send(http, "discovery", "GET", "/ds/api", expect=204)
        openapi = re.search(r"<([^>]+)>", ds.headers["link"].split(",")[-1]).group(1)  # type: ignore[union-attr]
        spec = await send(http, "discovery", "GET", openapi, expect=200)
        oidc_url = re.search(r"openIdConnectUrl:\s*(\S+)", spec.text).group(1)  # type: ignore[union-attr]
        oidc = (await send(http, "discovery", "GET", oidc_url.strip("'\""), expect=200)).json()

        verifier, challenge = pkce_pair()
        device = (
            await send(http, "login", "POST", oidc["device_authorization_endpoint"], expect=200,
                       data={"client_id": "gwa-cli", "code_challenge_method": "S256",
                             "code_challenge": challenge})
        ).json()  # fmt: skip
        page = await send(http, "login", "GET", device["verification_uri_complete"], expect=200)
        form = read_form(page.text)
        fields = dict(form.inputs) | {"username": self.name, "action": "approve"}
        await send(http, "login", "POST", urljoin(str(page.url), form.action or ""),
                   expect=200, data=fields)  # fmt: skip
        login = await send(http, "login", "POST", oidc["token_endpoint"], expect=200,
                           data={"device_code": device["device_code"], "client_id": "gwa-cli",
                                 "grant_type": DEVICE_GRANT, "code_verifier": verifier})  # fmt: skip
        auth = {"Authorization": f"Bearer {login.json()['access_token']}"}

        gateway = (
            await send(http, "gateway", "POST", "/ds/api/v3/gateways", expect=200, json={},
                       headers=auth)
        ).json()["gatewayId"]  # fmt: skip
        service = f"{self.name}-svc"
        await send(http, "publish", "GET", "/ds/api/v3/routes/availability", expect=200,
                   params={"gatewayId": gateway, "serviceName": service})  # fmt: skip
        info = (await send(http, "publish", "GET", "/sandbox/info", expect=200)).json()
        docs = tutorial_documents(gateway, service, info["upstream_url"] + "/")
        services = [without_kind(d) for d in docs if d["kind"] == "GatewayService"]
        await send(http, "publish", "PUT", f"/gw/api/v3/gateways/{gateway}/gateway", expect=200,
                   data={"dryRun": "false"}, headers=auth,
                   files={"configFile": ("config.yaml", json.dumps({"services": services}))})  # fmt: skip
        for doc, path in ((docs[1], "issuers"), (docs[2], "datasets"), (docs[3], "products")):
            await send(http, "publish", "PUT", f"/ds/api/v3/gateways/{gateway}/{path}",
                       expect=200, json=without_kind(doc), headers=auth)  # fmt: skip

        status = await send(http, "status", "GET", f"/gw/api/v3/gateways/{gateway}/services",
                            expect=200, headers=auth)  # fmt: skip
        (row,) = status.json()
        if row["status"] != "UP":
            self.errors.append(f"{self.name} status: {row}")
            raise _Stop
        host = {"Host": row["env_host"]}
        await send(http, "call", "GET", self.gateway_url, expect=401, headers=host)

        products = (
            await send(http, "consumer", "GET", f"/ds/api/v3/gateways/{gateway}/products",
                       expect=200, headers=auth)
        ).json()  # fmt: skip
        app_id = products[0]["environments"][0]["appId"]
        credentials = (
            await send(http, "consumer", "POST", f"/ds/api/v3/gateways/{gateway}/consumers",
                       expect=201, headers=auth,
                       json={"environmentAppId": app_id, "application": {"name": "class app"}})
        ).json()  # fmt: skip
        token = (
            await send(http, "token", "POST", credentials["tokenEndpoint"], expect=200,
                       data={"client_id": credentials["clientId"],
                             "client_secret": credentials["clientSecret"],
                             "grant_type": "client_credentials", "scopes": "openid"})
        ).json()["access_token"]  # fmt: skip
        bearer = host | {"Authorization": f"Bearer {token}"}
        for _ in range(self.calls):
            await send(http, "call", "GET", self.gateway_url, expect=200, headers=bearer)


class _Stop(Exception):
    """The learner's flow cannot go on (an error was recorded)."""


def percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))] if ordered else 0.0


async def run_class(portal: str, port: int, learners: int, calls: int, deadline: float):
    group = [Learner(i, portal, port, calls) for i in range(learners)]
    # Each learner's client exists before the class starts, as on a learner's own machine:
    # made inside the flows, each one's TLS set-up (~30 ms of CPU here) delayed the others'
    # first requests, and the first steps' p99 measured the load generator.
    clients = [g.client() for g in group]
    started = time.perf_counter()
    try:
        flows = (g.run(c) for g, c in zip(group, clients, strict=True))
        await asyncio.wait_for(asyncio.gather(*flows), deadline)
    except TimeoutError:
        print(f"stopped at the {deadline:.0f} s deadline", file=sys.stderr)
    return group, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=30)
    parser.add_argument("--calls", type=int, default=20)
    parser.add_argument("--deadline", type=float, default=180.0)
    args = parser.parse_args()
    learners, calls = min(max(args.learners, 1), 200), min(max(args.calls, 0), 100)

    ctx = mp.get_context("spawn")
    ready, done, stop = ctx.Queue(), ctx.Queue(), ctx.Event()
    data_dir = tempfile.mkdtemp(prefix="gwa-class-")
    child = ctx.Process(target=serve, args=(data_dir, ready, stop, done), daemon=True)
    child.start()
    try:
        info = ready.get(timeout=60)
        own_cpu = time.process_time()
        group, elapsed = asyncio.run(
            run_class(info["portal_url"], info["data_plane_port"], learners, calls, args.deadline)
        )
        own_cpu = time.process_time() - own_cpu
    finally:
        stop.set()
    sandbox = done.get(timeout=30)
    child.join(15)

    errors = [e for g in group for e in g.errors]
    by_step: dict[str, list[float]] = defaultdict(list)
    for g in group:
        for step, samples in g.samples.items():
            by_step[step].extend(samples)
    every = [s for samples in by_step.values() for s in samples]
    print(f"A class of {learners} learners, {calls} authorised calls each, all at once:")
    print(f"  {len(every)} requests in {elapsed:.1f} s; errors: {len(errors)}")
    for line in errors[:10]:
        print(f"    {line}")
    print(f"  all requests   p50 {percentile(every, 0.5):7.1f} ms   p99 "
          f"{percentile(every, 0.99):7.1f} ms   max {max(every, default=0):7.1f} ms")  # fmt: skip
    for step in ("discovery", "login", "gateway", "publish", "status", "consumer", "token", "call"):
        samples = by_step.get(step, [])
        print(f"  {step:<14} p50 {percentile(samples, 0.5):7.1f} ms   p99 "
              f"{percentile(samples, 0.99):7.1f} ms   ({len(samples)} requests)")  # fmt: skip
    answers = [took for took, _ in sandbox["answers"]]
    print(f"  in the sandbox (request received to answer sent)   p50 "
          f"{percentile(answers, 0.5):7.1f} ms   p99 {percentile(answers, 0.99):7.1f} ms")  # fmt: skip
    slowest = sorted(sandbox["answers"], reverse=True)[:3]
    print("    slowest there: " + ", ".join(f"{what} {took:.0f} ms" for took, what in slowest))
    (wall, cpu, what), (_, most_cpu, cpu_what) = sandbox["longest"]
    print(f"  longest single callback on the sandbox's event loop: {wall * 1000:.1f} ms"
          f" ({cpu * 1000:.1f} ms of it on the CPU; {what})")  # fmt: skip
    print(f"  most CPU in a single callback: {most_cpu * 1000:.1f} ms ({cpu_what}); a"
          " callback's wall time beyond its CPU is the machine or the GIL, not the sandbox")  # fmt: skip
    print(f"  longest event-loop stall in the sandbox: {sandbox['stall'] * 1000:.1f} ms"
          f" (longest full garbage collection {sandbox['gc'] * 1000:.1f} ms)")  # fmt: skip
    print(f"  CPU used: sandbox {sandbox['cpu']:.2f} s, learners' clients {own_cpu:.2f} s"
          f" of {elapsed:.2f} s (one core each at most)")  # fmt: skip
    print(f"  load average: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    print(f"  sandbox peak memory (VmHWM): {sandbox['peak_mb']:.0f} MB")
    if every:
        print(f"  mean {statistics.fmean(every):.1f} ms (python {sys.version.split()[0]})")


if __name__ == "__main__":
    main()
