"""Which libraries the quick commands import (issue 15: `--version` and `nodes list` must not pay
for libraries they do not use). Each case runs in a fresh interpreter and reports sys.modules."""

from __future__ import annotations

import json
import subprocess
import sys

PROBE = """
import json, sys
from ocv_desktop.app import main
code = main(sys.argv[1:])
print(json.dumps({"code": code, "modules": sorted(sys.modules)}))
"""

HEAVY = ("asyncssh", "httpx", "PySide6", "qasync")


def _modules(*argv: str) -> tuple[int, set[str]]:
    proc = subprocess.run([sys.executable, "-c", PROBE, *argv], capture_output=True, text=True, check=True, timeout=120)
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    return result["code"], set(result["modules"])


def test_version_imports_neither_the_cli_nor_any_library() -> None:
    code, modules = _modules("--version")
    assert code == 0
    ours = {m for m in modules if m.startswith("ocv_desktop")}
    assert ours == {
        "ocv_desktop",
        "ocv_desktop.app",
        "ocv_desktop.core",
        "ocv_desktop.core.errors",
        "ocv_desktop.library_warnings",
    }
    assert not {"keyring", "yaml", "platformdirs", "asyncio", *HEAVY} & {m.split(".")[0] for m in modules}


def test_nodes_list_imports_no_transport_or_gui_library(tmp_path) -> None:
    code, modules = _modules("--home", str(tmp_path / "home"), "nodes", "list")
    assert code == 0
    tops = {m.split(".")[0] for m in modules}
    assert not set(HEAVY) & tops
    assert "ocv_desktop.services.nodes" not in modules  # a listing reads the config; it edits nothing


WINDOW_PROBE = """
import json, sys
from ocv_desktop import cli

class Window:
    def run(self, home):
        print(json.dumps({"home": str(home.root), "modules": sorted(sys.modules)}))
        return 0

sys.exit(cli.main(sys.argv[1:], gui=Window()))
"""


def test_opening_the_window_imports_no_command_module_and_no_keyring(tmp_path) -> None:
    """The window paints before any command is imported or the keyring is opened (issue 15)."""
    home = tmp_path / "home"
    for argv in (["--home", str(home)], ["-vv", f"--home={home}"]):
        proc = subprocess.run(
            [sys.executable, "-c", WINDOW_PROBE, *argv], capture_output=True, text=True, check=True, timeout=120
        )
        result = json.loads(proc.stdout.strip().splitlines()[-1])
        assert result["home"] == str(home)
        modules = set(result["modules"])
        assert not {"ocv_desktop.cli.nodes", "ocv_desktop.cli.instances", "ocv_desktop.cli.enroll"} & modules
        assert "keyring" not in {m.split(".")[0] for m in modules}
