"""Prints how long ocv-desktop takes from launch to its first window, for several installs side by
side (a script, not a test: numbers, no asserts). Runs alternate between the installs, so a busy
machine slows them alike; each figure is also given as a ratio to the first install.

    .venv/bin/python benchmarks/first_window.py [--rounds N] NAME=COMMAND [NAME=COMMAND ...]
    e.g.  venv=.venv/bin/ocv-desktop  deb=/usr/bin/ocv-desktop  bundle=dist/ocv-desktop/ocv-desktop

"First window" is the log line the GUI writes once its main window is shown ("main window shown",
stderr with -v), offscreen, with an empty home: start-up cost only, no node contacted.
"""

from __future__ import annotations

import argparse
import os
import signal
import statistics
import subprocess
import tempfile
import time


def first_window(command: str, home: str) -> float:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    start = time.perf_counter()
    proc = subprocess.Popen(
        [command, "--home", home, "-v"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=env
    )
    try:
        assert proc.stderr is not None
        for line in proc.stderr:
            if "main window shown" in line:
                return time.perf_counter() - start
        raise RuntimeError(f"{command} exited ({proc.wait()}) before showing its window")
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("installs", nargs="+", metavar="NAME=COMMAND")
    args = parser.parse_args()
    installs = dict(item.split("=", 1) for item in args.installs)
    times: dict[str, list[float]] = {name: [] for name in installs}
    with tempfile.TemporaryDirectory() as home:
        for command in installs.values():  # warm the page cache once, not measured
            first_window(command, home)
        for _ in range(args.rounds):
            for name, command in installs.items():
                times[name].append(first_window(command, home))
    base = statistics.median(next(iter(times.values())))
    print(f"first window, offscreen, {args.rounds} rounds alternated (seconds: min / median / max, ratio of medians)")
    for name, values in times.items():
        median = statistics.median(values)
        print(f"  {name:10} {min(values):.3f} / {median:.3f} / {max(values):.3f}   x{median / base:.2f}")


if __name__ == "__main__":
    main()
