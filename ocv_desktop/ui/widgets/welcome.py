"""The first-start panel: shown instead of the instance table while no node is configured.

Three ways in, biggest first: add a node by hand, import a OneClickVirt provider file, or — when
a Docker/Incus/LXD socket was found on this computer (services/local_detect.py, run by the window
off the event loop) — add this computer in one click.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from ocv_desktop.services.local_detect import LocalCandidate
from ocv_desktop.ui.icons import PLATFORM_NAMES, action_icon, app_icon, platform_icon


class WelcomePanel(QWidget):
    addNodeRequested = Signal()
    importRequested = Signal()
    addLocalRequested = Signal(str, str)  # platform value, endpoint (unix:// URL)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("welcomePanel")
        outer = QVBoxLayout(self)
        outer.addStretch(1)
        column = QWidget()
        # A fixed-width column in the middle: wrapped text needs a width to compute its height from.
        column.setFixedWidth(max(460, self.fontMetrics().averageCharWidth() * 60))
        layout = QVBoxLayout(column)
        layout.setSpacing(10)

        logo = QLabel()
        logo.setPixmap(app_icon().pixmap(64, 64))
        logo.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        layout.addWidget(logo)
        title = QLabel(self.tr("Welcome to ocv-desktop"), objectName="welcomeTitle")
        font = title.font()
        font.setPointSizeF(font.pointSizeF() * 1.5)
        font.setBold(True)
        title.setFont(font)
        title.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        layout.addWidget(title)
        intro = QLabel(
            self.tr("Manage Docker, LXD, Incus and Proxmox VE servers from one window. Start by adding the first node:")
        )
        intro.setWordWrap(True)
        intro.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        layout.addWidget(intro)
        layout.addSpacing(8)

        self.add_button = self._button(action_icon("add"), self.tr("Add a node…"), "addNodeButton")
        self.add_button.clicked.connect(self.addNodeRequested)
        layout.addWidget(self.add_button)
        self.import_button = self._button(
            action_icon("import"), self.tr("Import a OneClickVirt provider file…"), "importButton"
        )
        self.import_button.clicked.connect(self.importRequested)
        layout.addWidget(self.import_button)

        self.local_box = QFrame(objectName="localCandidates")
        self.local_layout = QVBoxLayout(self.local_box)
        self.local_layout.setContentsMargins(0, 8, 0, 0)
        self.local_layout.setSpacing(10)
        self.local_title = QLabel(self.tr("Found on this computer:"))
        self.local_layout.addWidget(self.local_title)
        self.local_box.hide()
        layout.addWidget(self.local_box)
        self.local_buttons: list[QPushButton] = []

        # Centred by stretches, not by an alignment flag: an aligned widget gets only its size
        # hint, which ignores the extra height of wrapped text.
        middle = QHBoxLayout()
        middle.addStretch(1)
        middle.addWidget(column)
        middle.addStretch(1)
        outer.addLayout(middle)
        outer.addStretch(2)

    def _button(self, icon: object, text: str, name: str) -> QPushButton:
        button = QPushButton(icon, text, objectName=name)
        button.setIconSize(QSize(24, 24))
        button.setMinimumHeight(40)
        return button

    def set_local_candidates(self, candidates: Sequence[LocalCandidate]) -> None:
        """One "Add this computer (Docker)" button per platform found; none hides the section."""
        for button in self.local_buttons:
            self.local_layout.removeWidget(button)
            button.deleteLater()
        self.local_buttons = []
        for candidate in candidates:
            platform = candidate.platform.value
            button = self._button(
                platform_icon(candidate.platform),
                self.tr("Add this computer ({platform})").format(platform=PLATFORM_NAMES[candidate.platform]),
                f"addLocal_{platform}",
            )
            button.setToolTip(candidate.endpoint)
            button.clicked.connect(lambda _=False, p=platform, e=candidate.endpoint: self.addLocalRequested.emit(p, e))
            self.local_layout.addWidget(button)
            self.local_buttons.append(button)
        self.local_box.setVisible(bool(candidates))
