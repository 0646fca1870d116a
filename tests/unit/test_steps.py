"""Each step is declared once (tui/steps.py) and bound to one screen (screens/steps.py); every
consumer of that list (resume, sidebar, F1, command box, palette, export) reads the same
entry, and a missing or broken piece fails loudly instead of being papered over."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

import tui.steps
from screens.steps import STEP_SCREENS, SUMMARY_SCREEN, screen_for
from tui.services.export import build_script
from tui.services.session import Session
from tui.steps import STEP_IDS, STEPS, equivalent, invalidated_by, step

ROOT = Path(__file__).resolve().parents[2]


def test_every_step_has_exactly_one_screen_in_tutorial_order() -> None:
    assert tuple(cls.STEP_ID for cls in STEP_SCREENS) == STEP_IDS
    for info in STEPS:
        cls = screen_for(info.id)
        assert info.id == cls.STEP_ID and cls.__module__ == f"screens.{info.id}"
    assert SUMMARY_SCREEN.__name__ == "SummaryScreen"
    with pytest.raises(KeyError):
        screen_for("not_a_step")


def test_a_step_without_a_screen_stops_the_import_with_the_reason(tmp_path: Path) -> None:
    script = (
        "import tui.steps as s\n"
        "extra = s.StepInfo('extra', 'Extra', 'consumer', s.cmd.status_command, ('call',))\n"
        "s.STEPS = s.STEPS + (extra,)\n"
        "s.STEP_IDS = s.STEP_IDS + ('extra',)\n"
        "import screens.steps\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT, timeout=120
    )
    assert result.returncode != 0
    assert "ImportError" in result.stderr and "'extra'" in result.stderr


def test_every_step_names_a_half_a_title_and_what_it_builds_on() -> None:
    seen: set[str] = set()
    for info in STEPS:
        assert info.half in ("provider", "consumer") and info.title
        assert set(info.needs) <= seen, f"{info.id} needs a later step"
        seen.add(info.id)
    assert [s.half for s in STEPS].index("consumer") == STEP_IDS.index("try_it")


def test_losing_the_gateway_loses_every_step_after_it() -> None:
    assert invalidated_by("gateway") == STEP_IDS[STEP_IDS.index("gateway") :]
    assert invalidated_by("token") == ("token", "call")
    assert invalidated_by("cleanup") == ("cleanup",)


def test_a_builder_that_breaks_raises_instead_of_showing_nothing(monkeypatch) -> None:
    def broken(session: Session) -> str:
        raise RuntimeError("builder bug")

    patched = tuple(replace(s, command=broken) if s.id == "status" else s for s in STEPS)
    monkeypatch.setattr(tui.steps, "STEPS", patched)
    monkeypatch.setattr(tui.steps, "_BY_ID", {s.id: s for s in patched})
    assert step("status").command is broken
    with pytest.raises(RuntimeError, match="builder bug"):
        equivalent("status", Session())


def test_the_step_screens_show_the_same_command_as_f1_and_the_export() -> None:
    session = Session(
        target_kind="sandbox",
        host="10.0.0.5:8460",
        scheme="http",
        gateway_id="gw-abc12",
        gateway_display_name="Team Gateway",
        out_file="gw-config-client-cred.yaml",
        api_url="http://my-svc-dev-api-gov-bc-ca.localhost:8461/uuid",
    )
    script = build_script(session)
    for step_id in ("gateway", "apply", "status"):
        assert equivalent(step_id, session) in script, step_id
    # A class sandbox on another machine: the screens' curl keeps the --connect-to.
    assert "--connect-to" in equivalent("try_it", session)
    assert "--connect-to" in equivalent("call", session)
