"""The workspace folder (where the gateway YAML and the record go), chosen on screen.

``prepare_workspace`` turns what the learner typed into a folder that exists and is
writable (created when missing), or a WizardError that says what to do. ``replaced_lines``
says what writing a file would replace, so the screen can ask before overwriting.
"""

from __future__ import annotations

import difflib
import os
import tempfile
from pathlib import Path

from .errors import WizardError


def prepare_workspace(typed: str) -> Path:
    """The folder ``typed`` names, created if missing and checked writable (blocking I/O)."""
    text = typed.strip()
    if not text:
        raise WizardError(
            "No workspace folder given",
            "The wizard needs a folder to write your gateway file into.",
            "Type a folder, for example ~/Documents/gwa-wizard.",
            retryable=False,
        )
    folder = Path(os.path.expandvars(text)).expanduser()
    if not folder.is_absolute():
        folder = Path.cwd() / folder
    if folder.exists() and not folder.is_dir():
        raise WizardError(
            f"{folder} is a file, not a folder",
            "The workspace must be a folder the file goes into.",
            "Type a folder name instead (a new one is created).",
            retryable=False,
        )
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, probe = tempfile.mkstemp(dir=folder, prefix=".gwa-wizard-write-check-")
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        raise WizardError(
            f"Cannot write into {folder}",
            f"The folder could not be created or written to: {exc.strerror or exc}.",
            "Choose a folder you own, for example one under your home folder.",
            retryable=False,
        ) from exc
    return folder


def replaced_lines(path: Path, new_text: str, limit: int = 12) -> list[str] | None:
    """None when writing ``new_text`` to ``path`` replaces nothing (no file, or the same
    text); otherwise the first ``limit`` lines of the difference (``-`` old, ``+`` new)."""
    try:
        old_text = path.read_text(encoding="utf-8", errors="replace")
    except FileNotFoundError:
        return None
    if old_text == new_text:
        return None
    diff = difflib.unified_diff(old_text.splitlines(), new_text.splitlines(), lineterm="", n=0)
    changed = [line for line in diff if line[:1] in "+-" and line[:3] not in ("+++", "---")]
    if len(changed) > limit:
        changed = [*changed[:limit], f"… and {len(changed) - limit} more changed lines"]
    return changed or ["(only the line endings differ)"]
