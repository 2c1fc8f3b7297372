"""Application flows: the settings dialog and Help -> About."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ocv_desktop.ui.dialogs.base import run_and_dispose
from ocv_desktop.ui.dialogs.settings import SettingsDialog

if TYPE_CHECKING:
    from ocv_desktop.ui.app_window import MainWindow


async def edit_settings(window: MainWindow) -> None:
    await run_and_dispose(SettingsDialog(window, window.ws))


async def show_about(window: MainWindow) -> None:
    from ocv_desktop.ui.dialogs.about import AboutDialog

    await run_and_dispose(AboutDialog(window, window.ws))
