"""Resource history: the last 24 h of every node's CPU, memory, disk and load, and of every running
instance's CPU and memory, kept in memory and bounded (issue 16).

Fed by what the app already reads: every health round's ``Resources`` (health/resources.py) and
every listing's ``Instance.cpu_usage``/``memory_usage`` (None where a platform does not report
them). No Qt, no I/O: the session feeds it and the window reads it.

Bounded by design, whatever the interval or the uptime: each series is two fixed-size rings,

- *fine*: the newest points as they came (``FINE_SPAN``, 30 min: the tooltip's sparkline), and
- *coarse*: one averaged point per ``BUCKET`` (15 min) for the rest of ``SPAN`` (24 h),

so a node holds at most ``fine_capacity + COARSE_CAPACITY`` points. Values are packed into
``array`` buffers, not Python objects: a node point is 12 bytes (a uint32 time and four uint16
values: percent x100, load x100), an instance point 12 bytes (uint32 time, two float32). 200
nodes over 24 h at 30 s hold 31,000 points, about 0.58 MB with the arrays' and objects' overhead
(tests/unit/test_history.py counts the points, benchmarks/history_memory.py measures the bytes).

Proxmox's ``rrddata`` (providers/proxmox) fills in what the app was not running to see:
``backfill`` puts those points into the coarse ring where we recorded nothing ourselves.
"""

from __future__ import annotations

import array
import math
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from ocv_desktop.core.models import HealthReport, Instance, InstanceStatus, ResourceSample

