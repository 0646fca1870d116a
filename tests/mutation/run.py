"""Mutation testing, one module at a time: ``uv run python tests/mutation/run.py MODULE``.

mutmut (configured in ``pyproject.toml``, ``[tool.mutmut]``) plants small bugs in one module
and runs only the tests that exercise it; a mutant no test notices "survives". Each module
below names its source file(s) and the test files that guard it, so a run stays bounded (a few
minutes). ``MODULE`` is a name below, or ``--list``. Then ``run.py MODULE --survivors`` shows
each surviving mutant's diff (without running again).

On a busy machine a module's full run can take an hour: ``run.py MODULE --sample N`` runs only
every N-th mutant (sorted by name, so every function is visited) and says so in its result;
``--sample N --offset K`` starts at the K-th (0 <= K < N), to cover mutants an earlier sample
skipped.
After adding tests, ``run.py MODULE --again`` re-runs only the last run's survivors, keeping
the other verdicts (a new test can kill a mutant, never revive one); ``--again x_f__mutmut_3
...`` re-runs only the survivors named (say, all but those listed as equivalent). Survivors that are equivalent (no
observable difference) are listed with the reason in ``docs/mutation.md``.

Developers run this; CI does not (it is CPU-heavy).
"""

from __future__ import annotations

import json
import os
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
WATCHDOG = ["-p", "tests.mutation.watchdog"]  # see tests/mutation/watchdog.py

# module -> (source files to mutate, test files that guard them)
MODULES: dict[str, tuple[list[str], list[str]]] = {
    "lua_pattern": (
        ["tui/sandbox/lua_pattern.py"],
        ["tests/sandbox/test_lua_pattern.py", "tests/sandbox/test_jwt_keycloak.py"],
    ),
    "jwt_keycloak": (
        ["tui/sandbox/jwt_keycloak.py"],
        [
            "tests/sandbox/test_jwt_keycloak.py",
            "tests/sandbox/test_jwt_keycloak_roles.py",
            "tests/sandbox/test_jwt_keycloak_key_rotation.py",
            "tests/sandbox/test_jwt_keycloak_decoding.py",
            "tests/sandbox/test_jwt_keycloak_odd_inputs.py",
        ],
    ),
    "consumers": (
        ["tui/sandbox/consumers.py"],
        [
            "tests/sandbox/test_consumers.py",
            "tests/sandbox/test_consumer_answers.py",
            "tests/sandbox/test_isolation.py",
        ],
    ),
    "gateways": (
        ["tui/sandbox/gateways.py"],
        [
            "tests/sandbox/test_portal_gateways.py",
            "tests/sandbox/test_gateway_reuse.py",
            "tests/sandbox/test_organization_listing.py",
            "tests/sandbox/test_gateway_records.py",
            "tests/sandbox/test_isolation.py",
        ],
    ),
    "publish_turns": (
        ["tui/sandbox/publish_turns.py", "tui/sandbox/gc_pause.py"],
        ["tests/sandbox/test_publish_turns.py", "tests/sandbox/test_gc_pause.py"],
    ),
    "publish": (
        ["tui/sandbox/publish.py", "tui/sandbox/publish_config.py"],
        [
            "tests/sandbox/test_publish.py",
            "tests/sandbox/test_publish_limits.py",
            "tests/sandbox/test_publish_requests.py",
            "tests/sandbox/test_publish_schema.py",
            "tests/sandbox/test_publish_services.py",
            "tests/sandbox/test_publish_contention.py",
            "tests/sandbox/test_publish_upstream_hosts.py",
            "tests/sandbox/test_deck_output.py",
            "tests/sandbox/test_hostile_class_mode.py",
            "tests/sandbox/test_hostile_publish.py",
            "tests/sandbox/test_isolation.py",
        ],
    ),
    "device_flow": (
        ["tui/sandbox/device_flow.py"],
        [
            "tests/sandbox/test_device_flow.py",
            "tests/sandbox/test_device_code_single_use.py",
            "tests/sandbox/test_device_login_limits.py",
            "tests/services/test_login_sandbox.py",
            "tests/classroom/test_throttle.py",
        ],
    ),
    "keycloak": (
        ["tui/sandbox/keycloak.py", "tui/sandbox/oauth.py"],
        [
            "tests/sandbox/test_keycloak.py",
            "tests/sandbox/test_shared_idp.py",
            "tests/sandbox/test_oauth_forms.py",
            "tests/sandbox/test_oauth_client_auth.py",
            "tests/sandbox/test_login_realm_refusals.py",
        ],
    ),
    "session": (["tui/services/session.py"], ["tests/services/test_session.py"]),
    "secrets": (["tui/services/secrets.py"], ["tests/services/test_secrets.py"]),
    "export": (
        ["tui/services/export.py"],
        [
            "tests/services/test_export.py",
            "tests/services/test_export_replay.py",
            "tests/services/test_export_report.py",
            "tests/unit/test_steps.py",
        ],
    ),
    "credentials": (
        ["tui/services/credentials.py"],
        [
            "tests/services/test_credentials.py",
            "tests/services/test_credentials_answers.py",
            "tests/services/test_credentials_paste.py",
        ],
    ),
    "http": (
        ["tui/services/http.py"],
        ["tests/services/test_http.py", "tests/services/test_http_faults.py"],
    ),
    "login": (
        ["tui/services/login.py", "tui/services/device_login.py", "tui/services/login_tokens.py"],
        [
            "tests/services/test_login.py",
            "tests/services/test_login_answers.py",
            "tests/services/test_login_sandbox.py",
        ],
    ),
}


