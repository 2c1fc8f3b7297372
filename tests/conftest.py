"""Suite-wide settings. Qt runs offscreen and qasync uses PySide6 in every test process."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QT_API", "pyside6")
