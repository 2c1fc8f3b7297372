"""Timing figures a test measures but must not assert (DESIGN.md: "a benchmark is a script that
prints numbers, not a timed test that can flake").

A test asserts order, counts and behaviour; where a duration is still worth watching it calls
``figure("what", seconds)``, which prints one ``BENCH`` line. ``benchmarks/figures.py``
(``make bench``) runs those tests and prints every figure as a table; nothing compares them to a bound.
"""

from __future__ import annotations

PREFIX = "BENCH "


def figure(name: str, value: float, unit: str = "s") -> None:
    """Print one figure for the benchmark run (visible with ``pytest -s``)."""
    print(f"\n{PREFIX}{name}: {value:.4f} {unit}", flush=True)
