"""The wizard's device login on a class sandbox keeps the learner's name.

A terminal wizard that approves its own login (ctrl+l) claims the name and keeps the claim in
its state dir, per class sandbox, owner-only: a relaunch (a new process, same state dir) signs
in as the same learner, another wizard (another state dir) is refused with what to do. A
wizard served to a browser signs in as that browser (its claim file)."""

from __future__ import annotations

import logging
import secrets
import stat
from pathlib import Path

import pytest

from tests.classroom.class_kit import PASSCODE
from tests.sandbox_kit import start_sandbox
from tests.services.provider_kit import sandbox_target
from tui.sandbox.classroom.web_learners import write_claim
from tui.services.class_claim import CLASS_CLAIM_ENV, ClassClaims, claims_file
from tui.services.errors import WizardError
from tui.services.http import ApiClient
from tui.services.login import LoginService
from tui.services.login_tokens import username_from_token
from tui.services.secrets import SecretStore


async def wizard_login(server, name: str, state_dir: Path | None = None) -> str:
    """One run of the wizard's device login, approved as ``name``; the signed-in user."""
    client = ApiClient(sandbox_target(server))
    login = LoginService(client, SecretStore(), ClassClaims(state_dir) if state_dir else None)
    client.tokens = login
    try:
        challenge = await login.start_device()
        await login.approve_on_sandbox(challenge, name, passcode=PASSCODE)
        result = await login.poll_once(challenge)
        assert result.state == "done" and result.tokens is not None
        await login.logout()  # the learner logs out at the end: the name stays theirs
        return username_from_token(result.tokens.access_token) or ""
    finally:
        await client.aclose()


async def test_a_relaunched_wizard_keeps_its_name(class_sandbox, tmp_path: Path) -> None:
    mine, theirs = tmp_path / "alice-state", tmp_path / "bob-state"
    assert await wizard_login(class_sandbox, "alice", mine) == "alice"
    # a relaunch: a new process with the same state dir, no keyring, logged out before
    assert await wizard_login(class_sandbox, " Alice", mine) == "alice"

    for spelling in ("Alice ", "ALICE"):
        with pytest.raises(WizardError) as refused:
            await wizard_login(class_sandbox, spelling, theirs)
        error = refused.value
        assert error.status == 409
        assert "“alice” is already taken" in error.what
        assert "ask your trainer to release it" in error.fix
    assert await wizard_login(class_sandbox, "bob", theirs) == "bob"


async def test_a_wizard_without_a_state_dir_cannot_sign_in_again(class_sandbox) -> None:
    """What the state dir fixes: a claim kept in memory only is lost with the process."""
    assert await wizard_login(class_sandbox, "dora") == "dora"
    with pytest.raises(WizardError, match="already taken"):
        await wizard_login(class_sandbox, "dora")


async def test_claims_are_kept_per_class_sandbox(class_sandbox, tmp_path: Path) -> None:
    other = start_sandbox(tmp_path / "other-class", classroom=True, passcode=PASSCODE)
    try:
        mine, theirs = tmp_path / "mine", tmp_path / "theirs"
        assert await wizard_login(class_sandbox, "emma", mine) == "emma"
        assert await wizard_login(other, "emma", theirs) == "emma"  # another class, free
        with pytest.raises(WizardError, match="already taken"):
            await wizard_login(other, "emma", mine)  # my claim is for the first class only
        assert await wizard_login(class_sandbox, "emma", mine) == "emma"
        assert await wizard_login(other, "finn", mine) == "finn"
        assert await wizard_login(class_sandbox, "emma", mine) == "emma"  # both kept
    finally:
        other.stop()


async def test_the_claim_file_is_owner_only_and_the_claim_is_never_logged(
    class_sandbox, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    # INFO: what httpx and the sandbox log (httpcore's DEBUG trace dumps raw response
    # headers, Set-Cookie included; nothing in the wizard turns it on)
    caplog.set_level(logging.INFO)
    state = tmp_path / "state"
    await wizard_login(class_sandbox, "gina", state)
    path = claims_file(state)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    claim = ClassClaims(state).get(sandbox_target(class_sandbox).base_url)
    assert claim is not None and len(claim) >= 32
    assert claim not in caplog.text
    assert claim not in repr(ClassClaims(state))
    assert "gina" not in path.read_text("utf-8")  # the file holds the claim, not the name


async def test_a_damaged_claim_file_means_no_claim_not_a_crash(
    class_sandbox, tmp_path: Path
) -> None:
    state = tmp_path / "state"
    state.mkdir()
    claims_file(state).write_text("{not json", "utf-8")
    assert await wizard_login(class_sandbox, "hugo", state) == "hugo"  # claims it afresh
    assert await wizard_login(class_sandbox, "hugo", state) == "hugo"


async def test_a_browser_wizard_keeps_its_name_across_restarts(
    class_sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    mine = write_claim(tmp_path, secrets.token_urlsafe(32))
    monkeypatch.setenv(CLASS_CLAIM_ENV, str(mine))
    state = tmp_path / "state"
    assert await wizard_login(class_sandbox, "Lena", state) == "Lena"
    assert (
        await wizard_login(class_sandbox, "lena") == "Lena"
    )  # a reload: a new process, the same browser

    other = tmp_path / "other"
    other.mkdir()
    monkeypatch.setenv(CLASS_CLAIM_ENV, str(write_claim(other, secrets.token_urlsafe(32))))
    with pytest.raises(WizardError) as refused:
        await wizard_login(class_sandbox, "LENA", state)
    assert "already taken" in refused.value.what
    assert "ask your trainer to release it" in refused.value.what
    assert not claims_file(state).exists()  # the browser's cookie is the claim, not a copy


async def test_a_throttled_approval_says_to_wait(class_sandbox, tmp_path: Path) -> None:
    client = ApiClient(sandbox_target(class_sandbox))
    login = LoginService(client, SecretStore(), ClassClaims(tmp_path))
    try:
        challenge = await login.start_device()
        statuses = []
        for _ in range(8):  # wrong passcodes until the sandbox pauses this computer
            with pytest.raises(WizardError) as refused:
                await login.approve_on_sandbox(challenge, "ivan", passcode="guess")
            statuses.append(refused.value.status)
            if refused.value.status == 429:
                break
        assert statuses[0] == 403 and statuses[-1] == 429
        assert "Wait" in refused.value.what and "then approve again" in refused.value.fix
    finally:
        await client.aclose()


async def test_the_embedded_sandbox_keeps_the_simple_sign_in(sandbox, tmp_path: Path) -> None:
    """One learner per sandbox: no name is claimed and the wizard keeps no claim file."""
    for state in (tmp_path / "one", tmp_path / "two"):
        client = ApiClient(sandbox_target(sandbox))
        login = LoginService(client, SecretStore(), ClassClaims(state))
        try:
            challenge = await login.start_device()
            await login.approve_on_sandbox(challenge, "kai")  # no passcode, same name twice
            assert (await login.poll_once(challenge)).state == "done"
        finally:
            await client.aclose()
        assert not claims_file(state).exists()
