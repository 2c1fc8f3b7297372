"""Issue 15: the GUI does not import the connection libraries on its event loop. Importing the
GUI leaves asyncssh and httpx out; ``warm_imports`` (run on a worker thread after the window is
shown, before the first refresh) brings them and every provider in. Fresh interpreter each."""

from __future__ import annotations

import json
import os
import subprocess
import sys

PROBE = """
import json, sys, threading
import ocv_desktop.ui.main as gui
before = sorted(m for m in ("asyncssh", "httpx") if m in sys.modules)
worker = threading.Thread(target=gui.warm_imports)
worker.start(); worker.join()
after = [m for m in ("asyncssh", "httpx", "ocv_desktop.providers.docker.provider",
         "ocv_desktop.providers.lxd_family.provider", "ocv_desktop.providers.proxmox.provider") if m in sys.modules]
print(json.dumps({"before": before, "after": after}))
"""


def test_the_gui_leaves_connection_libraries_to_the_warm_up_thread() -> None:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    proc = subprocess.run(
        [sys.executable, "-c", PROBE], capture_output=True, text=True, check=True, env=env, timeout=120
    )
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    assert result["before"] == []
    assert len(result["after"]) == 5
