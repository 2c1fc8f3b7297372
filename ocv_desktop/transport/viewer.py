"""Handing a graphical console (VNC, SPICE) to an installed viewer: ``remote-viewer``.

We do not paint a VM's screen ourselves: ``remote-viewer`` (the virt-viewer package, on Linux,
Windows and macOS/Homebrew) speaks VNC and SPICE with keyboard grabs, USB redirection and scaling.
It reads a connection file (``.vv``, an INI ``[virt-viewer]`` section: type, host, port,
password, title), so the password is in a private file (0600 in a 0700 directory) and never in
an argv, where every user on the machine could read it (``/proc/PID/cmdline``). The file asks the
viewer to delete it once read (``delete-this-file``); whatever is left goes when the session ends.

When no viewer is installed the error names the package to install.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Awaitable, Callable, Mapping
from pathlib import Path
from typing import Protocol, runtime_checkable

from ocv_desktop.core.errors import OcvError, Unsupported

log = logging.getLogger(__name__)

VIEWER = "remote-viewer"
PACKAGE_HINT = (
    "install virt-viewer, which provides remote-viewer "
    "(Debian/Ubuntu: apt install virt-viewer; Fedora: dnf install virt-viewer; "
    "macOS: brew install virt-viewer; Windows: the virt-viewer MSI from virt-manager.org)"
)
# Where installers put remote-viewer outside a GUI app's PATH (a Finder-started app does not see
# Homebrew's PATH; the Windows MSI does not add itself to PATH). Tests empty this.
EXTRA_PLACES: list[str] = (
    ["/opt/homebrew/bin", "/usr/local/bin"]
    if sys.platform == "darwin"
    else [str(p) for p in Path(os.environ.get("PROGRAMFILES", "C:/Program Files")).glob("VirtViewer*/bin")]
    if sys.platform == "win32"
    else []
)
STDERR_LINES = 20


def find_viewer() -> str:
    """The viewer's path, or ``Unsupported`` naming the package to install."""
    found = shutil.which(VIEWER)
    for place in EXTRA_PLACES:
        found = found or shutil.which(VIEWER, path=place)
    if not found:
        raise Unsupported(f"no graphical console viewer ({VIEWER}) is installed", hint=PACKAGE_HINT)
    return found


@runtime_checkable
class GraphicalConsole(Protocol):
    """A graphical console shown by a viewer process."""

    @property
    def title(self) -> str: ...

    @property
    def pid(self) -> int: ...

    async def wait(self) -> int:
        """Until the viewer exits (its exit status); then everything of the session is released."""
        ...

    async def close(self) -> None:
        """End the viewer and the connection it used; safe to call twice."""
        ...


def _ini_value(value: object) -> str:
    text = str(value)
    if any(c in text for c in "\r\n\0"):
        raise ValueError("a connection-file value may not contain line breaks")
    return text


def write_connection_file(directory: Path, fields: Mapping[str, object]) -> Path:
    """``console.vv`` in ``directory``, created 0600 (never readable by anyone else, not even for
    a moment: the mode is set when the file is created)."""
    lines = ["[virt-viewer]", *(f"{key}={_ini_value(value)}" for key, value in fields.items()), ""]
    path = directory / "console.vv"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o600)
    with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as f:
        f.write("\n".join(lines))
    return path


class ViewerSession:
    """A running viewer and what it needs (a relay, a proxy task), released when it exits.

    The viewer is a plain ``subprocess.Popen`` waited for in a thread: that works on every event
    loop, including Qt loops without asyncio subprocess support (transport/local.py has the same
    fallback for commands)."""

    def __init__(
        self,
        process: subprocess.Popen[bytes],
        directory: Path,
        *,
        title: str,
        cleanup: Callable[[], Awaitable[None]],
    ) -> None:
        self._process = process
        self._directory = directory
        self._title = title
        self._cleanup = cleanup
        self._released = False

    @property
    def title(self) -> str:
        return self._title

    @property
    def pid(self) -> int:
        return self._process.pid

    def _stderr_tail(self) -> str:
        with contextlib.suppress(OSError):
            lines = (self._directory / "viewer.log").read_text(errors="replace").splitlines()
            return " | ".join(lines[-STDERR_LINES:])
        return ""

    async def wait(self) -> int:
        code = await asyncio.to_thread(self._process.wait)
        if code != 0:
            log.info("%s exited with %s: %s", VIEWER, code, self._stderr_tail())
        await self._release()
        return code

    async def close(self) -> None:
        if self._process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                self._process.terminate()
            try:
                await asyncio.to_thread(self._process.wait, 5.0)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    self._process.kill()
                await asyncio.to_thread(self._process.wait)
        await self._release()

    async def _release(self) -> None:
        if self._released:
            return
        self._released = True
        try:
            await self._cleanup()
        finally:
            shutil.rmtree(self._directory, ignore_errors=True)


def _start(viewer: str, directory: Path, fields: Mapping[str, object]) -> subprocess.Popen[bytes]:
    path = write_connection_file(directory, fields)
    with open(directory / "viewer.log", "wb") as errors:  # what it says when it fails
        return subprocess.Popen(  # noqa: S603 - argv list, no shell; the secret is in the file
            [viewer, str(path)], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=errors
        )


async def launch_viewer(
    viewer: str,
    fields: Mapping[str, object],
    *,
    title: str,
    cleanup: Callable[[], Awaitable[None]],
) -> ViewerSession:
    """Start ``viewer`` on a private connection file holding ``fields``. ``cleanup`` runs once the
    viewer is gone (or could not start)."""
    directory = Path(tempfile.mkdtemp(prefix="ocv-console-"))  # 0700
    try:
        process = await asyncio.to_thread(_start, viewer, directory, fields)
    except BaseException as exc:
        shutil.rmtree(directory, ignore_errors=True)
        await cleanup()
        if isinstance(exc, OSError):
            raise OcvError(f"could not start {viewer}: {exc.strerror or exc}", hint=PACKAGE_HINT) from None
        raise
    return ViewerSession(process, directory, title=title, cleanup=cleanup)
