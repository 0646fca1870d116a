"""How fast the wizard shows its first screen, and how long its event loop ever stalls.

Run: ``uv run python tests/benchmarks/bench_startup.py [--runs N]``. Prints figures and
ratios; it asserts nothing (timings depend on the machine).

1. Time to first screen, each run in a fresh Python process (imports included), headless,
   100×30: a minimal Textual app (one Static), the wizard's first screen (the start-up screen,
   shown before the sandbox starts), and the wizard's first step (Target, after the embedded
   sandbox started and the discovery check answered). Medians of N runs, and the ratios; and
   the resident memory of the wizard plus its sandbox process at that moment.
2. The longest event-loop stall while Pilot drives Target → Status against the embedded
   sandbox (the e2e flow): a probe task asks to wake every 5 ms and records the worst delay.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

MINIMAL = """
import time, asyncio
start = time.perf_counter()
from textual.app import App
from textual.widgets import Static
class Minimal(App):
    def compose(self):
        yield Static("hello")
async def main():
    async with Minimal().run_test(size=(100, 30)) as pilot:
        print(time.perf_counter() - start)  # first screen composed and mounted
asyncio.run(main())
"""

WIZARD = """
import time, asyncio, sys, tempfile
start = time.perf_counter()
from pathlib import Path
from tui.options import WizardOptions
from tui.embedded_sandbox import launch_for
root = Path(tempfile.mkdtemp())
options = WizardOptions(data_dir=root / "d", state_dir=root / "s", workspace=root / "w")
sandbox = launch_for(options)  # what tui.cli does before it imports the app
from tui.app import WizardApp
from screens.base import WizardStep
async def main():
    app = WizardApp(options, sandbox=sandbox)
    async with app.run_test(size=(100, 30)) as pilot:
        first = time.perf_counter() - start  # the start-up screen composed and mounted
        while not (isinstance(app.screen, WizardStep) and app.screen.ready):
            await pilot.pause(0.005)
        ready = time.perf_counter() - start
        pids = ["self"] + ([str(sandbox.process.pid)] if sandbox else [])
        rss = 0
        for pid in pids:  # the wizard and its sandbox process, resident memory in kB
            for line in open(f"/proc/{pid}/status"):
                if line.startswith("VmRSS:"):
                    rss += int(line.split()[1])
        print(first, ready, rss / 1024)
asyncio.run(main())
"""


def run(code: str) -> list[float]:
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        env=_env(),
    )
    return [float(x) for x in out.stdout.split()]


def _env() -> dict[str, str]:
    import os

    env = dict(os.environ)
    env["PYTHONPATH"] = f"{ROOT}{os.pathsep}{env.get('PYTHONPATH', '')}"
    env.setdefault("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
    return env


async def stall_during_flow() -> tuple[float, float, int]:
    """(longest stall in s, flow duration in s, probes) while the e2e flow runs."""
    sys.path.insert(0, str(ROOT))
    from tests.e2e.flow_kit import drive_provider_flow, options_in
    from tui.app import WizardApp

    worst = 0.0
    probes = 0
    done = asyncio.Event()

    async def probe() -> None:
        nonlocal worst, probes
        interval = 0.005
        loop = asyncio.get_running_loop()
        while not done.is_set():
            before = loop.time()
            await asyncio.sleep(interval)
            worst = max(worst, loop.time() - before - interval)
            probes += 1

    with tempfile.TemporaryDirectory() as tmp:
        app = WizardApp(options_in(Path(tmp)))
        async with app.run_test(size=(100, 30)) as pilot:
            task = asyncio.create_task(probe())
            started = time.perf_counter()
            await drive_provider_flow(pilot, "bench-svc")
            duration = time.perf_counter() - started
            done.set()
            await task
    return worst, duration, probes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()

    minimal, first, target, memory = [], [], [], []
    for _ in range(args.runs):
        minimal.append(run(MINIMAL)[0])
        screen, step, rss = run(WIZARD)
        first.append(screen)
        target.append(step)
        memory.append(rss)
    m, f, t = (statistics.median(x) for x in (minimal, first, target))
    print(f"time to first screen, median of {args.runs} fresh processes (imports included):")
    print(f"  minimal Textual app            {m * 1000:8.0f} ms")
    print(f"  gwa-wizard start-up screen     {f * 1000:8.0f} ms   ratio {f / m:5.2f}x")
    print(
        f"  gwa-wizard Target step ready   {t * 1000:8.0f} ms   ratio {t / m:5.2f}x"
        "  (sandbox started, discovery checked)"
    )
    print(f"  memory at that point, wizard + sandbox process: {max(memory):.0f} MB RSS")

    worst, duration, probes = asyncio.run(stall_during_flow())
    print("event loop during the e2e flow (Target → Status, embedded sandbox):")
    print(f"  flow took {duration:.1f} s; {probes} probes; longest stall {worst * 1000:.1f} ms")


if __name__ == "__main__":
    main()
