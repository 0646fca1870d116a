"""How many browser learners (``sandbox serve --web-port``) this machine holds at once.

Run: ``uv run python tests/benchmarks/bench_browser_learners.py [--max 8]``. Bounded: at most
``--max`` wizards at once (waves of 1, 2, 4, 6, 8, … up to it), each browser waits at most
``--timeout`` seconds (90). Asserts nothing; prints one line per wave and a verdict.

For each wave of N browsers connecting at once (a websocket each, as the page opens it,
160×45 cells): how many showed the wizard's Target step, the time until the first and the
last of them did, the time for a key typed in every page (once its Target step has checked
the class sandbox) to come back drawn, and the memory (RSS) of each wizard process. A wave **meets the target** when every browser
shows Target within ``--ready-target`` seconds (30) and the median key echo is under
``--echo-target`` ms (1000): a class can start with that many learners and type without
waiting. The machine's load average is printed at the start, per wave and at the end:
figures taken under another job's load are not this feature's figures.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
import statistics
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import aiohttp

from tui.sandbox.classroom.web_learners import COOKIE, WebLearners
from tui.sandbox.context import SandboxConfig
from tui.sandbox.server import SandboxServer


@dataclass
class Browser:
    ready: float | None = None  # seconds to the Target step (None: never within the timeout)
    echo: float | None = None  # seconds for a typed key to come back drawn
    problem: str = ""


def load() -> str:
    one, five, _ = os.getloadavg()
    return f"load {one:.1f} (5 min {five:.1f}) on {os.cpu_count()} cores"


async def _until(ws: aiohttp.ClientWebSocketResponse, text: bytes, timeout: float) -> None:
    seen = b""
    deadline = time.monotonic() + timeout
    while text not in seen:
        left = deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError
        msg = await ws.receive(timeout=left)
        if msg.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED):
            raise ConnectionError("the server closed the page's connection")
        seen += msg.data if isinstance(msg.data, bytes) else str(msg.data).encode()
        seen = seen[-65536:]


async def one_browser(url: str, timeout: float, done: asyncio.Queue, hold: asyncio.Event) -> None:
    """Connect as a new browser: seconds to the Target step, seconds for a key to echo. The
    result goes to ``done``; the page then stays open until ``hold`` is set, so the wave's
    memory is measured with every wizard still running."""
    out = Browser()
    jar = aiohttp.CookieJar(unsafe=True)
    try:
        async with aiohttp.ClientSession(cookie_jar=jar) as session:
            jar.update_cookies({COOKIE: secrets.token_urlsafe(32)})
            start = time.perf_counter()
            ws_url = url.replace("http", "ws") + "ws?width=160&height=45"
            async with session.ws_connect(ws_url) as ws:
                out.problem = "no Target step"
                try:
                    await _until(ws, b"Step 1 of", timeout)
                    out.ready = time.perf_counter() - start
                    # type once the step has checked the class sandbox and focused the host
                    out.problem = "host never checked"
                    await _until(ws, b"portal answers", timeout)
                    await asyncio.sleep(0.5)
                    out.problem = "key never echoed"
                    typed = time.perf_counter()
                    await ws.send_str(json.dumps(["stdin", "zqx"]))
                    await _until(ws, b"zqx", timeout)
                    out.echo = time.perf_counter() - typed
                    out.problem = ""
                except TimeoutError:
                    out.problem += f" within {timeout:.0f} s"
                done.put_nowait(out)
                await hold.wait()
                return
    except (aiohttp.ClientError, ConnectionError) as exc:
        out.problem = type(exc).__name__
    done.put_nowait(out)


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


async def wave(url: str, n: int, timeout: float) -> tuple[list[Browser], list[float]]:
    """N browsers at once; their results and each wizard's RSS (MB) with all still up."""
    done: asyncio.Queue[Browser] = asyncio.Queue()
    hold = asyncio.Event()
    tasks = [asyncio.create_task(one_browser(url, timeout, done, hold)) for _ in range(n)]
    browsers = [await done.get() for _ in range(n)]
    rss = wizard_rss_mb()
    hold.set()
    await asyncio.gather(*tasks)
    return browsers, rss


def sizes(most: int) -> list[int]:
    out = [n for n in (1, 2, 4) if n <= most]
    out += list(range(6, most + 1, 2))
    if most not in out:
        out.append(most)
    return out


def report(n: int, browsers: list[Browser], rss: list[float], args: argparse.Namespace) -> bool:
    """Print one wave's line; whether it met the target."""
    ready = sorted(b.ready for b in browsers if b.ready is not None)
    echoes = [b.echo for b in browsers if b.echo is not None]
    echo = statistics.median(echoes) if echoes else None
    met = (
        len(ready) == n
        and ready[-1] <= args.ready_target
        and echo is not None
        and echo * 1000 < args.echo_target
        and len(echoes) == n
    )
    first = f"{ready[0]:5.1f} s" if ready else "   —   "
    last = f"{ready[-1]:5.1f} s" if len(ready) == n else "   —   "
    echo_text = f"{echo * 1000:6.0f} ms" if echo is not None else "     —   "
    mem = f"{statistics.median(rss):4.0f} MB" if rss else " n/a"
    problems = sorted({b.problem for b in browsers if b.problem})
    print(
        f"N={n:2d}  on Target {len(ready):2d}/{n:<2d}  first {first}  last {last}  "
        f"key echo median {echo_text}  RSS/wizard {mem}  "
        f"{'MEETS' if met else 'misses'} target  [{load()}]"
        + (f"  problems: {', '.join(problems)}" if problems else ""),
        flush=True,
    )
    return met


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--max", type=int, default=8, help="most browsers at once (8)")
    parser.add_argument("--timeout", type=float, default=90.0, help="seconds per browser (90)")
    parser.add_argument("--ready-target", type=float, default=30.0, help="seconds to Target")
    parser.add_argument("--echo-target", type=float, default=1000.0, help="ms per key echo")
    args = parser.parse_args()
    print(
        f"Browser learners: waves of {sizes(args.max)} browsers at once. Target: every "
        f"browser shows the Target step within {args.ready_target:.0f} s and keys echo in "
        f"under {args.echo_target:.0f} ms (median).",
        flush=True,
    )
    print(f"start: {load()}", flush=True)
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
        best = 0
        try:
            for n in sizes(args.max):
                browsers, rss = asyncio.run(wave(web.url, n, args.timeout))
                if report(n, browsers, rss, args):
                    best = n
                deadline = time.monotonic() + 30
                while web.active and time.monotonic() < deadline:  # last wave's wizards end
                    time.sleep(0.2)
        finally:
            web.stop()
            sandbox.stop()
    print(f"end: {load()}", flush=True)
    print(
        f"Largest wave that met the target: {best or 'none'} browser(s) at once"
        + ("" if best else " (see the lines above for how far each wave got)"),
        flush=True,
    )


if __name__ == "__main__":
    main()
