"""Theme colours and palettes, icons, the desktop entry, and resources from a real `pip install`."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QImage, QPalette
from PySide6.QtWidgets import QApplication, QToolTip

from ocv_desktop.core.models import HealthState, InstanceStatus, Platform
from ocv_desktop.ui import icons, theme

ROOT = Path(__file__).resolve().parents[2]


def contrast(a: QColor, b: QColor) -> float:
    """WCAG 2 contrast ratio."""

    def luminance(c: QColor) -> float:
        def channel(v: float) -> float:
            return v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4

        return 0.2126 * channel(c.redF()) + 0.7152 * channel(c.greenF()) + 0.0722 * channel(c.blueF())

    hi, lo = sorted((luminance(a), luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


@pytest.fixture
def restore_palette(qapp: QApplication) -> Iterator[QApplication]:
    yield qapp
    theme.apply_palette(qapp, "system")


def test_every_state_has_a_colour_readable_on_light_and_dark(qapp: QApplication) -> None:
    assert set(theme.HEALTH_COLOURS) == set(HealthState)
    assert set(theme.STATUS_COLOURS) == set(InstanceStatus)
    backgrounds = [QColor("#ffffff"), theme.DARK_WINDOW, theme.DARK_BASE]
    for colour in [*theme.HEALTH_COLOURS.values(), *theme.STATUS_COLOURS.values()]:
        for background in backgrounds:
            assert contrast(colour, background) >= 3.0, (colour.name(), background.name())
    badge = theme.HEALTH_COLOURS
    assert len({badge[s].name() for s in HealthState}) == 4  # four badges, four colours
    assert badge[HealthState.HEALTHY].green() > badge[HealthState.HEALTHY].red()  # green
    assert badge[HealthState.UNHEALTHY].red() > badge[HealthState.UNHEALTHY].green()  # red
    assert theme.status_text(InstanceStatus.RUNNING) == "running"
    assert theme.health_text(HealthState.PARTIAL) == "degraded"


def test_dark_light_and_system_palettes(restore_palette: QApplication) -> None:
    app = restore_palette
    system_style, system_window = app.style().name(), app.palette().color(QPalette.ColorRole.Window)
    theme.apply_palette(app, "dark")
    assert app.style().name().lower() == "fusion"
    palette = app.palette()
    assert palette.color(QPalette.ColorRole.Window) == theme.DARK_WINDOW
    assert palette.color(QPalette.ColorRole.Base) == theme.DARK_BASE
    assert theme.is_dark()
    text, window = palette.color(QPalette.ColorRole.WindowText), palette.color(QPalette.ColorRole.Window)
    assert contrast(text, window) >= 7
    disabled = palette.color(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text)
    assert disabled != palette.color(QPalette.ColorRole.Text)  # disabled fields look disabled

    theme.apply_palette(app, "light")
    assert not theme.is_dark() and app.style().name().lower() == "fusion"
    theme.apply_palette(app, "system")
    assert (app.style().name(), app.palette().color(QPalette.ColorRole.Window)) == (system_style, system_window)
    with pytest.raises(ValueError, match="system, light, dark"):
        theme.apply_palette(app, "solarized")


def _rendered(icon_image: QImage) -> set[int]:
    return {icon_image.pixel(x, y) for x in range(icon_image.width()) for y in range(icon_image.height())}


def test_icons_render_and_platforms_are_told_apart(qapp: QApplication) -> None:
    images = {}
    for platform in Platform:
        image = icons.platform_icon(platform).pixmap(32, 32).toImage()
        assert len(_rendered(image)) > 10, platform  # drawn, not empty or a single colour
        images[platform] = image
    assert len({bytes(img.constBits()) for img in images.values()}) == len(Platform)
    for name in icons.ACTION_ICONS:
        assert len(_rendered(icons.action_icon(name).pixmap(24, 24).toImage())) > 5, name
    assert not icons.app_icon().isNull()
    with pytest.raises(ValueError, match="no action icon 'launch'"):
        icons.action_icon("launch")


def test_desktop_entry_is_valid_and_names_the_installed_icon() -> None:
    entry = ROOT / "resources" / "ocv-desktop.desktop"
    validator = shutil.which("desktop-file-validate")
    if validator is None:
        pytest.fail("desktop-file-validate is missing: run scripts/install-system-deps.sh (desktop-file-utils)")
    proc = subprocess.run([validator, str(entry)], capture_output=True, text=True, check=False)
    assert proc.returncode == 0 and proc.stdout == "", proc.stdout + proc.stderr
    lines = entry.read_text(encoding="utf-8").splitlines()
    assert "Exec=ocv-desktop" in lines  # the console script of pyproject.toml
    assert f"Icon={icons.APP_ICON_FILE.stem}" in lines


@pytest.mark.slow
def test_a_non_editable_install_finds_icons_and_translations(tmp_path: Path) -> None:
    """Build the wheel like `pip install .` does, install it into a fresh venv and load the
    resources from there (not from this checkout)."""
    wheels = tmp_path / "wheels"
    # With build isolation, as `pip install .` does: pip fetches the build requirements of
    # pyproject.toml (setuptools, wheel) from the package index, or its cache.
    build = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(wheels), str(ROOT)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        check=False,
    )
    assert build.returncode == 0, build.stdout[-2000:] + build.stderr[-2000:]
    (wheel,) = wheels.glob("ocv_desktop-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "ocv_desktop/ui/resources/translations/ocv_desktop_zh_CN.qm" in names
    assert {f"ocv_desktop/ui/resources/icons/platform-{p.value}.svg" for p in Platform} <= names

    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    target = subprocess.run(
        [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--no-index", "--target", target, str(wheel)],
        check=True,
        capture_output=True,
    )
    # The dependencies (PySide6, ...) come from this venv, appended after the installed copy.
    Path(target, "zz-deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8")
    probe = """
