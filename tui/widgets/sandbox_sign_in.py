"""The Login step's sign-in on a sandbox's verification page: a name, and on a class sandbox
that asks for one, the class passcode. ctrl+l submits them as the learner's browser would."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Input, Static

from .text_field import TextField

EMBEDDED_HINT = (
    "On the sandbox there is no IDIR sign-in: ctrl+l submits the sandbox's verification page "
    "as this user, exactly what your browser would do."
)
CLASS_HINT = (
    "On this class sandbox ctrl+l signs in on the verification page as this name, as your "
    "browser would. The first sign-in makes the name this wizard's: it keeps the claim in its "
    "state folder, so the name stays yours after a restart. Will you also use the portal's web "
    "pages? Then sign in with ctrl+o in your browser instead: a name belongs to one browser "
    "or one wizard."
)


class SandboxSignIn(Vertical):
    """Name (``#sandbox-user``) and class passcode (``#class-passcode``) with a hint."""

    DEFAULT_CSS = """
    SandboxSignIn { height: auto; }
    SandboxSignIn #sandbox-row { height: auto; }
    SandboxSignIn #sandbox-row Static { width: auto; padding: 1 1 0 0; }
    SandboxSignIn #sandbox-user { width: 24; }
    SandboxSignIn #class-passcode { width: 22; }
    """

    def __init__(self, username: str, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._username = username

    def compose(self) -> ComposeResult:
        with Horizontal(id="sandbox-row"):
            yield Static("Sandbox user: ", id="sandbox-user-label", classes="muted")
            yield TextField(self._username, id="sandbox-user")
            yield Static("Passcode: ", id="class-passcode-label", classes="muted")
            yield TextField(
                placeholder="ask your trainer",
                password=True,
                id="class-passcode",
            )
        yield Static(EMBEDDED_HINT, id="sandbox-hint", classes="muted")

    def on_mount(self) -> None:
        self.show_passcode(False)

    @property
    def username(self) -> str:
        return self.query_one("#sandbox-user", Input).value.strip()

    @property
    def passcode(self) -> str | None:
        field = self.query_one("#class-passcode", Input)
        return field.value if field.display and field.value else None

    def show_passcode(self, shown: bool) -> None:
        self.query_one("#class-passcode-label").display = shown
        self.query_one("#class-passcode").display = shown

    def for_class(self, passcode_required: bool) -> None:
        """A class sandbox: the learner's name in class, and the passcode if it asks."""
        self.query_one("#sandbox-user-label", Static).update("Your name: ")
        self.query_one("#sandbox-hint", Static).update(CLASS_HINT)
        self.show_passcode(passcode_required)