def configure(module: str) -> None:
    """Narrow mutmut's configuration (read from pyproject.toml) to one module's files."""
    from mutmut import configuration

    sources, tests = MODULES[module]
    config = configuration.config()
    config.only_mutate = sources
    config.pytest_add_cli_args_test_selection = [t for t in tests if (ROOT / t).exists()]
    # a wall-clock bound on each test, so a mutant that makes a test wait forever (without
    # CPU, which mutmut's own limit counts) is a timeout within a minute, not a stalled run
    if WATCHDOG[1] not in config.pytest_add_cli_args:
        config.pytest_add_cli_args = [*config.pytest_add_cli_args, *WATCHDOG]


def summary() -> dict[str, int]:
    """Counts by status from mutmut's result files (after a run)."""
    from mutmut.__main__ import collect_source_file_mutation_data
    from mutmut.stats import status_by_exit_code

    _, data = collect_source_file_mutation_data(mutant_names=())
    counts: dict[str, int] = {}
    for mutation_data in data.values():
        for key, exit_code in mutation_data.exit_code_by_key.items():
            del key
            status = status_by_exit_code[exit_code]
            counts[status] = counts.get(status, 0) + 1
    return counts


def show_survivors() -> int:
    from mutmut.__main__ import cli, collect_source_file_mutation_data
    from mutmut.stats import status_by_exit_code

    _, data = collect_source_file_mutation_data(mutant_names=())
    for mutation_data in data.values():
        for name, exit_code in mutation_data.exit_code_by_key.items():
            if status_by_exit_code[exit_code] in ("survived", "no tests"):
                cli.main(["show", name], standalone_mode=False)
    return 0


def generate() -> list[str]:
    """Write the module's mutants (as ``mutmut run`` does first) and return their names."""
    from mutmut.__main__ import collect_source_file_mutation_data, create_mutants
    from mutmut.utils.file_utils import copy_also_copy_files, copy_src_dir, setup_source_paths

    (ROOT / "mutants").mkdir(exist_ok=True)
    copy_src_dir()
    copy_also_copy_files()
    setup_source_paths()
    create_mutants(1)
    _, data = collect_source_file_mutation_data(mutant_names=())
    return sorted(
        name for mutation_data in data.values() for name in mutation_data.exit_code_by_key
    )


def survivors() -> list[str]:
    from mutmut.__main__ import collect_source_file_mutation_data
    from mutmut.stats import status_by_exit_code

    _, data = collect_source_file_mutation_data(mutant_names=())
    return sorted(
        name
        for mutation_data in data.values()
        for name, exit_code in mutation_data.exit_code_by_key.items()
        if status_by_exit_code[exit_code] in ("survived", "no tests")
    )


def sampling(options: list[str]) -> tuple[int, int] | None:
    """``[--sample N [--offset K]]`` as ``(N, K)``; ``None`` for anything else.

    ``--offset K`` (``0 <= K < N``) starts the every-N-th sample at the K-th mutant, so a
    second run with another offset covers mutants the first sample skipped (``--sample 10``
    then ``--sample 10 --offset 5`` is every 5th mutant, in two runs).
    """
    if not options:
        return 1, 0
    if len(options) not in (2, 4) or options[0] != "--sample" or not options[1].isdigit():
        return None
    sample = max(1, int(options[1]))
    if len(options) == 2:
        return sample, 0
    if options[2] != "--offset" or not options[3].isdigit() or int(options[3]) >= sample:
        return None
    return sample, int(options[3])


def main(argv: list[str]) -> int:
    if not argv or argv[0] in {"-h", "--help", "--list"}:
        print(__doc__)
        print("Modules:", ", ".join(MODULES))
        return 0 if argv else 2
    module = argv[0]
    if module not in MODULES:
        print(f"Unknown module {module!r}. Known: {', '.join(MODULES)}", file=sys.stderr)
        return 2
    os.chdir(ROOT)
    if argv[1:] == ["--survivors"]:
        configure(module)
        return show_survivors()
    options = argv[1:]
    names: list[str] = []
    sample, offset = 1, 0
    if options[:1] == ["--again"]:
        configure(module)
        # optionally only the survivors named (those not listed as equivalent)
        names = [n for n in survivors() if not options[1:] or n.split(".")[-1] in options[1:]]
        if not names:
            print("No survivors to run again.")
            return 0
        # the test-to-function map must include the tests added since
        (ROOT / "mutants" / "mutmut-stats.json").unlink(missing_ok=True)
    else:
        parsed = sampling(options)
        if parsed is None:
            print(f"Unknown options {options!r}", file=sys.stderr)
            return 2
        sample, offset = parsed
        # mutmut caches verdicts across runs and would not notice new tests: start clean.
        shutil.rmtree(ROOT / "mutants", ignore_errors=True)
        configure(module)
        if sample > 1:
            names = generate()[offset::sample]
    from mutmut.__main__ import cli

    children = os.environ.get("MUTMUT_CHILDREN", "1")  # CPU is shared: one mutant at a time
    try:
        cli.main(["run", "--max-children", children, *names], standalone_mode=False)
    except SystemExit as stop:
        if stop.code:
            return int(stop.code)
    counts = summary()
    killed = counts.get("killed", 0) + counts.get("timeout", 0)
    total = sum(v for k, v in counts.items() if k not in {"not checked", "skipped"})
    rate = 100.0 * killed / total if total else 0.0
    result: dict[str, object] = {"module": module, "counts": counts, "kill_rate": round(rate, 1)}
    if sample > 1:
        result["sample"] = f"every {sample}th mutant" + (f" from the {offset}th" if offset else "")
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
