"""One learner floods a class sandbox with publishes; how long another learner's publish takes.

Run: ``uv run python tests/benchmarks/bench_flood.py [--flood 20] [--large 3] [--services 60]``.
A script, no assertions. It starts ``gwa-wizard sandbox serve`` (the trainer's command, with a
passcode), signs in Amy and Mallory through the device flow, gives each a gateway, and then:

1. Amy publishes her one-service config with the sandbox idle (five times; the median is the
   baseline);
2. Mallory sends ``--flood`` publishes of ``--services`` services at once (under the
   large-config size by default: the lane Amy's own publish needs), and ``--large`` more
   padded past it, each on a connection of its own; meanwhile Amy publishes, one after the
   other, for as long as the flood lasts.

It prints Amy's publish times, idle and during the flood (median and slowest), their ratios,
all measured in this run, and how long Mallory's flood took. Bounded: at most 100 flood publishes, 10 large
ones and 200 services (the class sandbox's own limit per gateway).
"""

from __future__ import annotations

import argparse
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.ports import free_port_block  # noqa: E402
from tests.sandbox.portal_kit import config_text, service_doc  # noqa: E402
from tui.sandbox.publish_turns import LARGE_CONFIG  # noqa: E402

PASSCODE = "flood-bench"


def serve(port: int, data_dir: str) -> subprocess.Popen[str]:
    command = [sys.executable, "-m", "tui", "sandbox", "serve", "--port", str(port)]
    command += ["--data-dir", data_dir, "--passcode", PASSCODE]
    proc = subprocess.Popen(
        command,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    assert proc.stdout is not None
    for line in proc.stdout:  # the printout ends with this line once the class can begin
        if "Press Ctrl+C" in line:
            return proc
    raise SystemExit(f"the sandbox did not start (exit {proc.wait()})")


def sign_in(portal: str, name: str) -> httpx.Client:
    """A learner's portal client, after the device flow a browser would approve."""
    issuer = f"{portal}/auth/realms/aps"
    device = httpx.post(
        f"{issuer}/protocol/openid-connect/auth/device", data={"client_id": "gwa-cli"}
    ).json()
    form = {"user_code": device["user_code"], "username": name, "passcode": PASSCODE}
    httpx.post(f"{issuer}/device", data=form).raise_for_status()
    grant = {
        "grant_type": "urn:ietf:params:oauth:grant-type:device_code",
        "device_code": device["device_code"],
        "client_id": "gwa-cli",
    }
    token = httpx.post(f"{issuer}/protocol/openid-connect/token", data=grant).json()
    headers = {"Authorization": f"Bearer {token['access_token']}"}
    return httpx.Client(base_url=portal, headers=headers, timeout=120)


def new_gateway(client: httpx.Client) -> str:
    answer = client.post("/ds/api/v3/gateways", json={})
    answer.raise_for_status()
    return answer.json()["gatewayId"]


def publish(client: httpx.Client, gateway: str, text: str) -> tuple[int, float]:
    started = time.perf_counter()
    answer = client.put(
        f"/gw/api/v3/gateways/{gateway}/gateway",
        data={"dryRun": "false"},
        files={"configFile": ("gw-config.yaml", text.encode(), "application/octet-stream")},
    )
    return answer.status_code, time.perf_counter() - started


def services_text(gateway: str, count: int, upstream: str) -> str:
    docs = [config_text(service_doc(gateway, f"flood-{i}", upstream)) for i in range(count)]
    return "services:\n" + "".join(doc.split("services:\n", 1)[1] for doc in docs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--flood", type=int, default=20)
    parser.add_argument("--large", type=int, default=3)
    parser.add_argument("--services", type=int, default=60)  # under LARGE_CONFIG
    args = parser.parse_args()
    flood, large = min(max(args.flood, 0), 100), min(max(args.large, 0), 10)
    count = min(max(args.services, 1), 200)

    port = free_port_block()
    proc = serve(port, tempfile.mkdtemp(prefix="gwa-flood-"))
    try:
        portal = f"http://127.0.0.1:{port}"
        upstream = httpx.get(f"{portal}/sandbox/info").json()["upstream_url"]
        amy, mallory = sign_in(portal, "Amy"), sign_in(portal, "Mallory")
        hers, mine = new_gateway(mallory), new_gateway(amy)
        amy_text = config_text(service_doc(mine, "amy-api", upstream))
        idle = [publish(amy, mine, amy_text) for _ in range(5)]

        text = services_text(hers, count, upstream)
        padding = ("# " + "x" * 78 + "\n") * (LARGE_CONFIG // 80 + 1)
        texts = [text] * flood + [text + padding] * large
        results: list[tuple[int, float]] = []

        def one(body: str) -> None:
            with httpx.Client(base_url=portal, headers=mallory.headers, timeout=300) as own:
                results.append(publish(own, hers, body))

        threads = [threading.Thread(target=one, args=(body,)) for body in texts]
        flood_started = time.perf_counter()
        for thread in threads:
            thread.start()
        time.sleep(0.2)  # her publishes have arrived
        during = []  # Amy publishes, one after the other, for as long as the flood lasts
        while any(thread.is_alive() for thread in threads):
            during.append(publish(amy, mine, amy_text))
        flood_took = time.perf_counter() - flood_started
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(15)

    codes = sorted({code for code, _ in idle + during + results})
    base = statistics.median(t for _, t in idle)
    busy = statistics.median(t for _, t in during)
    print(f"Mallory: {flood} publishes of {count} services ({len(text)} characters) and "
          f"{large} padded past {LARGE_CONFIG}, all at once; took {flood_took:.1f} s")  # fmt: skip
    print(f"  answers: {codes} (every publish of both learners)")
    print(f"Amy's publish, idle:        median {base * 1000:6.1f} ms  (5 publishes)")
    worst = max(t for _, t in during)
    print(f"Amy's publish, during:      median {busy * 1000:6.1f} ms  ({len(during)} publishes)"
          f"  ratio {busy / base:5.1f}x")  # fmt: skip
    print(f"Amy's slowest publish:      {worst * 1000:6.1f} ms  ratio to idle {worst / base:5.1f}x")
    print(f"load average: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
