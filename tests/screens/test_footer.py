"""The key bar: rebuilt once for a burst of binding changes, and only when its keys change."""

from __future__ import annotations

from typing import Any

from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Static

from tests.waiting import until
from tui.widgets.footer import WizardFooter


class CountingFooter(WizardFooter):
    rebuilds = 0  # how often the keys were rebuilt
    looks = 0  # how often the footer looked at the announced changes

    async def _rebuild(self) -> None:
        await super()._rebuild()
        CountingFooter.looks += 1

    async def recompose(self) -> None:
        CountingFooter.rebuilds += 1
        await super().recompose()


class KeysScreen(Screen[None]):
    BINDINGS = [Binding("ctrl+n", "next", "Next"), Binding("f1", "help", "Help")]

    def __init__(self) -> None:
        super().__init__()
        self.ready = False

    def compose(self) -> ComposeResult:
        yield Static("body")
        yield CountingFooter()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return (True if self.ready else None) if action == "next" else True  # None: greyed

    def action_next(self) -> None: ...

    def action_help(self) -> None: ...


class KeysApp(App[None]):
    def on_mount(self) -> None:
        self.push_screen(KeysScreen())


def next_key(app: Any) -> Any:
    keys = [key for key in app.screen.query("FooterKey") if key.action == "next"]
    return keys[0] if keys else None


def next_enabled(app: Any) -> bool:
    """Next is shown and not greyed (while the keys are rebuilt there is no Next for a moment)."""
    key = next_key(app)
    return key is not None and not key.has_class("-disabled")


async def footer_settled(pilot: Any) -> None:
    """The keys are shown and no rebuild the start-up announced is still to come."""
    footer = pilot.app.screen.query_one(CountingFooter)
    await until(pilot, lambda: next_key(pilot.app) is not None, "the footer's keys")
    await until(
        pilot,
        lambda: footer._bindings_ready and not footer._rebuild_pending,
        "the footer's first rebuild, if any",
    )
    await pilot.app.workers.wait_for_complete()


async def test_footer_rebuilds_once_for_a_burst_and_shows_the_last_state() -> None:
    app = KeysApp()
    async with app.run_test(size=(80, 10)) as pilot:
        await footer_settled(pilot)
        assert next_key(app).has_class("-disabled"), (
            "Next starts disabled (the screen is not ready)"
        )
        before = CountingFooter.rebuilds
        screen = app.screen
        assert isinstance(screen, KeysScreen)
        for _ in range(3):  # unchanged bindings, announced three times: no rebuild
            screen.refresh_bindings()
        screen.ready = True
        for _ in range(3):  # then one real change, announced three times: one rebuild
            screen.refresh_bindings()
        await until(pilot, lambda: next_enabled(app), "Next enabled in the footer")
        await pilot.app.workers.wait_for_complete()
        assert CountingFooter.rebuilds - before == 1
        keys = [key.action for key in app.screen.query("FooterKey")]
        assert keys[:2] == ["next", "help"], keys


async def test_footer_keeps_its_keys_when_nothing_it_shows_changed() -> None:
    app = KeysApp()
    async with app.run_test(size=(80, 10)) as pilot:
        await footer_settled(pilot)
        shown = list(app.screen.query("FooterKey"))
        screen = app.screen
        screen.ready = True
        screen.refresh_bindings()
        await until(pilot, lambda: next_enabled(app), "Next enabled in the footer")
        rebuilt = list(app.screen.query("FooterKey"))
        assert not set(shown) & set(rebuilt), "a change of state rebuilds the keys"
        looks, rebuilds = CountingFooter.looks, CountingFooter.rebuilds
        for _ in range(4):
            screen.refresh_bindings()
        await until(pilot, lambda: CountingFooter.looks > looks, "the footer's look at them")
        assert CountingFooter.rebuilds == rebuilds
        assert list(app.screen.query("FooterKey")) == rebuilt, "same keys, same widgets"
