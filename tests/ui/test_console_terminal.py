"""The terminal widget without a server: key mapping, UTF-8 split across reads, wide characters,
selection/copy, paste (bracketed when asked), scrollback, the alternate screen, and that window
shortcuts do not steal the terminal's keys. A channel double records what the widget writes
(the lab tests drive real shells: test_console_window.py)."""

from __future__ import annotations

import asyncio

import pytest
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QGuiApplication, QKeyEvent

from ocv_desktop.transport.console import ConsoleChannel, TermSize
from ocv_desktop.ui.console.keys import key_bytes
from ocv_desktop.ui.console.render import line_runs
from ocv_desktop.ui.console.terminal_view import TerminalView

K = Qt.Key


class Recorder:
    """A ConsoleChannel that records writes and resizes; ``push`` plays remote output."""

    title = "rec"
    exit_status = None

    def __init__(self) -> None:
        self.written = b""
        self.sizes: list[TermSize] = []
        self.queue: asyncio.Queue[bytes] = asyncio.Queue()
        self.closed = False

    async def read(self) -> bytes:
        return await self.queue.get()

    def write(self, data: bytes) -> None:
        self.written += data

    async def resize(self, size: TermSize) -> None:
        self.sizes.append(size)

    async def close(self) -> None:
        self.closed = True
        self.queue.put_nowait(b"")


def keys(key: int, text: str = "", **mods: bool) -> bytes | None:
    return key_bytes(
        key, text, shift=mods.get("shift", False), ctrl=mods.get("ctrl", False), alt=mods.get("alt", False),
        app_cursor=mods.get("app", False),
    )  # fmt: skip


@pytest.mark.parametrize(
    ("key", "text", "mods", "expected"),
    [
        (K.Key_A, "a", {}, b"a"),
        (K.Key_A, "A", {"shift": True}, b"A"),
        (K.Key_C, "\x03", {"ctrl": True}, b"\x03"),
        (K.Key_D, "", {"ctrl": True}, b"\x04"),
        (K.Key_BracketLeft, "", {"ctrl": True}, b"\x1b"),
        (K.Key_Space, " ", {"ctrl": True}, b"\x00"),
        (K.Key_B, "b", {"alt": True}, b"\x1bb"),
        (K.Key_Return, "\r", {}, b"\r"),
        (K.Key_Enter, "\r", {}, b"\r"),
        (K.Key_Backspace, "\x08", {}, b"\x7f"),
        (K.Key_Tab, "\t", {}, b"\t"),
        (K.Key_Backtab, "", {"shift": True}, b"\x1b[Z"),
        (K.Key_Escape, "\x1b", {}, b"\x1b"),
        (K.Key_Up, "", {}, b"\x1b[A"),
        (K.Key_Down, "", {"app": True}, b"\x1bOB"),
        (K.Key_Left, "", {"ctrl": True}, b"\x1b[1;5D"),
        (K.Key_Right, "", {"shift": True}, b"\x1b[1;2C"),
        (K.Key_Home, "", {}, b"\x1b[H"),
        (K.Key_End, "", {"app": True}, b"\x1bOF"),
        (K.Key_Delete, "", {}, b"\x1b[3~"),
        (K.Key_PageUp, "", {}, b"\x1b[5~"),
        (K.Key_Insert, "", {}, b"\x1b[2~"),
        (K.Key_F1, "", {}, b"\x1bOP"),
        (K.Key_F5, "", {}, b"\x1b[15~"),
        (K.Key_F12, "", {"ctrl": True}, b"\x1b[24;5~"),
        (K.Key_Shift, "", {"shift": True}, None),
        (0, "中", {}, "中".encode()),
    ],
)
def test_key_mapping(key: int, text: str, mods: dict[str, bool], expected: bytes | None) -> None:
    assert keys(key, text, **mods) == expected


@pytest.fixture
def view(qtbot, qloop):
    v = TerminalView()
    qtbot.addWidget(v)
    v.resize(v.sizeHint())
    v.show()
    qtbot.waitExposed(v)
    return v


def attach(qtbot, view: TerminalView) -> Recorder:
    rec = Recorder()
    assert isinstance(rec, ConsoleChannel)
    view.attach(rec)
    qtbot.waitUntil(lambda: bool(rec.sizes), timeout=3000)  # the first size goes out at once
    return rec


def test_utf8_split_across_reads_and_wide_cells(view: TerminalView) -> None:
    data = "a中文b".encode()
    for i in range(len(data)):  # every byte its own read: the decoder must carry partial characters
        view.feed(data[i : i + 1])
    cells = [view.term.buffer[0][c].data for c in range(6)]
    assert cells == ["a", "中", "", "文", "", "b"]
    runs = [(r.col, r.cells, r.text.rstrip()) for r in line_runs(view.term, 0)][:4]
    assert runs == [(0, 1, "a"), (1, 2, "中"), (3, 2, "文"), (5, view.term.columns - 5, "b")]
    assert view.cell_rect(0, 1, 2).width() == pytest.approx(2 * view.cell_size()[0], abs=1)


