"""Round coloured dots: the status dot in the instance table (and the legend in tooltips).

Drawn once per colour at a few sizes, so Qt picks a sharp pixmap at 100% and 200% scaling.
"""

from __future__ import annotations

from functools import cache

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QIcon, QPainter, QPixmap

_SIZES = (16, 24, 32, 48, 64)


@cache
def _dot_icon(rgba: int) -> QIcon:
    colour = QColor.fromRgba(rgba)
    icon = QIcon()
    for size in _SIZES:
        pixmap = QPixmap(size, size)
        pixmap.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pixmap)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(colour)
        margin = size * 0.22  # a dot, not a blob: about half the row height
        painter.drawEllipse(QRectF(margin, margin, size - 2 * margin, size - 2 * margin))
        painter.end()
        icon.addPixmap(pixmap)
    return icon


def dot_icon(colour: QColor) -> QIcon:
    return _dot_icon(colour.rgba())
