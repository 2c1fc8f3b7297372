"""Sparklines: a small line graph of one resource over time, drawn with QPainter.

Plain QPainter, not QtCharts, on purpose: QtCharts is a separate Qt module (its own library, built
on Qt Graphics View, a few MB more in every installer) that PySide6-Essentials does not ship, and a
line with a shaded area under it needs nothing it offers.

Three ways to use one series:

- ``sparkline_path(points, rect)``: the QPainterPath in ``rect`` (tests check its extent);
- ``Sparkline``: a widget (the node details view uses it, with axis labels around it);
- ``sparkline_html(points, w, h)``: an ``<img>`` with the picture as a base64 PNG, for tooltips
  (rich-text tooltips show ``data:`` images; a tooltip cannot hold a widget).

``points`` are ``(time, value)`` pairs, oldest first (services/history.py's series). The vertical
scale is ``low``..``high`` when given (0..100 for percentages), else the series' own min..max.
"""

from __future__ import annotations

import base64
from collections.abc import Sequence

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QMarginsF, QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QImage, QPainter, QPainterPath, QPaintEvent, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

Series = Sequence[tuple[float, float]]

# One colour per resource, mid-tones readable on the light and the dark palette (ui/theme.py).
COLOURS = {
    "cpu": QColor("#3b82f6"),
    "memory": QColor("#a371f7"),
    "disk": QColor("#d97706"),
    "load": QColor("#2ea043"),
}


def value_range(points: Series, low: float | None = None, high: float | None = None) -> tuple[float, float]:
    """The vertical scale: ``low``/``high`` where given, else the series' min/max; never empty
    (a flat series gets a range around its value, so it draws as a line through the middle)."""
    values = [v for _, v in points]
    lo = low if low is not None else min(values, default=0.0)
    hi = high if high is not None else max(values, default=1.0)
    if low is None and high is None and hi - lo < 1e-9:
        lo, hi = lo - 1.0, hi + 1.0
    elif hi - lo < 1e-9:
        hi = lo + 1.0
    return lo, hi


def sparkline_points(
    points: Series, rect: QRectF, low: float | None = None, high: float | None = None
) -> list[QPointF]:
    """Each point placed in ``rect``: the first time on the left edge, the last on the right, ``low``
    on the bottom edge and ``high`` on the top (values outside are clamped to the edges)."""
    if not points:
        return []
    lo, hi = value_range(points, low, high)
    t0, t1 = points[0][0], points[-1][0]
    span = t1 - t0
    out = []
    for t, v in points:
        x = rect.left() + (rect.width() * (t - t0) / span if span > 0 else rect.width())
        frac = (min(max(v, lo), hi) - lo) / (hi - lo)
        out.append(QPointF(x, rect.bottom() - frac * rect.height()))
    return out


def sparkline_path(points: Series, rect: QRectF, low: float | None = None, high: float | None = None) -> QPainterPath:
    """The line through the placed points (a single point is a short flat line at its height)."""
    placed = sparkline_points(points, rect, low, high)
    path = QPainterPath()
    if not placed:
        return path
    if len(placed) == 1:
        y = placed[0].y()
        path.moveTo(rect.left(), y)
        path.lineTo(rect.right(), y)
        return path
    path.moveTo(placed[0])
    for p in placed[1:]:
        path.lineTo(p)
    return path


def paint_sparkline(
    painter: QPainter,
    rect: QRectF,
    points: Series,
    colour: QColor,
    *,
    low: float | None = None,
    high: float | None = None,
    line_width: float = 1.5,
) -> QPainterPath:
    """Draw the line and a light area under it into ``rect``; returns the line's path."""
    path = sparkline_path(points, rect, low, high)
    if path.isEmpty():
        return path
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    area = QPainterPath(path)
    area.lineTo(path.currentPosition().x(), rect.bottom())
    area.lineTo(path.elementAt(0).x, rect.bottom())
    area.closeSubpath()
    fill = QColor(colour)
    fill.setAlpha(60)
    painter.fillPath(area, fill)
    pen = QPen(colour, line_width)
    pen.setCapStyle(Qt.PenCapStyle.RoundCap)
    pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
    painter.setPen(pen)
    painter.drawPath(path)
    painter.restore()
    return path


def render_sparkline(
    points: Series,
    size: QSize,
    colour: QColor,
    *,
    low: float | None = None,
    high: float | None = None,
    scale: float = 2.0,
) -> QImage:
    """The sparkline as a transparent image of ``size`` logical pixels (``scale`` x as many real
    ones, so it stays sharp on high-DPI screens)."""
    image = QImage(round(size.width() * scale), round(size.height() * scale), QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    image.setDevicePixelRatio(scale)
    painter = QPainter(image)
    try:
        if points:  # a faint box shows the scale's extent (a 30 % line is not at the top)
            box = QColor(colour)
            box.setAlpha(28)
            painter.fillRect(QRectF(0, 0, size.width(), size.height()), box)
        inset = 1.5  # half the line width: the line is never cut at the edges
        rect = QRectF(0, 0, size.width(), size.height()).marginsRemoved(QMarginsF(inset, inset, inset, inset))
        paint_sparkline(painter, rect, points, colour, low=low, high=high)
    finally:
        painter.end()
    return image


def sparkline_html(
    points: Series, width: int, height: int, colour: QColor, *, low: float | None = None, high: float | None = None
) -> str:
    """An ``<img>`` of the sparkline for rich text (tooltips): a base64 PNG in a ``data:`` URL."""
    image = render_sparkline(points, QSize(width, height), colour, low=low, high=high)
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    buffer.close()
    encoded = base64.b64encode(bytes(data.data())).decode("ascii")
    return (
        f"<img src='data:image/png;base64,{encoded}' width='{width}' height='{height}'"
        " style='vertical-align: middle'>"
    )


class Sparkline(QWidget):
    """A sparkline widget. ``content_rect()`` is where the line goes (inside a small margin);
    ``path()`` is the line last drawn for the current size (tests check its extent)."""

    MARGIN = 3.0

    def __init__(self, colour: QColor | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._colour = QColor(colour) if colour is not None else QColor(COLOURS["cpu"])
        self._points: list[tuple[float, float]] = []
        self._low: float | None = None
        self._high: float | None = None
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumSize(60, 24)

    def set_series(self, points: Series, low: float | None = None, high: float | None = None) -> None:
        self._points = list(points)
        self._low, self._high = low, high
        self.update()

    def series(self) -> list[tuple[float, float]]:
        return list(self._points)

    def value_range(self) -> tuple[float, float]:
        return value_range(self._points, self._low, self._high)

    def content_rect(self) -> QRectF:
        m = self.MARGIN
        return QRectF(self.rect()).marginsRemoved(QMarginsF(m, m, m, m))

    def path(self) -> QPainterPath:
        return sparkline_path(self._points, self.content_rect(), self._low, self._high)

    def sizeHint(self) -> QSize:
        return QSize(240, 64)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        try:
            rect = self.content_rect()
            grid = QColor(self.palette().color(self.foregroundRole()))
            grid.setAlpha(50)
            painter.setPen(QPen(grid, 1))
            painter.drawLine(rect.bottomLeft(), rect.bottomRight())
            painter.drawLine(rect.topLeft(), rect.topRight())
            paint_sparkline(painter, rect, self._points, self._colour, low=self._low, high=self._high, line_width=2.0)
        finally:
            painter.end()
