"""Data-plane benchmark (a script, no assertions): ``uv run python tests/benchmarks/bench_dataplane.py``

Starts a sandbox in a child process on free loopback ports (so the load generator does not
share its interpreter), publishes a protected service, adds a consumer, then prints:

* p50/p99 latency of an authorised ``GET /uuid`` through the gateway vs. the upstream
  directly, and their ratio;
* requests per second through the gateway with 50 concurrent clients, and the same as
  requests per CPU-second of the sandbox process (steadier than wall time on a busy machine);
* consumer tokens issued per second by the shared IdP realm, and per CPU-second of the
  sandbox.

Runs in well under a minute.
"""

from __future__ import annotations

import asyncio
import json
import multiprocessing as mp
import os
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path
from urllib.parse import urlencode

import httpx

LATENCY_REQUESTS = 400
CONCURRENCY = 50
THROUGHPUT_REQUESTS = 4000
TOKEN_SECONDS = 3.0
TOKEN_CONCURRENCY = 8


def serve(data_dir: str, ready: mp.Queue, stop: mp.Event) -> None:
    from tui.sandbox.context import SandboxConfig
    from tui.sandbox.server import SandboxServer

    config = SandboxConfig(
        data_dir=Path(data_dir), portal_port=0, data_plane_port=0, upstream_port=0
    )
    server = SandboxServer(config)
    server.start()
    ready.put(
        {
            "upstream_url": server.ctx.upstream_url,
            "data_plane_port": server.ctx.data_plane_port,
            "token_endpoint": server.ctx.shared_idp_token_endpoint,
        }
    )
    stop.wait()
    server.stop()


def set_up(data_dir: str, upstream_url: str) -> tuple[str, str, str]:
    """Publish a protected service and add a consumer through the shared tables."""
    from tui.sandbox import client_secrets
    from tui.sandbox.context import SHARED_IDP_ISSUER
    from tui.sandbox.db import Database

    gateway, service = "gw-b3nch", "bench-api"
    client_id, secret = "B3NCH000-0123456789A", str(uuid.uuid4())
    tag = [f"ns.{gateway}"]
    doc = {
        "name": f"{service}-dev",
        "tags": tag,
        "host": upstream_url.split("//", 1)[1],
        "port": int(upstream_url.rsplit(":", 1)[1]),
        "protocol": "http",
        "retries": 0,
        "routes": [
            {
                "name": f"{service}-dev",
                "tags": tag,
                "hosts": [f"{service}.dev.api.gov.bc.ca"],
                "paths": ["/"],
                "methods": ["GET"],
                "strip_path": False,
            }
        ],
        "plugins": [
            {
                "name": "jwt-keycloak",
                "tags": tag,
                "enabled": True,
                "config": {
                    "allowed_iss": [SHARED_IDP_ISSUER],
                    "allowed_aud": f"ap-{gateway}-default-dev",
                    "algorithm": "RS256",
                    "claims_to_verify": ["exp"],
                    "uri_param_names": ["jwt"],
                    "cookie_names": [],
                    "run_on_preflight": True,
                    "consumer_match": True,
                    "consumer_match_claim": "azp",
                    "consumer_match_claim_custom_id": True,
                },
            }
        ],
    }
    db = Database(Path(data_dir) / "sandbox.sqlite3")
    with db.transaction() as conn:
        conn.execute(
            "INSERT INTO kong_services(gateway_id, name, id, doc) VALUES (?,?,?,?)",
            (gateway, doc["name"], str(uuid.uuid4()), json.dumps(doc)),
        )
        conn.execute(
            "INSERT INTO consumers(client_id, gateway_id, environment_app_id,"
            " application_app_id, client_secret, audience, kong_consumer_id, labels, created_at)"
            " VALUES (?,?,?,?,?,?,?,?,?)",
            (client_id, gateway, "B3NCH000", "0123456789A", client_secrets.digest(secret),
             f"ap-{gateway}-default-dev", str(uuid.uuid4()), "{}", time.time()),
        )  # fmt: skip
    db.close()
    return service, client_id, secret


