"""The first-paint baseline: a bare PySide6 main window with a tree and a table, nothing else.
Prints "shown" once the window has been shown and the event loop has turned (painted)."""

from __future__ import annotations

import sys

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMainWindow, QSplitter, QTableView, QTreeView


def build() -> QMainWindow:
    window = QMainWindow()
    splitter = QSplitter()
    splitter.addWidget(QTreeView())
    splitter.addWidget(QTableView())
    window.setCentralWidget(splitter)
    window.resize(1200, 800)
    return window


def main() -> int:
    app = QApplication(sys.argv[:1])
    window = build()
    window.show()

    def painted() -> None:
        print("shown", file=sys.stderr, flush=True)

    QTimer.singleShot(0, painted)
    QTimer.singleShot(30_000, app.quit)  # the runner kills it long before
    return app.exec()


if __name__ == "__main__":
    raise SystemExit(main())
