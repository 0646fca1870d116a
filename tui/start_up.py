"""How the wizard starts: which screen it opens on, and what it loads when (no Textual here).

A run that starts at Target opens on that step at once (:func:`session_opening_at_target`
gives its session); :func:`preload` runs in a thread while the embedded sandbox boots, with
only what the Target step's check needs; :func:`warm_up_rest` runs in a thread once that
check is done. :func:`settle_heap` keeps what lives as long as the app out of Python's full
garbage collections. ``tui/app.py`` calls them; the README's "Benchmarks" section has the
figures.
"""

from __future__ import annotations

import contextlib
import gc
import importlib
import threading
from types import ModuleType

from .resume import same_target
from .services.errors import WizardError
from .services.session import Session, SessionStore
from .services.target import parse_host


def session_opening_at_target(
    host: str | None, scheme: str, fresh: bool, store: SessionStore
) -> Session | None:
    """The session for a run that starts at Target, or None when it resumes elsewhere (saved
    progress on this target, re-checked behind the start-up screen) or cannot start (a bad
    ``--host``, an unreadable session file: the start-up screen says why)."""
    try:
        kind, address, how = "sandbox", "", "http"
        if host:
            given = parse_host(host, scheme)
            kind, address, how = given.kind, given.host, given.scheme
        saved = None if fresh else store.load()
    except (WizardError, OSError, ValueError):
        return None
    if saved is None or not same_target(saved, kind, address):
        return Session(target_kind=kind, host=address, scheme=how)
    if saved.steps_done:
        return None
    saved.host, saved.scheme = address, how  # nothing done there yet: keep its start time
    return saved


def preload() -> None:
    """Import the service bundle and build the TLS context (run in a thread at start-up), so
    build_services and the Target step's check on the event loop are quick.

    OpenSSL reads the CA bundle (most of the context's 20-50 ms) with the GIL released: on a
    thread of its own, started once httpx is in, that work runs on the other core while this
    one imports the rest of the services and anyio's backend (which need the GIL)."""
    http = importlib.import_module("tui.services.http")
    tls = threading.Thread(target=_make_tls_context, args=(http,), name="gwa-tls", daemon=True)
    tls.start()
    try:
        bundle = importlib.import_module("tui.services.bundle")
        importlib.import_module("anyio._backends._asyncio")
    finally:
        tls.join()
    bundle.warm_up_transport()  # the context is made: this reuses it


def _make_tls_context(http: ModuleType) -> None:
    # A failure (a bad SSL_CERT_FILE, say) is raised again, and reported, by the second call
    # in preload's own thread; this one must not print a traceback over the screen.
    with contextlib.suppress(Exception):
        http.shared_ssl_context()


def warm_up_rest() -> None:
    """What the first step's check does not need but later use would wait for: the other
    steps' screens (``WizardApp.build_step``) and services, the keyring backend (the Login step stores
    tokens), the help's Markdown parser (F1), the clipboard module. Run in a thread once the
    first step has done its check (or before a resumed run's re-check)."""
    importlib.import_module("screens.steps")
    importlib.import_module("tui.services.bundle").warm_up_services()
    importlib.import_module("tui.services.secrets").warm_up()
    importlib.import_module("screens.modals.help")
    with contextlib.suppress(ImportError):
        importlib.import_module("pyperclip")


def settle_heap() -> None:
    """Exempt what exists now from Python's full garbage collections.

    What the wizard has loaded and shown so far (modules, Textual's styles, the steps on the
    screen stack: 100,000 objects at start-up, 20,000 more per step) lives as long as the app.
    Left in the collector's oldest generation, every full collection walks all of it and
    stops the event loop for 0.1-0.3 s, a dozen times in the tutorial, growing with each
    step. Frozen, a full collection walks only what was made since. The young generations
    are collected first (a few ms) so short-lived garbage is not frozen with it; cyclic
    garbage already old stays until exit (a few MB over the whole tutorial)."""
    gc.collect(1)
    gc.freeze()
