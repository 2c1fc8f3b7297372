"""Pictures of the node tooltip's sparklines and the node details view in light, dark and zh_CN
(tests/ui/history_screenshots.py makes them, in a process of its own per variant), saved under
test-artifacts/history/ for a human to look at. Checked here: every picture was made, the tooltip
carries its four sparklines, and the zh_CN variant really is Chinese."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts" / "history"
VARIANTS = {
    "light": ("en_US", "light"),
    "dark": ("en_US", "dark"),
    "zh_CN": ("zh_CN", "light"),
}


@pytest.mark.parametrize("variant", list(VARIANTS))
def test_history_pictures(variant: str) -> None:
    language, theme = VARIANTS[variant]
    out = ARTIFACTS / variant
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "QT_API": "pyside6", "OCV_DESKTOP_LANG": language}
    proc = subprocess.run(
        [sys.executable, "-m", "tests.ui.history_screenshots", str(out), theme],
        check=False, capture_output=True, text=True, env=env, cwd=ROOT, timeout=300,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-3000:]
    facts = json.loads(proc.stdout.strip().splitlines()[-1])
    assert facts["tooltip_images"] == 4
    for name in ("node-tooltip", "node-details", "node-details-hour"):
        assert (out / f"{name}.png").stat().st_size > 2000
    assert facts["node-details"]["width"] >= 700
    title = facts["node-details"]["title"]
    assert ("节点详情" in title) == (language == "zh_CN"), title
