"""The terminal's screen model: pyte's HistoryScreen plus what a shell session needs from xterm.

pyte (https://github.com/selectel/pyte, LGPL, pure Python, maintained, in the locks) parses the
byte stream (``ByteStream`` decodes UTF-8 incrementally, so a character split across two reads is
fine) into a grid of cells with colours and attributes, and gets wide (CJK) characters right
through wcwidth: the character sits in its first cell and the second cell holds ``""``.

Added here:
- the alternate screen (``ESC [ ? 1049 h``/``47``/``1047``): full-screen programs (vim, less, htop)
  draw on their own page and the shell's page comes back when they exit; their scrolling does
  not fill the scrollback;
- replies (cursor position reports, device attributes) go back to the remote program through
  ``reply`` (pyte calls ``write_process_input``);
- the modes the widget asks about: bracketed paste (2004) and application cursor keys (DECCKM).
"""

from __future__ import annotations

import copy
from collections import defaultdict
from collections.abc import Callable
from typing import Any

import pyte
from pyte.screens import StaticDefaultDict

_ALT_SCREEN = {47, 1047, 1049}
BRACKETED_PASTE = 2004 << 5  # private modes are stored shifted by 5 in pyte's mode set
APP_CURSOR = 1 << 5  # DECCKM


class TermScreen(pyte.HistoryScreen):
    def __init__(self, columns: int, lines: int, *, history: int, reply: Callable[[str], None]) -> None:
        self._alt_saved: tuple[Any, Any] | None = None
        self._reply = reply
        super().__init__(columns, lines, history=history, ratio=0.5)

    @property
    def in_alternate_screen(self) -> bool:
        return self._alt_saved is not None

    @property
    def bracketed_paste(self) -> bool:
        return BRACKETED_PASTE in self.mode

    @property
    def app_cursor(self) -> bool:
        return APP_CURSOR in self.mode

    @property
    def scrolled_back(self) -> bool:
        """True while the view shows older lines (the user scrolled up)."""
        return self.history.position < self.history.size

    def write_process_input(self, data: str) -> None:
        self._reply(data)

    def set_mode(self, *modes: int, **kwargs: Any) -> None:
        if kwargs.get("private") and _ALT_SCREEN.intersection(modes) and self._alt_saved is None:
            self._alt_saved = (self.buffer, copy.copy(self.cursor))
            self.buffer = defaultdict(lambda: StaticDefaultDict(self.default_char))
            self.dirty.update(range(self.lines))
        others = [m for m in modes if not (kwargs.get("private") and m in _ALT_SCREEN)]
        if others:
            super().set_mode(*others, **kwargs)

    def reset_mode(self, *modes: int, **kwargs: Any) -> None:
        if kwargs.get("private") and _ALT_SCREEN.intersection(modes) and self._alt_saved is not None:
            self.buffer, cursor = self._alt_saved
            self._alt_saved = None
            self.cursor.x, self.cursor.y = min(cursor.x, self.columns - 1), min(cursor.y, self.lines - 1)
            self.dirty.update(range(self.lines))
        others = [m for m in modes if not (kwargs.get("private") and m in _ALT_SCREEN)]
        if others:
            super().reset_mode(*others, **kwargs)

    def index(self) -> None:
        if self._alt_saved is not None:
            pyte.Screen.index(self)  # a full-screen program's scrolling is not scrollback
        else:
            super().index()

    def scroll_lines(self, lines: int) -> None:
        """Scroll the view ``lines`` back (positive) or forward (negative) through the history."""
        if lines == 0:
            return
        ratio = min(1.0, abs(lines) / max(1, self.lines))
        self.history = self.history._replace(ratio=ratio)
        try:
            (self.prev_page if lines > 0 else self.next_page)()
        finally:
            self.history = self.history._replace(ratio=0.5)

    def scroll_to_bottom(self) -> None:
        while self.scrolled_back:
            before = self.history.position
            self.next_page()
            if self.history.position == before:
                break