def _cpu_split(pid: int | None) -> tuple[float, float]:
    """(user, system) CPU seconds of process ``pid`` so far (Linux ``/proc``)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    tick = os.sysconf("SC_CLK_TCK")
    return int(fields[11]) / tick, int(fields[12]) / tick


def _cpu_seconds(pid: int | None) -> float:
    """User + system CPU time of process ``pid`` so far."""
    return sum(_cpu_split(pid))


def percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def latencies(client: httpx.Client, url: str, headers: dict[str, str]) -> list[float]:
    for _ in range(20):  # warm up connections and caches
        client.get(url, headers=headers).raise_for_status()
    samples = []
    for _ in range(LATENCY_REQUESTS):
        started = time.perf_counter()
        response = client.get(url, headers=headers)
        samples.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            raise SystemExit(f"unexpected {response.status_code}: {response.text}")
    return samples


async def _read_response(reader: asyncio.StreamReader) -> int:
    """Read one HTTP/1.1 response (Content-Length or chunked body); return its status."""
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    fields = {k.strip().lower(): v.strip() for k, _, v in (ln.partition(":") for ln in lines[1:])}
    if "content-length" in fields:
        await reader.readexactly(int(fields["content-length"]))
    elif fields.get("transfer-encoding", "").lower() == "chunked":
        while True:
            size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
            await reader.readexactly(size + 2)
            if size == 0:
                break
    return status


async def throughput(url: str, headers: dict[str, str]) -> tuple[float, int]:
    """50 keep-alive connections sending GETs back to back (a plain asyncio client: httpx's
    own pool would be the bottleneck at this concurrency, not the server)."""
    target = httpx.URL(url)
    lines = [f"GET {target.raw_path.decode()} HTTP/1.1", f"Host: {target.netloc.decode()}"]
    lines += [f"{k}: {v}" for k, v in headers.items() if k.lower() != "host"]
    if "Host" in headers:
        lines[1] = f"Host: {headers['Host']}"
    request = ("\r\n".join(lines) + "\r\n\r\n").encode()
    remaining = THROUGHPUT_REQUESTS
    failures = 0

    async def worker() -> None:
        nonlocal remaining, failures
        reader, writer = await asyncio.open_connection(target.host, target.port)
        try:
            while remaining > 0:
                remaining -= 1
                writer.write(request)
                await writer.drain()
                failures += await _read_response(reader) != 200
        finally:
            writer.close()

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(CONCURRENCY)))
    return THROUGHPUT_REQUESTS / (time.perf_counter() - started), failures


async def token_rate(endpoint: str, client_id: str, secret: str) -> tuple[float, int]:
    """Client-credentials grants from keep-alive connections (the same plain asyncio client
    as the throughput: with httpx here the load generator was the limit, and the sandbox sat
    idle two thirds of the run)."""
    target = httpx.URL(endpoint)
    form = urlencode(
        {"client_id": client_id, "client_secret": secret, "grant_type": "client_credentials"}
    ).encode()
    request = (
        f"POST {target.raw_path.decode()} HTTP/1.1\r\nHost: {target.netloc.decode()}\r\n"
        "Content-Type: application/x-www-form-urlencoded\r\n"
        f"Content-Length: {len(form)}\r\n\r\n"
    ).encode() + form
    issued = 0
    deadline = time.perf_counter() + TOKEN_SECONDS

    async def worker() -> None:
        nonlocal issued
        reader, writer = await asyncio.open_connection(target.host, target.port)
        try:
            while time.perf_counter() < deadline:
                writer.write(request)
                await writer.drain()
                if await _read_response(reader) != 200:
                    raise SystemExit("the token endpoint refused the benchmark's client")
                issued += 1
        finally:
            writer.close()

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(TOKEN_CONCURRENCY)))
    return issued / (time.perf_counter() - started), issued


def main() -> None:
    began = time.perf_counter()
    data_dir = tempfile.mkdtemp(prefix="gwa-bench-")
    ctx = mp.get_context("spawn")
    ready: mp.Queue = ctx.Queue()
    stop = ctx.Event()
    child = ctx.Process(target=serve, args=(data_dir, ready, stop), daemon=True)
    child.start()
    try:
        info = ready.get(timeout=30)
        service, client_id, secret = set_up(data_dir, info["upstream_url"])
        port = info["data_plane_port"]
        env_host = f"{service}-dev-api-gov-bc-ca.localhost:{port}"
        token = httpx.post(
            info["token_endpoint"],
            data={"client_id": client_id, "client_secret": secret,
                  "grant_type": "client_credentials"},
        ).json()["access_token"]  # fmt: skip
        gateway_url = f"http://127.0.0.1:{port}/uuid"
        direct_url = f"{info['upstream_url']}/uuid"
        auth = {"Host": env_host, "Authorization": f"Bearer {token}"}

        with httpx.Client(trust_env=False, timeout=30) as client:
            via = latencies(client, gateway_url, auth)
            direct = latencies(client, direct_url, {})
        split_start = _cpu_split(child.pid)
        cpu_start = sum(split_start)
        client_start = time.process_time()
        rps, failures = asyncio.run(throughput(gateway_url, auth))
        client_cpu = time.process_time() - client_start
        split_gateway = _cpu_split(child.pid)
        cpu_gateway = sum(split_gateway)
        direct_rps, _ = asyncio.run(throughput(direct_url, {}))
        split_direct = _cpu_split(child.pid)
        cpu_direct = sum(split_direct)
        tokens, issued = asyncio.run(token_rate(info["token_endpoint"], client_id, secret))
        cpu_tokens = _cpu_seconds(child.pid) - cpu_direct
    finally:
        stop.set()
        child.join(10)

    p50_via, p99_via = percentile(via, 0.50), percentile(via, 0.99)
    p50_direct, p99_direct = percentile(direct, 0.50), percentile(direct, 0.99)
    print(f"Authorised GET /uuid, {LATENCY_REQUESTS} sequential requests (keep-alive):")
    print(f"  through the gateway   p50 {p50_via:6.2f} ms   p99 {p99_via:6.2f} ms"
          f"   mean {statistics.fmean(via):6.2f} ms")  # fmt: skip
    print(f"  upstream directly     p50 {p50_direct:6.2f} ms   p99 {p99_direct:6.2f} ms"
          f"   mean {statistics.fmean(direct):6.2f} ms")  # fmt: skip
    print(f"  ratio gateway/direct  p50 {p50_via / p50_direct:5.2f}x   "
          f"p99 {p99_via / p99_direct:5.2f}x")  # fmt: skip
    print(f"Throughput through the gateway, {CONCURRENCY} concurrent clients, "
          f"{THROUGHPUT_REQUESTS} requests: {rps:7.0f} req/s ({failures} non-200)")  # fmt: skip
    print(f"  same load on the upstream directly: {direct_rps:7.0f} req/s"
          f" (ratio {rps / direct_rps:4.2f})")  # fmt: skip
    # The sandbox's own CPU time per request: what the throughput would be on a core of its
    # own, which a loaded machine does not give it (10 ms clock ticks: a rough figure).
    per_cpu_via = THROUGHPUT_REQUESTS / max(cpu_gateway - cpu_start, 1e-3)
    per_cpu_direct = THROUGHPUT_REQUESTS / max(cpu_direct - cpu_gateway, 1e-3)
    print(f"  requests per CPU-second of the sandbox: gateway {per_cpu_via:6.0f}, direct "
          f"{per_cpu_direct:6.0f} (ratio {per_cpu_via / per_cpu_direct:4.2f})")  # fmt: skip
    # The ratio is 0.5 exactly when the gateway's own work (its HTTP server, plugin, router
    # and the second hop) costs what the whole upstream request costs.
    own_us = 1e6 / per_cpu_via - 1e6 / per_cpu_direct
    print(f"  sandbox CPU per request: the gateway's own {own_us:5.0f} us, the upstream's"
          f" {1e6 / per_cpu_direct:5.0f} us")  # fmt: skip
    # The kernel's share (system time): loopback sends and receives, epoll. A proxied request
    # makes both hops' system calls (the upstream's included), a direct one only its own.
    kernel_via = (split_gateway[1] - split_start[1]) * 1e6 / THROUGHPUT_REQUESTS
    kernel_direct = (split_direct[1] - split_gateway[1]) * 1e6 / THROUGHPUT_REQUESTS
    print(f"  of which in the kernel (system time): gateway {kernel_via:5.0f} us a request,"
          f" direct {kernel_direct:5.0f} us")  # fmt: skip
    # The load generator's own CPU (this process): what it leaves of the other core.
    print(f"  the load generator's CPU: {client_cpu * 1e6 / THROUGHPUT_REQUESTS:5.0f} us a request")
    print(f"Consumer tokens issued ({TOKEN_CONCURRENCY} concurrent clients, "
          f"{TOKEN_SECONDS:.0f} s): {tokens:6.0f} tokens/s")  # fmt: skip
    print(f"  tokens per CPU-second of the sandbox: {issued / max(cpu_tokens, 1e-3):6.0f}")
    print(f"Load average: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    print(f"Total run time {time.perf_counter() - began:.1f} s (python {sys.version.split()[0]})")


if __name__ == "__main__":
    main()
