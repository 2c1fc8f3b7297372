"""How the terminal's screen is laid out for painting, without Qt: the colour tables and the runs
of cells painted together (render is separate from the widget so it is tested and profiled alone).

A run is painted by one ``drawText`` at its first cell's position. ASCII cells of one style are
merged (the monospace font's advance is the cell width); any other character is a run of its own
at its own column, a wide (CJK) one covering two cells, so columns after it stay aligned even
when its glyph comes from a fallback font with another advance.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyte
from wcwidth import wcwidth

# Tango (GNOME Terminal's default): readable on light and dark backgrounds alike.
ANSI = {
    "black": "2e3436", "red": "cc0000", "green": "4e9a06", "brown": "c4a000",
    "blue": "3465a4", "magenta": "75507b", "cyan": "06989a", "white": "d3d7cf",
    "brightblack": "555753", "brightred": "ef2929", "brightgreen": "8ae234", "brightbrown": "fce94f",
    "brightblue": "729fcf", "brightmagenta": "ad7fa8", "brightcyan": "34e2e2", "brightwhite": "eeeeec",
}  # fmt: skip
ANSI["yellow"] = ANSI["brown"]
ANSI["brightyellow"] = ANSI["brightbrown"]
# Where a Tango colour nearly vanishes into the background: black and blue on a dark one, white
# and yellow on a light one (ls colours directories blue; some prompts print white).
ON_DARK = {"black": "767a75", "blue": "6f9ee8", "brightblack": "8a8e89"}
ON_LIGHT = {"white": "9a9d97", "brightwhite": "8a8a8a", "brown": "a08000", "yellow": "a08000", "brightbrown": "b8a000"}


@dataclass(frozen=True, slots=True)
class Run:
    """Cells painted together: ``text`` starts at column ``col`` and covers ``cells`` columns."""

    col: int
    cells: int
    text: str
    fg: str
    bg: str
    bold: bool
    italic: bool
    underline: bool
    reverse: bool


def char_cells(data: str) -> int:
    """How many cells a screen character covers (2 for CJK, as pyte laid it out)."""
    return 2 if data and wcwidth(data[0]) == 2 else 1


def line_runs(screen: pyte.Screen, row: int) -> list[Run]:
    """The runs of one screen line: ASCII cells of one style are merged into one run; any other
    character is a run of its own at its own column (a wide one covering two cells). A line
    nothing was written to has no runs. Called for changed lines only (the view caches)."""
    line = screen.buffer[row]
    if not line:
        return []
    runs: list[Run] = []
    parts: list[str] = []
    start = 0
    style: tuple[str, str, bool, bool, bool, bool] | None = None

    def flush() -> None:
        if parts and style is not None:
            runs.append(Run(start, len(parts), "".join(parts), *style))
        parts.clear()

    col, columns = 0, screen.columns
    while col < columns:
        char = line[col]
        data = char.data
        if data == "":  # the right half of a wide character: painted with its left half
            col += 1
            continue
        current = (char.fg, char.bg, char.bold, char.italics, char.underscore, char.reverse)
        if len(data) == 1 and data < "\x7f":
            if current != style or not parts:
                flush()
                start, style = col, current
            parts.append(data)
            col += 1
            continue
        flush()
        style = None
        cells = char_cells(data)
        runs.append(Run(col, cells, data, *current))
        col += cells
    flush()
    return runs
