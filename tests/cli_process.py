"""Running the real entry point, ``python -m ocv_desktop --home HOME ...``, in a subprocess (exit
status, stdout and stderr exactly as a user or a script sees them)."""

from __future__ import annotations

import os
import pty
import subprocess
import sys
from pathlib import Path

from ocv_desktop.store.home import Home


def ocv_argv(home: Home | Path, *args: str) -> list[str]:
    root = home.root if isinstance(home, Home) else home
    return [sys.executable, "-m", "ocv_desktop", "--home", str(root), *args]


def ocv(
    home: Home | Path, *args: str, stdin: str = "", env: dict[str, str] | None = None, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    """The command with ``stdin`` as its standard input (empty by default: never the terminal
    pytest runs in)."""
    return subprocess.run(
        ocv_argv(home, *args),
        input=stdin,
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=env,
        timeout=timeout,
        check=False,
    )


def ocv_on_terminal(home: Home | Path, answers: str, *args: str, timeout: float = 120) -> tuple[int, str, str]:
    """The command with a terminal (a pty) as its standard input, already holding ``answers``;
    stdout and stderr are pipes. Returns (exit status, stdout, stderr)."""
    master, slave = pty.openpty()
    try:
        proc = subprocess.Popen(
            ocv_argv(home, *args), stdin=slave, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        os.write(master, answers.encode())
        out, err = proc.communicate(timeout=timeout)
    finally:
        os.close(master)
        os.close(slave)
    return proc.returncode, out, err
