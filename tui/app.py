"""The Textual app: starts the sandbox, resumes the session, and moves between the steps.

``run_wizard(options)`` is what ``gwa-wizard`` runs. Unless ``--host`` was given, the
embedded sandbox is started as a process of its own before Textual is even imported
(``tui.cli`` calls :func:`tui.embedded_sandbox.EmbeddedSandbox.launch` first), so it boots in
parallel with the UI. A run that starts at Target (a first launch, another target, nothing
done yet) opens on the Target step itself: the learner reads and chooses while, in a worker,
the app waits for the sandbox, imports the services in a thread and builds the
:class:`Services` bundle; the step's check waits for that (:meth:`WizardApp.started`). A run
with progress on this target shows the start-up screen instead while it loads the saved
session, re-checks it against reality (``tui.resume``) and shows the step to resume at. The
other steps' screens load in a thread once the first step has done its check.

Navigation between the steps (Next, Back, the palette's jumps, saving where the learner is)
is :class:`tui.navigation.StepNavigation`, a mixin of :class:`WizardApp`: steps call it through
``WizardStep.host``.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import importlib
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual import work
from textual.app import App
from textual.binding import Binding
from textual.screen import Screen

from screens.base import WizardStep
from screens.leaving import quit_or_ask
from screens.startup import StartupScreen
from screens.step_operations import unexpected_error

from .embedded_sandbox import EmbeddedSandbox, SandboxStartError, launch_for
from .navigation import StepNavigation
from .options import WizardOptions
from .palette import WizardCommands
from .resume import recheck, relocate, same_target
from .services.errors import WizardError
from .services.export import retire_session
from .services.session import Session, SessionStore
from .services.target import Target, parse_host
from .start_up import preload, session_opening_at_target, settle_heap, warm_up_rest
from .widgets import toast_guard

if TYPE_CHECKING:
    from .services.bundle import Services


class WizardApp(StepNavigation, App[int]):
    TITLE = "gwa-wizard"
    CSS_PATH = "app.tcss"
    COMMANDS = App.COMMANDS | {WizardCommands}
    BINDINGS = [
        Binding(
            "ctrl+q",
            "quit",
            "Quit",
            priority=True,
            id="app.quit",
            tooltip="Quit; your progress is saved and resumes next time",
        ),
    ]

    def __init__(
        self,
        options: WizardOptions,
        *,
        transport: Any = None,
        secrets: Any = None,
        sandbox: EmbeddedSandbox | None = None,
    ) -> None:
        """``sandbox``: the embedded sandbox launched already (``tui.cli`` does it first
        thing); without it, and without ``--host``, the app launches one itself."""
        super().__init__()
        toast_guard.install()  # a notice running out as it is shown must not freeze the app
        self.options = options
        self.session = Session()
        self.services: Services | None = None
        self.target: Target | None = None
        self.sandbox: EmbeddedSandbox | None = sandbox
        self.sandbox_upstream = ""
        self.sandbox_moves: tuple[Any, ...] = ()  # ports the embedded sandbox could not keep
        self.store = SessionStore(options.resolved_state_dir / "session.json")
        self._transport = transport
        self._secrets = secrets
        self.ready_event = asyncio.Event()
        self._started = asyncio.Event()  # target and services known (see started())
        self.startup_error: WizardError | None = None
        self._sandbox_notices: list[str] = []
        self._opened_at_target = False

    # -- start-up ---------------------------------------------------------------------------
    def get_default_screen(self) -> Screen[Any]:
        """The Target step at once when the run starts there (a first launch, another
        target, nothing done yet): the learner reads and chooses while the sandbox boots and
        its check waits in :meth:`started`. A run that resumes later steps shows the
        start-up screen until the saved progress has been re-checked."""
        # What the imports made lives as long as the app: kept out of the full collections
        # that would otherwise walk it again and again while the first screen is built.
        gc.freeze()
        options = self.options
        session = session_opening_at_target(options.host, options.scheme, options.fresh, self.store)
        if session is None:
            return StartupScreen()
        if options.host:  # known now (no sandbox to wait for): Target offers no sandbox
            self.target = Target(session.target_kind, session.host, session.scheme)
        from screens.target import TargetStep  # the first step's screen (tests/unit/test_steps.py)

        self.session, self._opened_at_target = session, True
        return TargetStep(session, None)

    async def started(self) -> Services:
        """The services for :attr:`target`, once start-up has made them (the embedded sandbox
        serving); the Target step, shown at launch, waits here for its check."""
        await self._started.wait()
        assert self.services is not None
        return self.services

    def on_mount(self) -> None:
        self.theme = "textual-dark"
        self.call_after_refresh(self.start_up)

    @property
    def target_label(self) -> str:
        return self.target.label if self.target else ""

    @property
    def workspace(self) -> Path:
        """The folder the learner chose on the Template step, else --workspace or the default."""
        chosen = self.session.workspace
        return Path(chosen) if chosen else self.options.resolved_workspace

    @property
    def state_dir(self) -> Path:
        return self.options.resolved_state_dir

    def _status(self, text: str) -> None:
        screen = self.screen
        if isinstance(screen, StartupScreen):
            screen.show_status(text)

    @work(exclusive=True, group="startup", exit_on_error=False)
    async def start_up(self) -> None:
        try:
            # What Target's check needs (httpx, the client, the login, the TLS context) is
            # imported in a thread, so the event loop keeps drawing the first screen meanwhile,
            # while the sandbox process boots on the other core. The rest (the other steps'
            # screens and services, the keyring, the help's Markdown) loads after that check.
            target, _ = await asyncio.gather(self._start_target(), asyncio.to_thread(preload))
            self._status(f"Connecting to {target.label} ({target.base_url})…")
            services = self.make_services(target)
            self.target, self.services = target, services
            notices: list[str] = list(self._sandbox_notices)
            if self._opened_at_target:
                self._target_known(target, notices)
                return
            saved = None if self.options.fresh else self.store.load()
            if saved is not None and same_target(saved, target.kind, target.host):
                self._status("Checking that what you did last time still exists…")
                await asyncio.to_thread(warm_up_rest)  # the re-check reads the keyring
                saved.host, saved.scheme = target.host, target.scheme
                self.session = saved
                notices += relocate(saved, self.sandbox_moves, self.workspace)
                report = await recheck(saved, services)
                notices += report.notices
                step_id = report.step
            else:
                self.session = Session(
                    target_kind=target.kind, host=target.host, scheme=target.scheme
                )
                step_id = "target"
            self.session.current_step = step_id
            self.save_session()
        except WizardError as error:
            await self._startup_failed(error)
            return
        except Exception as exc:  # never a traceback on the learner's screen
            await self._startup_failed(unexpected_error(exc, "Starting the wizard"))
            return
        if self._closing or self._closed:
            return  # the learner quit while we were starting
        await asyncio.to_thread(importlib.import_module, "screens.steps")  # see build_step
        await self.push_screen(self.build_step(step_id))
        self.warm_up_rest()
        for notice in notices:
            self.notify(notice, title="Resumed", severity="warning", timeout=12)
        if saved is not None and not notices and step_id != "target":
            self.notify(f"Welcome back: resuming at {step_id.replace('_', ' ')}.", timeout=6)
        self._started.set()
        self.ready_event.set()

    def _target_known(self, target: Target, notices: list[str]) -> None:
        """Start-up done for a run opened at Target: its check may go on (:meth:`started`)."""
        session = self.session
        session.target_kind, session.host, session.scheme = target.kind, target.host, target.scheme
        session.current_step = "target"
        self.save_session()
        self._started.set()
        screen = self.screen
        if isinstance(screen, WizardStep):
            screen.refresh_chrome()  # the header names the target as the run knows it now
        self.warm_up_rest()
        for notice in notices:
            self.notify(notice, title="Started", severity="warning", timeout=12)
        self.ready_event.set()

    @work(exclusive=True, group="warm-up", exit_on_error=False)
    async def warm_up_rest(self) -> None:
        """Load what later steps need, once the first step has done its own first work (the
        Target step's check needs the CPU more than these imports do); at most 2 s later."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 2.0
        screen = self.screen
        while isinstance(screen, WizardStep) and not screen.ready and loop.time() < deadline:
            await asyncio.sleep(0.02)
        if self.sandbox is not None:
            self.sandbox.warm_up()  # its keys and clients, on its own core
        await asyncio.to_thread(warm_up_rest)
        settle_heap()

    async def _start_target(self) -> Target:
        if self.options.host:
            return parse_host(self.options.host, self.options.scheme)
        self._status("Starting the built-in APS sandbox on this computer…")
        data_dir = self.options.resolved_data_dir
        try:
            sandbox = self.sandbox or await asyncio.to_thread(launch_for, self.options)
            assert sandbox is not None
            self.sandbox = sandbox
            info = await asyncio.to_thread(sandbox.wait_ready)
        except (OSError, SandboxStartError) as exc:
            raise WizardError(
                what="The built-in sandbox could not start",
                why=str(exc) or type(exc).__name__,
                fix=f"Check that {data_dir} is writable, or run with --fresh / another --data-dir.",
            ) from exc
        from .services.sandbox_trust import trust

        # Its data plane's https (tui/sandbox/sandbox_ca.py writes the CA before it serves).
        with contextlib.suppress(OSError, ValueError):
            trust((sandbox.data_dir / "sandbox-ca.pem").read_text(encoding="ascii"))
        self.sandbox_upstream = info.upstream_url
        if info.moved:
            from tui.sandbox.ports import PortMove, describe

            self.sandbox_moves = tuple(PortMove(**move) for move in info.moved)
            self._sandbox_notices.append(describe(list(self.sandbox_moves), list(info.repaired)))
        return Target.sandbox(info.portal_host)

    async def _startup_failed(self, error: WizardError) -> None:
        if self._opened_at_target and not isinstance(self.screen, StartupScreen):
            # Nothing works without what failed: the start-up screen says why, over Target,
            # as when the run had opened there.
            await self.push_screen(StartupScreen())
        screen = self.screen
        if isinstance(screen, StartupScreen):
            screen.show_failure(error)
        self.notify(error.what, severity="error")
        self.startup_error = error

    # -- services ---------------------------------------------------------------------------
    def make_services(self, target: Target) -> Services:
        from .services.bundle import build_services

        kwargs: dict[str, Any] = {}
        if self._transport is not None:
            kwargs["transport"] = self._transport
        kwargs["secrets"] = self._secrets if self._secrets is not None else self._secret_store()
        return build_services(target, state_dir=self.state_dir, **kwargs)

    def _secret_store(self) -> Any:
        """The keyring or memory, or the owner-only file if the learner chose it last time."""
        from .services.secrets import SecretStore

        store = SecretStore()
        store.resume_file(self.options.resolved_secrets_file)
        return store

    async def adopt_target(self, target: Target, services: Services) -> None:
        """Switch the whole wizard to ``target`` (the Target step calls this on Next)."""
        old = self.services
        self.target, self.services = target, services
        if old is not None and old is not services:
            with contextlib.suppress(Exception):
                await old.aclose()

    # -- the session's end ----------------------------------------------------------------
    def retire_session(self) -> bool:
        retire_session(self.store, self.session)
        return True

    # -- shut-down --------------------------------------------------------------------------
    async def action_quit(self) -> None:
        """Quit; unsaved edits on the current step (Review's) are never dropped silently."""
        quit_or_ask(self)

    async def on_unmount(self) -> None:
        if self.services is not None:
            with contextlib.suppress(Exception):
                await self.services.aclose()
        self.stop_sandbox()

    def stop_sandbox(self) -> None:
        server, self.sandbox = self.sandbox, None
        if server is not None:
            with contextlib.suppress(Exception):
                server.stop()


def run_wizard(options: WizardOptions, sandbox: EmbeddedSandbox | None = None) -> int:
    """Run the wizard until the learner quits; the exit code for the CLI."""
    app = WizardApp(options, sandbox=sandbox)
    try:
        result = app.run()
    finally:
        app.stop_sandbox()
    return int(result or 0)
