"""How many browser learners (``sandbox serve --web-port``) this machine holds at once.

Run: ``uv run python tests/benchmarks/bench_browser_learners.py [--max N]``. Bounded: at most
``--max`` wizards (default 8), each step waits at most 90 s. Asserts nothing.

For N = 1, 2, 4, … up to ``--max`` browsers connected at once (a websocket each, as the page
opens it, 160×45 cells): the time until every wizard has drawn its Target step, the time for
a key typed in every page to come back drawn (all typing at once), and the memory (RSS) each
wizard process uses. Ratios are against N = 1 measured in the same run.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import secrets
import statistics
import tempfile
import time
from pathlib import Path

import aiohttp

from tui.sandbox.classroom.web_learners import COOKIE, WebLearners
from tui.sandbox.context import SandboxConfig
from tui.sandbox.server import SandboxServer

TIMEOUT = 90.0


async def one_browser(url: str) -> tuple[float, float]:
    """Connect as a new browser; seconds to the Target step, seconds for a key to echo."""
    jar = aiohttp.CookieJar(unsafe=True)
    async with aiohttp.ClientSession(cookie_jar=jar) as session:
        jar.update_cookies({COOKIE: secrets.token_urlsafe(32)})
        start = time.perf_counter()
        async with session.ws_connect(url.replace("http", "ws") + "ws?width=160&height=45") as ws:
            seen = b""
            while b"Step 1 of" not in seen:
                msg = await ws.receive(timeout=TIMEOUT)
                seen += msg.data if isinstance(msg.data, bytes) else str(msg.data).encode()
            ready = time.perf_counter() - start
            await asyncio.sleep(1.0)  # let the first screen settle
            typed = time.perf_counter()
            await ws.send_str(json.dumps(["stdin", "zqx"]))
            seen = b""
            while b"zqx" not in seen:
                msg = await ws.receive(timeout=TIMEOUT)
                seen += msg.data if isinstance(msg.data, bytes) else str(msg.data).encode()
            echo = time.perf_counter() - typed
            return ready, echo


def wizard_rss_mb() -> list[float]:
    """RSS of every running wizard process (``python -m tui --host``) in MB."""
    out = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            cmd = (proc / "cmdline").read_bytes().split(b"\0")
            if b"tui" in cmd and b"--workspace" in cmd:
                for line in (proc / "status").read_text().splitlines():
                    if line.startswith("VmRSS:"):
                        out.append(int(line.split()[1]) / 1024)
        except OSError:
            continue
    return out


async def wave(url: str, n: int) -> tuple[float, float, list[float]]:
    tasks = [asyncio.create_task(one_browser(url)) for _ in range(n)]
    # sample memory while they are all connected (after they drew their first screen)
    results = await asyncio.gather(*tasks)
    ready = max(r for r, _ in results)
    echo = statistics.median(e for _, e in results)
    return ready, echo, []


async def wave_with_memory(url: str, n: int) -> tuple[float, float, list[float]]:
    rss: list[float] = []

    async def sample() -> None:
        while True:
            await asyncio.sleep(0.5)
            now = wizard_rss_mb()
            if len(now) >= len(rss):
                rss[:] = now

    sampler = asyncio.create_task(sample())
    try:
        ready, echo, _ = await wave(url, n)
    finally:
        sampler.cancel()
    return ready, echo, rss


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--max", type=int, default=8)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        sandbox = SandboxServer(
            SandboxConfig(
                data_dir=Path(tmp) / "sb",
                portal_port=0,
                data_plane_port=0,
                upstream_port=0,
                classroom=True,
            )
        )
        sandbox.start()
        web = WebLearners(
            host="127.0.0.1",
            port=0,
            public_host=None,
            sandbox_host=sandbox.ctx.portal_hostport,
            state_root=Path(tmp) / "browsers",
            limit=args.max,
        )
        web.start()
        try:
            base = None
            n = 1
            while n <= args.max:
                ready, echo, rss = asyncio.run(wave_with_memory(web.url, n))
                if base is None:
                    base = (ready, echo)
                mem = f"{statistics.median(rss):.0f} MB each" if rss else "n/a"
                print(
                    f"N={n:2d}  all on Target in {ready:5.1f} s (×{ready / base[0]:.1f})  "
                    f"key echo median {echo * 1000:6.0f} ms (×{echo / base[1]:.1f})  "
                    f"wizard RSS {mem}",
                    flush=True,
                )
                n *= 2
                deadline = time.monotonic() + 30
                while web.active and time.monotonic() < deadline:  # last wave's wizards end
                    time.sleep(0.2)
        finally:
            web.stop()
            sandbox.stop()


if __name__ == "__main__":
    main()
