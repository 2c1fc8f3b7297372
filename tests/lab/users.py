"""The lab's unprivileged account, one per slot (``ocvlabK``), created once on the machine.

Each lab sets a fresh random password when it starts and locks it again at teardown, so the
account never has a usable password while no lab of that slot runs. The account is in the
``docker`` group and may run ``sudo -n`` without a password; sudo keeps the variables that point
the CLIs at the lab daemons (``DOCKER_HOST``, ``INCUS_DIR``, ``LXD_DIR``) and the session PATH
(so the Proxmox shims stay first).
"""

from __future__ import annotations

import fcntl
import os
import pwd
import secrets
import shutil
from pathlib import Path

from tests.lab import system
from tests.lab.slots import RUN_DIR

SUDOERS_DIR = Path("/etc/sudoers.d")


def ensure_user(name: str) -> str:
    """Create ``name`` if missing (serialised across labs: useradd locks /etc/passwd), set a new random
    password and the sudoers drop-in; returns the password."""
    RUN_DIR.mkdir(parents=True, exist_ok=True)
    password = "Lab-" + secrets.token_urlsafe(12)
    fd = os.open(RUN_DIR / "users.lock", os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        try:
            pwd.getpwnam(name)
        except KeyError:
            system.run(["useradd", "--create-home", "--shell", "/bin/bash", "--groups", "docker", name])
        system.run(["usermod", "--append", "--groups", "docker", name])
        system.run(["chpasswd"], input=f"{name}:{password}\n")
        if shutil.which("visudo") and SUDOERS_DIR.is_dir():
            _write_sudoers(name)
    finally:
        os.close(fd)
    return password


def _write_sudoers(name: str) -> None:
    rule = (
        f'Defaults:{name} !secure_path, env_keep += "DOCKER_HOST INCUS_DIR LXD_DIR"\n'
        f"{name} ALL=(ALL:ALL) NOPASSWD: ALL\n"
    )
    path = SUDOERS_DIR / f"ocv-lab-{name}"
    tmp = SUDOERS_DIR / f".ocv-lab-{name}.tmp"
    tmp.write_text(rule)
    tmp.chmod(0o440)
    system.run(["visudo", "-c", "-q", "-f", str(tmp)], what="visudo")
    tmp.replace(path)


def lock_password(name: str) -> None:
    """Make the password unusable again (the account and its files stay for the next run)."""
    system.run(["usermod", "--lock", name], check=False)
