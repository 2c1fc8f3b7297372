"""``ConsoleTabs`` (object name ``consoleTabs``): one tab per open console.

A new console's tab becomes current and its ``TerminalView`` takes the keyboard focus, so typing
goes straight to the remote shell. Closing a tab closes its channel (which ends the remote
program: transport/console.py); a console whose program ended stays open, marked "[ended]", so
its last output can still be read and copied. ``emptied`` fires when the last tab closed (the
window then hides the area).
"""

from __future__ import annotations

import asyncio
import logging

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QTabWidget, QWidget

from ocv_desktop.transport.console import ConsoleChannel, TermSize
from ocv_desktop.ui.console.terminal_view import TerminalView

log = logging.getLogger(__name__)

CLOSE_ALL_TIMEOUT = 5.0


class ConsoleTabs(QTabWidget):
    emptied = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("consoleTabs")
        self.setTabsClosable(True)
        self.setMovable(True)
        self.setDocumentMode(True)
        self.setAccessibleName(self.tr("Consoles"))
        self._closing: set[asyncio.Task[None]] = set()
        self.tabCloseRequested.connect(self.close_tab)

    def views(self) -> list[TerminalView]:
        return [w for i in range(self.count()) if isinstance(w := self.widget(i), TerminalView)]

    def add_console(self, channel: ConsoleChannel) -> TerminalView:
        """A tab showing ``channel`` (already open)."""
        view = self.add_pending(channel.title)
        self.attach(view, channel)
        return view

    def add_pending(self, label: str) -> TerminalView:
        """A tab for a console still being opened: its view has its real size, so the console
        can be opened at that size (some programs, e.g. ``docker exec``, miss a window-change
        that comes right after they start)."""
        view = TerminalView(self)
        index = self.addTab(view, self.tr("{target} (connecting…)").format(target=label))
        self.setCurrentIndex(index)
        view.setFocus()
        return view

    def attach(self, view: TerminalView, channel: ConsoleChannel, opened_at: TermSize | None = None) -> None:
        index = self.indexOf(view)
        if index >= 0:
            self.setTabText(index, channel.title)
            self.setTabToolTip(index, channel.title)
        view.ended.connect(lambda: self._mark_ended(view))
        view.attach(channel, opened_at)

    def discard(self, view: TerminalView) -> None:
        """Remove a pending tab whose console could not be opened."""
        index = self.indexOf(view)
        if index >= 0:
            self.removeTab(index)
        view.deleteLater()
        if self.count() == 0:
            self.emptied.emit()

    def _mark_ended(self, view: TerminalView) -> None:
        index = self.indexOf(view)
        if index >= 0 and view.channel is not None:
            self.setTabText(index, self.tr("{title} [ended]").format(title=view.channel.title))

    def close_tab(self, index: int) -> asyncio.Task[None] | None:
        """Close the tab at ``index`` and its console; returns the closing task (tests await it)."""
        view = self.widget(index)
        if not isinstance(view, TerminalView):
            return None
        self.removeTab(index)
        task = asyncio.ensure_future(self._close(view))
        self._closing.add(task)
        task.add_done_callback(self._closing.discard)
        if self.count() == 0:
            self.emptied.emit()
        return task

    @staticmethod
    async def _close(view: TerminalView) -> None:
        try:
            await view.close_channel()
        except Exception as exc:  # the connection is gone already: nothing left to end
            log.info("closing a console: %s", exc)
        finally:
            view.deleteLater()

    async def close_all(self) -> None:
        """Close every console (the window is closing), bounded in time."""
        while self.count():
            self.close_tab(0)
        pending = list(self._closing)
        if pending:
            _, rest = await asyncio.wait(pending, timeout=CLOSE_ALL_TIMEOUT)
            for task in rest:
                task.cancel()
            if rest:
                await asyncio.gather(*rest, return_exceptions=True)
