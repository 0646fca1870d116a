"""The Credentials step's F1 text: the portal walk-through's pages and buttons, and the API
shortcut. Kept apart from the screen so the screen module stays about its behaviour."""

from __future__ import annotations

HELP = """
So far you acted as the **provider**. Now switch roles: you are a **consumer** who wants to
call the API, and consumers need credentials.

**The tutorial's way: the portal's web pages** (ctrl+l shows the clicks, ctrl+o opens them).
Most live accounts lack the permission the API shortcut needs, so this is the way you will
take on the real portal; the sandbox serves the same pages to practise on.

1. **My Gateways** (`/manager/gateways/list`): log in with **Login with IDIR**, then click
   your gateway. It becomes the *active gateway* and its page opens.
2. On the gateway's page, the **Products** card: **Preview in Directory**. Your Dev
   environment is not public yet (`active: false`), so only this private preview shows it.
3. **Your Products**: click your service's card title, then **Request Access** beside your
   product on its page.
4. In the dialog *Access Request to <product>*: **Create Application**, type an
   **Application Name**, **Create**. An application stands for the consumer's client
   software; each application gets its own credentials for each environment.
5. Under **API Environment** choose **dev** and press **Request Access & Continue**. Your
   product says `approval: false`, so access is granted at once; with approval the button
   reads **Request Access** and a provider must **Approve** it on **Gateways → Consumers**.
6. **Generate Secrets**: the portal registers a client in the shared login realm and shows
   **Client ID**, **Client Secret** and **Token Endpoint**, each with a **Copy** button, once.
   Paste them back here: the wizard checks them by asking the Token Endpoint for a token.
   **Done** takes you to **My Access**, where the access shows as *Approved*.

**The shortcut: the portal's API** (ctrl+g). A provider holding *CredentialIssuer.Generate*
can do all of this with one `POST /ds/api/v3/gateways/{gw}/consumers`. Without that
permission the portal says no (403), and the wizard switches to the walk-through.

Treat the secret like a password: it is shown masked, copied only when you ask, kept in
your keyring (or in memory), and never written to the wizard's session file or exports.
"""

KEY_TERMS = (
    ("Consumer", "whoever calls the API; here, you, with your own credentials"),
    ("Application", "the consumer's client software; owns the credentials"),
    ("Product environment", "one deployable stage of a product (dev), with its own access"),
    ("Access request", "asks for an application's access to one environment"),
    ("Client ID / Secret", "the application's user name and password at the token endpoint"),
    ("Token Endpoint", "the login server URL that turns ID and secret into a token"),
)
