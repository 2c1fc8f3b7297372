"""core.files: the cross-process FileLock and the removal of stray temporary files."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import pytest

from ocv_desktop.store.files import FileLock, remove_stray_temp_files, write_atomically


def test_two_locks_on_one_path_exclude_each_other(tmp_path: Path) -> None:
    path = tmp_path / ".config.yaml.lock"
    first, second = FileLock(path), FileLock(path)
    first.acquire()
    with pytest.raises(TimeoutError, match="stayed locked"):
        second.acquire(timeout=0.2)
    assert not second.held
    first.release()
    with second.locked(timeout=1):
        assert second.held
    assert not second.held
    assert path.exists()  # never deleted (see FileLock)


def test_the_lock_excludes_another_process_and_dies_with_it(tmp_path: Path) -> None:
    path = tmp_path / ".config.yaml.lock"
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            textwrap.dedent(f"""
                import sys
                from pathlib import Path
                from ocv_desktop.store.files import FileLock
                FileLock(Path({str(path)!r})).acquire()
                print("locked", flush=True)
                sys.stdin.read()
            """),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "locked\n"
        with pytest.raises(TimeoutError):
            FileLock(path).acquire(timeout=0.2)
    finally:
        holder.kill()  # a crash: the OS drops its lock
        holder.wait()
    with FileLock(path).locked(timeout=5):
        pass


def test_a_waiting_lock_gets_it_once_released(tmp_path: Path) -> None:
    path = tmp_path / "lock"
    first = FileLock(path)
    first.acquire()
    got: list[str] = []
    waiter = threading.Thread(target=lambda: (FileLock(path).acquire(timeout=10), got.append("second")))
    waiter.start()
    got.append("first released")
    first.release()
    waiter.join(10)
    assert got == ["first released", "second"]


def test_stray_temporary_files_are_removed(tmp_path: Path) -> None:
    target = tmp_path / "config.yaml"
    write_atomically(target, b"version: 1\n")
    strays = [tmp_path / ".config.yaml.abc123.tmp", tmp_path / ".config.yaml.bak.x9.tmp"]
    for stray in strays:
        stray.write_text("half")
    other = tmp_path / ".known_hosts.q1.tmp"  # another file's: not ours to remove
    other.write_text("x")
    assert sorted(remove_stray_temp_files(target)) == sorted(strays)
    assert other.exists() and target.read_bytes() == b"version: 1\n"
