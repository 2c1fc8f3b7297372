"""The round health badge at the right end of each node row in the tree.

Colour from the model's ``HealthColourRole`` (green healthy, amber partial, red unhealthy, grey
unknown); before the first report the badge is a grey ring ("checking"). A node that waits for the
user to trust its host key or certificate gets a "!" in its badge. Clicking the badge emits
``badgeClicked(node_id)``: the window then refreshes that node interactively, which is where the
trust question is asked.

The badge is sized from the font, so it scales with the user's font and with QT_SCALE_FACTOR.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QModelIndex, QPersistentModelIndex, QRect, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFontMetrics, QMouseEvent, QPainter, QPen
from PySide6.QtWidgets import QStyledItemDelegate, QStyleOptionViewItem

from ocv_desktop.ui.models.node_tree import ItemKind, NodeTreeModel

ModelIndex = QModelIndex | QPersistentModelIndex


def _badge_size(metrics: QFontMetrics) -> tuple[int, int]:
    """The badge's diameter and the padding on each side of it."""
    size = max(8, round(metrics.height() * 0.72))
    return size, max(4, size // 2)


def badge_rect(row: QRect, metrics: QFontMetrics) -> QRect:
    """Where the badge of a row drawn in ``row`` goes."""
    size, pad = _badge_size(metrics)
    return QRect(row.right() - pad - size + 1, row.center().y() - size // 2, size, size)


def _reserved(metrics: QFontMetrics) -> int:
    """The width at the row's right end kept free for the badge."""
    size, pad = _badge_size(metrics)
    return size + 2 * pad


class HealthBadgeDelegate(QStyledItemDelegate):
    badgeClicked = Signal(str)  # node id

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: ModelIndex) -> None:
        if index.data(NodeTreeModel.KindRole) != ItemKind.NODE:
            super().paint(painter, option, index)
            return
        text_option = QStyleOptionViewItem(option)
        text_option.rect = option.rect.adjusted(0, 0, -_reserved(option.fontMetrics), 0)
        # The selection highlight still spans the whole row: paint it first, then the text part.
        self.initStyleOption(text_option, index)
        style = option.widget.style() if option.widget else None
        if style is not None:
            background = QStyleOptionViewItem(option)
            self.initStyleOption(background, index)
            background.text = ""
            background.icon = type(background.icon)()
            style.drawControl(style.ControlElement.CE_ItemViewItem, background, painter, option.widget)
        super().paint(painter, text_option, index)
        self._paint_badge(painter, option, index)

    def _paint_badge(self, painter: QPainter, option: QStyleOptionViewItem, index: ModelIndex) -> None:
        rect = QRectF(badge_rect(option.rect, option.fontMetrics))
        colour = QColor(index.data(NodeTreeModel.HealthColourRole))
        checking = index.data(NodeTreeModel.HealthStateRole) == NodeTreeModel.CHECKING
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        if checking:  # no report yet: a ring, not a filled dot
            width = max(1.5, rect.width() / 6)
            painter.setPen(QPen(colour, width))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawEllipse(rect.adjusted(width / 2, width / 2, -width / 2, -width / 2))
        else:
            painter.setPen(QPen(colour.darker(130), max(1.0, rect.width() / 14)))
            painter.setBrush(colour)
            painter.drawEllipse(rect)
        if index.data(NodeTreeModel.NeedsTrustRole):
            font = painter.font()
            font.setBold(True)
            font.setPixelSize(max(6, round(rect.height() * 0.8)))
            painter.setFont(font)
            painter.setPen(QColor("white") if not checking else colour)
            painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, "!")
        painter.restore()

    def sizeHint(self, option: QStyleOptionViewItem, index: ModelIndex) -> QSize:
        hint = super().sizeHint(option, index)
        if index.data(NodeTreeModel.KindRole) == ItemKind.NODE:
            hint.setWidth(hint.width() + _reserved(option.fontMetrics))
        return hint

    def editorEvent(self, event: QEvent, model, option: QStyleOptionViewItem, index: ModelIndex) -> bool:
        if (
            event.type() == QEvent.Type.MouseButtonRelease
            and isinstance(event, QMouseEvent)
            and event.button() == Qt.MouseButton.LeftButton
            and index.data(NodeTreeModel.KindRole) == ItemKind.NODE
        ):
            hit = badge_rect(option.rect, option.fontMetrics).adjusted(-3, -3, 3, 3)
            if hit.contains(event.position().toPoint()):
                node_id = index.data(NodeTreeModel.NodeIdRole)
                if node_id:
                    self.badgeClicked.emit(node_id)
        return super().editorEvent(event, model, option, index)
