"""One row of the activity record: an action the user started (start, stop, delete, refresh, reset
password, node changes ...), as the session (services/session.py) creates and updates it while it
runs. The GUI shows them in ui/models/activity.py."""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

_ids = itertools.count(1)


class ActivityState(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"


@dataclass(eq=False)
class Activity:
    """One action. ``cancel`` is set while the action can still be cancelled."""

    action: str  # translated verb: "Stop", "Refresh" ...
    node_id: str
    node_name: str
    instance_name: str = ""
    id: int = field(default_factory=lambda: next(_ids))
    started: datetime = field(default_factory=lambda: datetime.now().astimezone())
    state: ActivityState = ActivityState.QUEUED
    progress: float | None = None  # 0..1, None = unknown
    message: str = ""  # result or error text
    cancel: Callable[[], object] | None = None
    _t0: float = field(default_factory=time.monotonic)
    _t1: float | None = None

    @property
    def active(self) -> bool:
        return self.state in (ActivityState.QUEUED, ActivityState.RUNNING)

    @property
    def duration(self) -> float:
        return (self._t1 if self._t1 is not None else time.monotonic()) - self._t0

    def begin(self) -> None:
        self.state = ActivityState.RUNNING
        self._t0 = time.monotonic()

    def finish(self, state: ActivityState, message: str = "") -> None:
        self.state = state
        self.message = message
        self.cancel = None
        self._t1 = time.monotonic()
        if state is ActivityState.SUCCEEDED:
            self.progress = 1.0
