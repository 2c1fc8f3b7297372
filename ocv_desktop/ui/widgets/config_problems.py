"""Shown instead of the welcome panel when config.yaml did not load at start-up.

The first-node prompt would invite the user to add a node to a file the app cannot save (it is
left untouched, DESIGN.md rule 5). So the window lists every problem (file, line, field, what),
says what to do, and offers the config folder and a Reload; the config watcher reloads by itself
as soon as the file is saved.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QTextOption
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPlainTextEdit, QPushButton, QVBoxLayout, QWidget

from ocv_desktop.ui.icons import action_icon


class ConfigProblemsPanel(QWidget):
    openFolderRequested = Signal()
    reloadRequested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("configProblemsPanel")
        outer = QVBoxLayout(self)
        outer.addStretch(1)
        column = QWidget()
        column.setMaximumWidth(max(640, self.fontMetrics().averageCharWidth() * 100))
        layout = QVBoxLayout(column)
        layout.setSpacing(10)
        self.title = QLabel(objectName="configProblemsTitle")
        font = self.title.font()
        font.setPointSizeF(font.pointSizeF() * 1.3)
        font.setBold(True)
        self.title.setFont(font)
        self.title.setWordWrap(True)
        layout.addWidget(self.title)
        self.where = QLabel(objectName="configProblemsPath")
        self.where.setWordWrap(True)
        self.where.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.where)
        # Every problem, one per line, selectable and scrollable: a file can have many.
        self.problems = QPlainTextEdit(objectName="configProblemsList")
        self.problems.setReadOnly(True)
        self.problems.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        self.problems.setWordWrapMode(QTextOption.WrapMode.WordWrap)  # never split a quoted value
        # as tall as a dozen lines: room for many problems without a sea of empty space
        self.problems.setMaximumHeight(self.problems.fontMetrics().lineSpacing() * 12 + 12)
        layout.addWidget(self.problems, 1)
        self.advice = QLabel(
            self.tr(
                "Nothing in the file was changed, and nothing can be saved to it until it loads: fix these "
                "lines in a text editor. The window reloads the file when it is saved; Reload reads it now."
            ),
            objectName="configProblemsAdvice",
        )
        self.advice.setWordWrap(True)
        layout.addWidget(self.advice)
        buttons = QHBoxLayout()
        self.open_button = QPushButton(self.tr("Open the config folder"), objectName="openConfigFolderButton")
        self.open_button.clicked.connect(self.openFolderRequested)
        self.reload_button = QPushButton(action_icon("refresh"), self.tr("&Reload"), objectName="reloadConfigButton")
        self.reload_button.clicked.connect(self.reloadRequested)
        buttons.addWidget(self.open_button)
        buttons.addWidget(self.reload_button)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(column, 10)
        row.addStretch(1)
        outer.addLayout(row, 3)
        outer.addStretch(1)

    def set_problems(self, path: str, problems: Sequence[str]) -> None:
        """``problems`` as ``store`` words them (``PATH:LINE: field: what``); the path is said once
        in the title, each line keeps its line number and the rest verbatim."""
        self.title.setText(self.tr("The configuration was not loaded"))
        self.where.setText(self.tr("Problems in {path}:").format(path=path))
        lines = []
        for problem in problems:
            rest = problem.removeprefix(f"{path}:")
            line, sep, what = rest.partition(": ")
            if rest != problem and sep and line.isdigit():
                lines.append(self.tr("line {line}: {problem}").format(line=line, problem=what))
            else:
                lines.append(rest.removeprefix(" "))
        self.problems.setPlainText("\n".join(lines))
