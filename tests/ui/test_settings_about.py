"""Settings (issue 14, item 6) and Help -> About (item 7) through the window: a changed health
interval lands in config.yaml and reaches the monitor; a theme is applied live; a value the config
would refuse is refused in the dialog; About names the version, the keyring and the home."""

from __future__ import annotations

import shiboken6
from PySide6.QtWidgets import QApplication, QComboBox, QDoubleSpinBox, QLabel, QPushButton

from ocv_desktop import __version__
from ocv_desktop.store.config import load_config
from ocv_desktop.ui.theme import is_dark
from tests.ui.window_fixtures import child, find_dialog


def closed(dialog) -> bool:
    return not shiboken6.isValid(dialog) or not dialog.isVisible()


def test_settings_change_the_health_interval_in_config_yaml(qtbot, open_window):
    it = open_window([])
    action = it.window.actions_.settings
    assert action.shortcut().toString() == "Ctrl+,"
    action.trigger()
    dialog = find_dialog(qtbot, "settingsDialog")
    child(dialog, QDoubleSpinBox, "healthIntervalSpin").setValue(45)
    child(dialog, QDoubleSpinBox, "clipboardClearSpin").setValue(20)
    language = child(dialog, QComboBox, "languageCombo")
    language.setCurrentIndex(language.findData("zh_CN"))
    assert child(dialog, QLabel, "restartHint").isVisibleTo(dialog)
    theme = child(dialog, QComboBox, "themeCombo")
    theme.setCurrentIndex(theme.findData("dark"))
    assert is_dark(QApplication.palette())  # live, before saving
    terminal = child(dialog, QComboBox, "terminalCombo")
    assert terminal.currentData() == "builtin"  # the default: consoles in the window
    terminal.setCurrentIndex(terminal.findData("external"))
    child(dialog, QPushButton, "saveButton").click()
    qtbot.waitUntil(lambda: closed(dialog), timeout=10_000)

    saved = load_config(it.home.config_file).settings
    assert (saved.health_interval, saved.clipboard_clear_seconds, saved.language, saved.theme, saved.terminal) == (
        45.0,
        20.0,
        "zh_CN",
        "dark",
        "external",
    )
    assert it.ws.monitor.settings.interval == 45.0
    # back to the system look for the tests that follow, through the dialog again
    action.trigger()
    dialog = find_dialog(qtbot, "settingsDialog")
    theme = child(dialog, QComboBox, "themeCombo")
    theme.setCurrentIndex(theme.findData("system"))
    child(dialog, QPushButton, "saveButton").click()
    qtbot.waitUntil(lambda: closed(dialog), timeout=10_000)
    assert load_config(it.home.config_file).settings.theme == "system"


def test_cancel_puts_the_theme_back_and_saves_nothing(qtbot, open_window):
    it = open_window([])
    before = it.home.config_file.read_text()
    it.window.actions_.settings.trigger()
    dialog = find_dialog(qtbot, "settingsDialog")
    theme = child(dialog, QComboBox, "themeCombo")
    theme.setCurrentIndex(theme.findData("dark"))
    assert is_dark(QApplication.palette())
    child(dialog, QDoubleSpinBox, "healthIntervalSpin").setValue(99)
    child(dialog, QPushButton, "cancelButton").click()
    assert not is_dark(QApplication.palette())
    assert it.home.config_file.read_text() == before


def test_about_names_version_keyring_and_home(qtbot, open_window):
    it = open_window([])
    it.window.actions_.about.trigger()
    dialog = find_dialog(qtbot, "aboutDialog")
    assert child(dialog, QLabel, "versionLabel").text() == __version__
    assert child(dialog, QLabel, "homeLabel").text() == str(it.home.root)
    assert it.secrets.backend_name in child(dialog, QLabel, "keyringLabel").text() or not it.secrets.persistent
    assert "ocv-desktop.log" in child(dialog, QLabel, "logLink").text()
    assert it.window.findChild(type(it.window.actions_.about), "actionOpenLogFolder") is not None
    dialog.reject()
