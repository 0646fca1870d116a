"""The learner's progress: what exists and which steps are done. Never holds a secret.

Saved as JSON after every step with an atomic write (temp file in the same folder, fsync,
``os.replace``), so a crash or Ctrl+Q never leaves a half-written file. On resume the app
re-checks reality (gateway exists, login works) instead of trusting this file.
"""

from __future__ import annotations

import contextlib
import json
import time
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

from .private_file import write_private
from .tutorial_defaults import DEFAULT_ORG, DEFAULT_ORG_UNIT, DEFAULT_TEMPLATE

SESSION_VERSION = 1


@dataclass
class Session:
    # Target
    target_kind: str = "sandbox"  # sandbox | test | prod | custom
    host: str = ""  # host[:port], no scheme (what `gwa config set host` takes)
    scheme: str = "https"
    # Login (the tokens themselves live in the secret store)
    username: str = ""
    login_method: str = ""  # device | client_credentials
    # Gateway
    gateway_id: str = ""
    gateway_display_name: str = ""
    gateway_picked: bool = False  # an existing gateway was chosen (not created here)
    created_gateways: list[str] = field(default_factory=list)  # every one created this session
    gateway_destroyed: bool = False  # Clean up destroyed the current gateway
    # A create sent whose answer has not arrived (a timeout, a dropped connection): its name
    # and the learner's gateway ids before it, kept until a create succeeds, so that a retry,
    # even after leaving the step or quitting, finds the gateway that create made.
    pending_gateway_create: dict[str, Any] = field(default_factory=dict)
    # Template
    template: str = DEFAULT_TEMPLATE
    service: str = ""
    upstream: str = ""
    out_file: str = ""  # path of the generated YAML, as the learner sees it
    workspace: str = ""  # the folder chosen on screen ("" = the default / --workspace)
    org: str = DEFAULT_ORG
    org_unit: str = DEFAULT_ORG_UNIT
    # Apply / Status
    published: list[str] = field(default_factory=list)  # "Kind name" of each resource done
    env_host: str = ""  # the transformed route host, e.g. svc-dev-api-gov-bc-ca.localhost:8461
    api_url: str = ""  # what Try it / Call request, e.g. http://…/uuid
    # Consumer side (the secret lives in the secret store)
    environment_app_id: str = ""
    client_id: str = ""
    token_endpoint: str = ""
    credentials_source: str = ""  # rest | handoff
    consumer_revoked: bool = False
    issued_consumers: list[str] = field(default_factory=list)  # client ids issued this session
    # Check your understanding: {"step", "question", "answer", "correct"?} per question asked
    answers: list[dict[str, Any]] = field(default_factory=list)
    # Progress
    current_step: str = "target"
    steps_done: list[str] = field(default_factory=list)
    step_seconds: dict[str, float] = field(default_factory=dict)
    started_at: float = field(default_factory=time.time)
    version: int = SESSION_VERSION

    def mark_done(self, step_id: str) -> None:
        if step_id not in self.steps_done:
            self.steps_done.append(step_id)

    def record_answer(self, row: dict[str, Any]) -> None:
        """Keep the learner's answer to a question (a later answer replaces an earlier one)."""
        self.answers = [a for a in self.answers if a.get("question") != row.get("question")]
        self.answers.append(dict(row))

    def unmark(self, *step_ids: str) -> None:
        self.steps_done = [s for s in self.steps_done if s not in step_ids]

    def add_time(self, step_id: str, seconds: float) -> None:
        self.step_seconds[step_id] = round(self.step_seconds.get(step_id, 0.0) + seconds, 3)

    @property
    def base_url(self) -> str:
        return f"{self.scheme}://{self.host}" if self.host else ""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Session:
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in known})


class SessionStore:
    """Loads and saves one session file atomically."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def load(self) -> Session | None:
        """The saved session, or None when there is none or it cannot be read."""
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if not isinstance(data, dict) or data.get("version") != SESSION_VERSION:
            return None
        try:
            return Session.from_dict(data)
        except TypeError:
            return None

    def save(self, session: Session) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        payload = json.dumps(session.to_dict(), indent=2, sort_keys=True)
        write_private(self.path, payload, prefix=".session-")

    def clear(self) -> None:
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()
