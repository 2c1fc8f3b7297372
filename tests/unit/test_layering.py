"""Dependency rules of DESIGN.md: only ``ocv_desktop/ui`` touches Qt; ``core`` imports nothing of ours.

Checked twice: statically (every import statement in the source, lazy ones inside functions
included) and at run time (import the engine in a fresh interpreter and look at sys.modules).
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import ocv_desktop

PACKAGE = Path(ocv_desktop.__file__).parent
QT_MODULES = ("PySide6", "shiboken6", "qasync", "PyQt5", "PyQt6", "PySide2")
NOT_FOR_CORE = ("store", "transport", "providers", "health", "ui", "services", "cli")


def imported_names(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level:
            raise AssertionError(f"{path}: relative import; use absolute ocv_desktop.* imports")
    return names


def python_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*.py") if "__pycache__" not in p.parts)


def test_no_module_outside_ui_imports_qt() -> None:
    offenders = []
    for path in python_files(PACKAGE):
        if path.relative_to(PACKAGE).parts[0] == "ui":
            continue
        for name in imported_names(path):
            if name.split(".")[0] in QT_MODULES:
                offenders.append(f"{path.relative_to(PACKAGE.parent)} imports {name}")
    assert offenders == []


def test_core_imports_nothing_of_ours_outside_core() -> None:
    offenders = []
    for path in python_files(PACKAGE / "core"):
        for name in imported_names(path):
            parts = name.split(".")
            if parts[0] == "ocv_desktop" and len(parts) > 1 and parts[1] in NOT_FOR_CORE:
                offenders.append(f"{path.relative_to(PACKAGE.parent)} imports {name}")
    assert offenders == []


PROBE = """
import importlib, json, sys
errors = {}
for name in sys.argv[1:]:
    try:
        importlib.import_module(name)
    except Exception as e:
        errors[name] = f"{type(e).__name__}: {e}"
print(json.dumps({"modules": sorted(sys.modules), "errors": errors}))
"""


def module_names(*subpackages: str) -> list[str]:
    """Dotted names of every module under the given subpackages (or single modules), from the
    file tree, so that listing them imports nothing."""
    names = []
    for sub in subpackages:
        single = PACKAGE / f"{sub}.py"
        if single.exists():
            names.append(f"ocv_desktop.{sub}")
            continue
        for path in python_files(PACKAGE / sub):
            parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
            names.append(".".join(parts[:-1] if parts[-1] == "__init__" else parts))
    return names


def import_in_fresh_interpreter(names: list[str]) -> tuple[set[str], dict[str, str]]:
    result = subprocess.run(
        [sys.executable, "-c", PROBE, *names], capture_output=True, text=True, check=True, timeout=120
    )
    data = json.loads(result.stdout)
    return set(data["modules"]), data["errors"]


def test_the_engine_and_cli_run_without_qt() -> None:
    names = module_names("core", "store", "transport", "providers", "health", "services", "cli", "app")
    modules, errors = import_in_fresh_interpreter(names)
    assert errors == {}
    assert "ocv_desktop.cli.nodes" in modules and "ocv_desktop.store.secrets" in modules
    assert sorted(m for m in modules if m.split(".")[0] in QT_MODULES) == []


def test_core_loads_nothing_of_ours_outside_core() -> None:
    modules, errors = import_in_fresh_interpreter(module_names("core"))
    assert errors == {}
    assert "ocv_desktop.core.models" in modules
    ours = sorted(m for m in modules if m.startswith("ocv_desktop.") and m.split(".")[1] in NOT_FOR_CORE)
    assert ours == []


# DESIGN.md: arrows point down only: app -> (ui | cli) -> services -> health -> providers ->
# transport -> store -> core. ui and cli sit side by side on top and never import each other (app.py
# hands the CLI its GUI); services holds what both use.
LAYER_RANK = {"core": 0, "store": 1, "transport": 2, "providers": 3, "health": 4, "services": 5, "ui": 6, "cli": 6}


def test_imports_point_down_the_layers_only() -> None:
    offenders = []
    for path in python_files(PACKAGE):
        layer = path.relative_to(PACKAGE).parts[0]
        if layer not in LAYER_RANK:  # app.py, __main__.py, __init__.py: the entry points
            continue
        for name in imported_names(path):
            parts = name.split(".")
            if parts[0] != "ocv_desktop" or len(parts) < 2 or parts[1] not in LAYER_RANK:
                continue
            if LAYER_RANK[parts[1]] > LAYER_RANK[layer]:
                offenders.append(f"{path.relative_to(PACKAGE.parent)} ({layer}) imports {name}")
    assert offenders == []


def test_cli_and_ui_never_import_each_other() -> None:
    offenders = []
    for layer, other in (("cli", "ui"), ("ui", "cli")):
        for path in python_files(PACKAGE / layer):
            for name in imported_names(path):
                if name.startswith(f"ocv_desktop.{other}.") or name == f"ocv_desktop.{other}":
                    offenders.append(f"{path.relative_to(PACKAGE.parent)} imports {name}")
    assert offenders == []
