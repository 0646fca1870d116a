"""Run the sandbox: three uvicorn listeners (portal, data plane, upstream) on one event loop.

``SandboxServer.start()`` runs it in a background thread and returns once every socket is
bound, so the wizard and the tests get real loopback URLs; port 0 picks free ports.
``gwa-wizard sandbox serve`` uses the same class and waits for Ctrl+C.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import socket
import threading
from dataclasses import dataclass

import uvicorn

from . import ports as saved_ports
from .app import build_apps, open_context, start_warm_up
from .context import SHARED_IDP_ISSUER, SandboxConfig, SandboxContext
from .ports import PortMove

STOP_GRACE = 1  # seconds an in-flight request may finish in once the sandbox stops
LISTENERS = ("portal", "data_plane", "upstream")


def freeze_heap() -> None:
    """For a process that is a sandbox server and nothing else (the embedded sandbox's own
    process, ``gwa-wizard sandbox serve``), once it serves: exempt what start-up loaded
    (modules, the apps, ~150,000 objects) from full garbage collections, which otherwise walk
    all of it and hold every request of the class for tens of milliseconds each time. Not
    for a process that starts many sandboxes (the tests): cyclic garbage existing at the
    call is kept until exit."""
    gc.collect(1)
    gc.freeze()


@dataclass(frozen=True)
class SandboxInfo:
    portal_url: str
    portal_host: str  # host:port, what the wizard's --host takes
    data_plane_port: int
    upstream_url: str
    shared_idp_issuer: str
    shared_idp_token_endpoint: str
    login_issuer: str
    # With ``keep_ports``: saved ports another program held, and the published services the
    # sandbox re-pointed at its new upstream port.
    moved: tuple[PortMove, ...] = ()
    repaired: tuple[str, ...] = ()


class SandboxServer:
    def __init__(self, config: SandboxConfig) -> None:
        self.config = config
        self.ctx: SandboxContext = open_context(config)
        self._sockets: dict[str, socket.socket] = {}
        self._servers: list[uvicorn.Server] = []
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._started = threading.Event()
        self._error: BaseException | None = None
        self.moved: list[PortMove] = []
        self.repaired: list[str] = []
        self._warm_up_lock = threading.Lock()
        self._warmed_up = not config.warm_up_later  # else warm_up() starts it

    # -- lifecycle --------------------------------------------------------------------------
    def _bind(self) -> None:
        ports = {
            "portal": self.config.portal_port,
            "data_plane": self.config.data_plane_port,
            "upstream": self.config.upstream_port,
        }
        ports_file = self.config.data_dir / saved_ports.PORTS_FILE
        saved = saved_ports.load(ports_file) if self.config.keep_ports else {}
        family = socket.AF_INET6 if ":" in self.config.host else socket.AF_INET
        try:
            for name in LISTENERS:
                wanted = saved.get(name)
                sock = None
                if wanted:
                    with contextlib.suppress(OSError):  # taken: fall back to the configured port
                        sock = self._listen(family, wanted)
                if sock is None:
                    sock = self._listen(family, ports[name])
                self._sockets[name] = sock
                self.ctx.bound[name] = sock.getsockname()[1]
                if wanted and wanted != self.ctx.bound[name]:
                    self.moved.append(PortMove(name, wanted, self.ctx.bound[name]))
        except OSError:
            for sock in self._sockets.values():
                sock.close()
            self._sockets.clear()
            raise
        if self.config.keep_ports:
            saved_ports.save(ports_file, dict(self.ctx.bound))
            for move in self.moved:
                if move.listener == "upstream":
                    self.repaired = saved_ports.repair_upstreams(self.ctx.db, move.old, move.new)

    def _listen(self, family: socket.AddressFamily, port: int) -> socket.socket:
        # IPPROTO_TCP makes asyncio set TCP_NODELAY on accepted connections; without it
        # every response waits for Nagle's delayed-ACK (~40 ms).
        sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind((self.config.host, port))
            sock.listen(512)
        except OSError:
            sock.close()
            raise
        sock.setblocking(False)
        return sock

    def start(self, timeout: float = 15.0) -> SandboxInfo:
        """Bind, then serve in a daemon thread; returns when the listeners accept."""
        self._bind()
        apps = build_apps(self.ctx)
        for name in LISTENERS:
            cfg = uvicorn.Config(
                apps[name],
                http=self.ctx.data_plane_http() if name == "data_plane" else "auto",  # +TLS
                log_level="warning",
                access_log=False,
                lifespan="on",  # the data plane's pool and the portal's client
                timeout_keep_alive=30,
                limit_concurrency=2000,
                server_header=False,  # the real systems do not announce uvicorn
                # Kong trusts no X-Forwarded-* by default: the client address is the peer's
                # (and uvicorn's header rewriting is a measurable share of a proxied request)
                proxy_headers=False,
                # On stop, a request still in flight (an upstream's /delay/6, a long poll) is
                # given a second, then cancelled: quitting the wizard or ending a class
                # sandbox never waits for a slow upstream (it used to wait up to 10 s).
                timeout_graceful_shutdown=STOP_GRACE,
            )
            self._servers.append(uvicorn.Server(cfg))
        self._thread = threading.Thread(target=self._run, name="gwa-sandbox", daemon=True)
        self._thread.start()
        if not self._started.wait(timeout):
            raise RuntimeError("the sandbox did not start in time")
        if self._error is not None:
            raise RuntimeError(f"the sandbox failed to start: {self._error}") from self._error
        return self.info

    def _run(self) -> None:
        loop = asyncio.new_event_loop()
        self._loop = loop
        asyncio.set_event_loop(loop)
        try:
            loop.run_until_complete(self._serve())
        except BaseException as exc:  # reported to start() or logged at stop
            self._error = exc
            self._started.set()
        finally:
            with contextlib.suppress(Exception):
                loop.run_until_complete(loop.shutdown_asyncgens())
            loop.close()

    async def _serve(self) -> None:
        tasks = [
            asyncio.create_task(server.serve(sockets=[self._sockets[name]]))
            for name, server in zip(LISTENERS, self._servers, strict=True)
        ]
        while not all(s.started for s in self._servers):
            if any(t.done() for t in tasks):
                break
            await asyncio.sleep(0.01)
        self._started.set()
        try:
            await asyncio.gather(*tasks)
        finally:
            await self.ctx.close_clients()  # in case a listener failed before its lifespan

    def warm_up(self) -> None:
        """Start the first-use work of a sandbox made with ``warm_up_later`` (once; later
        calls do nothing). Without it the portal's lifespan has started it already."""
        with self._warm_up_lock:
            if self._warmed_up:
                return
            self._warmed_up = True
        start_warm_up(self.ctx)

    def stop(self, timeout: float = 10.0) -> None:
        for server in self._servers:
            server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout)
        for sock in self._sockets.values():
            with contextlib.suppress(OSError):
                sock.close()
        self.ctx.db.close()

    def __enter__(self) -> SandboxServer:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def info(self) -> SandboxInfo:
        return SandboxInfo(
            portal_url=self.ctx.portal_url,
            portal_host=self.ctx.portal_hostport,
            data_plane_port=self.ctx.data_plane_port,
            upstream_url=self.ctx.upstream_url,
            shared_idp_issuer=SHARED_IDP_ISSUER,
            shared_idp_token_endpoint=self.ctx.shared_idp_token_endpoint,
            login_issuer=self.ctx.login_issuer,
            moved=tuple(self.moved),
            repaired=tuple(self.repaired),
        )
