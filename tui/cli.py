"""Command line: the wizard (default), the class sandbox, generate-config and export."""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from pathlib import Path
from typing import TYPE_CHECKING

from . import __version__
from .options import APP_NAME, WizardOptions, default_data_dir, default_state_dir
from .services.class_claim import claims_file
from .services.tutorial_defaults import DEFAULT_ORG, DEFAULT_ORG_UNIT, DEFAULT_OUT_FILE

if TYPE_CHECKING:
    from .sandbox.context import SandboxConfig

TEMPLATE_NAMES = ("client-credentials-shared-idp", "kong-httpbin", "quick-start")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=APP_NAME,
        description=(
            "Learn the BC Government API Services Portal by doing the 'Protect an API with "
            "Client Credential Flow' tutorial for real. With no --host it runs against a "
            "built-in sandbox (offline, no account needed)."
        ),
    )
    parser.add_argument("--version", action="version", version=f"{APP_NAME} {__version__}")
    parser.add_argument(
        "--host",
        help="a live APS host, e.g. api-gov-bc-ca.test.api.gov.bc.ca, or a class sandbox "
        "host:port (default: the embedded sandbox)",
    )
    parser.add_argument(
        "--scheme",
        choices=("https", "http"),
        default=None,
        help="URL scheme for --host (default https; a class sandbox needs http)",
    )
    parser.add_argument(
        "--data-dir",
        type=Path,
        help=f"where the embedded sandbox keeps its state (default {default_data_dir()}/sandbox)",
    )
    parser.add_argument(
        "--state-dir",
        type=Path,
        help=f"where the session file is saved (default {default_state_dir()})",
    )
    parser.add_argument(
        "--workspace",
        type=Path,
        help="folder for generated YAML files (default: ~/Documents/gwa-wizard)",
    )
    parser.add_argument(
        "--fresh", action="store_true", help="ignore the saved session and start from Target"
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    sandbox = sub.add_parser("sandbox", help="run the APS sandbox as a server")
    sandbox_sub = sandbox.add_subparsers(dest="sandbox_command", metavar="ACTION", required=True)
    serve = sandbox_sub.add_parser(
        "serve", help="serve a sandbox (for a class) until interrupted with Ctrl+C"
    )
    serve.add_argument("--host", default="127.0.0.1", help="bind address (default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=8460, help="portal port (default 8460)")
    serve.add_argument(
        "--data-plane-port", type=int, default=None, help="gateway port (default port+1)"
    )
    serve.add_argument(
        "--upstream-port", type=int, default=None, help="built-in upstream port (default port+2)"
    )
    serve.add_argument(
        "--data-dir",
        type=Path,
        default=None,
        help=f"state folder, kept across restarts (default {default_data_dir()}/sandbox)",
    )
    serve.add_argument(
        "--passcode",
        default=None,
        help="learners must type this code on the login page to approve a device",
    )
    serve.add_argument(
        "--allow-local-upstreams",
        action="store_true",
        help="let learners publish upstreams on this machine or its private network "
        "(refused by default; the built-in upstream is always allowed)",
    )
    serve.add_argument(
        "--public-host",
        default=None,
        help="the name learners use to reach this machine (default: the bind address)",
    )
    serve.add_argument(
        "--trainer-key",
        default=None,
        help="key of the trainer's class board at /class (default: random, kept in the data dir)",
    )
    serve.add_argument(
        "--web-port",
        type=int,
        default=None,
        help="also serve the wizard itself to browsers on this port (learners need no install)",
    )
    serve.add_argument(
        "--web-limit",
        type=_positive,
        default=None,
        help="most browser wizards at once with --web-port; past it the page says the class "
        "is full (default 6; see the README for what a machine holds)",
    )

    ca = sandbox_sub.add_parser(
        "ca", help="print the path of the sandbox CA certificate (for curl --cacert)"
    )
    ca.add_argument(
        "--data-dir",
        type=Path,
        default=None,
        help=f"the sandbox's state folder (default {default_data_dir()}/sandbox)",
    )
    ca.add_argument("--pem", action="store_true", help="print the certificate itself")

    gen = sub.add_parser(
        "generate-config", help="write gateway YAML exactly as `gwa generate-config` does"
    )
    gen.add_argument("--template", "-t", required=True, help=" | ".join(TEMPLATE_NAMES))
    gen.add_argument("--service", "-s", required=True)
    gen.add_argument("--upstream", "-u", required=True)
    gen.add_argument("--gateway", "-g", required=True, help="gateway id, e.g. gw-1a2b3")
    gen.add_argument("--org", default=DEFAULT_ORG)
    gen.add_argument("--org-unit", default=DEFAULT_ORG_UNIT)
    gen.add_argument("--out", "-o", default=DEFAULT_OUT_FILE, help="relative to this folder")

    export = sub.add_parser(
        "export", help="write the session as a shell script and a Markdown report"
    )
    export.add_argument("--out-dir", type=Path, default=Path.cwd(), help="default: this folder")

    sub.add_parser("locate", help="print where the wizard keeps its files")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command == "sandbox" and args.sandbox_command == "ca":
        return print_sandbox_ca(args)
    if args.command == "sandbox":
        return serve_sandbox(args)
    if args.command == "generate-config":
        return generate_config(args)
    if args.command == "export":
        return export_record(args)
    if args.command == "locate":
        options = _options(args)
        print(f"session:   {options.resolved_state_dir / 'session.json'}")
        print(f"class names: {claims_file(options.resolved_state_dir)}")
        print(f"sandbox:   {options.resolved_data_dir}")
        print(f"workspace: {options.resolved_workspace}")
        return 0
    options = _options(args)
    # The sandbox process starts first, so it boots while this one imports Textual.
    from .embedded_sandbox import launch_for

    sandbox = launch_for(options)
    try:
        from .app import run_wizard

        return run_wizard(options, sandbox)
    finally:
        if sandbox is not None:
            sandbox.stop()


def _options(args: argparse.Namespace) -> WizardOptions:
    scheme = args.scheme or "https"
    return WizardOptions(
        host=args.host,
        scheme=scheme,
        data_dir=args.data_dir,
        state_dir=args.state_dir,
        workspace=args.workspace,
        fresh=bool(getattr(args, "fresh", False)),
    )


def print_sandbox_ca(args: argparse.Namespace) -> int:
    """The CA that signs the data plane's https certificates (made on first use)."""
    from .sandbox.private_files import make_private
    from .sandbox.sandbox_ca import CertificateAuthority

    data_dir = args.data_dir or default_data_dir() / "sandbox"
    make_private(data_dir)
    authority = CertificateAuthority(data_dir)
    print(authority.pem if args.pem else authority.path, end="\n" if not args.pem else "")
    return 0


def serve_sandbox(args: argparse.Namespace) -> int:
    from .sandbox import context as sandbox_context
    from .sandbox.classroom import events
    from .sandbox.classroom.board import trainer_link
    from .sandbox.classroom.console import Console
    from .sandbox.server import SandboxServer, freeze_heap

    data_dir = args.data_dir or default_data_dir() / "sandbox"
    config = sandbox_context.SandboxConfig(
        data_dir=data_dir,
        host=args.host,
        portal_port=args.port,
        data_plane_port=args.data_plane_port if args.data_plane_port is not None else args.port + 1,
        upstream_port=args.upstream_port if args.upstream_port is not None else args.port + 2,
        passcode=args.passcode,
        public_host=args.public_host,
        classroom=True,
        trainer_key=args.trainer_key,
        allow_local_upstreams=args.allow_local_upstreams,
    )
    try:
        server = SandboxServer(config)
        info = server.start()
        # Announce the class once its first-use work is done (a first launch's signing keys
        # hold the GIL for tens of milliseconds): no learner's first request waits for it.
        server.ctx.warmed.wait(30)
        freeze_heap()
    except OSError as exc:
        print(
            f"error: could not listen on {args.host}: {exc.strerror or exc}.\n"
            f"Is another sandbox running? Pick other ports with --port.",
            file=sys.stderr,
        )
        return 1
    example = "my-svc-dev-api-gov-bc-ca.localhost"
    print(f"APS sandbox {__version__} is running (state in {data_dir}).")
    print(f"  portal + login:  {info.portal_url}   (discovery: {info.portal_url}/ds/api)")
    print(
        f"  gateway:         http://<service>-dev-api-gov-bc-ca.localhost:{info.data_plane_port}"
        f"   e.g. http://{example}:{info.data_plane_port}/uuid"
    )
    print(f"  upstream:        {info.upstream_url}/uuid")
    print(f"  consumer tokens: {info.shared_idp_token_endpoint}")
    print(f"  info:            {info.portal_url}/sandbox/info")
    if config.passcode:
        print("  login pages ask for the class passcode.")
    print(f"Learners run:  gwa-wizard --host {info.portal_host} --scheme http")
    web = None
    if args.web_port is not None:
        web = _serve_web(args, data_dir, info.portal_host, server)
        if web is None:
            server.stop()
            return 1
        print(f"Learners with only a browser open:  {web.url}  (at most {web.limit} at once)")
    print(f"Trainer's class board:  {trainer_link(server.ctx)}")
    for warning in exposure_warnings(config):
        print(f"WARNING: {warning}")
    stop = threading.Event()
    # Ctrl+C and SIGTERM both stop the class, from the moment the line below says so. SIGINT
    # gets its handler here, not only Python's default: a sandbox started as a script's
    # background job inherits SIGINT *ignored* (POSIX shells do that to background jobs), and
    # `kill -INT` would then do nothing.
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    print(
        "Press Ctrl+C to stop. Learner events follow, one line each (repeats counted).", flush=True
    )
    console = Console(lambda line: print(line, flush=True))
    events.add_listener(server.ctx, console.event)
    while not stop.wait(0.5):
        console.tick()
    print("Stopping the sandbox…", flush=True)
    if web is not None:
        web.stop()
    server.stop()
    return 0


def exposure_warnings(config: SandboxConfig) -> list[str]:
    """What a trainer must know before learners on the room's network use this sandbox."""
    out = []
    if config.host in ("0.0.0.0", "::", "") and not config.passcode:
        out.append(
            f"the sandbox listens on every interface ({config.host}) without a passcode: anyone "
            "on this network can sign in and use it. Restart with --passcode WORD and tell "
            "your learners the word."
        )
    if config.host in ("0.0.0.0", "::", "") and not config.public_host:
        out.append(
            "learners on other machines cannot reach 127.0.0.1: restart with --public-host "
            "NAME (this machine's name or address on the room's network)."
        )
    return out


def _serve_web(args: argparse.Namespace, data_dir: Path, portal_host: str, server: object):
    from .sandbox.classroom.web_learners import WebLearners

    web = WebLearners(
        host=args.host,
        port=args.web_port,
        public_host=args.public_host,
        sandbox_host=portal_host,
        state_root=data_dir / "browser-learners",
        **({"limit": args.web_limit} if args.web_limit else {}),
    )
    try:
        web.start()
    except OSError as exc:
        print(
            f"error: could not serve the browser wizard on port {args.web_port}: "
            f"{exc.strerror or exc}. Pick another with --web-port.",
            file=sys.stderr,
        )
        return None
    return web


def generate_config(args: argparse.Namespace) -> int:
    from .services import templates

    problems = [
        p
        for p in (
            templates.template_problem(args.template),
            templates.service_problem(args.service),
            templates.upstream_problem(args.upstream),
            templates.out_file_problem(args.out),
        )
        if p
    ]
    if problems:
        for problem in problems:
            print(f"error: {problem}", file=sys.stderr)
        return 2
    text = templates.generate_config(
        args.template,
        args.service,
        args.upstream,
        args.gateway,
        org=args.org,
        org_unit=args.org_unit,
    )
    path = Path.cwd() / args.out
    templates.write_config(text, path)
    print(f"✓ File {args.out} created")
    return 0


def export_record(args: argparse.Namespace) -> int:
    from .services.export import LAST_SESSION_NAME, write_record
    from .services.session import SessionStore

    options = _options(args)
    state = options.resolved_state_dir
    # The session in progress, else the finished tutorial kept after Clean up.
    session = SessionStore(state / "session.json").load()
    if session is None:
        session = SessionStore(state / LAST_SESSION_NAME).load()
    if session is None:
        print(
            f"error: there is no saved session in {state} to export. Run gwa-wizard first.",
            file=sys.stderr,
        )
        return 1
    script, report = write_record(session, args.out_dir)
    print(f"✓ Wrote {script}")
    print(f"✓ Wrote {report}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of at least 1")
    return value
