"""Keys that arrive together apply in the order typed (``tui/widgets/text_field.py``).

The keys are posted to the app in one go, with no pause between them, as a burst from the
terminal arrives: a bound editing key (ctrl+u, backspace, left) must act before the
characters typed after it, which a plain Textual ``Input`` does not do."""

from __future__ import annotations

import pytest
from textual import events
from textual.app import App, ComposeResult
from textual.widgets import Input

from tui.widgets import SecretField, TextField


class Form(App[None]):
    def __init__(self, field: type[Input]) -> None:
        super().__init__()
        self.field = field

    def compose(self) -> ComposeResult:
        yield self.field("root", id="name")
        yield SecretField(input_id="secret")


def burst(app: App, *keys: str) -> None:
    for key in keys:
        character = key if len(key) == 1 else {"ctrl+u": "\x15", "backspace": "\x7f"}.get(key)
        app.post_message(events.Key(key, character))


@pytest.mark.parametrize(
    ("keys", "value"),
    [
        (("ctrl+u", "a", "m", "y"), "amy"),  # the name cleared, then typed
        (("b", "a", "backspace", "c"), "rootbc"),
        (("x", "left", "left", "y"), "roo" + "yt" + "x"),
    ],
)
async def test_a_burst_of_keys_applies_in_the_order_typed(keys, value) -> None:
    app = Form(TextField)
    async with app.run_test() as pilot:
        field = app.query_one("#name", Input)
        field.focus()
        field.cursor_position = len(field.value)
        await pilot.pause()
        burst(app, *keys)
        await pilot.pause()
        await pilot.pause()
        assert field.value == value


async def test_the_secret_field_keeps_the_order_too() -> None:
    app = Form(TextField)
    async with app.run_test() as pilot:
        secret = app.query_one("#secret", Input)
        secret.focus()
        await pilot.pause()
        burst(app, "s", "3", "c", "ctrl+u", "o", "k")
        await pilot.pause()
        await pilot.pause()
        assert secret.value == "ok"


async def test_textuals_own_input_is_what_this_works_around() -> None:
    """Textual's issue 6605: the plain Input applies ctrl+u after the keys typed after it.
    When Textual fixes it this test fails, and TextField can go."""
    app = Form(Input)
    async with app.run_test() as pilot:
        field = app.query_one("#name", Input)
        field.focus()
        await pilot.pause()
        burst(app, "ctrl+u", "a", "m", "y")
        await pilot.pause()
        await pilot.pause()
        assert field.value != "amy"
