"""A non-modal banner at the top of the window for problems the user should know about:
unexpected errors (bugs, reported by the global exception hooks), a config file that does not
load, a failed background task. Never a traceback dialog: the banner shows the text (up to
``MAX_LINES`` lines, so every problem of a broken file is in view), the full text is in its tooltip
and in the log file.

Several problems in a row show the newest with a count; the close button hides the banner.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QSizePolicy, QToolButton, QWidget

MAX_LINES = 12


class ErrorBanner(QFrame):
    openLogRequested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("errorBanner")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        # A translucent red reads on light and dark palettes alike; the text keeps the palette's colour.
        self.setStyleSheet(
            "#errorBanner { background-color: rgba(229, 83, 75, 45); border: 1px solid #e5534b; border-radius: 3px; }"
        )
        self._count = 0
        self._label = QLabel(self)
        self._label.setObjectName("errorBannerText")
        self._label.setWordWrap(True)
        self._label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self._label.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        log_button = QToolButton(self)
        log_button.setText(self.tr("Open log folder"))
        log_button.setAutoRaise(True)
        log_button.clicked.connect(self.openLogRequested)
        close = QToolButton(self)
        close.setObjectName("errorBannerClose")
        close.setText("✕")
        close.setToolTip(self.tr("Hide this message"))
        close.setAutoRaise(True)
        close.clicked.connect(self.dismiss)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 4, 4, 4)
        layout.addWidget(self._label, 1)
        layout.addWidget(log_button)
        layout.addWidget(close)
        self.hide()

    def show_message(self, text: str) -> None:
        self._count += 1
        lines = text.strip().splitlines() or [text]
        shown = "\n".join(lines[:MAX_LINES])
        if len(lines) > MAX_LINES:
            shown += "\n" + self.tr("… {count} more lines in the log file").format(count=len(lines) - MAX_LINES)
        more = self.tr(" (and {count} earlier)").format(count=self._count - 1) if self._count > 1 else ""
        self._label.setText(shown + more)
        self._label.setToolTip(text)
        self.show()

    def message(self) -> str:
        return self._label.toolTip()

    def dismiss(self) -> None:
        self._count = 0
        self.hide()
