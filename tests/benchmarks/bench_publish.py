"""Publish benchmark (a script, no assertions): ``uv run python tests/benchmarks/bench_publish.py``

One learner publishes a large configuration while another learner's API is being called.
Prints, all measured in this run:

* the time of a publish of N and of 4N services, and their ratio (about 4 when the publish is
  linear; the old duplicate check made it about 16);
* p50 and max latency of the other learner's API call before and during the big publish, and
  their ratios (the publish runs in a worker thread, so the event loop keeps answering).

Quotas are raised for the run (a class sandbox's defaults would refuse the big publish early).
"""

from __future__ import annotations

import json
import statistics
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

import httpx
import yaml

N = 600
PROBES = 60


def config(gateway: str, count: int, upstream: str) -> str:
    url = httpx.URL(upstream)
    services = [
        {
            "name": f"bulk-{i}",
            "tags": [f"ns.{gateway}"],
            "host": url.host,
            "port": url.port,
            "protocol": "http",
            "routes": [
                {
                    "name": f"bulk-{i}",
                    "tags": [f"ns.{gateway}"],
                    "hosts": [f"bulk-{i}-{gateway}.dev.api.gov.bc.ca"],
                    "paths": ["/"],
                }
            ],
        }
        for i in range(count)
    ]
    return yaml.safe_dump({"services": services})


def latencies(url: str, host: str, count: int) -> list[float]:
    out = []
    with httpx.Client(timeout=60) as c:
        for _ in range(count):
            started = time.perf_counter()
            c.get(url, headers={"Host": host})
            out.append(time.perf_counter() - started)
    return out


def main() -> int:
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    from tests.sandbox.portal_kit import client, new_gateway, publish, user
    from tui.sandbox.context import SandboxConfig
    from tui.sandbox.server import SandboxServer

    data = Path(tempfile.mkdtemp(prefix="bench-publish-"))
    server = SandboxServer(
        SandboxConfig(
            data_dir=data,
            portal_port=0,
            data_plane_port=0,
            upstream_port=0,
            max_services_per_gateway=10 * N,
            max_config_bytes=64 * 1024 * 1024,
        )
    )
    server.start()
    try:
        up = server.info.upstream_url
        with client(server, user("victim")) as v, client(server, user("bulk")) as b:
            victim, bulk = new_gateway(v), new_gateway(b)
            own = config(victim, 1, up).replace("bulk-0", "victim-api")
            assert publish(v, victim, own).status_code == 200
            host = server.ctx.env_host(f"victim-api-{victim}.dev.api.gov.bc.ca")
            url = f"http://127.0.0.1:{server.info.data_plane_port}/uuid"

            timings = {}
            for count in (N, 4 * N):
                text = config(bulk, count, up)
                started = time.perf_counter()
                r = publish(b, bulk, text, dry_run=True)
                timings[count] = time.perf_counter() - started
                assert r.status_code == 200, r.text[:300]
            print(f"publish {N} services: {timings[N]:.2f} s; {4 * N}: {timings[4 * N]:.2f} s; "
                  f"ratio {timings[4 * N] / timings[N]:.1f} (4.0 = linear)")  # fmt: skip

            before = latencies(url, host, PROBES)
            text = config(bulk, 4 * N, up).replace("bulk-", f"big-{uuid.uuid4().hex[:4]}-")
            worker = threading.Thread(target=lambda: publish(b, bulk, text))
            worker.start()
            during = []
            while worker.is_alive():
                during.extend(latencies(url, host, 5))
            worker.join()
        p50b, p50d = statistics.median(before), statistics.median(during)
        print(f"victim API p50: {p50b * 1000:.1f} ms before, {p50d * 1000:.1f} ms during "
              f"(ratio {p50d / p50b:.1f}); max {max(before) * 1000:.1f} ms before, "
              f"{max(during) * 1000:.1f} ms during ({len(during)} calls during the publish)")  # fmt: skip
        print(json.dumps({"publish_ratio": timings[4 * N] / timings[N], "p50_ratio": p50d / p50b}))
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