def test_typing_sends_xterm_bytes_and_shortcuts_stay_in_the_terminal(qtbot, view: TerminalView) -> None:
    rec = attach(qtbot, view)
    qtbot.keyClicks(view, "ls")
    qtbot.keyClick(view, K.Key_Return)
    qtbot.keyClick(view, K.Key_C, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(view, K.Key_Up)
    qtbot.keyClick(view, K.Key_Tab)
    assert rec.written == b"ls\r\x03\x1b[A\t"
    # A window shortcut such as Ctrl+N or Delete must not take the key from the shell.
    override = QKeyEvent(QEvent.Type.ShortcutOverride, K.Key_N, Qt.KeyboardModifier.ControlModifier)
    QGuiApplication.sendEvent(view, override)
    assert override.isAccepted()
    other = QKeyEvent(
        QEvent.Type.ShortcutOverride, K.Key_X, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    )
    other.ignore()
    QGuiApplication.sendEvent(view, other)
    assert not other.isAccepted()  # Ctrl+Shift combinations stay the window's


def test_resize_tells_the_channel(qtbot, view: TerminalView) -> None:
    rec = attach(qtbot, view)
    first = rec.sizes[-1]
    assert first == view.term_size()
    view.resize(view.width() + 200, view.height() + 100)
    qtbot.waitUntil(lambda: rec.sizes[-1] != first, timeout=3000)
    assert rec.sizes[-1] == view.term_size() == TermSize(view.term.columns, view.term.lines)


def test_copy_selection_and_bracketed_paste(qtbot, view: TerminalView) -> None:
    rec = attach(qtbot, view)
    view.feed("hello 世界\r\nsecond line".encode())
    view.select((0, 0), (1, 5))
    assert view.selected_text() == "hello 世界\nsecond"
    qtbot.keyClick(view, K.Key_C, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert QGuiApplication.clipboard().text() == "hello 世界\nsecond"
    assert rec.written == b""  # copying sent nothing
    view.paste("a\nb")
    assert rec.written == b"a\rb"
    view.feed(b"\x1b[?2004h")  # the program asks for bracketed paste
    view.paste("x\x1b[201~y")
    assert rec.written.endswith(b"\x1b[200~xy\x1b[201~")


def test_scrollback_and_alternate_screen(qtbot, view: TerminalView) -> None:
    attach(qtbot, view)
    rows = view.term.lines
    view.feed(b"".join(b"line %d\r\n" % i for i in range(rows * 3)))
    bottom = list(view.term.display)
    view.scroll_lines(rows)
    assert view.term.scrolled_back
    assert list(view.term.display) != bottom
    qtbot.keyClick(view, K.Key_A)  # typing goes back to the bottom
    assert not view.term.scrolled_back
    assert list(view.term.display) == bottom
    view.feed(b"\x1b[?1049h\x1b[2J\x1b[Hfull screen")
    assert view.term.display[0].rstrip() == "full screen"
    view.feed(b"\x1b[?1049l")
    assert list(view.term.display) == bottom  # the shell's page is back


def test_remote_end_marks_the_view_ended(qtbot, view: TerminalView) -> None:
    rec = attach(qtbot, view)
    with qtbot.waitSignal(view.ended, timeout=3000):
        rec.queue.put_nowait(b"bye\r\n")
        rec.queue.put_nowait(b"")
    assert view.has_ended
    assert view.term.display[0].rstrip() == "bye"
    qtbot.keyClicks(view, "x")
    assert rec.written == b""  # nothing goes to an ended console


def test_tabs_mark_an_ended_console_and_closing_a_tab_closes_its_channel(qtbot, qloop) -> None:
    from ocv_desktop.ui.console.tabs import ConsoleTabs

    tabs = ConsoleTabs()
    qtbot.addWidget(tabs)
    tabs.show()
    first, second = Recorder(), Recorder()
    first_view = tabs.add_console(first)
    tabs.add_console(second)
    assert tabs.currentIndex() == 1 and tabs.tabText(1) == "rec"
    first.queue.put_nowait(b"")  # the remote program of the first tab ended
    qtbot.waitUntil(lambda: first_view.has_ended, timeout=3000)
    assert tabs.tabText(0) == "rec [ended]"
    with qtbot.waitSignal(tabs.emptied, timeout=3000):
        for task in (tabs.close_tab(1), tabs.close_tab(0)):
            assert task is not None
            qtbot.waitUntil(task.done, timeout=3000)
    assert first.closed and second.closed
