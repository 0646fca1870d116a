"""The class-name claim file on its own: what is read back, what is never written."""

from __future__ import annotations

import json
import secrets
from pathlib import Path

import pytest

from tui.services.class_claim import CLASS_CLAIM_ENV, ClassClaims, browser_claim, claims_file


def test_a_claim_is_read_back_for_its_sandbox_only(tmp_path: Path) -> None:
    claims = ClassClaims(tmp_path)
    token = secrets.token_urlsafe(32)
    claims.save("http://127.0.0.1:8460", token)
    assert ClassClaims(tmp_path).get("HTTP://127.0.0.1:8460/") == token  # same origin
    assert claims.get("http://127.0.0.1:8470") is None  # another class sandbox
    assert claims.get("http://trainer.local:8460") is None


def test_a_value_that_is_not_a_claim_is_never_written(tmp_path: Path) -> None:
    claims = ClassClaims(tmp_path)
    for junk in ("", "short", "x" * 65, "has spaces in it and is long enough to pass len"):
        claims.save("http://127.0.0.1:8460", junk)
    assert not claims_file(tmp_path).exists()


def test_a_file_of_another_shape_means_no_claims(tmp_path: Path) -> None:
    path = claims_file(tmp_path)
    path.write_text(json.dumps(["http://127.0.0.1:8460"]), "utf-8")
    assert ClassClaims(tmp_path).get("http://127.0.0.1:8460") is None
    path.write_text(json.dumps({"http://127.0.0.1:8460": "not a claim"}), "utf-8")
    assert ClassClaims(tmp_path).get("http://127.0.0.1:8460") is None


def test_a_missing_browser_claim_file_means_no_browser_claim(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(CLASS_CLAIM_ENV, str(tmp_path / "gone"))
    assert browser_claim() is None
    monkeypatch.delenv(CLASS_CLAIM_ENV)
    assert browser_claim() is None
