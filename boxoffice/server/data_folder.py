"""The data folder holds secrets (the JWT and ticket-signing keys, password hashes, the pass
certificate, mail): it is the owner's alone — the folder and every folder in it 0700, every
file 0600 (an owner-executable file 0700). `secure_data_folder` sets that at every start and
logs each path it had to tighten.
"""

from __future__ import annotations

import logging
import os
import stat
from pathlib import Path

from sqlalchemy import Engine

logger = logging.getLogger(__name__)

FOLDER_MODE = 0o700
FILE_MODE = 0o600
SQLITE_SIDECARS = ("-wal", "-shm", "-journal")


def secure_data_folder(data_dir: Path, sqlite_file: Path | None = None) -> list[Path]:
    """Create `data_dir` (0700) if missing and tighten everything in it; also the SQLite
    database `sqlite_file` and its -wal/-shm/-journal files wherever they are. A missing
    database file is created empty with 0600, so SQLite's own files inherit that mode.
    Returns the paths whose modes were looser. Symbolic links are left alone; a path this
    user may not change is logged as an error and skipped (the server still starts)."""
    if os.name != "posix":
        return []
    data_dir.mkdir(parents=True, exist_ok=True, mode=FOLDER_MODE)
    fixed = [p for p in _walk(data_dir) if _tighten(p)]
    if sqlite_file is not None:
        sqlite_file.parent.mkdir(parents=True, exist_ok=True, mode=FOLDER_MODE)
        if not sqlite_file.exists():
            os.close(os.open(sqlite_file, os.O_WRONLY | os.O_CREAT, FILE_MODE))
        for path in (sqlite_file, *(Path(f"{sqlite_file}{s}") for s in SQLITE_SIDECARS)):
            if not path.is_relative_to(data_dir) and _tighten(path):
                fixed.append(path)
    return fixed


def _walk(folder: Path) -> list[Path]:
    paths = [folder]
    for root, dirs, files in os.walk(folder):  # does not follow links to folders
        paths += [Path(root, name) for name in (*dirs, *files)]
    return paths


def _tighten(path: Path) -> bool:
    """Chmod `path` to the owner's only if group or others have any access; True if done."""
    try:
        info = path.lstat()
    except FileNotFoundError:
        return False
    if stat.S_ISLNK(info.st_mode):
        return False
    mode = stat.S_IMODE(info.st_mode)
    if not mode & 0o077:
        return False
    # Files keep only the owner's bits (0644 → 0600; an owner-executable 0755 → 0700), so a
    # data folder pointed at an unusual place loses no one's access but the group's and others'.
    wanted = FOLDER_MODE if stat.S_ISDIR(info.st_mode) else mode & 0o700
    try:
        path.chmod(wanted)
    except OSError as exc:
        logger.error("cannot tighten permissions of %s (%s): %s", path, oct(mode), exc.strerror)
        return False
    logger.warning(
        "tightened permissions of %s from %s to %s (the data folder holds secrets)",
        path,
        oct(mode),
        oct(wanted),
    )
    return True


def sqlite_file(engine: Engine) -> Path | None:
    """The SQLite database file of `engine`, or None (PostgreSQL, in memory)."""
    url = engine.url
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return None
    return Path(url.database)
