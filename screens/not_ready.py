"""What is still missing when the learner presses Next on a step that is not ready.

A step may override :meth:`WizardStep.not_ready_reason` with something more precise; these
are the defaults, one per step, saying what to do rather than "finish this step".
"""

from __future__ import annotations

MISSING: dict[str, str] = {
    "target": "Choose where to practise and wait for the check to pass (a ✓ under the choice).",
    "login": "Log in first: press Enter on 'Start the login', then approve the code.",
    "gateway": "Create a gateway (Enter) or choose one of yours from the list.",
    "template": "Name your service, wait for '✓ available', then write the file (Enter).",
    "review": "The file still has a problem, or edits are not saved (ctrl+s saves them).",
    "apply": "Apply the file first (Enter on 'Apply the file').",
    "status": "Wait for the status of your service to be read (f5 reads it again).",
    "try_it": "Send the call without a token first (ctrl+s).",
    "credentials": "Get the consumer's credentials first (ctrl+g, or paste them from the portal).",
    "token": "Ask the shared IdP for a token first (ctrl+g).",
    "call": "Call your API with the token first (ctrl+s).",
    "cleanup": "Revoke the consumer (ctrl+e), then destroy the gateway (ctrl+d).",
}


def missing(step_id: str) -> str:
    return MISSING.get(step_id, "This step is not done yet.")
