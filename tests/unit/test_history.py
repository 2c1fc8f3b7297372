"""Resource history (services/history.py): what a round records, the averaging into coarse buckets,
the bound over 24 h for 200 nodes, instances, and the Proxmox backfill."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from ocv_desktop.core.models import HealthReport, Instance, InstanceStatus, Resources, ResourceSample
from ocv_desktop.services.history import BUCKET, COARSE_CAPACITY, NODE_CHANNELS, History

GiB = 2**30
T0 = 1_800_000_000.0  # a bucket boundary (divisible by 900)


def report(node: str, at: float, busy: int | None = None, total: int | None = None, **kw: object) -> HealthReport:
    res = Resources(
        cpu_cores=4,
        memory_total=8 * GiB,
        memory_used=kw.get("mem", 2 * GiB),  # type: ignore[arg-type]
        disk_total=100 * GiB,
        disk_free=kw.get("free", 75 * GiB),  # type: ignore[arg-type]
        load1=kw.get("load", 0.5),  # type: ignore[arg-type]
        cpu_busy_ticks=busy,
        cpu_total_ticks=total,
    )
    return HealthReport(node_id=node, resources=res, checked_at=datetime.fromtimestamp(at, UTC))


def test_a_round_records_percentages_and_cpu_from_two_rounds_of_ticks() -> None:
    h = History(interval=30)
    assert h.record_health(report("n", T0, busy=1000, total=4000))
    assert h.record_health(report("n", T0 + 30, busy=1300, total=5000, mem=4 * GiB, load=1.25))
    first, second = h.node_points("n")
    assert first.values == (None, 25.0, 25.0, 0.5)  # no CPU % from one round of counters
    assert second.values == (30.0, 50.0, 25.0, 1.25)  # 300 busy of 1000 ticks
    assert h.node_series("n", "cpu") == [(T0 + 30, 30.0)]
    latest = h.node_latest("n")
    assert latest is not None and latest.memory_total == 8 * GiB and latest.cpu_cores == 4


def test_counters_that_went_back_give_no_cpu_and_a_report_without_resources_nothing() -> None:
    h = History()
    h.record_health(report("n", T0, busy=5000, total=9000))
    h.record_health(report("n", T0 + 30, busy=10, total=100))  # the node rebooted
    assert [p.values[0] for p in h.node_points("n")] == [None, None]
    assert not h.record_health(HealthReport(node_id="n", checked_at=datetime.fromtimestamp(T0 + 60, UTC)))
    assert len(h.node_points("n")) == 2
    h.record_health(report("n", T0 + 20))  # older than the newest: not history
    assert len(h.node_points("n")) == 2


def test_older_points_are_averaged_per_bucket_and_the_newest_kept_as_they_came() -> None:
    h = History(interval=30)
    # 2 h of rounds, the load going 0.00, 0.01, 0.02, ... (one step per round)
    rounds = int(2 * 3600 / 30)
    for i in range(rounds):
        h.record_health(report("n", T0 + 30 * i, load=i / 100))
    points = h.node_points("n")
    fine = [p for p in points if p.time >= T0 + 30 * (rounds - h.fine_capacity)]
    coarse = points[: len(points) - len(fine)]
    assert len(fine) == h.fine_capacity == 60
    assert [p.time for p in fine] == [T0 + 30 * i for i in range(rounds - 60, rounds)]
    # the buckets before the first fine point: 30 rounds each, their mean load
    assert [p.time for p in coarse] == [T0 + BUCKET * b for b in range(len(coarse))]
    assert len(coarse) == 6  # 2 h - 30 min = 90 min = six 15-min buckets
    for b, p in enumerate(coarse):
        mean = sum(range(30 * b, 30 * b + 30)) / 30 / 100
        assert p.values[NODE_CHANNELS.index("load")] == pytest.approx(mean, abs=0.006)


def test_200_nodes_for_24_hours_at_30_seconds_stay_bounded() -> None:
    # (the bytes this holds are measured by benchmarks/history_memory.py, with tracemalloc: tracing
    # every allocation here would make this test ten times slower)
    h = History(interval=30)
    nodes = [f"node-{i}" for i in range(200)]
    rounds = int(24 * 3600 / 30)
    for r in range(rounds):
        at = T0 + 30 * r
        for n, node in enumerate(nodes):
            h.record_health(report(node, at, busy=1000 * r + n, total=4000 * r + 10, load=(r % 100) / 10))
    # per node: the fine ring full (30 min at 30 s) and one coarse point per closed 15-min bucket
    # (24 h = 96 buckets; the 96th is still being averaged), never more than COARSE_CAPACITY
    assert h.fine_capacity == 60
    per_node = 60 + min(COARSE_CAPACITY, rounds * 30 // int(BUCKET) - 1)
    assert h.stored_points() == 200 * per_node == 200 * 155
    # and a second day adds nothing
    for r in range(rounds, rounds + 200):
        for node in nodes:
            h.record_health(report(node, T0 + 30 * r))
    assert h.stored_points() == 200 * (60 + COARSE_CAPACITY)


def test_running_instances_are_recorded_and_deleted_ones_forgotten() -> None:
    h = History()

    def inst(iid: str, status: InstanceStatus, cpu: float | None, mem: int | None) -> Instance:
        return Instance(iid, iid, "n", status, status.value, cpu_usage=cpu, memory_usage=mem)

    listing = [
        inst("a", InstanceStatus.RUNNING, 0.5, 512 * 2**20),
        inst("b", InstanceStatus.STOPPED, None, None),
        inst("c", InstanceStatus.RUNNING, None, None),  # a platform that reports no usage
        inst("d", InstanceStatus.RUNNING, None, 64 * 2**20),
    ]
    assert h.record_instances("n", listing, at=T0) == 2
    assert h.record_instances("n", listing, at=T0 + 30) == 2
    assert h.instance_series("n", "a", "cpu") == [(T0, 0.5), (T0 + 30, 0.5)]
    assert h.instance_series("n", "a", "memory") == [(T0, 512.0 * 2**20), (T0 + 30, 512.0 * 2**20)]
    assert h.instance_series("n", "d", "cpu") == [] and len(h.instance_series("n", "d", "memory")) == 2
    h.record_instances("n", listing[1:], at=T0 + 60)  # "a" was deleted
    assert h.instance_series("n", "a", "cpu") == []
    h.forget("n")
    assert h.stored_points() == 0


def test_backfill_fills_only_the_time_before_the_first_round() -> None:
    h = History()
    start = T0 + 6 * 3600
    h.record_health(report("n", start, load=9.0))
    samples = [
        ResourceSample(time=T0 + 60 * i, cpu_percent=10.0, memory_used=GiB, memory_total=4 * GiB, load1=1.0)
        for i in range(0, 7 * 60)  # 7 h of minutes, the last hour overlapping our own round
    ]
    added = h.backfill_node("n", samples)
    assert added == 6 * 4  # six hours of 15-min buckets before our first point
    points = h.node_points("n")
    assert len(points) == 25
    assert points[0].time == T0 and points[0].values == (10.0, 25.0, None, 1.0)
    assert points[-1].time == start and points[-1].values[3] == 9.0
    assert h.backfill_node("n", samples) == 0  # nothing older left to add


def test_a_node_read_only_through_its_platform_takes_each_new_bucket_of_a_later_backfill() -> None:
    h = History()

    def minutes(first: int, last: int, cpu: float) -> list[ResourceSample]:
        return [ResourceSample(time=T0 + 60 * m, cpu_percent=cpu) for m in range(first, last)]

    assert h.backfill_node("pve", minutes(0, 60, 10.0)) == 4  # one hour: four buckets
    # 30 min later the platform's answer overlaps the first one: only the two new buckets come in,
    # the buckets already held keep their values
    assert h.backfill_node("pve", minutes(30, 90, 50.0)) == 2
    series = h.node_series("pve", "cpu")
    assert [t for t, _ in series] == [T0 + BUCKET * b for b in range(6)]
    assert [v for _, v in series] == [10.0] * 4 + [50.0] * 2
    # never more than a day of buckets, the newest kept
    assert h.backfill_node("pve", minutes(90, 90 + 48 * 60, 20.0)) == COARSE_CAPACITY  # the new day pushes all out
    assert len(h.node_series("pve", "cpu")) == COARSE_CAPACITY
    assert h.node_series("pve", "cpu")[-1][0] == T0 + BUCKET * (6 + 4 * 48 - 1)
