"""Keystroke echo latency through the in-window terminal, against the lab's real sshd (root).

    .venv/bin/python -m benchmarks --only console      (or: python -m benchmarks.console_echo)

Measured: from the key event sent to the ``TerminalView`` (QTest.keyClick: key mapping, the
channel write, SSH, the remote shell's echo, pyte, the repaint) until the echoed character is in
the screen buffer *and* a paint has finished. Baseline, in the same run and on the same
connection kind: a raw asyncssh PTY session (no widget, no pyte) writing one byte and waiting
for its echo. Both over an SSH PTY to bash on the lab's sshd (loopback into a namespace), the
keystrokes alternated between the two so load on the machine hits both alike.
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.common import Row, Series, print_rows

KEYSTROKES = 50


async def _raw_echo(conn, keystrokes: int) -> Series:  # conn: asyncssh.SSHClientConnection
    process = await conn.create_process(term_type="xterm-256color", term_size=(80, 24), encoding=None)
    seen = bytearray()
    arrived = asyncio.Event()

    async def pump() -> None:
        while chunk := await process.stdout.read(65536):
            seen.extend(chunk)
            arrived.set()

    reader = asyncio.ensure_future(pump())
    got = Series()
    try:
        await asyncio.sleep(1.0)  # the prompt
        for i in range(keystrokes):
            char = b"abcdefghij"[i % 10 : i % 10 + 1]
            before = len(seen)
            t0 = time.perf_counter()
            process.stdin.write(char)
            while char not in seen[before:]:
                arrived.clear()
                await arrived.wait()
            got.add(time.perf_counter() - t0)
            if i % 10 == 9:
                process.stdin.write(b"\x15")  # Ctrl+U: keep the line short
                await asyncio.sleep(0.05)
    finally:
        process.close()
        reader.cancel()
    return got


async def _widget_echo(view, keystrokes: int) -> Series:
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    loop = asyncio.get_running_loop()
    got = Series()
    await asyncio.sleep(1.0)  # the prompt
    for i in range(keystrokes):
        char = "abcdefghij"[i % 10]
        term = view.term
        row = term.cursor.y
        expected = term.display[row].count(char) + 1
        done = loop.create_future()

        def painted(char: str = char, row: int = row, expected: int = expected, done: asyncio.Future = done) -> None:
            if not done.done() and view.term.display[row].count(char) >= expected:
                done.set_result(time.perf_counter())

        view.repainted.connect(painted)
        t0 = time.perf_counter()
        QTest.keyClick(view, char)
        t1 = await asyncio.wait_for(done, 10)
        view.repainted.disconnect(painted)
        got.add(t1 - t0)
        if i % 10 == 9:
            QTest.keyClick(view, Qt.Key.Key_U, Qt.KeyboardModifier.ControlModifier)
            await asyncio.sleep(0.05)
    return got


async def _measure(home, node, keystrokes: int) -> tuple[Series, Series]:
    from PySide6.QtWidgets import QApplication

    from ocv_desktop.core.models import NodeSecrets
    from ocv_desktop.transport.console import TermSize
    from ocv_desktop.transport.ssh import SshSession
    from ocv_desktop.ui.console.terminal_view import TerminalView

    session = SshSession(node, NodeSecrets(), known_hosts=home.known_hosts)
    view = TerminalView()
    view.resize(view.sizeHint())
    view.show()
    QApplication.processEvents()
    raw, widget = Series(), Series()
    try:
        conn, _ = await session._connection()  # the same connection the console uses
        channel = await session.open_pty(None, TermSize(80, 24), title="bench", use_sudo=False)
        view.attach(channel, TermSize(80, 24))
        for _ in range(2):  # alternate so the machine's load hits both alike
            raw.values += (await _raw_echo(conn, keystrokes // 2)).values
            widget.values += (await _widget_echo(view, keystrokes // 2)).values
        await view.close_channel()
    finally:
        view.close()
        await session.close()
    return widget, raw


def run(keystrokes: int = KEYSTROKES) -> list[Row]:
    os.environ.setdefault("QT_API", "pyside6")
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # a figure, not a window to look at
    import qasync
    from PySide6.QtWidgets import QApplication

    from ocv_desktop.store.home import Home
    from ocv_desktop.transport.known_hosts import trust_host_key
    from tests.lab.lab import Lab

    app = QApplication.instance() or QApplication(sys.argv[:1])
    with Lab() as lab, tempfile.TemporaryDirectory(prefix="ocv-bench-console-") as tmp:
        host = lab.ssh
        home = Home(Path(tmp) / "home").ensure()
        trust_host_key(home.known_hosts, host.address, host.port, host.host_key_line)
        loop = qasync.QEventLoop(app)
        try:
            widget, raw = loop.run_until_complete(_measure(home, host.node_config(), keystrokes))
        finally:
            loop.close()
    return [
        Row(
            f"keystroke echo through the terminal widget (key event to painted), {keystrokes} keys, bash over SSH",
            "one frame (16 ms) over raw",
            widget,
            raw,
            unit="ms",
            note="baseline: a raw asyncssh PTY round trip (write one byte, read its echo) on the same sshd",
        )
    ]


if __name__ == "__main__":
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    print_rows(run(), "in-window terminal, real lab sshd")
