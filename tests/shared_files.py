"""Where the team's shared references and specs are (``../shared`` beside the checkout).

A CI clone may live elsewhere (e.g. under /tmp) on a machine that still has the shared folder at
its usual place, so look in order: ``$OCV_SHARED``, ``<repo>/../shared``, ``/work/shared``. Tests that
need these files skip with the path they looked at when none exists.
"""

from __future__ import annotations

import os
from pathlib import Path

_REPO = Path(__file__).resolve().parents[1]


def _find_shared() -> Path:
    candidates = [os.environ.get("OCV_SHARED"), _REPO.parent / "shared", "/work/shared"]
    for candidate in candidates:
        if candidate and (Path(candidate) / "specs").is_dir():
            return Path(candidate)
    return _REPO.parent / "shared"


SHARED = _find_shared()
SPECS = Path(os.environ.get("OCV_SHARED_SPECS", SHARED / "specs"))
REFERENCE = SHARED / "reference"
