"""No state told by colour alone, and no focus that moves under the learner's fingers.

The radio tests read what a radio set draws with the colour thrown away (the text of each
row): the chosen row must be told apart by its characters. The paste-back test types as a
learner does after a refused paste: the keys must land where they were going.
"""

from __future__ import annotations

from typing import Any

import pytest

from screens.credentials import CredentialsStep
from screens.gateway import GatewayStep
from screens.login import LoginStep
from screens.target import TargetStep
from screens.template import TemplateStep
from tests.screens.consumer_kit import harness, settle, world_services, world_session
from tests.screens.focus_kit import radio_rows
from tests.screens.harness import StepHarness
from tests.screens.step_kit import sandbox_target
from tests.services.consumer_world import build_world
from tests.waiting import until
from tui.services.bundle import build_services
from tui.services.secrets import SecretStore
from tui.widgets.marked_radio import OFF, ON


def chosen_rows(radio_set: Any) -> list[str]:
    """Ids of the rows whose drawn text (no colour) says they are chosen."""
    rows = radio_rows(radio_set)
    assert rows, "the set draws no rows"
    for text, button_id in rows:
        assert (ON in text) != (OFF in text), f"{button_id} draws {text!r}: no clear mark"
    return [button_id for text, button_id in rows if ON in text]


@pytest.mark.parametrize(
    ("step", "selector", "chosen"),
    [
        (TargetStep, "#target-kind", "kind-sandbox"),
        (LoginStep, "#method", "method-device"),
        (GatewayStep, "#gateway-mode", "mode-create"),
        (TemplateStep, "#template-choice", "tpl-client-credentials-shared-idp"),
    ],
    ids=["target", "login", "gateway", "template"],
)
async def test_the_chosen_radio_row_is_told_by_its_text_not_its_colour(
    step: type, selector: str, chosen: str, session, sandbox, tmp_path
) -> None:
    services = build_services(sandbox_target(sandbox), secrets=SecretStore())
    app = StepHarness(
        step,
        session,
        services,
        target=sandbox_target(sandbox),
        workspace=tmp_path,
        sandbox_upstream=sandbox.info.upstream_url,
    )
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert chosen_rows(app.screen.query_one(selector)) == [chosen]


async def test_choosing_another_row_with_the_keyboard_moves_the_mark(session, sandbox) -> None:
    services = build_services(sandbox_target(sandbox), secrets=SecretStore())
    app = StepHarness(TemplateStep, session, services, target=sandbox_target(sandbox))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        choice = app.screen.query_one("#template-choice")
        choice.focus()
        await pilot.press("down", "enter")
        await until(pilot, lambda: chosen_rows(choice) == ["tpl-kong-httpbin"], "the mark to move")
        assert "Bare gateway service" in str(app.screen.query_one("#template-help").content)


async def test_long_radio_labels_wrap_whole_at_80_columns(session, sandbox) -> None:
    services = build_services(sandbox_target(sandbox), secrets=SecretStore())
    app = StepHarness(TargetStep, session, services, target=sandbox_target(sandbox))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        for text, button_id in radio_rows(app.screen.query_one("#target-kind")):
            label = str(app.screen.query_one(f"#{button_id}").label)
            assert "…" not in text
            assert " ".join(text.split()).endswith(" ".join(label.split())), text


# -- the portal walk-through's paste-back -----------------------------------------------------


async def test_a_refused_paste_leaves_the_focus_where_the_learner_types(sandbox) -> None:
    world = build_world(sandbox)
    app = harness(CredentialsStep, world, world_session(world), world_services(world))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+l")  # the walk-through, with the three paste fields
        screen = app.screen
        await until(pilot, lambda: screen.query_one("#handoff-box").has_class("-shown"))
        await settle(pilot)
        screen.query_one("#paste-id").value = "my-app"  # the application name, a common slip
        url = screen.query_one("#paste-url")
        url.focus()
        await pilot.press(*"https://example.org/auth", "enter")
        await until(
            pilot,
            lambda: "Client ID looks like" in str(screen.query_one("#paste-id-msg").content),
            "the message under the Client ID",
        )
        assert screen.focused is url
        await pilot.press(*"/x")
        assert url.value == "https://example.org/auth/x"
        assert screen.query_one("#paste-id").value == "my-app"  # nothing typed into it by mistake
        assert screen.query_one("#paste-id").region.intersection(screen.region).area > 0
