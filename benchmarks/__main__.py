"""``make bench`` / ``python -m benchmarks``: every figure of issue 15 against its baseline.

    .venv/bin/python -m benchmarks [--rounds N] [--rows 20000] [--only startup,table,stall,rss,lab,console]

Startup figures time whole processes from launch; the table, stall and memory figures run in a
fresh child process per sample (benchmarks/worker.py), alternated with their baseline; the lab
figures (root) start real sshd and dockerd (benchmarks/lab.py); the console figure (root) types
into the in-window terminal over the lab's sshd (benchmarks/console_echo.py). A script that prints numbers,
never a test: a busy machine makes the numbers worse, never a suite red.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.common import ROOT, Row, Series, machine_line, print_rows, worker

BIN = Path(sys.executable).parent


def timed(argv: list[str]) -> float:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    t0 = time.perf_counter()
    subprocess.run(  # noqa: S603 - our own fixed argv
        argv,
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=env,
        cwd=ROOT,
    )
    return time.perf_counter() - t0


def until_line(argv: list[str], marker: str) -> float:
    """Seconds from launch until ``marker`` appears on stderr; then the process is ended by PID."""
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    t0 = time.perf_counter()
    proc = subprocess.Popen(  # noqa: S603 - our own fixed argv
        argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=env, cwd=ROOT
    )
    try:
        assert proc.stderr is not None
        for line in proc.stderr:
            if marker in line:
                return time.perf_counter() - t0
        raise RuntimeError(f"{argv} exited ({proc.wait()}) before {marker!r}")
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def startup(rounds: int) -> list[Row]:
    from benchmarks import synthetic

    app = str(BIN / "ocv-desktop")
    py = sys.executable
    with tempfile.TemporaryDirectory(prefix="ocv-bench-") as tmp:
        empty = str(Path(tmp) / "empty")
        fifty = synthetic.write_home(Path(tmp) / "fifty", synthetic.dead_nodes(50))
        cases = {
            "pass": [py, "-c", "pass"],
            "version": [app, "--version"],
            "nodes": [app, "--home", str(fifty.root), "nodes", "list"],
        }
        paint = {
            "bare": ([py, "-m", "benchmarks.bare_window"], "shown"),
            "ours": ([app, "--home", empty, "-v"], "main window shown"),
        }
        got = {name: Series() for name in [*cases, *paint]}
        for argv in cases.values():  # warm the page cache, not measured
            timed(argv)
        for argv, marker in paint.values():
            until_line(argv, marker)
        for _ in range(rounds):
            for name, argv in cases.items():
                got[name].add(timed(argv))
            for name, (argv, marker) in paint.items():
                got[name].add(until_line(argv, marker))
    return [
        Row(
            "first paint vs a bare PySide6 window with a tree and a table",
            "<= 1.5x",
            got["ours"],
            got["bare"],
            limit=1.5,
        ),
        Row("`ocv-desktop --version` vs `python -c pass`", "<= 3x", got["version"], got["pass"], limit=3),
        Row("`nodes list` (50 nodes) vs `python -c pass`", "<= 5x", got["nodes"], got["pass"], limit=5),
    ]


def table(rounds: int, count: int) -> list[Row]:
    ours = {k: Series() for k in ("load", "refresh", "refresh_stall", "sort")}
    base = {k: Series() for k in ours}
    for _ in range(rounds):
        for which, into in (("base", base), ("ours", ours)):
            result = worker("table", which, str(count))
            for key, series in into.items():
                series.add(result[key])
    return [
        Row(
            f"table: first load of {count} rows, 1 node, vs a minimal QAbstractTableModel",
            "<= 1.5x",
            ours["load"],
            base["load"],
            limit=1.5,
        ),
        Row(
            f"table: refresh with every row changed, {count} rows",
            "<= 1.5x",
            ours["refresh"],
            base["refresh"],
            limit=1.5,
        ),
        Row(
            f"table: refresh with every row changed, {count} rows: worst loop stall",
            "<= 50 ms",
            ours["refresh_stall"],
            unit="ms",
            limit=0.050,
            note=f"the minimal model's one-shot dataChanged stalls {base['refresh_stall'].text('ms')}",
        ),
        Row(f"table: header sort at {count} rows vs QStandardItemModel", "<= 2x", ours["sort"], base["sort"], limit=2),
    ]


def stall(rounds: int) -> list[Row]:
    rows = []
    for n in (50, 200):
        series = Series()
        for _ in range(rounds):
            series.add(worker("stall", str(n))["stall"])
        rows.append(
            Row(
                f"event-loop stall in the 3 s after first paint, {n} dead nodes",
                "<= 50 ms",
                series,
                unit="ms",
                limit=0.050,
            )
        )
    return rows


def rss(rounds: int) -> list[Row]:
    ours, bare = Series(), Series()
    for _ in range(rounds):
        bare.add(worker("rss", "bare")["rss"] / 2**20)
        ours.add(worker("rss", "ours")["rss"] / 2**20)
    return [
        Row(
            "RSS, 50 nodes / 5,000 instances (vs the bare window)",
            "<= 180 MB",
            ours,
            bare,
            unit="MB",
            limit=180,
            absolute=True,
            note="goal is absolute; the ratio is for scale",
        )
    ]


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--only", default="startup,table,stall,rss,lab,console")
    args = parser.parse_args(argv)
    parts = set(args.only.split(","))
    print(machine_line(), "at the start; the machine is shared, so expect noise", flush=True)
    rows: list[Row] = []
    if "startup" in parts:
        rows += startup(args.rounds)
        print_rows(rows[-3:], "start-up")
    if "table" in parts:
        rows += (got := table(max(3, args.rounds - 2), args.rows))
        print_rows(got, "instance table (synthetic instances, offscreen)")
    if "stall" in parts:
        rows += (got := stall(max(3, args.rounds - 2)))
        print_rows(got, "first paint on dead nodes (the real window; nodes on closed loopback ports)")
    if "rss" in parts:
        rows += (got := rss(3))
        print_rows(got, "memory")
    if "lab" in parts:
        if os.geteuid() != 0:
            print("\nlab figures skipped: they start lab servers (run as root)")
        else:
            from benchmarks import lab

            rows += (got := lab.run(args.rounds))
            print_rows(got[1:], "node side, real lab")
    if "console" in parts:
        if os.geteuid() != 0:
            print("\nconsole figure skipped: it starts a lab sshd (run as root)")
        else:
            from benchmarks import console_echo

            rows += (got := console_echo.run())
            print_rows(got, "in-window terminal, real lab sshd")
    missed = [r.name for r in rows if r.verdict() == "NOT met"]
    print(f"\n{machine_line()} at the end; {len(rows) - len(missed)} of {len(rows)} rows at or under their goal")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
