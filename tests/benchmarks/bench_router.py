"""Router benchmark (a script, no assertions): ``uv run python tests/benchmarks/bench_router.py``

With 5,000 published services (a full class), prints: the first route-table build, the
rebuild after one service changes (unchanged rows reuse their parsed routes), and the time of
one match through the host index against a scan of every route, with their ratio, all
measured in this run.
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
import uuid
from pathlib import Path

SERVICES = 5000


def main() -> int:
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    from tests.sandbox import kong_fixtures
    from tui.sandbox.context import SandboxConfig
    from tui.sandbox.kong_router import Router
    from tui.sandbox.server import SandboxServer

    data = Path(tempfile.mkdtemp(prefix="bench-router-"))
    server = SandboxServer(
        SandboxConfig(data_dir=data, portal_port=0, data_plane_port=0, upstream_port=0)
    )
    server.start()
    try:
        rows = []
        for i in range(SERVICES):
            doc = kong_fixtures.service_doc("gw-bench", f"s{i}", server.info.upstream_url)
            rows.append(("gw-bench", doc["name"], str(uuid.uuid4()), json.dumps(doc)))
        with server.ctx.db.transaction() as conn:
            conn.executemany(
                "INSERT INTO kong_services(gateway_id, name, id, doc) VALUES (?,?,?,?)", rows
            )
        router = Router(server.ctx)
        started = time.perf_counter()
        every = router.routes()
        build = time.perf_counter() - started
        with server.ctx.db.transaction() as conn:
            conn.execute("UPDATE kong_services SET name=name WHERE name='s1-dev'")
        started = time.perf_counter()
        router.routes()
        rebuild = time.perf_counter() - started
        host = server.ctx.env_host(f"s{SERVICES - 1}.dev.api.gov.bc.ca")
        started = time.perf_counter()
        for _ in range(500):
            router.match(host, "GET", "/uuid")
        indexed = (time.perf_counter() - started) / 500
        router.candidates = lambda _host: every  # type: ignore[method-assign]  # scan them all
        started = time.perf_counter()
        for _ in range(20):
            router.match(host, "GET", "/uuid")
        scanned = (time.perf_counter() - started) / 20
        print(f"{SERVICES} services: build {build:.2f} s, rebuild after one change "
              f"{rebuild:.2f} s (ratio {build / rebuild:.1f})")  # fmt: skip
        print(f"one match: {indexed * 1000:.3f} ms indexed, {scanned * 1000:.1f} ms scanning "
              f"every route (ratio {scanned / indexed:.0f})")  # fmt: skip
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