SPAN = 24 * 3600.0  # seconds of history kept
FINE_SPAN = 30 * 60.0  # the newest points, unaveraged
BUCKET = 15 * 60.0  # one coarse point per this many seconds
COARSE_CAPACITY = int(SPAN // BUCKET)  # 96

# Node channels (uint16, scaled): CPU % x100, memory used % x100, disk used % x100, load1 x100.
NODE_CHANNELS = ("cpu", "memory", "disk", "load")
# Instance channels (float32): CPU in cores (Instance.cpu_usage), memory used in bytes.
INSTANCE_CHANNELS = ("cpu", "memory")

_MISSING_H = 0xFFFF  # "not known" in a uint16 channel; values saturate at 0xFFFE
_SCALE = 100.0


@dataclass(frozen=True, slots=True)
class Point:
    time: float  # epoch seconds
    values: tuple[float | None, ...]  # in the ring's channel order; None = not known then


class _Codec:
    """How a ring packs its values: uint16 scaled (nodes) or float32 (instances)."""

    def __init__(self, typecode: str) -> None:
        self.typecode = typecode

    def encode(self, value: float | None) -> float | int:
        if self.typecode == "f":
            return math.nan if value is None or not math.isfinite(value) else value
        if value is None or not math.isfinite(value):
            return _MISSING_H
        return min(max(round(value * _SCALE), 0), _MISSING_H - 1)

    def decode(self, raw: float | int) -> float | None:
        if self.typecode == "f":
            return None if math.isnan(raw) else float(raw)
        return None if raw == _MISSING_H else raw / _SCALE


_U16 = _Codec("H")
_F32 = _Codec("f")


class Ring:
    """One series: the fine ring, the coarse ring and the coarse bucket being filled."""

    __slots__ = (
        "_bucket",
        "_coarse_t",
        "_coarse_v",
        "_codec",
        "_counts",
        "_fine_cap",
        "_fine_t",
        "_fine_v",
        "_first_own",
        "_sums",
        "_width",
    )

    def __init__(self, width: int, codec: _Codec, fine_capacity: int) -> None:
        self._codec = codec
        self._width = width
        self._fine_cap = fine_capacity
        self._fine_t = array.array("I")
        self._fine_v: array.array[Any] = array.array(codec.typecode)
        self._coarse_t = array.array("I")
        self._coarse_v: array.array[Any] = array.array(codec.typecode)
        self._bucket = -1  # index (time // BUCKET) of the bucket being averaged
        self._first_own = -1  # time of our first own point (backfill stays before it)
        self._sums: list[float] = [0.0] * width
        self._counts: list[int] = [0] * width

    def add(self, at: float, values: Sequence[float | None]) -> None:
        t = int(at)
        if self._fine_t and t <= self._fine_t[-1]:
            return  # a report older than the last one (or a clock step back): not history
        if self._first_own < 0:
            self._first_own = t
        self._fine_t.append(t)
        self._fine_v.extend(self._codec.encode(v) for v in values)
        if len(self._fine_t) > self._fine_cap:
            del self._fine_t[0]
            del self._fine_v[0 : self._width]
        bucket = int(t // BUCKET)
        if bucket != self._bucket:
            self._close_bucket()
            self._bucket = bucket
        for i, v in enumerate(values):
            if v is not None and math.isfinite(v):
                self._sums[i] += v
                self._counts[i] += 1

    def _close_bucket(self) -> None:
        if self._bucket >= 0 and any(self._counts):
            avg = [s / c if c else None for s, c in zip(self._sums, self._counts, strict=True)]
            self._append_coarse(int(self._bucket * BUCKET), avg)
        self._sums = [0.0] * self._width
        self._counts = [0] * self._width

    def _append_coarse(self, t: int, values: Sequence[float | None]) -> None:
        self._coarse_t.append(t)
        self._coarse_v.extend(self._codec.encode(v) for v in values)
        if len(self._coarse_t) > COARSE_CAPACITY:
            del self._coarse_t[0]
            del self._coarse_v[0 : self._width]

    def backfill(self, points: Iterable[Point]) -> int:
        """Put the platform's own points into the coarse ring where we saw nothing ourselves:
        before our first round (on a node we never read ourselves, Proxmox over its API only, all
        of them), one average per bucket; a bucket already held is kept. At most
        ``COARSE_CAPACITY`` buckets in all, the newest kept. Returns how many buckets were added."""
        held = set(self._coarse_t)
        buckets: dict[int, tuple[list[float], list[int]]] = {}
        for p in points:
            start = int(p.time // BUCKET * BUCKET)
            if (self._first_own >= 0 and start + BUCKET > self._first_own) or start in held:
                continue  # ours wins where we have anything
            sums, counts = buckets.setdefault(start, ([0.0] * self._width, [0] * self._width))
            for i, v in enumerate(p.values[: self._width]):
                if v is not None and math.isfinite(v):
                    sums[i] += v
                    counts[i] += 1
        if not buckets:
            return 0
        w = self._width
        rows: list[tuple[int, Sequence[Any], bool]] = [
            (t, self._coarse_v[i * w : (i + 1) * w], False) for i, t in enumerate(self._coarse_t)
        ]
        for start, (sums, counts) in buckets.items():
            encoded = [self._codec.encode(s / c if c else None) for s, c in zip(sums, counts, strict=True)]
            rows.append((start, encoded, True))
        rows.sort(key=lambda row: row[0])
        rows = rows[-COARSE_CAPACITY:]
        self._coarse_t = array.array("I", (t for t, _, _ in rows))
        self._coarse_v = array.array(self._codec.typecode)
        for _, values, _ in rows:
            self._coarse_v.extend(values)
        return sum(new for _, _, new in rows)

    def points(self, since: float | None = None) -> list[Point]:
        """Oldest first: the coarse averages before the first fine point, then the fine points."""
        first_fine = self._fine_t[0] if self._fine_t else None
        out = []
        for i, t in enumerate(self._coarse_t):
            if first_fine is not None and t + BUCKET > first_fine:
                break
            out.append(self._point(t, self._coarse_v, i))
        out += [self._point(t, self._fine_v, i) for i, t in enumerate(self._fine_t)]
        return [p for p in out if since is None or p.time >= since]

    def _point(self, t: int, values: array.array[Any], i: int) -> Point:
        w = self._width
        return Point(float(t), tuple(self._codec.decode(v) for v in values[i * w : (i + 1) * w]))

    def stored(self) -> int:
        """How many points the rings hold (the bound the tests check)."""
        return len(self._fine_t) + len(self._coarse_t)


@dataclass(slots=True)
class NodeLatest:
    """What a node's newest round said, for the text next to a sparkline."""

    at: float
    cpu_cores: int | None = None
    memory_total: int | None = None
    disk_total: int | None = None
    ticks: tuple[int, int] | None = None  # (busy, total) CPU ticks, for the next round's CPU %


@dataclass(slots=True)
class History:
    """Every node's and running instance's recent resources. ``interval`` is the health interval:
    it sizes the fine ring (``FINE_SPAN`` of points at that pace)."""

    interval: float = 30.0
    _nodes: dict[str, Ring] = field(default_factory=dict)
    _latest: dict[str, NodeLatest] = field(default_factory=dict)
    _instances: dict[tuple[str, str], Ring] = field(default_factory=dict)

    @property
    def fine_capacity(self) -> int:
        return max(2, math.ceil(FINE_SPAN / max(self.interval, 1.0)))

    # --- feeding -----------------------------------------------------------------------------

    def record_health(self, report: HealthReport) -> bool:
        """A health round: one point when it read the node's resources. True when recorded."""
        r = report.resources
        if r is None:
            return False
        at = report.checked_at.timestamp()
        latest = self._latest.get(report.node_id)
        cpu = None
        ticks = (r.cpu_busy_ticks, r.cpu_total_ticks)
        now_ticks = (ticks[0], ticks[1]) if ticks[0] is not None and ticks[1] is not None else None
        if latest is not None and latest.ticks is not None and now_ticks is not None:
            busy, total = now_ticks[0] - latest.ticks[0], now_ticks[1] - latest.ticks[1]
            if total > 0 and 0 <= busy <= total:  # a reboot resets the counters: no point then
                cpu = 100.0 * busy / total
        self._latest[report.node_id] = NodeLatest(at, r.cpu_cores, r.memory_total, r.disk_total, now_ticks)
        memory = _percent(r.memory_used, r.memory_total)
        disk_used = r.disk_total - r.disk_free if r.disk_total is not None and r.disk_free is not None else None
        disk = _percent(disk_used, r.disk_total)
        self._node_ring(report.node_id).add(at, (cpu, memory, disk, r.load1))
        return True

    def record_instances(self, node_id: str, instances: Iterable[Instance], at: float | None = None) -> int:
        """A listing: one point per running instance that reports CPU or memory. Instances no
        longer listed are forgotten (deleted); stopped ones keep what they had. Returns how many
        points were added."""
        at = time.time() if at is None else at
        listed = set()
        added = 0
        for inst in instances:
            listed.add(inst.id)
            if inst.status is not InstanceStatus.RUNNING:
                continue
            if inst.cpu_usage is None and inst.memory_usage is None:
                continue
            mem = float(inst.memory_usage) if inst.memory_usage is not None else None
            self._instance_ring(node_id, inst.id).add(at, (inst.cpu_usage, mem))
            added += 1
        for key in [k for k in self._instances if k[0] == node_id and k[1] not in listed]:
            del self._instances[key]
        return added

    def backfill_node(self, node_id: str, samples: Sequence[ResourceSample]) -> int:
        """History from the node itself (Proxmox rrddata) for the time before our first round."""
        points = [
            Point(
                s.time,
                (
                    s.cpu_percent,
                    _percent(s.memory_used, s.memory_total),
                    _percent(s.disk_used, s.disk_total),
                    s.load1,
                ),
            )
            for s in samples
        ]
        if node_id not in self._latest and samples:  # the totals the percentages are of
            last = max(samples, key=lambda s: s.time)
            self._latest[node_id] = NodeLatest(last.time, None, last.memory_total, last.disk_total)
        return self._node_ring(node_id).backfill(points)

    def backfill_instance(self, node_id: str, instance_id: str, samples: Iterable[ResourceSample]) -> int:
        points = [
            Point(s.time, (s.cpu_cores, float(s.memory_used) if s.memory_used is not None else None)) for s in samples
        ]
        return self._instance_ring(node_id, instance_id).backfill(points)

    def forget(self, node_id: str) -> None:
        """A removed node: its history and its instances' go."""
        self._nodes.pop(node_id, None)
        self._latest.pop(node_id, None)
        for key in [k for k in self._instances if k[0] == node_id]:
            del self._instances[key]

    # --- reading -----------------------------------------------------------------------------

    def node_points(self, node_id: str, since: float | None = None) -> list[Point]:
        ring = self._nodes.get(node_id)
        return ring.points(since) if ring is not None else []

    def node_series(self, node_id: str, channel: str, since: float | None = None) -> list[tuple[float, float]]:
        """(time, value) of one channel ("cpu" %, "memory" %, "disk" %, "load"), known values only."""
        return _series(self.node_points(node_id, since), NODE_CHANNELS.index(channel))

    def node_latest(self, node_id: str) -> NodeLatest | None:
        return self._latest.get(node_id)

    def instance_series(
        self, node_id: str, instance_id: str, channel: str, since: float | None = None
    ) -> list[tuple[float, float]]:
        """(time, value) of "cpu" (cores) or "memory" (bytes) of one instance."""
        ring = self._instances.get((node_id, instance_id))
        points = ring.points(since) if ring is not None else []
        return _series(points, INSTANCE_CHANNELS.index(channel))

    def stored_points(self) -> int:
        """Every point held, nodes and instances: the figure the memory bound is about."""
        return sum(r.stored() for r in self._nodes.values()) + sum(r.stored() for r in self._instances.values())

    # --- internals -----------------------------------------------------------------------------

    def _node_ring(self, node_id: str) -> Ring:
        ring = self._nodes.get(node_id)
        if ring is None:
            ring = self._nodes[node_id] = Ring(len(NODE_CHANNELS), _U16, self.fine_capacity)
        return ring

    def _instance_ring(self, node_id: str, instance_id: str) -> Ring:
        ring = self._instances.get((node_id, instance_id))
        if ring is None:
            ring = self._instances[(node_id, instance_id)] = Ring(len(INSTANCE_CHANNELS), _F32, self.fine_capacity)
        return ring


def _percent(used: int | float | None, total: int | float | None) -> float | None:
    if used is None or not total or total <= 0:
        return None
    return 100.0 * used / total


def _series(points: list[Point], channel: int) -> list[tuple[float, float]]:
    out = []
    for p in points:
        v = p.values[channel]
        if v is not None:
            out.append((p.time, v))
    return out
