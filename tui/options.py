"""Run options parsed by ``cli.py`` and handed to the app (no textual import)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import platformdirs

APP_NAME = "gwa-wizard"
SECRETS_FILE_NAME = "secrets.json"  # the owner-only secrets file, beside session.json


def default_data_dir() -> Path:
    return Path(platformdirs.user_data_dir(APP_NAME))


def default_state_dir() -> Path:
    return Path(platformdirs.user_state_dir(APP_NAME))


def secrets_file(state_dir: Path) -> Path:
    """Where the owner-only secrets file lives when the learner chooses it."""
    return state_dir / SECRETS_FILE_NAME


def default_workspace() -> Path:
    """Where generated YAML goes: a folder of the wizard's own that the learner can see and
    reuse with the real gwa (``~/Documents/gwa-wizard``), never the current folder: run from
    a clone of this repository, that would write the YAML into the repository."""
    return Path(platformdirs.user_documents_dir()) / APP_NAME


@dataclass(frozen=True)
class WizardOptions:
    host: str | None = None  # None: the embedded sandbox
    scheme: str = "https"
    data_dir: Path | None = None  # the embedded sandbox's state (default: XDG data dir)
    state_dir: Path | None = None  # the session file (default: XDG state dir)
    workspace: Path | None = None  # where YAML files are written (default: ~/Documents/gwa-wizard)
    fresh: bool = False  # ignore a saved session and start over

    @property
    def resolved_data_dir(self) -> Path:
        return self.data_dir or default_data_dir() / "sandbox"

    @property
    def resolved_state_dir(self) -> Path:
        return self.state_dir or default_state_dir()

    @property
    def resolved_secrets_file(self) -> Path:
        return secrets_file(self.resolved_state_dir)

    @property
    def resolved_workspace(self) -> Path:
        return self.workspace or default_workspace()
