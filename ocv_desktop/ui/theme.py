"""Colours and palettes: health badge and status colours, and light / dark / system mode.

The badge and status colours are mid-tones chosen so that each has at least 3:1 contrast (WCAG's
minimum for graphical objects) against a white view background *and* against the dark palette's
window and view backgrounds below, so one set works in both modes and a badge never vanishes
when the user switches. tests/ui/test_dialogs_theme.py measures it. A status dot is always shown
next to its text, so colour is never the only signal.

Dark mode is Qt's Fusion style with a hand-made dark palette: native styles (Windows "vista",
macOS) draw their own light controls and ignore a dark palette, so ``dark`` switches the style to
Fusion; ``system`` restores the style and palette the application started with, and then follows
the OS: when the desktop switches between light and dark while the app runs (Qt >= 6.5 emits
``QStyleHints.colorSchemeChanged``), ``follow_system_scheme`` re-applies the matching palette live.
Tooltips follow too (``QToolTip`` keeps a palette of its own).
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication, QToolTip

from ocv_desktop.core.models import HealthState, InstanceStatus

THEME_MODES = ("system", "light", "dark")

_GREEN = QColor("#2ea043")
_AMBER = QColor("#d97706")
_RED = QColor("#e5534b")
_GREY = QColor("#808891")
_LIGHT_GREY = QColor("#8c959f")
_BLUE = QColor("#3b82f6")
_PURPLE = QColor("#a371f7")

HEALTH_COLOURS: dict[HealthState, QColor] = {
    HealthState.HEALTHY: _GREEN,
    HealthState.PARTIAL: _AMBER,
    HealthState.UNHEALTHY: _RED,
    HealthState.UNKNOWN: _GREY,  # also "checking": no result yet
}

STATUS_COLOURS: dict[InstanceStatus, QColor] = {
    InstanceStatus.RUNNING: _GREEN,
    InstanceStatus.STOPPED: _GREY,
    InstanceStatus.PAUSED: _BLUE,
    InstanceStatus.FROZEN: _PURPLE,
    InstanceStatus.STARTING: _AMBER,
    InstanceStatus.STOPPING: _AMBER,
    InstanceStatus.ERROR: _RED,
    InstanceStatus.UNKNOWN: _LIGHT_GREY,
}

# The dark palette (the usual Fusion dark scheme). Window is #353535, views #262626.
DARK_WINDOW = QColor("#353535")
DARK_BASE = QColor("#262626")
_DARK_ROLES: dict[QPalette.ColorRole, str] = {
    QPalette.ColorRole.Window: "#353535",
    QPalette.ColorRole.WindowText: "#eeeeee",
    QPalette.ColorRole.Base: "#262626",
    QPalette.ColorRole.AlternateBase: "#2e2e2e",
    QPalette.ColorRole.ToolTipBase: "#202020",
    QPalette.ColorRole.ToolTipText: "#eeeeee",
    QPalette.ColorRole.PlaceholderText: "#8a8a8a",
    QPalette.ColorRole.Text: "#eeeeee",
    QPalette.ColorRole.Button: "#3c3c3c",
    QPalette.ColorRole.ButtonText: "#eeeeee",
    QPalette.ColorRole.BrightText: "#ff6b6b",
    QPalette.ColorRole.Light: "#505050",
    QPalette.ColorRole.Midlight: "#454545",
    QPalette.ColorRole.Mid: "#2b2b2b",
    QPalette.ColorRole.Dark: "#1e1e1e",
    QPalette.ColorRole.Shadow: "#141414",
    QPalette.ColorRole.Highlight: "#2a82da",
    QPalette.ColorRole.HighlightedText: "#ffffff",
    QPalette.ColorRole.Link: "#58a6ff",
    QPalette.ColorRole.LinkVisited: "#a371f7",
}
_DARK_DISABLED: dict[QPalette.ColorRole, str] = {
    QPalette.ColorRole.WindowText: "#7f7f7f",
    QPalette.ColorRole.Text: "#7f7f7f",
    QPalette.ColorRole.ButtonText: "#7f7f7f",
    QPalette.ColorRole.Highlight: "#505050",
    QPalette.ColorRole.HighlightedText: "#a0a0a0",
    QPalette.ColorRole.Base: "#2b2b2b",
}

# What the application looked like before the first apply_palette call ("system" restores it):
# the style name, the palette and the OS colour scheme then, kept per application object.
_system_look: dict[int, tuple[str, QPalette, Qt.ColorScheme]] = {}


def dark_palette() -> QPalette:
    palette = QPalette()
    for role, colour in _DARK_ROLES.items():
        palette.setColor(QPalette.ColorGroup.All, role, QColor(colour))
    for role, colour in _DARK_DISABLED.items():
        palette.setColor(QPalette.ColorGroup.Disabled, role, QColor(colour))
    return palette


def is_dark(palette: QPalette | None = None) -> bool:
    """Whether ``palette`` (default: the application's) has light text on a dark window."""
    palette = palette or QGuiApplication.palette()
    return (
        palette.color(QPalette.ColorRole.WindowText).lightness() > palette.color(QPalette.ColorRole.Window).lightness()
    )


def apply_palette(app: QApplication, mode: str = "system") -> None:
    """Switch the application between ``system`` (what the OS gives), ``light`` and ``dark``."""
    if mode not in THEME_MODES:
        raise ValueError(f"theme mode must be one of {', '.join(THEME_MODES)}, not {mode!r}")
    # what "system" restores, recorded at the first call (the look the app started with)
    _system_look.setdefault(id(app), (app.style().name(), QPalette(app.palette()), _os_scheme(app)))
    hints = app.styleHints()
    app.setProperty("ocvPaletteMode", mode)
    if mode == "system":
        _set_colour_scheme(hints, Qt.ColorScheme.Unknown)  # follow the OS again
        _apply_system(app, _os_scheme(app))
        return
    # Fusion draws every control from the palette, so light and dark look alike everywhere.
    app.setStyle("Fusion")
    if mode == "dark":
        _set_colour_scheme(hints, Qt.ColorScheme.Dark)
        _set_palette(app, dark_palette())
    else:
        _set_colour_scheme(hints, Qt.ColorScheme.Light)
        _set_palette(app, app.style().standardPalette())


def _os_scheme(app: QApplication) -> Qt.ColorScheme:
    getter = getattr(app.styleHints(), "colorScheme", None)  # Qt >= 6.5
    return getter() if getter is not None else Qt.ColorScheme.Unknown


def _set_palette(app: QApplication, palette: QPalette) -> None:
    app.setPalette(palette)
    QToolTip.setPalette(palette)  # tooltips keep their own palette; without this they stay in the old mode


def _apply_system(app: QApplication, scheme: Qt.ColorScheme) -> None:
    """The look for the OS's ``scheme``: what the app started with while the OS is still in the
    scheme it started in, else Fusion with the dark palette or Fusion's light one (an explicit
    palette set at start-up no longer follows the OS by itself)."""
    style_name, system_palette, started_with = _system_look[id(app)]
    if scheme in (started_with, Qt.ColorScheme.Unknown):
        app.setStyle(style_name)
        _set_palette(app, system_palette)
        return
    app.setStyle("Fusion")
    _set_palette(app, dark_palette() if scheme == Qt.ColorScheme.Dark else app.style().standardPalette())


def system_scheme_changed(app: QApplication, scheme: Qt.ColorScheme) -> None:
    """The OS switched between light and dark: follow it when the mode is ``system`` (a chosen
    light or dark stays as chosen)."""
    if (app.property("ocvPaletteMode") or "system") != "system" or id(app) not in _system_look:
        return
    _apply_system(app, scheme)


def follow_system_scheme(app: QApplication) -> None:
    """Watch the OS colour scheme for the rest of the run (Qt >= 6.5; older Qt cannot tell)."""
    signal = getattr(app.styleHints(), "colorSchemeChanged", None)
    if signal is not None and not app.property("ocvFollowsScheme"):
        signal.connect(lambda scheme: system_scheme_changed(app, scheme))
        app.setProperty("ocvFollowsScheme", True)


def _set_colour_scheme(hints: object, scheme: Qt.ColorScheme) -> None:
    # QStyleHints.setColorScheme exists from Qt 6.8 (lets native title bars follow the mode).
    setter = getattr(hints, "setColorScheme", None)
    if setter is not None:
        setter(scheme)


def status_text(status: InstanceStatus) -> str:
    """The translated word for an instance status (shown next to its coloured dot)."""
    texts = {
        InstanceStatus.RUNNING: QCoreApplication.translate("Status", "running"),
        InstanceStatus.STOPPED: QCoreApplication.translate("Status", "stopped"),
        InstanceStatus.PAUSED: QCoreApplication.translate("Status", "paused"),
        InstanceStatus.FROZEN: QCoreApplication.translate("Status", "frozen"),
        InstanceStatus.STARTING: QCoreApplication.translate("Status", "starting"),
        InstanceStatus.STOPPING: QCoreApplication.translate("Status", "stopping"),
        InstanceStatus.ERROR: QCoreApplication.translate("Status", "error"),
        InstanceStatus.UNKNOWN: QCoreApplication.translate("Status", "unknown"),
    }
    return texts[InstanceStatus(status)]


def health_text(state: HealthState) -> str:
    """The translated word for a node's health badge."""
    texts = {
        HealthState.HEALTHY: QCoreApplication.translate("Status", "healthy"),
        HealthState.PARTIAL: QCoreApplication.translate("Status", "degraded"),
        HealthState.UNHEALTHY: QCoreApplication.translate("Status", "unhealthy"),
        HealthState.UNKNOWN: QCoreApplication.translate("Status", "not checked"),
    }
    return texts[HealthState(state)]
