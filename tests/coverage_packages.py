"""Coverage per package (``ocv_desktop.providers``, ``ocv_desktop.transport`` ...), one table.

coverage.py reports per file or in total; the question CI asks is "which layer is tested", so this
sums the statements per package. As a pytest plugin (loaded by tests/conftest.py) it prints the
table at the end of a run made with ``--cov`` (pytest-cov; config in pyproject.toml
[tool.coverage.*]). As a script it reads a data file: ``python -m tests.coverage_packages [.coverage]``.
"""

from __future__ import annotations

import sys
from collections import defaultdict
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def package_table(data_file: str | Path = ROOT / ".coverage") -> list[tuple[str, int, int]]:
    """(package, statements, missed) per package under ocv_desktop, plus a TOTAL row."""
    import coverage

    cov = coverage.Coverage(data_file=str(data_file), config_file=str(ROOT / "pyproject.toml"))
    cov.load()
    totals: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    # Every module of the package, imported by the tests or not (one never imported counts as missed).
    for path in sorted((ROOT / "ocv_desktop").rglob("*.py")):
        parts = path.relative_to(ROOT).parts
        package = ".".join(parts[:2]) if len(parts) > 2 else "ocv_desktop"
        _, statements, _, missing, _ = cov.analysis2(str(path))
        totals[package][0] += len(statements)
        totals[package][1] += len(missing)
    rows = [(name, s, m) for name, (s, m) in sorted(totals.items())]
    rows.append(("TOTAL", sum(s for _, s, _ in rows), sum(m for _, _, m in rows)))
    return rows


def format_table(rows: list[tuple[str, int, int]]) -> str:
    lines = [f"{'package':<28} {'stmts':>6} {'miss':>6} {'cover':>6}"]
    for name, statements, missed in rows:
        percent = 100.0 * (statements - missed) / statements if statements else 100.0
        lines.append(f"{name:<28} {statements:>6} {missed:>6} {percent:>5.0f}%")
    return "\n".join(lines)


@pytest.hookimpl(trylast=True)
def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter, config: pytest.Config) -> None:
    if not config.pluginmanager.hasplugin("_cov") or not getattr(config.option, "cov_source", None):
        return
    data = ROOT / ".coverage"
    if not data.exists():
        return
    terminalreporter.write_sep("-", "coverage per package")
    terminalreporter.write_line(format_table(package_table(data)))


if __name__ == "__main__":
    print(format_table(package_table(sys.argv[1] if len(sys.argv) > 1 else ROOT / ".coverage")))
