"""How much memory the resource history holds for 200 nodes over 24 h at a 30 s health interval
(issue 16 asks for a few hundred KB). Prints the bytes tracemalloc sees allocated by
services/history.py and the points stored: ``python -m benchmarks.history_memory``.

Not part of ``make bench`` (no baseline to compare with): a figure to read, not a timed test."""

from __future__ import annotations

import tracemalloc
from datetime import UTC, datetime

from ocv_desktop.core.models import HealthReport, Resources
from ocv_desktop.services.history import History

NODES = 200
INTERVAL = 30.0
ROUNDS = int(24 * 3600 / INTERVAL)
T0 = 1_800_000_000.0


def main() -> None:
    nodes = [f"node-{i}" for i in range(NODES)]
    tracemalloc.start()
    before = tracemalloc.take_snapshot()
    history = History(interval=INTERVAL)
    for r in range(ROUNDS):
        at = datetime.fromtimestamp(T0 + INTERVAL * r, UTC)
        for n, node in enumerate(nodes):
            res = Resources(
                cpu_cores=8,
                memory_total=32 * 2**30,
                memory_used=(8 + r % 8) * 2**30,
                disk_total=500 * 2**30,
                disk_free=200 * 2**30,
                load1=(r % 100) / 10,
                cpu_busy_ticks=1000 * r + n,
                cpu_total_ticks=4000 * r + 10,
            )
            history.record_health(HealthReport(node_id=node, resources=res, checked_at=at))
    after = tracemalloc.take_snapshot()
    tracemalloc.stop()
    held = sum(
        stat.size_diff
        for stat in after.compare_to(before, "filename")
        if stat.traceback[0].filename.endswith("history.py")
    )
    print(f"nodes={NODES} rounds={ROUNDS} points={history.stored_points()}")
    print(f"bytes held by services/history.py: {held} ({held / NODES:.0f} per node)")


if __name__ == "__main__":
    main()
