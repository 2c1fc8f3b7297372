"""Running samples in fresh processes, alternated with their baseline, and printing the rows.

Every sample is one child process (``python -m benchmarks.worker MODE ...``) that prints one JSON
object on its last stdout line; a row runs its baseline and its measure alternately, so a busy
machine (2 cores shared with other users) slows both alike and the ratio of the medians stays
meaningful. Numbers only: nothing here compares to a bound except the "goal" column it prints.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def worker(*args: str, timeout: float = 600) -> dict[str, float]:
    """Run one sample in a fresh interpreter; its last stdout line is a JSON dict of figures."""
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    proc = subprocess.run(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-m", "benchmarks.worker", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=env,
        timeout=timeout,
        check=False,
    )
    lines = proc.stdout.strip().splitlines()
    if proc.returncode != 0 or not lines:
        raise RuntimeError(f"worker {args} failed ({proc.returncode}):\n{proc.stdout[-2000:]}\n{proc.stderr[-3000:]}")
    result: dict[str, float] = json.loads(lines[-1])
    return result


@dataclass
class Series:
    values: list[float] = field(default_factory=list)

    def add(self, value: float) -> None:
        self.values.append(value)

    @property
    def median(self) -> float:
        return statistics.median(self.values)

    def text(self, unit: str = "s") -> str:
        scale, fmt = (1000.0, "{:.0f}") if unit == "ms" else (1.0, "{:.3f}") if unit == "s" else (1.0, "{:.0f}")
        lo, mid, hi = (fmt.format(v * scale) for v in (min(self.values), self.median, max(self.values)))
        return f"{lo} / {mid} / {hi} {unit}"


@dataclass
class Row:
    name: str
    goal: str
    measure: Series
    baseline: Series | None = None
    unit: str = "s"
    limit: float | None = None  # goal as a ratio (with baseline) or an absolute value (without)
    note: str = ""
    absolute: bool = False  # the goal is on the value itself; the baseline is shown for scale

    def verdict(self) -> str:
        if self.limit is None:
            return ""
        value = self.ratio if self.baseline is not None and not self.absolute else self.measure.median
        return "met" if value <= self.limit else "NOT met"

    @property
    def ratio(self) -> float:
        assert self.baseline is not None
        return self.measure.median / self.baseline.median if self.baseline.median else float("inf")


def print_rows(rows: list[Row], title: str) -> None:
    print(f"\n{title}  (min / median / max over the runs; ratio of the medians)")
    for row in rows:
        base = f"   baseline {row.baseline.text(row.unit)}" if row.baseline is not None else ""
        ratio = f"   x{row.ratio:.2f}" if row.baseline is not None else ""
        print(f"  {row.name}\n      {row.measure.text(row.unit)}{base}{ratio}   goal {row.goal}: {row.verdict()}")
        if row.note:
            print(f"      ({row.note})")
    sys.stdout.flush()


def machine_line() -> str:
    return f"machine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f} (1 min)"
