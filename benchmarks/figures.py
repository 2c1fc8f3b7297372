"""The timing figures the tests print instead of asserting (tests/figures.py), as one table.

    sudo .venv/bin/python benchmarks/figures.py [pytest node ids or paths ...]

Runs the tests that measure a duration (default: every test function that calls ``figure``) with
``pytest -s`` and prints each ``BENCH`` line they wrote: the event-loop lag while 300 containers are
listed, the health round with a black-holed node, window close, bulk stop, docker listing of 200
containers, ... A script that prints numbers, not a test: nothing is compared to a bound, so a busy
machine makes the numbers worse, never the suite red. Needs the lab (root), like the tests.
"""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.figures import PREFIX  # noqa: E402


def tests_with_figures() -> list[str]:
    """The node id of every test function that prints a figure."""
    found = []
    for path in sorted((ROOT / "tests").rglob("test_*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for fn in tree.body:
            if not isinstance(fn, ast.FunctionDef | ast.AsyncFunctionDef) or not fn.name.startswith("test_"):
                continue
            calls = [n for n in ast.walk(fn) if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)]
            if any(call.func.id == "figure" for call in calls):
                found.append(f"{path.relative_to(ROOT)}::{fn.name}")
    return found


def main(argv: list[str]) -> int:
    targets = argv or tests_with_figures()
    cmd = [sys.executable, "-m", "pytest", "-q", "-s", "-p", "no:cacheprovider", *targets]
    print("running:", " ".join(cmd), flush=True)
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, check=False)
    rows = [line[len(PREFIX) :] for line in proc.stdout.splitlines() if line.startswith(PREFIX)]
    width = max((len(r.rsplit(":", 1)[0]) for r in rows), default=0)
    for row in rows:
        name, value = row.rsplit(":", 1)
        print(f"{name:<{width}}  {value.strip()}")
    summary = [line for line in proc.stdout.splitlines() if re.search(r"\b(passed|failed|error)", line)]
    print(summary[-1] if summary else proc.stdout[-2000:] + proc.stderr[-2000:])
    return proc.returncode


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
