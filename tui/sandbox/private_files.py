"""The sandbox's data directory is private: the directory 0700, every file in it 0600.

It holds the signing keys, the refresh-token secret, the sandbox CA's key and the consumers'
secret digests, so nobody else on the machine may read it (a class sandbox runs on a shared
laptop). SQLite creates its ``-wal`` and ``-shm`` files with the database file's mode, so
creating the database 0600 first covers them; :func:`make_private` also tightens what an
older sandbox left with wider modes. The process umask is left alone (the wizard shares it).
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

DIR_MODE = 0o700
FILE_MODE = 0o600


def make_private(data_dir: Path) -> None:
    """Create ``data_dir`` if needed and restrict it and every file directly in it."""
    data_dir.mkdir(parents=True, exist_ok=True, mode=DIR_MODE)
    os.chmod(data_dir, DIR_MODE)
    for entry in data_dir.iterdir():
        mode = entry.lstat().st_mode
        if stat.S_ISREG(mode) and stat.S_IMODE(mode) != FILE_MODE:
            os.chmod(entry, FILE_MODE)


def create_private(path: Path) -> None:
    """Make sure ``path`` exists as a 0600 file before anyone else (SQLite) creates it."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT, FILE_MODE)
    os.close(fd)
    os.chmod(path, FILE_MODE)


def write_private(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` (0600), replacing it atomically."""
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    os.chmod(tmp, FILE_MODE)
    os.replace(tmp, path)
