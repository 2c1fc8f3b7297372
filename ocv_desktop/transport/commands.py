"""What the SSH and local command runners share: PATH extension, sudo, output handling, errors.

Kept in one place so both runners build the same command and report failures the same way.
"""

from __future__ import annotations

import codecs
from collections.abc import Sequence

from ocv_desktop.core.errors import AuthError, InvalidInput, RemoteError
from ocv_desktop.transport.base import CommandResult, LineCallback

# Where administration tools live but a non-login PATH may not reach: sbin dirs for non-root
# users, /usr/local for hand-installed tools, /snap/bin for the snap `lxc`. Appended (never
# prepended), so the host's own PATH keeps priority.
EXTRA_PATH_DIRS = ("/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin", "/snap/bin")

SUDO_PREFIX = ("sudo", "-n")
STDERR_TAIL_CHARS = 2000
STDERR_TAIL_LINES = 20


def check_argv(argv: Sequence[str]) -> tuple[str, ...]:
    """argv as a tuple of str; an empty command or a non-str item is a programming error made visible."""
    items = tuple(argv)
    if not items or not all(isinstance(a, str) for a in items):
        raise InvalidInput(f"a command must be a non-empty list of strings, got {items!r}")
    if any("\x00" in a for a in items):
        raise InvalidInput("a command argument contains a NUL byte")
    return items


def extend_path(path: str) -> str:
    """``path`` with the extra dirs appended (missing ones only; no empty entries)."""
    parts = [p for p in path.split(":") if p]
    parts += [d for d in EXTRA_PATH_DIRS if d not in parts]
    return ":".join(parts)


def redact(text: str, secrets: Sequence[str]) -> str:
    for s in secrets:
        if s:
            text = text.replace(s, "***")
    return text


def stderr_tail(stderr: bytes, secrets: Sequence[str] = ()) -> str:
    """The last lines of an error output, secrets replaced by ``***`` (stderr may echo stdin)."""
    text = redact(stderr.decode("utf-8", "replace"), secrets)
    lines = text.strip().splitlines()[-STDERR_TAIL_LINES:]
    tail = "\n".join(lines)
    return tail[-STDERR_TAIL_CHARS:]


def sudo_refused(result: CommandResult) -> bool:
    """``sudo -n`` exits 1 with one of these when it would have to ask for a password."""
    if result.exit_status != 1 or not result.stderr.startswith(b"sudo:"):
        return False
    first = result.stderr.split(b"\n", 1)[0]
    return b"password is required" in first or b"a terminal is required" in first


def raise_for_result(result: CommandResult, *, shown: str, where: str, use_sudo: bool, secrets: Sequence[str]) -> None:
    """Turn a failed run into the right error: sudo wanting a password is an auth problem."""
    if use_sudo and sudo_refused(result):
        raise AuthError(
            f"sudo on {where} needs a password to run `{shown}`",
            hint="allow this user passwordless sudo (NOPASSWD) or connect as root",
        )
    if not result.ok:
        raise RemoteError(shown, result.exit_status, stderr_tail(result.stderr, secrets))


class LineSplitter:
    """Feeds decoded stdout lines to a callback as chunks arrive (split on newlines, CR stripped)."""

    def __init__(self, callback: LineCallback | None) -> None:
        self._callback = callback
        self._decoder = codecs.getincrementaldecoder("utf-8")("replace")
        self._partial = ""

    def feed(self, chunk: bytes) -> None:
        if self._callback is None:
            return
        text = self._partial + self._decoder.decode(chunk)
        *lines, self._partial = text.split("\n")
        for line in lines:
            self._callback(line.rstrip("\r"))

    def close(self) -> None:
        if self._callback is None:
            return
        rest = self._partial + self._decoder.decode(b"", final=True)
        self._partial = ""
        if rest:
            self._callback(rest.rstrip("\r"))
