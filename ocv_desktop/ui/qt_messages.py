"""Qt's own diagnostics (qWarning and friends) go to our log instead of the terminal.

Qt prints notes such as "This plugin does not support propagateSizeHints()" (the offscreen
platform, at every ``self-test``) straight to stderr; for a user they are noise, and a script
reading stderr would take them for an error. They stay available in the log file (and on
stderr with ``-v``); only critical and fatal messages keep a level the CLI shows by default.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QMessageLogContext, QtMsgType, qInstallMessageHandler

log = logging.getLogger("ocv_desktop.qt")

_LEVELS = {
    QtMsgType.QtDebugMsg: logging.DEBUG,
    QtMsgType.QtInfoMsg: logging.INFO,
    QtMsgType.QtWarningMsg: logging.INFO,  # Qt's warnings are about Qt's internals, not the user's work
    QtMsgType.QtCriticalMsg: logging.ERROR,
    QtMsgType.QtFatalMsg: logging.CRITICAL,
}


def _handle(kind: QtMsgType, context: QMessageLogContext, message: str) -> None:
    category = context.category or "qt"
    log.log(_LEVELS.get(kind, logging.INFO), "%s: %s", category, message)


def route_qt_messages() -> None:
    """Install the handler (idempotent: Qt keeps one handler, this one replaces it)."""
    qInstallMessageHandler(_handle)