import os
os.environ["QT_QPA_PLATFORM"] = "offscreen"
import ocv_desktop
from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QApplication
from ocv_desktop.core.models import Platform
from ocv_desktop.ui import icons
from ocv_desktop.ui.i18n import install_translator
app = QApplication([])
assert not icons.platform_icon(Platform.INCUS).pixmap(16, 16).isNull()
install_translator(app, "zh_CN")
print(ocv_desktop.__file__)
print(QCoreApplication.translate("WelcomePanel", "Welcome to ocv-desktop"))
"""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    proc = subprocess.run(
        [python, "-c", probe], capture_output=True, text=True, cwd=tmp_path, env=env, timeout=60, check=False
    )
    assert proc.returncode == 0, proc.stderr
    location, welcome = proc.stdout.splitlines()[-2:]
    assert Path(location).is_relative_to(venv)  # the installed copy, not this checkout
    assert welcome == "欢迎使用 ocv-desktop"


def test_follow_system_flips_the_palette_live_when_the_os_switches(restore_palette: QApplication) -> None:
    """The OS goes dark, then light again, while the app runs in "system" mode: the palette follows,
    tooltips included. A chosen mode ignores the OS. The signal is QStyleHints.colorSchemeChanged
    (Qt >= 6.5); emitted here as the platform would."""
    app = restore_palette
    theme.apply_palette(app, "system")
    theme.follow_system_scheme(app)
    hints = app.styleHints()
    started = hints.colorScheme()
    other = Qt.ColorScheme.Light if started == Qt.ColorScheme.Dark else Qt.ColorScheme.Dark
    was_dark = theme.is_dark()

    hints.colorSchemeChanged.emit(other)
    assert theme.is_dark() is (other == Qt.ColorScheme.Dark) is not was_dark
    assert theme.is_dark(QToolTip.palette()) is theme.is_dark()  # tooltips follow too
    hints.colorSchemeChanged.emit(started)
    assert theme.is_dark() is was_dark

    theme.apply_palette(app, "light")  # chosen: the OS no longer decides
    hints.colorSchemeChanged.emit(Qt.ColorScheme.Dark)
    assert not theme.is_dark()
