"""The app's icons: hand-made SVGs in ``ui/resources/icons`` (no copied logos).

Platform icons differ in shape *and* colour (Docker: blue square, LXD: orange hexagon, Incus:
green circle, Proxmox: purple shield), so they stay apart for colour-blind users and at 16 px.
Action icons are coloured glyphs that read on light and dark backgrounds alike.

Icons are made on first use (a QIcon needs the QGuiApplication) and cached.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from PySide6.QtGui import QIcon

from ocv_desktop.core.models import Platform
from ocv_desktop.ui.resources import ICON_DIR

ACTION_ICONS = ("start", "stop", "restart", "delete", "refresh", "key", "terminal", "add", "import", "edit", "create")
APP_ICON_FILE = ICON_DIR / "ocv-desktop.svg"  # also installed as the desktop entry's icon
PLATFORM_NAMES = {  # product names, shown next to the platform icons; not translated
    Platform.DOCKER: "Docker",
    Platform.LXD: "LXD",
    Platform.INCUS: "Incus",
    Platform.PROXMOX: "Proxmox VE",
}


def icon_file(stem: str) -> Path:
    path = ICON_DIR / f"{stem}.svg"
    if not path.is_file():
        raise FileNotFoundError(f"icon {stem!r} is missing: {path} (is ocv_desktop installed with its package data?)")
    return path


@cache
def _icon(stem: str) -> QIcon:
    return QIcon(str(icon_file(stem)))


def platform_icon(platform: Platform) -> QIcon:
    return _icon(f"platform-{Platform(platform).value}")


def app_icon() -> QIcon:
    return _icon(APP_ICON_FILE.stem)


def action_icon(name: str) -> QIcon:
    """One of ``ACTION_ICONS``; anything else is a programming error (ValueError)."""
    if name not in ACTION_ICONS:
        raise ValueError(f"no action icon {name!r}; there are: {', '.join(ACTION_ICONS)}")
    return _icon(f"action-{name}")
