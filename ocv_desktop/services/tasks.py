"""Named, replaceable asyncio tasks with strong references (FeelUOwn's pattern,
desktop-anchors.md §C3/§D), for the session.

- every task is started through ``run(name, coro)`` and kept in a set (a task nobody references
  can be garbage-collected mid-flight);
- a new task with the name of a running one cancels and replaces it (``refresh:<node-id>``: the
  newest refresh wins);
- a task's failure is never lost: it goes to ``on_failure`` (the session shows it);
- ``stop`` cancels everything within a time limit; after it, ``run`` starts nothing.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

log = logging.getLogger(__name__)
T = TypeVar("T")


def task_name(task: asyncio.Future[Any]) -> str:
    return task.get_name() if isinstance(task, asyncio.Task) else repr(task)


class NamedTasks:
    def __init__(self, on_failure: Callable[[str, BaseException], None]) -> None:
        self._on_failure = on_failure  # (task name, its exception); not called for cancellations
        self._named: dict[str, asyncio.Future[Any]] = {}
        self._all: set[asyncio.Future[Any]] = set()
        self.closing = False

    def run(self, name: str, coro: Coroutine[Any, Any, T]) -> asyncio.Future[T]:
        """Run ``coro`` as a task named ``name``; a running task of that name is cancelled and replaced."""
        loop = asyncio.get_running_loop()
        if self.closing:
            coro.close()
            done: asyncio.Future[T] = loop.create_future()
            done.cancel()
            return done
        old = self._named.get(name)
        if old is not None and not old.done():
            old.cancel()
        # The coroutine itself is the task (no wrapper): a task cancelled before its first step
        # then closes the coroutine, instead of leaving an un-awaited one behind.
        task = loop.create_task(coro, name=name)
        self._named[name] = task
        self.keep(task)
        task.add_done_callback(self._done)
        return task

    def keep(self, task: asyncio.Future[Any]) -> None:
        """Hold a reference to a task started elsewhere until it ends (and cancel it on ``stop``)."""
        self._all.add(task)
        task.add_done_callback(self._all.discard)

    def running(self, name: str) -> bool:
        task = self._named.get(name)
        return task is not None and not task.done()

    def pending(self) -> list[asyncio.Future[Any]]:
        return [t for t in self._all if not t.done()]

    def cancel_matching(self, prefixes: tuple[str, ...]) -> None:
        """Cancel the named tasks whose names start with one of ``prefixes`` (never the caller's own)."""
        for name, task in list(self._named.items()):
            if name.startswith(prefixes) and task is not asyncio.current_task():
                task.cancel()

    async def stop(self, timeout: float) -> None:
        """Cancel every task and wait for them, at most ``timeout`` seconds."""
        self.closing = True
        pending = self.pending()
        for t in pending:
            t.cancel()
        if pending:
            _, still = await asyncio.wait(pending, timeout=max(0.1, timeout))
            for t in still:
                log.warning("task %s did not stop within the shutdown time limit", task_name(t))

    def _done(self, task: asyncio.Future[Any]) -> None:
        name = task_name(task)
        if self._named.get(name) is task:
            del self._named[name]
        if task.cancelled():
            return
        exc = task.exception()  # retrieved here, so asyncio does not log it a second time
        if exc is not None:
            self._on_failure(name, exc)
