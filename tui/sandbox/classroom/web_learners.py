"""Learners with only a browser: ``sandbox serve --web-port`` serves the wizard itself with
textual-serve, already pointed at this class sandbox.

Each browser gets a random, HttpOnly cookie (:data:`COOKIE`); its hash names a folder of its
own under ``state_root`` that becomes the wizard's XDG state/data/config/cache home and
workspace, so a reload (a new wizard process) resumes the same session. At most
:data:`MAX_LEARNERS` wizards run at once (see the README for how this was measured); past
that the page says so politely instead of starting another one.

The web server is aiohttp (what textual-serve is built on), run in its own thread and loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import hashlib
import os
import secrets
import shlex
import sys
import threading
from html import escape
from pathlib import Path

from aiohttp import web
from textual_serve.server import Server

from . import identity

# The class identity cookie itself: cookies ignore ports, so the portal's sign-in pages and
# the browser wizard see one value, and a name claimed in either belongs to this browser.
COOKIE = identity.COOKIE
CLAIM_FILE = "class-claim"
MAX_LEARNERS = 6  # measured: see the README ("Learners with only a browser")
FULL_MESSAGE = (
    "The class's browser wizards are all in use ({limit} at once on this machine). Ask your "
    "trainer, or install gwa-wizard on your own computer and run the command on the board."
)


def browser_dir(state_root: Path, token: str) -> Path:
    return state_root / hashlib.sha256(token.encode("utf-8")).hexdigest()[:20]


def write_claim(home: Path, token: str) -> Path:
    """The browser's claim, for its wizard's device login (owner-only file)."""
    path = home / CLAIM_FILE
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(token)
    return path


def wizard_command(sandbox_host: str, home: Path) -> str:
    """The shell command textual-serve runs for one browser: the wizard, private dirs."""
    env = {
        "HOME": home,
        "XDG_STATE_HOME": home / "state",
        "XDG_DATA_HOME": home / "data",
        "XDG_CONFIG_HOME": home / "config",
        "XDG_CACHE_HOME": home / "cache",
        "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring",
        "GWA_WIZARD_CLASS_CLAIM_FILE": home / CLAIM_FILE,
    }
    assignments = " ".join(f"{k}={shlex.quote(str(v))}" for k, v in env.items())
    wizard = [sys.executable, "-m", "tui", "--host", sandbox_host, "--scheme", "http"]
    wizard += ["--workspace", str(home / "workspace")]
    return f"cd {shlex.quote(str(home))} && exec env {assignments} {shlex.join(wizard)}"


class _Server(Server):
    def __init__(self, owner: WebLearners) -> None:
        super().__init__("gwa-wizard", host=owner.host, port=owner.port, title="gwa-wizard")
        self.owner = owner

    def _token(self, request: web.Request) -> str | None:
        token = request.cookies.get(COOKIE)
        return token if token and 32 <= len(token) <= 64 else None

    def _full(self, token: str | None) -> bool:
        """No room for this browser (a browser that has a wizard already keeps its place)."""
        return token not in self.owner.sessions and self.owner.active >= self.owner.limit

    async def handle_index(self, request: web.Request) -> web.StreamResponse:
        token = self._token(request)
        if self._full(token):
            return _full_page(self.owner.limit)
        response = await super().handle_index(request)
        if token is None:
            response.set_cookie(
                COOKIE,
                secrets.token_urlsafe(32),
                max_age=identity.COOKIE_MAX_AGE,
                httponly=True,
                samesite="Lax",
                path="/",
            )
        return response

    async def handle_websocket(self, request: web.Request) -> web.StreamResponse:  # type: ignore[override]  # refusals are plain HTTP answers
        token = self._token(request)
        if token is None:
            return web.Response(status=403, text="Open the page first.")
        if self._full(token):
            return _full_page(self.owner.limit)
        previous = self.owner.sessions.pop(token, None)
        if previous is not None:  # a reload or a second tab: one wizard per state folder
            previous.cancel()
            with contextlib.suppress(BaseException):
                await previous
        home = browser_dir(self.owner.state_root, token)
        for sub in ("state", "data", "config", "cache", "workspace"):
            (home / sub).mkdir(parents=True, exist_ok=True, mode=0o700)
        write_claim(home, token)
        self.command = wizard_command(self.owner.sandbox_host, home)
        task = asyncio.current_task()
        assert task is not None
        self.owner.sessions[token] = task
        try:
            return await super().handle_websocket(request)
        finally:
            if self.owner.sessions.get(token) is task:
                del self.owner.sessions[token]

    async def on_startup(self, app: web.Application) -> None:  # no logo on the trainer's screen
        return None


def _full_page(limit: int) -> web.Response:
    text = escape(FULL_MESSAGE.format(limit=limit))
    html = (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Class is full</title>'
        '</head><body style="font-family:system-ui;max-width:36rem;margin:3rem auto">'
        f"<h1>No free browser wizard right now</h1><p>{text}</p></body></html>"
    )
    return web.Response(
        text=html, status=503, content_type="text/html", headers={"Retry-After": "60"}
    )


class WebLearners:
    """The browser wizard server; ``start()`` binds (port 0 picks one) and serves in a thread."""

    def __init__(
        self,
        *,
        host: str,
        port: int,
        public_host: str | None,
        sandbox_host: str,
        state_root: Path,
        limit: int = MAX_LEARNERS,
    ) -> None:
        self.host, self.port, self.public_host = host, port, public_host
        self.sandbox_host = sandbox_host
        self.state_root = state_root
        self.limit = limit
        # browser token -> the task serving its wizard (touched on the server's loop only)
        self.sessions: dict[str, asyncio.Task] = {}
        self._loop: asyncio.AbstractEventLoop | None = None
        self._runner: web.AppRunner | None = None
        self._thread: threading.Thread | None = None

    @property
    def active(self) -> int:
        """Wizards running now, one per browser."""
        return len(self.sessions)

    @property
    def url(self) -> str:
        host = self.public_host or ("127.0.0.1" if self.host in ("0.0.0.0", "::") else self.host)
        return f"http://{host}:{self.port}/"

    def start(self) -> None:
        self.state_root.mkdir(parents=True, exist_ok=True, mode=0o700)
        self._loop = asyncio.new_event_loop()
        server = _Server(self)
        ready = threading.Event()
        failure: list[BaseException] = []

        async def boot() -> None:
            self._runner = web.AppRunner(await server._make_app(), handle_signals=False)
            await self._runner.setup()
            site = web.TCPSite(self._runner, self.host, self.port)
            await site.start()
            sockets = site._server.sockets if site._server else []  # type: ignore[attr-defined]
            self.port = sockets[0].getsockname()[1]
            server.public_url = self.url.rstrip("/")

        def run() -> None:
            assert self._loop is not None
            asyncio.set_event_loop(self._loop)
            try:
                self._loop.run_until_complete(boot())
            except BaseException as exc:
                failure.append(exc)
                ready.set()
                return
            ready.set()
            self._loop.run_forever()

        self._thread = threading.Thread(target=run, name="gwa-web-learners", daemon=True)
        self._thread.start()
        ready.wait(30)
        if failure:
            raise failure[0]

    def stop(self) -> None:
        loop = self._loop
        if loop is None or self._runner is None:
            return
        runner = self._runner

        async def shut() -> None:
            tasks = list(self.sessions.values())
            for task in tasks:  # each wizard's handler stops its process as it unwinds
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            await runner.cleanup()
            # What is left on this loop (a wizard's output reader, which ends once its process
            # has quit) is ended here, as asyncio.run ends its loop: a task left pending would
            # keep its process's transport until some later collection, after the loop is
            # closed ("Event loop is closed" from the transport's finaliser).
            others = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
            if others:
                _, pending = await asyncio.wait(others, timeout=5)
                for task in pending:
                    task.cancel()
                await asyncio.gather(*pending, return_exceptions=True)
            # A wizard still running now (textual-serve keeps no handle on its process that we
            # can reach) is ended through its transport, while this loop can still hear of it.
            for thing in gc.get_objects():
                if (
                    isinstance(thing, asyncio.SubprocessTransport)
                    and getattr(thing, "_loop", None) is loop
                    and not thing.is_closing()
                ):
                    thing.close()  # kills the process if it is still running
            gc.collect()  # the finished tasks' cycles, their transports closed through this loop
            await asyncio.sleep(0.1)  # let the subprocess transports report connection_lost

        with contextlib.suppress(Exception):
            asyncio.run_coroutine_threadsafe(shut(), loop).result(20)
        loop.call_soon_threadsafe(loop.stop)
        if self._thread is not None:
            self._thread.join(10)
        if self._thread is None or not self._thread.is_alive():
            gc.collect()  # what the shutdown left: finalised while the loop is open, then closed
            loop.close()
