"""Writing the app's own files so that a crash never leaves half of one behind."""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path


def write_atomically(target: Path, data: bytes, *, mode: int = 0o600) -> None:
    """Write ``data`` to ``target`` so that a crash at any moment leaves either the old or the
    new content: a temporary file in the same folder (created private), fsync, permissions set,
    rename over the target, fsync the folder."""
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        if mode != 0o600 and os.name == "posix":
            tmp.chmod(mode)
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    _fsync_dir(target.parent)


def _fsync_dir(folder: Path) -> None:
    if os.name != "posix":
        return  # Windows has no directory fsync; os.replace is already durable enough there
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def read_regular_file(path: Path, limit: int) -> bytes:
    """The content of ``path`` if it is a regular file of at most ``limit`` bytes; else OSError.

    For files a user names (import files, certificates): ``/dev/zero`` would fill the memory and a
    FIFO would block forever. The file is opened non-blocking (a FIFO opens at once), checked on
    the open descriptor (no race with a path swapped after a check), and read to ``limit`` + 1."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_BINARY", 0)
    fd = os.open(path, flags)
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise OSError(f"{path} is not a regular file")
        if info.st_size > limit:
            raise OSError(f"{path} is larger than {limit} bytes")
        if os.name == "posix":
            os.set_blocking(fd, True)
        chunks: list[bytes] = []
        size = 0
        while size <= limit:
            chunk = os.read(fd, min(1 << 20, limit + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        if size > limit:
            raise OSError(f"{path} is larger than {limit} bytes")
        return b"".join(chunks)
    finally:
        os.close(fd)
