"""``TerminalView`` (object name ``terminalView``): one console, painted from a pyte screen.

The view reads its ``ConsoleChannel`` in a task of its own, feeds the bytes to pyte (screen.py)
and repaints; key presses become xterm bytes (keys.py) written to the channel; a new size in
cells goes to the channel as a window-change. Nothing here knows which road carries the channel.

- Font: the system's fixed-pitch font at the UI font's size (it follows the application font).
- Colours: default foreground/background from the palette (so light and dark themes both work),
  the 16 ANSI colours from the Tango set, 256 colours and true colour as pyte gives them (hex).
- Layout (render.py): wide (CJK) characters take two cells, each painted at its own cell
  position; only the lines pyte marks changed are laid out again, and only their rows repainted.
- Copy: select with the mouse, Ctrl+Shift+C (also to the X11 selection). Paste: Ctrl+Shift+V or
  Shift+Insert, wrapped in bracketed-paste markers when the program asked for them.
- Scrollback: wheel, Shift+PgUp/PgDn; typing goes back to the bottom.
- Window shortcuts (Ctrl+N, Delete ...) do not steal keys while the terminal has the focus;
  Ctrl+Shift combinations stay the window's.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sys
from collections.abc import Coroutine
from typing import Any

import pyte
from PySide6.QtCore import QEvent, QPoint, QPointF, QRect, QSize, Qt, QTimer, Signal
from PySide6.QtGui import (
    QColor,
    QContextMenuEvent,
    QFocusEvent,
    QFont,
    QFontDatabase,
    QFontMetricsF,
    QGuiApplication,
    QInputMethodEvent,
    QKeyEvent,
    QKeySequence,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPalette,
    QResizeEvent,
    QWheelEvent,
)
from PySide6.QtWidgets import QApplication, QMenu, QWidget

from ocv_desktop.transport.console import ConsoleChannel, TermSize
from ocv_desktop.ui.console.keys import key_bytes
from ocv_desktop.ui.console.render import ANSI, ON_DARK, ON_LIGHT, Run, char_cells, line_runs
from ocv_desktop.ui.console.screen import TermScreen

log = logging.getLogger(__name__)

HISTORY_LINES = 5000
MARGIN = 3  # pixels around the cell grid
WHEEL_LINES = 3

class TerminalView(QWidget):
    ended = Signal()  # the remote program ended (or the connection is gone)
    repainted = Signal()  # a paint finished (the latency benchmark listens)

    def __init__(self, parent: QWidget | None = None, *, history: int = HISTORY_LINES) -> None:
        super().__init__(parent)
        self.setObjectName("terminalView")
        self.setAccessibleName(self.tr("Terminal"))
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setAttribute(Qt.WidgetAttribute.WA_InputMethodEnabled)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
        self.setCursor(Qt.CursorShape.IBeamCursor)
        self.setMinimumSize(120, 60)
        self.channel: ConsoleChannel | None = None
        self._reader: asyncio.Task[None] | None = None
        self._pending: set[asyncio.Task[None]] = set()
        self._ended = False
        self._typed_early: list[bytes] = []
        self.term = TermScreen(80, 24, history=history, reply=self._reply)
        self.stream = pyte.ByteStream(self.term)
        self._selection: tuple[tuple[int, int], tuple[int, int]] | None = None
        self._selecting = False
        self._runs: dict[int, list[Run]] = {}  # laid-out lines, dropped when pyte marks them dirty
        self._dark = False  # the palette's background is dark (set at each paint)
        self._on_dark, self._on_light = ON_DARK, ON_LIGHT
        self._sent_size: TermSize | None = None
        self._resize_later = QTimer(self)
        self._resize_later.setSingleShot(True)
        self._resize_later.setInterval(40)  # a window being dragged sends one window-change, not fifty
        self._resize_later.timeout.connect(self._send_size)
        self._update_font()

    # --- the channel -----------------------------------------------------------------------------

    def attach(self, channel: ConsoleChannel, opened_at: TermSize | None = None) -> None:
        """Show ``channel`` in this view and start reading it. ``opened_at``: the size the
        console was opened with (a window-change is sent only when the view differs)."""
        self.channel = channel
        self._sent_size = opened_at
        for data in self._typed_early:
            channel.write(data)
        self._typed_early.clear()
        self._reader = asyncio.ensure_future(self._pump(channel))
        self._send_size()

    @property
    def has_ended(self) -> bool:
        return self._ended

    async def _pump(self, channel: ConsoleChannel) -> None:
        try:
            while data := await channel.read():
                self.feed(data)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # a road's bug must not take the window down; the tab says ended
            log.warning("console %s: reading failed: %s", channel.title, exc)
        self._ended = True
        self.ended.emit()
        self.update()

    def feed(self, data: bytes) -> None:
        """Output of the remote program (also what tests and the benchmark use). Only the
        lines pyte marks changed (and the cursor's old and new line) are repainted."""
        before = self.term.cursor.y
        self.stream.feed(data)
        lines = self.term.lines
        rows = {r for r in (*self.term.dirty, before, self.term.cursor.y) if 0 <= r < lines}
        top, bottom = min(rows, default=0), max(rows, default=lines - 1)
        if bottom - top + 1 >= lines:
            self.update()
        else:
            first, last = self.cell_rect(top, 0), self.cell_rect(bottom, 0)
            self.update(QRect(0, first.top(), self.width(), last.bottom() - first.top() + 1))

    def send(self, data: bytes) -> None:
        """Keystrokes to the remote program; the view jumps back to the bottom."""
        if self._ended or not data:
            return
        if self.channel is None:  # still connecting: sent once the console is open
            self._typed_early.append(data)
            return
        if self.term.scrolled_back:
            self.term.scroll_to_bottom()
            self._runs.clear()
            self.update()
        self.channel.write(data)

    def _reply(self, data: str) -> None:
        if self.channel is not None and not self._ended:
            self.channel.write(data.encode("utf-8"))

    async def close_channel(self) -> None:
        """End the remote program (``ConsoleChannel.close``) and stop reading."""
        channel, reader = self.channel, self._reader
        if channel is not None:
            await channel.close()
        if reader is not None:
            try:
                async with asyncio.timeout(5):
                    await asyncio.shield(reader)
            except TimeoutError:
                reader.cancel()
            except asyncio.CancelledError:
                reader.cancel()
                raise
        for task in list(self._pending):
            task.cancel()

    def _spawn(self, coro: Coroutine[Any, Any, None]) -> None:
        task = asyncio.ensure_future(coro)
        self._pending.add(task)
        task.add_done_callback(self._pending.discard)

    # --- size ------------------------------------------------------------------------------------

    def term_size(self) -> TermSize:
        """The size in cells that fits this widget now."""
        cols = int((self.width() - 2 * MARGIN) // self._cell_w)
        rows = int((self.height() - 2 * MARGIN) // self._cell_h)
        return TermSize(max(2, min(cols, 1000)), max(1, min(rows, 1000)))

    @property
    def sent_size(self) -> TermSize | None:
        """The size the remote PTY was last told (None before the channel is attached)."""
        return self._sent_size

    def cell_size(self) -> tuple[float, float]:
        return self._cell_w, self._cell_h

    def cell_rect(self, row: int, col: int, cells: int = 1) -> QRect:
        """Where cell (row, col) is painted (``cells`` wide)."""
        x = MARGIN + col * self._cell_w
        y = MARGIN + row * self._cell_h
        return QRect(round(x), round(y), round(x + cells * self._cell_w) - round(x), round(self._cell_h))

    def sizeHint(self) -> QSize:
        return QSize(int(80 * self._cell_w) + 2 * MARGIN, int(24 * self._cell_h) + 2 * MARGIN)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        size = self.term_size()
        if (size.cols, size.rows) != (self.term.columns, self.term.lines):
            self.term.resize(size.rows, size.cols)
            self._selection = None
            self._runs.clear()
        self._resize_later.start()

    def _send_size(self) -> None:
        size = TermSize(self.term.columns, self.term.lines)
        if self.channel is not None and not self._ended and size != self._sent_size:
            self._sent_size = size
            self._spawn(self.channel.resize(size))

    # --- font and colours --------------------------------------------------------------------------

    def _update_font(self) -> None:
        font = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        app_font = QApplication.font()
        if app_font.pointSizeF() > 0:
            font.setPointSizeF(app_font.pointSizeF())
        font.setStyleHint(QFont.StyleHint.Monospace)
        font.setFixedPitch(True)
        font.setKerning(False)
        self._font = font
        self._bold = QFont(font)
        self._bold.setBold(True)
        metrics = QFontMetricsF(font)
        self._cell_w = max(1.0, metrics.horizontalAdvance("M"))
        self._cell_h = max(1.0, float(metrics.height()))
        self._ascent = metrics.ascent()
        self.updateGeometry()
        if self.isVisible():
            self.resizeEvent(QResizeEvent(self.size(), self.size()))
        self.update()

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() in (QEvent.Type.ApplicationFontChange, QEvent.Type.FontChange):
            self._update_font()
        elif event.type() == QEvent.Type.PaletteChange:
            self.update()

    def _colours(self) -> tuple[QColor, QColor]:
        pal = self.palette()
        base = pal.color(QPalette.ColorRole.Base)
        self._dark = base.lightness() < 128
        return pal.color(QPalette.ColorRole.Text), base

    def _colour(self, name: str, default: QColor, *, on_default_bg: bool = False) -> QColor:
        """``on_default_bg``: a text colour over the theme's background, where the colours that
        would vanish into it are replaced (over a colour the program chose, they stay)."""
        if name == "default":
            return default
        fixes = (self._on_dark if self._dark else self._on_light) if on_default_bg else {}
        hexa = fixes.get(name) or ANSI.get(name, name)
        colour = QColor(f"#{hexa}") if len(hexa) == 6 else QColor()
        return colour if colour.isValid() else default

    # --- painting --------------------------------------------------------------------------------

    def paintEvent(self, event: QPaintEvent) -> None:
        fg_default, bg_default = self._colours()
        pal = self.palette()
        sel_fg = pal.color(QPalette.ColorRole.HighlightedText)
        sel_bg = pal.color(QPalette.ColorRole.Highlight)
        painter = QPainter(self)
        painter.fillRect(event.rect(), bg_default)
        screen = self.term
        if screen.dirty:  # pyte marks the lines it changed; only those are laid out again
            for row in screen.dirty:
                self._runs.pop(row, None)
            screen.dirty.clear()
        top = max(0, int((event.rect().top() - MARGIN) // self._cell_h))
        bottom = min(screen.lines - 1, int((event.rect().bottom() - MARGIN) // self._cell_h))
        for row in range(top, bottom + 1):
            runs = self._runs.get(row)
            if runs is None:
                runs = self._runs[row] = line_runs(screen, row)
            for run in runs:
                fg = self._colour(run.fg, fg_default, on_default_bg=run.bg == "default" and not run.reverse)
                bg = self._colour(run.bg, bg_default)
                if run.reverse:
                    fg, bg = bg, fg
                if self._selected(row, run.col) and self._selected(row, run.col + run.cells - 1):
                    fg, bg = sel_fg, sel_bg
                    self._paint_run(painter, row, run, fg=fg, bg=bg, bg_default=bg_default)
                elif self._selection is not None and self._partly_selected(row, run):
                    self._paint_split(
                        painter, row, run, normal=(fg, bg), selected=(sel_fg, sel_bg), bg_default=bg_default
                    )
                else:
                    self._paint_run(painter, row, run, fg=fg, bg=bg, bg_default=bg_default)
        self._paint_cursor(painter, fg_default, bg_default)
        painter.end()
        self.repainted.emit()

    def _paint_run(self, painter: QPainter, row: int, run: Run, *, fg: QColor, bg: QColor, bg_default: QColor) -> None:
        rect = self.cell_rect(row, run.col, run.cells)
        if bg != bg_default:
            painter.fillRect(rect, bg)
        if run.text.strip():
            painter.setFont(self._bold if run.bold else self._font)
            painter.setPen(fg)
            painter.drawText(QPointF(rect.x(), rect.y() + self._ascent), run.text)
        if run.underline:
            y = rect.y() + self._ascent + 1
            painter.setPen(fg)
            painter.drawLine(rect.x(), round(y), rect.right(), round(y))

    def _paint_split(
        self,
        painter: QPainter,
        row: int,
        run: Run,
        *,
        normal: tuple[QColor, QColor],
        selected: tuple[QColor, QColor],
        bg_default: QColor,
    ) -> None:
        """A run that a selection edge cuts: painted cell by cell (ASCII runs only have 1-cell chars)."""
        for i, ch in enumerate(run.text):
            col = run.col + i
            fg, bg = selected if self._selected(row, col) else normal
            one = Run(col, 1, ch, run.fg, run.bg, run.bold, run.italic, run.underline, run.reverse)
            self._paint_run(painter, row, one, fg=fg, bg=bg, bg_default=bg_default)

    def _paint_cursor(self, painter: QPainter, fg: QColor, bg: QColor) -> None:
        screen = self.term
        if screen.cursor.hidden or screen.scrolled_back or self._ended:
            return
        x, y = screen.cursor.x, screen.cursor.y
        if not (0 <= y < screen.lines and 0 <= x < screen.columns):
            return
        data = screen.buffer[y][x].data
        cells = char_cells(data) if data else 1
        rect = self.cell_rect(y, x, cells)
        if self.hasFocus():
            painter.fillRect(rect, fg)
            if data.strip():
                painter.setFont(self._font)
                painter.setPen(bg)
                painter.drawText(QPointF(rect.x(), rect.y() + self._ascent), data)
        else:
            painter.setPen(fg)
            painter.drawRect(rect.adjusted(0, 0, -1, -1))

    # --- selection and clipboard --------------------------------------------------------------------

    def _cell_at(self, pos: QPoint) -> tuple[int, int]:
        col = int((pos.x() - MARGIN) // self._cell_w)
        row = int((pos.y() - MARGIN) // self._cell_h)
        return (max(0, min(row, self.term.lines - 1)), max(0, min(col, self.term.columns - 1)))

    def _ordered(self) -> tuple[tuple[int, int], tuple[int, int]] | None:
        if self._selection is None:
            return None
        a, b = self._selection
        return (a, b) if a <= b else (b, a)

    def _selected(self, row: int, col: int) -> bool:
        span = self._ordered()
        return span is not None and span[0] <= (row, col) <= span[1]

    def _partly_selected(self, row: int, run: Run) -> bool:
        return any(self._selected(row, run.col + i) for i in range(run.cells))

    def select(self, start: tuple[int, int], end: tuple[int, int]) -> None:
        """Select from cell ``start`` to cell ``end`` (row, col), both included."""
        self._selection = (start, end)
        self.update()

    def selected_text(self) -> str:
        span = self._ordered()
        if span is None:
            return ""
        (r0, c0), (r1, c1) = span
        lines = []
        for row in range(r0, r1 + 1):
            first = c0 if row == r0 else 0
            last = c1 if row == r1 else self.term.columns - 1
            line = self.term.buffer[row]
            text = "".join(line[c].data for c in range(first, last + 1))
            lines.append(text.rstrip())
        return "\n".join(lines)

    def copy(self) -> None:
        text = self.selected_text()
        if text:
            QGuiApplication.clipboard().setText(text)

    def paste(self, text: str | None = None) -> None:
        if text is None:
            text = QGuiApplication.clipboard().text()
        if not text:
            return
        data = text.replace("\r\n", "\r").replace("\n", "\r").encode("utf-8")
        if self.term.bracketed_paste:
            # A pasted end marker would let the text out of the paste "box" as if typed.
            data = b"\x1b[200~" + data.replace(b"\x1b[201~", b"") + b"\x1b[201~"
        self.send(data)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            cell = self._cell_at(event.position().toPoint())
            self._selection = (cell, cell)
            self._selecting = True
            self.update()
        elif event.button() == Qt.MouseButton.MiddleButton:
            clip = QGuiApplication.clipboard()
            if clip.supportsSelection():
                self.paste(clip.text(clip.Mode.Selection))
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if self._selecting and self._selection is not None:
            self._selection = (self._selection[0], self._cell_at(event.position().toPoint()))
            self.update()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton and self._selecting:
            self._selecting = False
            if self._selection is not None and self._selection[0] == self._selection[1]:
                self._selection = None  # a click, not a selection
                self.update()
            clip = QGuiApplication.clipboard()
            if self._selection is not None and clip.supportsSelection():
                clip.setText(self.selected_text(), clip.Mode.Selection)

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:
        menu = QMenu(self)
        copy = menu.addAction(self.tr("Copy"), self.copy)
        copy.setShortcut(QKeySequence("Ctrl+Shift+C"))
        copy.setEnabled(bool(self.selected_text()))
        paste = menu.addAction(self.tr("Paste"), self.paste)
        paste.setShortcut(QKeySequence("Ctrl+Shift+V"))
        paste.setEnabled(not self._ended)
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        menu.popup(event.globalPos())

    # --- scrollback ------------------------------------------------------------------------------

    def wheelEvent(self, event: QWheelEvent) -> None:
        notches = event.angleDelta().y() / 120
        if notches:
            self.scroll_lines(round(notches * WHEEL_LINES) or (1 if notches > 0 else -1))
        event.accept()

    def scroll_lines(self, lines: int) -> None:
        self.term.scroll_lines(lines)
        self._runs.clear()
        self.update()

    # --- keys ------------------------------------------------------------------------------------

    def _own_shortcut(self, event: QKeyEvent) -> bool:
        mods = event.modifiers()
        ctrl_shift = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
        key = event.key()
        if (mods & ctrl_shift) == ctrl_shift and key in (Qt.Key.Key_C, Qt.Key.Key_V):
            return True
        shift_only = mods & ~Qt.KeyboardModifier.KeypadModifier == Qt.KeyboardModifier.ShiftModifier
        return shift_only and key in (Qt.Key.Key_PageUp, Qt.Key.Key_PageDown, Qt.Key.Key_Insert)

    def event(self, event: QEvent) -> bool:
        # Keys typed into the terminal are the remote program's, not the window's shortcuts
        # (Delete, Ctrl+N, Ctrl+E ...); Ctrl+Shift combinations other than copy/paste stay the
        # window's (nothing a shell needs uses them).
        if event.type() == QEvent.Type.ShortcutOverride and isinstance(event, QKeyEvent):
            mods = event.modifiers()
            ctrl_shift = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
            if self._own_shortcut(event) or (mods & ctrl_shift) != ctrl_shift:
                event.accept()
                return True
        return super().event(event)

    def focusNextPrevChild(self, next: bool) -> bool:
        return False  # Tab and Shift+Tab are the shell's (completion)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        if self._own_shortcut(event):
            if key == Qt.Key.Key_C:
                self.copy()
            elif key in (Qt.Key.Key_V, Qt.Key.Key_Insert):
                self.paste()
            else:
                page = max(1, self.term.lines - 1)
                self.scroll_lines(page if key == Qt.Key.Key_PageUp else -page)
            return
        mods = event.modifiers()
        # On macOS Qt's ControlModifier is the Command key; the Control key is MetaModifier.
        ctrl_flag = Qt.KeyboardModifier.ControlModifier
        if sys.platform == "darwin":
            ctrl_flag = Qt.KeyboardModifier.MetaModifier
        data = key_bytes(
            key,
            event.text(),
            shift=bool(mods & Qt.KeyboardModifier.ShiftModifier),
            ctrl=bool(mods & ctrl_flag),
            alt=bool(mods & Qt.KeyboardModifier.AltModifier),
            app_cursor=self.term.app_cursor,
        )
        if data is None:
            super().keyPressEvent(event)
            return
        if self._selection is not None:
            self._selection = None
            self.update()
        self.send(data)

    def inputMethodEvent(self, event: QInputMethodEvent) -> None:
        if event.commitString():
            self.send(event.commitString().encode("utf-8"))
        event.accept()

    def inputMethodQuery(self, query: Qt.InputMethodQuery) -> object:
        if query == Qt.InputMethodQuery.ImCursorRectangle:
            return self.cell_rect(self.term.cursor.y, self.term.cursor.x)
        return super().inputMethodQuery(query)

    def focusInEvent(self, event: QFocusEvent) -> None:
        super().focusInEvent(event)
        self.update()  # the cursor becomes a block

    def focusOutEvent(self, event: QFocusEvent) -> None:
        super().focusOutEvent(event)
        self.update()

    def closeEvent(self, event: object) -> None:
        with contextlib.suppress(RuntimeError):
            self._resize_later.stop()
        super().closeEvent(event)  # type: ignore[arg-type]
