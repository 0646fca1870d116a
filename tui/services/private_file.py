"""Owner-only files written atomically (no textual).

The session, the secrets file the learner may choose and the class-name claims are all
written the same way: into a hidden temporary file in the same folder (so the rename is
atomic, never a copy across file systems), owner-only (mode 0600) before the first byte,
flushed to disk, then renamed over the old file. A crash or Ctrl+Q leaves either the old file
or the new one, never half of one; a failed write removes its temporary file and reports its
own cause.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from pathlib import Path


def write_private(path: Path, text: str, *, prefix: str) -> None:
    """Replace ``path`` with ``text`` atomically, owner-only; the temporary file is named
    ``<prefix>*.tmp`` beside it, so one left by a power cut is hidden and recognisable."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=prefix, suffix=".tmp")
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
        os.chmod(path, 0o600)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def read_text_map(path: Path) -> dict[str, str]:
    """The JSON object in ``path`` as text keys and values; {} when missing or damaged."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}


def write_text_map(path: Path, data: dict[str, str], *, prefix: str) -> None:
    """Write ``data`` as JSON with :func:`write_private`."""
    write_private(path, json.dumps(data, indent=1, sort_keys=True), prefix=prefix)
