"""The wizard's claim to a learner name on a class sandbox (no textual).

On a class sandbox a name belongs to the first browser (or wizard) that signs in with it: the
sandbox answers that first sign-in with a claim cookie (``aps_learner``) and later refuses the
name to anyone who cannot show it. A browser keeps that cookie itself; the wizard keeps it
here, so a learner who approves their login with ctrl+l, quits and relaunches is still the
owner of their name.

* :class:`ClassClaims` keeps one claim per class sandbox, keyed by the sandbox's origin
  (``http://host:port``), in ``<state dir>/class-claims.json``: written atomically, owner-only
  (mode 0600). The claim is an identity, not an APS secret, but it is treated like one: it is
  never printed, logged or exported.
* A wizard served to a browser by ``sandbox serve --web-port`` signs in as that browser: the
  server names the browser's claim file in :data:`CLASS_CLAIM_ENV`, which wins.

Logging out and Clean up keep the claim: the name stays the learner's for the whole class.
The trainer frees a name on the class board; deleting the file gives it up on this side.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from .private_file import read_text_map, write_text_map

# The sandbox's cookie and the environment variable a browser wizard's server sets.
CLASS_CLAIM_COOKIE = "aps_learner"
CLASS_CLAIM_ENV = "GWA_WIZARD_CLASS_CLAIM_FILE"
CLAIMS_FILE_NAME = "class-claims.json"
_CLAIM = re.compile(r"[A-Za-z0-9_-]{32,64}")


def valid_claim(value: str | None) -> str | None:
    """``value`` if it has the shape of a claim the sandbox hands out, else None."""
    value = (value or "").strip()
    return value if _CLAIM.fullmatch(value) else None


def claims_file(state_dir: Path) -> Path:
    return state_dir / CLAIMS_FILE_NAME


def browser_claim() -> str | None:
    """The claim of the browser this wizard is served to (``--web-port``), if any."""
    path = os.environ.get(CLASS_CLAIM_ENV)
    if not path:
        return None
    try:
        return valid_claim(Path(path).read_text("utf-8"))
    except OSError:
        return None


class ClassClaims:
    """Claims per class-sandbox origin, in an owner-only file of the wizard's state dir."""

    def __init__(self, state_dir: Path) -> None:
        self.path = claims_file(state_dir)

    def __repr__(self) -> str:  # never the tokens
        return f"ClassClaims({self.path})"

    def get(self, origin: str) -> str | None:
        return valid_claim(self._read().get(_key(origin)))

    def save(self, origin: str, claim: str) -> None:
        """Keep ``claim`` for ``origin`` (a shapeless value is ignored, never written)."""
        token = valid_claim(claim)
        if token is None:
            return
        data = self._read()
        if data.get(_key(origin)) == token:
            return
        data[_key(origin)] = token
        self._write(data)

    def _read(self) -> dict[str, str]:
        return read_text_map(self.path)

    def _write(self, data: dict[str, str]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        write_text_map(self.path, data, prefix=".class-claims-")


def _key(origin: str) -> str:
    return origin.rstrip("/").lower()
