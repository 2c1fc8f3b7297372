"""Fixtures for the GUI tests (shared by the window and the dialog tests).

``qloop``: a qasync ``QEventLoop`` marked as running (lab-recipes.md §10, pattern B), so coroutines
scheduled with ``asyncio.ensure_future`` run whenever Qt processes events — in particular inside
``qtbot.waitUntil`` / ``qtbot.waitSignal``, which is how the app's own loop runs them too. Without
``already_running=True``, ``create_task`` + ``waitUntil`` fails with "no running event loop".
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import Iterator

os.environ.setdefault("QT_API", "pyside6")  # before qasync is imported: it picks its binding then

import pytest
import qasync
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from tests.qt_loops import retire_loop


@pytest.fixture
def qloop(qapp: QApplication, qtbot: QtBot) -> Iterator[asyncio.AbstractEventLoop]:
    loop = qasync.QEventLoop(qapp, already_running=True)
    asyncio.set_event_loop(loop)
    try:
        yield loop
    finally:
        # Cancel what the test left running and let it finish, or its __del__ complains later
        # ("Task was destroyed but it is pending", "Signal source has been deleted").
        pending = [t for t in asyncio.all_tasks(loop) if not t.done()]
        for task in pending:
            task.cancel()
        if pending:
            qtbot.waitUntil(lambda: all(t.done() for t in pending), timeout=5000)
        _stop_already_running_loop(qapp, loop)
        asyncio.set_event_loop(None)
        loop.close()
        retire_loop(loop)


def _stop_already_running_loop(qapp: QApplication, loop: qasync.QEventLoop) -> None:
    """Undo ``already_running=True``. This touches qasync/asyncio internals (pinned: qasync 0.28),
    so it lives in this one function."""
    # Not loop.stop(): that also calls QApplication.exit(), which makes pytest-qt's later waits
    # return at once, so the next test's loop never runs its callbacks.
    loop._QEventLoop__is_running = False  # type: ignore[attr-defined]
    with contextlib.suppress(RuntimeError, TypeError):
        qapp.aboutToQuit.disconnect(loop._after_run_forever)
    asyncio.events._set_running_loop(None)


# The main-window fixtures (open_window: a home with lab nodes, the real workspace and window).
from tests.ui.window_fixtures import model_complaints, open_window  # noqa: E402, F401
