"""The wizard's device login on a class sandbox: a wizard served to a browser signs in as that
browser (its claim file), so a reload keeps the name and another browser cannot take it."""

from __future__ import annotations

import secrets
from pathlib import Path

import pytest

from tests.classroom.conftest import PASSCODE
from tests.services.provider_kit import sandbox_target
from tui.sandbox.classroom.web_learners import write_claim
from tui.services.errors import WizardError
from tui.services.http import ApiClient
from tui.services.login import CLASS_CLAIM_ENV, LoginService
from tui.services.secrets import SecretStore


async def wizard_login(server, name: str) -> LoginService:
    client = ApiClient(sandbox_target(server))
    login = LoginService(client, SecretStore())
    client.tokens = login
    challenge = await login.start_device()
    try:
        await login.approve_on_sandbox(challenge, name, passcode=PASSCODE)
        assert (await login.poll_once(challenge)).state == "done"
    finally:
        await client.aclose()
    return login


async def test_a_browser_wizard_keeps_its_name_across_restarts(
    class_sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    mine = write_claim(tmp_path, secrets.token_urlsafe(32))
    monkeypatch.setenv(CLASS_CLAIM_ENV, str(mine))
    await wizard_login(class_sandbox, "Lena")
    await wizard_login(class_sandbox, "lena")  # a reload: a new process, the same browser

    other = tmp_path / "other"
    other.mkdir()
    monkeypatch.setenv(CLASS_CLAIM_ENV, str(write_claim(other, secrets.token_urlsafe(32))))
    with pytest.raises(WizardError) as refused:
        await wizard_login(class_sandbox, "LENA")
    assert "already taken" in refused.value.what
    assert "ask your trainer to release it" in refused.value.what
