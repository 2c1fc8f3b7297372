"""Open an SSH session to a node (or a shell in one of its instances) in the user's own terminal.

Everything is an argv list handed to ``QProcess.startDetached``: no shell is involved on this
machine. The command for the remote side (``docker exec -it ID sh`` ...) travels as one ssh
argument built with ``shlex.join``, so the remote shell sees exactly those words (DESIGN.md rule 2).
ssh checks the host key against the app's own known_hosts only (``StrictHostKeyChecking=yes``,
``GlobalKnownHostsFile=/dev/null``) and reads no config file (``-F /dev/null``: a ``~/.ssh/config``
could name another known_hosts, a ProxyCommand or ``StrictHostKeyChecking no``): the terminal never
trusts a key the app has not trusted. Passwords are typed into ssh's own prompt.
"""

from __future__ import annotations

import os
import shlex
import shutil
import sys
from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QProcess

from ocv_desktop.core.models import AuthMethod, Instance, InstanceType, NodeConfig, Platform

# Terminal emulators and how each takes "run this program with these arguments" (best first).
# $TERMINAL, when set, is tried first with the common "-e" convention.
_TERMINALS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("gnome-terminal", ("--",)),
    ("konsole", ("-e",)),
    ("xfce4-terminal", ("-x",)),
    ("mate-terminal", ("-x",)),
    ("kitty", ()),
    ("alacritty", ("-e",)),
    ("foot", ()),
    ("wezterm", ("start", "--")),
    ("xterm", ("-e",)),
    ("x-terminal-emulator", ("-e",)),
)


def find_terminal() -> list[str] | None:
    """The argv prefix that runs a program in a new terminal window, or None if there is none.
    On Windows a console program gets its own window anyway: the prefix is empty."""
    if sys.platform == "win32":
        return []
    if sys.platform == "darwin":
        return None  # Terminal.app takes no program argv; not supported yet
    env = os.environ.get("TERMINAL", "").strip()
    if env and shutil.which(env):
        return [shutil.which(env) or env, "-e"]
    for name, prefix in _TERMINALS:
        path = shutil.which(name)
        if path:
            return [path, *prefix]
    return None


def instance_shell(node: NodeConfig, inst: Instance) -> list[str] | None:
    """The command, run on the node, that opens a shell inside the instance (None: not possible)."""
    if node.type is Platform.DOCKER:
        return ["docker", "exec", "-it", inst.id, "sh"]
    if node.type is Platform.INCUS:
        return ["incus", "exec", inst.id, "--", "sh"]
    if node.type is Platform.LXD:
        return ["lxc", "exec", inst.id, "--", "sh"]
    if node.type is Platform.PROXMOX and inst.type is InstanceType.CONTAINER:
        return ["pct", "enter", inst.id]
    return None


def can_open(node: NodeConfig, inst: Instance | None) -> bool:
    if inst is not None:
        return instance_shell(node, inst) is not None
    return not node.local  # a node shell needs ssh; on "this computer" the user has one already


def session_argv(node: NodeConfig, known_hosts: Path, remote: Sequence[str] | None) -> list[str]:
    """The program and arguments for the session (without the terminal prefix)."""
    if remote is not None and node.use_sudo:
        remote = ["sudo", *remote]
    if node.local:
        if remote is None:
            raise ValueError("a local node has no remote shell to open")
        return list(remote)
    if '"' in str(known_hosts):
        raise ValueError(f"ssh cannot take a known_hosts path with a double quote: {known_hosts}")
    argv = [
        "ssh",
        "-F",
        "/dev/null",
        "-p",
        str(node.port),
        "-l",
        node.username,
        "-o",
        # quoted: ssh splits this option's value at spaces (it takes a list of files)
        f'UserKnownHostsFile="{known_hosts}"',
        "-o",
        "GlobalKnownHostsFile=/dev/null",
        "-o",
        "StrictHostKeyChecking=yes",
    ]
    if node.auth is AuthMethod.KEY and node.key_path:
        argv += ["-i", node.key_path]
    if remote is not None:
        argv.append("-t")  # the instance shell wants a terminal
    argv += ["--", node.host]
    if remote is not None:
        argv.append(shlex.join(remote))
    return argv


def open_session(node: NodeConfig, inst: Instance | None, known_hosts: Path) -> str | None:
    """Start the session in a new terminal window. Returns None on success, else why not."""
    terminal = find_terminal()
    if terminal is None:
        return _tr("No terminal emulator was found (set $TERMINAL to one that accepts -e).")
    remote = instance_shell(node, inst) if inst is not None else None
    if inst is not None and remote is None:
        return _tr("{name} has no shell that can be opened from its node.").format(name=inst.name)
    argv = [*terminal, *session_argv(node, known_hosts, remote)]
    ok, _pid = QProcess.startDetached(argv[0], argv[1:])
    return None if ok else _tr("{program} could not be started.").format(program=argv[0])


def _tr(text: str) -> str:
    return QCoreApplication.translate("Terminal", text)
