"""Small building blocks the dialogs share: monospace selectable text, warning banners, section text."""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QColor, QFontDatabase, QPalette, QShowEvent
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from ocv_desktop.core.models import NodeConfig
from ocv_desktop.ui.theme import is_dark

SELECTABLE = Qt.TextInteractionFlag.TextSelectableByMouse | Qt.TextInteractionFlag.TextSelectableByKeyboard


def node_combo(nodes: Iterable[NodeConfig], selected_id: str | None) -> QComboBox:
    """``nodeCombo``: every node as "name (platform)" with its id as data, ``selected_id`` chosen."""
    combo = QComboBox(objectName="nodeCombo")
    for node in nodes:
        combo.addItem(f"{node.name} ({node.type.value})", node.id)
    if selected_id is not None and (i := combo.findData(selected_id)) >= 0:
        combo.setCurrentIndex(i)
    return combo


def text_label(text: str, *, object_name: str = "", bold: bool = False) -> QLabel:
    """Wrapped plain text (never rendered as HTML: it may contain user or server values)."""
    label = QLabel(text)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setWordWrap(True)
    if object_name:
        label.setObjectName(object_name)
    if bold:
        font = label.font()
        font.setBold(True)
        label.setFont(font)
    return label


def headline(widget: QWidget, icon: QStyle.StandardPixmap, text: str, *, object_name: str = "") -> QHBoxLayout:
    """The question a dialog asks: a standard 32 px icon beside a bold, wrapped line."""
    row = QHBoxLayout()
    picture = QLabel()
    picture.setPixmap(widget.style().standardIcon(icon).pixmap(32, 32))
    row.addWidget(picture)
    row.addWidget(text_label(text, bold=True, object_name=object_name), 1)
    return row


def mono_label(text: str, *, object_name: str = "") -> QLabel:
    """Fingerprints, commands, passwords: fixed-width, selectable with mouse and keyboard (so
    they can be copied and compared character by character), framed so they stand out."""
    label = QLabel(text)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
    label.setTextInteractionFlags(SELECTABLE)
    label.setFocusPolicy(Qt.FocusPolicy.StrongFocus)  # reachable with Tab, then Ctrl+A / Ctrl+C
    label.setFrameShape(QFrame.Shape.StyledPanel)
    label.setMargin(6)
    label.setBackgroundRole(QPalette.ColorRole.Base)
    label.setAutoFillBackground(True)
    if object_name:
        label.setObjectName(object_name)
    return label


def warning_banner(text: str, *, object_name: str = "warningBanner") -> QFrame:
    """A loud red strip with white bold text; the same in light and dark mode."""
    frame = QFrame()
    frame.setObjectName(object_name)
    frame.setAutoFillBackground(True)
    palette = frame.palette()
    palette.setColor(QPalette.ColorRole.Window, QColor("#b42318"))
    palette.setColor(QPalette.ColorRole.WindowText, QColor("#ffffff"))
    frame.setPalette(palette)
    layout = QVBoxLayout(frame)
    layout.setContentsMargins(12, 10, 12, 10)
    label = text_label(text, bold=True)
    label.setPalette(palette)
    layout.addWidget(label)
    return frame


def error_colour(widget: QWidget | None = None) -> QColor:
    """Red for inline error text with enough contrast (>= 4.5:1) on the current window colour."""
    palette = widget.palette() if widget is not None else None
    return QColor("#ff8a80") if is_dark(palette) else QColor("#b3261e")


def set_text_colour(label: QLabel, colour: QColor) -> None:
    palette = label.palette()
    palette.setColor(QPalette.ColorRole.WindowText, colour)
    label.setPalette(palette)


BODY_NAME = "dialogBody"
SCREEN_SHARE = 0.9  # a dialog never grows beyond this share of the screen; its body scrolls instead


def scrolling_body(outer: QVBoxLayout) -> QVBoxLayout:
    """A scrollable body for a tall dialog (above its buttons, which stay in view): on a small
    screen, or at 200 % scaling, or in a long language, the body scrolls instead of squeezing its
    wrapped texts on top of each other. ``fit_height`` sizes it to its content when there is room."""
    area = QScrollArea(objectName=BODY_NAME)
    area.setWidgetResizable(True)
    area.setFrameShape(QFrame.Shape.NoFrame)
    area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)  # only on a very narrow screen
    body = QWidget()
    layout = QVBoxLayout(body)
    layout.setContentsMargins(0, 0, 0, 0)
    area.setWidget(body)
    outer.addWidget(area, 1)
    return layout


def fit_height(window: QWidget, *, shrink: bool = False) -> None:
    """Give a shown window the height its wrapped labels need at its current width, within
    ``SCREEN_SHARE`` of the screen.

    Qt sizes a window from its size hint, which ignores word wrap (height-for-width), so long
    wrapped texts get squeezed or cut; after rows were hidden, ``shrink`` gives the space back.
    """
    if not window.isVisible() or window.layout() is None:
        return
    screen = window.screen().availableGeometry()
    area = window.findChild(QScrollArea, BODY_NAME)
    if area is not None and area.widget() is not None:
        body = area.widget()
        scrollbar = area.verticalScrollBar().sizeHint().width()
        margins = window.layout().contentsMargins()
        room = int(screen.width() * SCREEN_SHARE) - margins.left() - margins.right()
        area.setMinimumWidth(min(max(body.sizeHint().width(), body.minimumSizeHint().width()) + scrollbar, room))
        window.layout().activate()
        width = area.viewport().width()
        body_height = body.heightForWidth(width) if body.hasHeightForWidth() else body.sizeHint().height()
        need = window.height() - area.viewport().height() + max(body_height, body.minimumSizeHint().height())
    else:
        window.layout().activate()
        need = max(window.heightForWidth(window.width()), window.minimumSizeHint().height())
    need = min(need, int(screen.height() * SCREEN_SHARE))
    # A fixed minimum width (setMinimumWidth) stops the layout from widening a shown window by itself.
    width = max(window.width(), min(window.layout().totalMinimumSize().width(), int(screen.width() * SCREEN_SHARE)))
    if need > window.height() or (shrink and need < window.height()) or width > window.width():
        window.resize(width, need if need > window.height() or shrink else window.height())


class FittingDialog(QDialog):
    """A dialog that fits its height to wrapped text when shown and puts the focus on
    ``initial_focus`` (e.g. Cancel in a dangerous question) instead of the first focusable widget."""

    initial_focus: QWidget | None = None
    cancel_button: QPushButton

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        fit_height(self)
        if self.initial_focus is not None:
            self.initial_focus.setFocus()

    def cancel_first_buttons(self, act: QPushButton, role: QDialogButtonBox.ButtonRole) -> QDialogButtonBox:
        """``act`` (it accepts) beside Cancel, for a question whose "yes" is dangerous: Cancel is the
        default button and has the focus, so Enter never acts; Esc rejects as always."""
        self.cancel_button = QPushButton(QCoreApplication.translate("Dialogs", "Cancel"), objectName="cancelButton")
        buttons = QDialogButtonBox()
        buttons.addButton(act, role)
        buttons.addButton(self.cancel_button, QDialogButtonBox.ButtonRole.RejectRole)
        act.clicked.connect(self.accept)
        self.cancel_button.clicked.connect(self.reject)
        act.setAutoDefault(False)
        self.cancel_button.setDefault(True)
        self.initial_focus = self.cancel_button
        return buttons
