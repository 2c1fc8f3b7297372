"""What /proc on this machine says about processes (the lab's servers share its PID space): the
console tests check that a closed tab ended its remote shell and that no secret is in any argv."""

from __future__ import annotations

import os
from pathlib import Path


def gone(pid: int) -> bool:
    """The process has exited (no /proc entry, or a zombie nobody has reaped yet)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0] == "Z"
    except FileNotFoundError:
        return True


def cmdlines() -> list[bytes]:
    """The argv (NUL-joined) of every process on the machine."""
    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            found.append(Path(f"/proc/{pid}/cmdline").read_bytes())
        except OSError:
            continue
    return found
