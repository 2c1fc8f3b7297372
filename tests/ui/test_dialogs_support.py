"""Helpers for the dialog tests (no tests here; the name keeps it among the dialog test files):
run an awaitable dialog function on the qasync loop and find the dialog it opened, the way a user
would see it (a visible top-level window)."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any, TypeVar

from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

W = TypeVar("W", bound=QWidget)


def start(coro: Coroutine[Any, Any, Any]) -> asyncio.Task[Any]:
    """Schedule ``coro`` on the running qasync loop (the ``qloop`` fixture)."""
    return asyncio.ensure_future(coro)


def visible_window(qtbot: QtBot, kind: type[W], *, exclude: tuple[QWidget, ...] = ()) -> W:
    """Wait until a visible top-level window of ``kind`` appears and return it."""
    found: list[W] = []

    def appeared() -> bool:
        found[:] = [
            w for w in QApplication.topLevelWidgets() if isinstance(w, kind) and w.isVisible() and w not in exclude
        ]
        return bool(found)

    qtbot.waitUntil(appeared, timeout=3000)
    return found[-1]


def result(qtbot: QtBot, task: asyncio.Task[Any]) -> Any:
    qtbot.waitUntil(task.done, timeout=3000)
    return task.result()
