"""Writing the app's own files so that a crash never leaves half of one behind, and one writer at a
time across processes (the GUI and any number of CLI runs may change config.yaml at once)."""

from __future__ import annotations

import contextlib
import os
import stat
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

if sys.platform == "win32":  # pragma: no cover - Windows (sys.platform: mypy narrows on it)
    import msvcrt
else:
    import fcntl

LOCK_POLL = 0.05  # seconds between two tries of a lock another process holds


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


def remove_stray_temp_files(target: Path) -> list[Path]:
    """Delete the temporary files a killed ``write_atomically(target, ...)`` left behind
    (``.<name>.*.tmp``, including those of ``<name>.bak``). Only call this while holding the
    target's FileLock: a temporary file of a save in progress must not vanish under it."""
    removed = []
    for stray in target.parent.glob(f".{target.name}.*.tmp"):
        with contextlib.suppress(FileNotFoundError):
            stray.unlink()
            removed.append(stray)
    return removed


class FileLock:
    """An exclusive OS lock on ``path`` (a small file of its own, created if missing, never deleted:
    deleting it would let a second process lock a new file while a first still holds the old one).

    POSIX: ``fcntl.flock``; Windows: ``msvcrt.locking`` on its first byte. The OS drops the lock
    when the holder exits or crashes, so a killed process never leaves the file locked. The lock
    belongs to the open file, not to a thread: ``acquire`` may run in a worker thread and
    ``release`` on another one. Two FileLocks on the same path exclude each other even within one
    process."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._fd: int | None = None

    def acquire(self, timeout: float = 30.0) -> None:
        """Wait up to ``timeout`` seconds; TimeoutError when another holder keeps it longer."""
        if self._fd is not None:
            raise RuntimeError(f"{self.path} is already locked by this FileLock")
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        deadline = time.monotonic() + timeout
        try:
            while not _try_lock(fd):
                if time.monotonic() >= deadline:
                    raise TimeoutError(f"{self.path} stayed locked by another process for {timeout:g} s")
                time.sleep(LOCK_POLL)
        except BaseException:
            os.close(fd)
            raise
        self._fd = fd

    def release(self) -> None:
        fd, self._fd = self._fd, None
        if fd is None:
            return
        try:
            _unlock(fd)
        finally:
            os.close(fd)  # closing alone drops a flock; the explicit unlock is for Windows

    @property
    def held(self) -> bool:
        return self._fd is not None

    @contextlib.contextmanager
    def locked(self, timeout: float = 30.0) -> Iterator[None]:
        self.acquire(timeout)
        try:
            yield
        finally:
            self.release()


def _try_lock(fd: int) -> bool:
    if sys.platform == "win32":  # pragma: no cover - Windows
        os.lseek(fd, 0, os.SEEK_SET)
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError as e:
            if e.errno in (13, 36):  # EACCES / EDEADLOCK: another process holds it
                return False
            raise
        return True
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:  # EWOULDBLOCK: another open file holds it
        return False
    return True


def _unlock(fd: int) -> None:
    if sys.platform == "win32":  # pragma: no cover - Windows
        os.lseek(fd, 0, os.SEEK_SET)
        with contextlib.suppress(OSError):
            msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)
    else:
        fcntl.flock(fd, fcntl.LOCK_UN)


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
