"""The sparkline (ui/widgets/sparkline.py): a series placed in the content rect, low at the bottom
and high at the top, first time at the left and last at the right; the tooltip picture is a PNG."""

from __future__ import annotations

import base64
import re

import pytest
from PySide6.QtCore import QRectF, QSize
from PySide6.QtGui import QColor, QImage

from ocv_desktop.ui.widgets.sparkline import Sparkline, render_sparkline, sparkline_html, sparkline_path

SERIES = [(1000.0, 20.0), (1030.0, 80.0), (1060.0, 35.0), (1090.0, 5.0), (1120.0, 50.0)]


def test_the_path_spans_the_content_rect_of_the_widget(qtbot):
    w = Sparkline()
    qtbot.addWidget(w)
    w.resize(200, 60)
    w.set_series(SERIES)
    rect = w.content_rect()
    bounds = w.path().boundingRect()
    # its own min..max: the lowest value on the bottom edge, the highest on the top, the whole width
    assert bounds.left() == pytest.approx(rect.left()) and bounds.right() == pytest.approx(rect.right())
    assert bounds.top() == pytest.approx(rect.top()) and bounds.bottom() == pytest.approx(rect.bottom())
    assert rect.width() == pytest.approx(200 - 2 * Sparkline.MARGIN)
    # the highest point (80) is the top one, the lowest (5) the bottom one
    path = w.path()
    ys = [path.elementAt(i).y for i in range(path.elementCount())]
    assert ys.index(min(ys)) == 1 and ys.index(max(ys)) == 3


def test_a_fixed_scale_places_values_by_it(qtbot):
    w = Sparkline()
    qtbot.addWidget(w)
    w.resize(110, 106)
    w.set_series([(0.0, 25.0), (10.0, 75.0)], low=0, high=100)
    rect = w.content_rect()  # 104 x 100
    path = w.path()
    first, last = path.elementAt(0), path.elementAt(1)
    assert (first.x, first.y) == pytest.approx((rect.left(), rect.bottom() - 25))
    assert (last.x, last.y) == pytest.approx((rect.right(), rect.bottom() - 75))
    assert w.value_range() == (0, 100)
    # a value beyond the scale stays inside the rect
    over = sparkline_path([(0.0, -5.0), (1.0, 250.0)], QRectF(0, 0, 10, 10), 0, 100).boundingRect()
    assert over == QRectF(0, 0, 10, 10)


def test_one_point_and_a_flat_series_draw_a_level_line_and_none_draws_nothing():
    rect = QRectF(0, 0, 100, 20)
    single = sparkline_path([(5.0, 3.0)], rect).boundingRect()
    assert single.width() == 100 and single.height() == 0
    flat = sparkline_path([(0.0, 7.0), (1.0, 7.0)], rect).boundingRect()
    assert flat.height() == 0 and flat.top() == pytest.approx(10)  # in the middle
    assert sparkline_path([], rect).isEmpty()


def test_the_tooltip_picture_is_a_png_with_the_line_in_it(qapp):
    html = sparkline_html(SERIES, 80, 20, QColor("#3b82f6"))
    tag = r"<img src='data:image/png;base64,([A-Za-z0-9+/=]+)' width='80' height='20' style='vertical-align: middle'>"
    m = re.fullmatch(tag, html)
    assert m is not None
    image = QImage.fromData(base64.b64decode(m.group(1)), "PNG")
    assert image.width() == 160 and image.height() == 40  # drawn at 2x for high-DPI screens
    # the line and the area under it (the faint box behind them has alpha 28)
    painted = [
        (x, y) for x in range(image.width()) for y in range(image.height()) if image.pixelColor(x, y).alpha() > 50
    ]
    xs = [x for x, _ in painted]
    assert min(xs) <= 4 and max(xs) >= 155  # the line runs across the whole picture
    # the line (opaque blue) reaches the top and the bottom of the picture
    top_rows = [y for x, y in painted if image.pixelColor(x, y).alpha() > 200 and image.pixelColor(x, y).blue() > 200]
    assert min(top_rows) <= 4 and max(top_rows) >= 35


def test_an_empty_series_renders_a_transparent_picture(qapp):
    image = render_sparkline([], QSize(20, 10), QColor("red"))
    assert all(image.pixelColor(x, y).alpha() == 0 for x in range(image.width()) for y in range(image.height()))
