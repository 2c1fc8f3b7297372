"""The settings dialog (``settingsDialog``): health interval, time limits, concurrency, theme,
language and the clipboard clear delay, saved to config.yaml by ``Session.update_settings``
(the config's own validation; a refusal is shown in the dialog, which stays open).

The theme is applied as soon as it is chosen (a preview) and put back on Cancel; the language
takes effect at the next start (every window text is built once), which the dialog says.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from ocv_desktop.core.errors import OcvError
from ocv_desktop.store.config import Settings
from ocv_desktop.ui.dialogs.widgets import FittingDialog, error_colour, set_text_colour, text_label
from ocv_desktop.ui.i18n import available_languages
from ocv_desktop.ui.theme import apply_palette


def _seconds(maximum: float, minimum: float = 1.0) -> QDoubleSpinBox:
    box = QDoubleSpinBox()
    box.setRange(minimum, maximum)
    box.setDecimals(0)
    box.setSuffix(" s")
    return box


class SettingsDialog(FittingDialog):
    def __init__(self, parent: QWidget | None, workspace: Any) -> None:
        super().__init__(parent)
        self.ws = workspace
        self.saved: Settings | None = None
        self._saving = False
        self.setObjectName("settingsDialog")
        self.setWindowTitle(self.tr("Settings"))
        s: Settings = workspace.settings
        self.original = s
        self._build_fields()
        self._show(s)
        self._build_layout()

    def _build_fields(self) -> None:
        self.health_interval = _seconds(86_400)
        self.health_interval.setObjectName("healthIntervalSpin")
        self.health_timeout = _seconds(3600)
        self.health_timeout.setObjectName("healthTimeoutSpin")
        self.connect_timeout = _seconds(3600)
        self.connect_timeout.setObjectName("connectTimeoutSpin")
        self.command_timeout = _seconds(86_400)
        self.command_timeout.setObjectName("commandTimeoutSpin")
        self.concurrency = QSpinBox(objectName="concurrencySpin")
        self.concurrency.setRange(1, 1024)
        self.clipboard = _seconds(3600)
        self.clipboard.setObjectName("clipboardClearSpin")
        self.theme_combo = QComboBox(objectName="themeCombo")
        for value, text in (
            ("system", self.tr("Follow the system")),
            ("light", self.tr("Light")),
            ("dark", self.tr("Dark")),
        ):
            self.theme_combo.addItem(text, value)
        self.terminal_combo = QComboBox(objectName="terminalCombo")
        for value, text in (
            ("builtin", self.tr("In a tab of this window")),
            ("external", self.tr("In my terminal program")),
        ):
            self.terminal_combo.addItem(text, value)
        self.language_combo = QComboBox(objectName="languageCombo")
        self.language_combo.addItem(self.tr("Follow the system"), "")
        self.language_combo.addItem("English", "en_US")
        names = {"zh_CN": "简体中文"}
        for lang in available_languages():
            self.language_combo.addItem(names.get(lang, lang), lang)
        self.restart_hint = QLabel(self.tr("The language changes when ocv-desktop starts next time."))
        self.restart_hint.setObjectName("restartHint")
        self.restart_hint.setWordWrap(False)  # one short line; wrapping left a blank gap above it
        self.restart_hint.hide()
        self.error_label = text_label("", object_name="errorLabel")
        self.error_label.setTextFormat(Qt.TextFormat.PlainText)
        set_text_colour(self.error_label, error_colour(self))
        self.error_label.hide()

    def _build_layout(self) -> None:
        form = QFormLayout()
        form.addRow(self.tr("Health check every:"), self.health_interval)
        form.addRow(self.tr("Health check time limit:"), self.health_timeout)
        form.addRow(self.tr("Nodes checked at once:"), self.concurrency)
        form.addRow(self.tr("Connection time limit:"), self.connect_timeout)
        form.addRow(self.tr("Command time limit:"), self.command_timeout)
        form.addRow(self.tr("Clear copied passwords after:"), self.clipboard)
        form.addRow(self.tr("Theme:"), self.theme_combo)
        form.addRow(self.tr("Open terminals:"), self.terminal_combo)
        form.addRow(self.tr("Language:"), self.language_combo)
        form.addRow("", self.restart_hint)

        self.save_button = QPushButton(self.tr("Save"), objectName="saveButton")
        self.save_button.setDefault(True)
        self.cancel_button = QPushButton(self.tr("Cancel"), objectName="cancelButton")
        self.cancel_button.setAutoDefault(False)
        buttons = QDialogButtonBox()
        buttons.addButton(self.save_button, QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(self.cancel_button, QDialogButtonBox.ButtonRole.RejectRole)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error_label)
        layout.addWidget(buttons)
        self.setMinimumWidth(440)

        self.save_button.clicked.connect(self._save)
        self.cancel_button.clicked.connect(self.reject)
        self.theme_combo.currentIndexChanged.connect(self._preview_theme)
        self.language_combo.currentIndexChanged.connect(
            lambda: self.restart_hint.setVisible(self.language_combo.currentData() != self.original.language)
        )

    def _show(self, s: Settings) -> None:
        self.health_interval.setValue(s.health_interval)
        self.health_timeout.setValue(s.health_timeout)
        self.connect_timeout.setValue(s.connect_timeout)
        self.command_timeout.setValue(s.command_timeout)
        self.concurrency.setValue(s.health_concurrency)
        self.clipboard.setValue(s.clipboard_clear_seconds)
        self.theme_combo.setCurrentIndex(max(0, self.theme_combo.findData(s.theme)))
        self.terminal_combo.setCurrentIndex(max(0, self.terminal_combo.findData(s.terminal)))
        i = self.language_combo.findData(s.language)
        if i < 0:  # a locale we ship nothing for, typed into config.yaml: kept as it is
            self.language_combo.addItem(s.language, s.language)
            i = self.language_combo.count() - 1
        self.language_combo.setCurrentIndex(i)

    def settings(self) -> Settings:
        return dataclasses.replace(
            self.original,
            health_interval=self.health_interval.value(),
            health_timeout=self.health_timeout.value(),
            health_concurrency=self.concurrency.value(),
            connect_timeout=self.connect_timeout.value(),
            command_timeout=self.command_timeout.value(),
            clipboard_clear_seconds=self.clipboard.value(),
            theme=str(self.theme_combo.currentData()),
            terminal=str(self.terminal_combo.currentData()),
            language=str(self.language_combo.currentData() or ""),
        )

    def _preview_theme(self) -> None:
        app = QApplication.instance()
        if isinstance(app, QApplication):
            apply_palette(app, str(self.theme_combo.currentData()))
            app.setProperty("ocvTheme", self.theme_combo.currentData())

    def reject(self) -> None:
        if self.saved is None and self.theme_combo.currentData() != self.original.theme:
            i = self.theme_combo.findData(self.original.theme)
            self.theme_combo.setCurrentIndex(i)  # the preview is put back
        super().reject()

    def _save(self) -> None:
        if not self._saving:
            self._saving = True
            self.save_button.setEnabled(False)
            self.ws.run_task("ui:settings-save", self._run_save(self.settings()))

    async def _run_save(self, settings: Settings) -> None:
        try:
            saved = await self.ws.update_settings(settings)
        except OcvError as exc:
            if shiboken6.isValid(self):
                self.error_label.setText(self.tr("The settings could not be saved: {error}").format(error=exc))
                self.error_label.show()
            return
        finally:
            if shiboken6.isValid(self):
                self._saving = False
                self.save_button.setEnabled(True)
        if shiboken6.isValid(self):
            self.saved = saved
            self.accept()
