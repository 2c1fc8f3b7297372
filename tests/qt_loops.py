"""qasync loops in tests: one way to create and, above all, to dispose of them.

A closed ``qasync.QEventLoop`` still has Qt timers registered (cancelled ``call_later`` handles stay
registered until they fire). If the garbage collector later frees its timer QObject from another
thread (the lab's, the keyring's), Qt cannot unregister those timers, and the next timer round on
the GUI thread dereferences freed memory: a segfault in ``QTimerInfoList::activateTimers``, often
several tests later (pytest-qt processes events after every test once a QApplication exists).
So every test loop is retired: its timers killed on this thread, the loop kept referenced.
This touches qasync 0.28 internals (pinned), so it lives here only.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterator

import qasync
from PySide6.QtWidgets import QApplication

_RETIRED: list[qasync.QEventLoop] = []


def retire_loop(loop: qasync.QEventLoop) -> None:
    timer = loop._timer  # type: ignore[attr-defined]
    callbacks = timer._SimpleTimer__callbacks
    for timer_id in list(callbacks):
        timer.killTimer(timer_id)
    callbacks.clear()
    _RETIRED.append(loop)


@contextlib.contextmanager
def qasync_loop(qapp: QApplication) -> Iterator[qasync.QEventLoop]:
    """A qasync loop for ``run_until_complete``, set as the current loop, closed and retired after."""
    loop = qasync.QEventLoop(qapp)
    asyncio.set_event_loop(loop)
    try:
        yield loop
    finally:
        asyncio.set_event_loop(None)
        loop.close()
        retire_loop(loop)
