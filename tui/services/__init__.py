"""The service layer: the tutorial's operations, async and UI-free (never imports textual).

Screens receive a :class:`Services` bundle (built once per run by ``tui/app.py`` from the
chosen target) and call these modules from workers. Every call either returns a frozen
dataclass or raises :class:`tui.services.errors.WizardError` (what / why / fix).

Module map (one concern each; a step's screen, service and tests share a name):

=================  ==========================================================================
``target``         Target (sandbox / test / prod / custom host, scheme) and well-known hosts
``http``           ApiClient: one httpx.AsyncClient per target, gwa's headers, refresh-once on
                   401 (re-sending the body), transport and §3 error mapping to WizardError
``discovery``      GET /ds/api → 204 + Link → openapi.yaml → openIdConnectUrl → OIDC config
``login``          LoginService: discovery, client credentials, refresh, the current user;
                   tokens kept by ``secrets``
``device_login``   its device flow: PKCE S256, polling until approved, sandbox approval
``login_tokens``   the Tokens a login gets, read from the answer; a JWT's claims for display
``gateway``        create / list / get / destroy, the portal's id and display-name rules
``templates``      generate-config v3, byte-for-byte; kebab-case; availability check
``manifest``       parse + validate the gateway YAML with line numbers; field explanations
``apply``          gwa apply: publish GatewayServices, then issuers / datasets / products
``status``         gwa status --hosts: the services table and the URL to call
``probe``          call the API (with or without a token) and explain the answer
``credentials``    consumer credentials: REST issue where permitted, else portal hand-off
``consumer_token`` consumer client-credentials token, JWT decoding and expiry
``cleanup``        inventory, revoke consumer, destroy gateway, verify
``session``        the learner's progress, saved atomically after each step (no secrets)
``secrets``        OS keyring, else memory for this run, or an owner-only file if chosen
``clipboard``      pyperclip in a thread; failure is a result, not an exception
``shell_commands`` the equivalent ``gwa`` / ``curl`` command for each step, real values filled
``tutorial_defaults`` the tutorial's defaults (org, org unit, out file, upstream, test host)
``export``         the learner's record: a runnable shell script and a Markdown report
=================  ==========================================================================
"""
