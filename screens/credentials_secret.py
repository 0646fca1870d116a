"""The Credentials step's result: the three values once obtained (generated or pasted and
checked), the client secret masked until revealed and copied only on request, and the
``export`` lines the tutorial's next command uses.

``CredentialsSecretPanel`` is one layer of ``screens/credentials.py`` ``CredentialsStep``
(see docs/architecture.md, "A step in layers"); its CSS and key bindings live with the step."""

from __future__ import annotations

from typing import Any

from textual.widgets import Static

from tui.services.credentials import ConsumerCredentials
from tui.services.errors import WizardError
from tui.services.session import Session
from tui.widgets import CommandBox

from .base import WizardStep

MASK = "•" * 16
STORE_WORDS = {
    "keyring": "your operating system's keyring",
    "memory": "memory only, for this run (no keyring was found)",
    "file": "the owner-only secrets file you chose",
}


class CredentialsSecretPanel(WizardStep):
    """Keeps the credentials in the secret store and shows them in ``#creds-box``."""

    def __init__(self, session: Session, services: Any) -> None:
        super().__init__(session, services)
        self.credentials: ConsumerCredentials | None = None
        self.source = ""
        self.revealed = False
        self.checked = False  # the pasted values got a token

    async def keep(self, creds: ConsumerCredentials, source: str) -> None:
        try:
            await self.services.credentials.remember(self.session, self.services.secrets, creds)
        except WizardError as error:
            self.show_error(error)
            return
        self.services.tokens.forget()
        self.show_credentials(creds, source, earlier=False)
        self.query_one("#creds-box").scroll_visible(animate=False)

    def show_credentials(self, creds: ConsumerCredentials, source: str, *, earlier: bool) -> None:
        self.credentials, self.source = creds, source
        self.revealed = False
        self.render_credentials(earlier)
        self.query_one("#creds-box").add_class("-shown")
        self.ready = True

    def render_credentials(self, earlier: bool = False) -> None:
        creds = self.credentials
        if creds is None:
            return
        secret = creds.client_secret if self.revealed else MASK
        store = STORE_WORDS.get(getattr(self.services.secrets, "backend", ""), "the secret store")
        origin = (
            "from earlier in this tutorial; ctrl+g issues new ones"
            if earlier
            else "generated over the portal API"
            if self.source == "rest"
            else "pasted from the portal; the Token Endpoint gave a token for them"
            if self.checked
            else "pasted from the portal"
        )
        self.query_one("#creds", Static).update(
            f"✓ Credentials ({origin})\n"
            f"Client ID       {creds.client_id}\n"
            f"Client Secret   {secret}   (ctrl+t show/hide · ctrl+y copy)\n"
            f"Token Endpoint  {creds.token_endpoint}\n"
            f"The secret is kept in {store}; never in the session file."
        )
        self.query_one("#exports", CommandBox).show(
            f'export CID="{creds.client_id}"\n'
            'export CSC="<paste the Client Secret: ctrl+y copies it>"\n'
            f'export URL="{creds.token_endpoint}"'
        )

    def action_toggle_secret(self) -> None:
        if self.credentials is None:
            return
        self.revealed = not self.revealed
        self.render_credentials()

    async def action_copy_secret(self) -> None:
        if self.credentials is not None:
            await self.copy_text(self.credentials.client_secret, "Client secret")
