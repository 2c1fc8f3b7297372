"""Translations: zh_CN loads and translates (ours and Qt's buttons), the .ts covers every tr()
string of ocv_desktop/ui and is fully translated, the shipped .qm matches it, placeholders and
mnemonics survive translation, and the pseudo-locale stretches."""

from __future__ import annotations

import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QLabel, QPushButton
from pytestqt.qtbot import QtBot

from ocv_desktop.ui import i18n
from ocv_desktop.ui.dialogs.node_editor import NodeEditorDialog
from ocv_desktop.ui.resources import TRANSLATION_DIR
from ocv_desktop.ui.widgets.welcome import WelcomePanel

ROOT = Path(__file__).resolve().parents[2]
TS = ROOT / "resources" / "translations" / "ocv_desktop_zh_CN.ts"
BIN = ROOT / ".venv" / "bin"
FIX = "run scripts/update-translations.sh, translate the new entries in the .ts, run it again"


@pytest.fixture
def language(qapp: QApplication, monkeypatch: pytest.MonkeyPatch) -> Iterator[QApplication]:
    monkeypatch.delenv(i18n.ENV_VAR, raising=False)
    yield qapp
    i18n.install_translator(qapp, "en_US")  # the next test sees English again


def messages(ts: Path) -> list[tuple[str, str, str, str | None]]:
    """(context, source, translation, type) of every message in a .ts file."""
    out = []
    for context in ET.parse(ts).getroot().iter("context"):
        name = context.findtext("name") or ""
        for message in context.iter("message"):
            translation = message.find("translation")
            assert translation is not None
            forms = [n.text or "" for n in translation.iter("numerusform")]
            text = "|".join(forms) if forms else (translation.text or "")
            out.append((name, message.findtext("source") or "", text, translation.get("type")))
    return out


def test_zh_cn_translates_our_strings_and_qts_buttons(language: QApplication, qtbot: QtBot) -> None:
    i18n.install_translator(language, "zh_CN")
    assert QCoreApplication.translate("WelcomePanel", "Welcome to ocv-desktop") == "欢迎使用 ocv-desktop"
    assert QCoreApplication.translate("Status", "running") == "运行中"
    assert QCoreApplication.translate("Session", "Refresh") == "刷新"  # the session's words, via ui/bridge.py
    dialog = NodeEditorDialog(None)
    qtbot.addWidget(dialog)
    assert dialog.windowTitle() == "添加节点"
    assert dialog.ok_button.text() == "添加节点"
    cancel = dialog.buttons.button(QDialogButtonBox.StandardButton.Cancel)
    assert cancel.text() == "取消"  # Qt's own qtbase_zh_CN.qm, loaded with ours
    assert dialog.findChild(QLabel, "problemsLabel").text() == "尚需填写：名称, 主机"


def test_language_from_the_environment_and_english_fallback(
    language: QApplication, monkeypatch: pytest.MonkeyPatch, qtbot: QtBot
) -> None:
    monkeypatch.setenv(i18n.ENV_VAR, "zh_CN")
    i18n.install_translator(language)
    panel = WelcomePanel()
    qtbot.addWidget(panel)
    assert panel.findChild(QPushButton, "addNodeButton").text() == "添加节点…"

    i18n.install_translator(language, "de_DE")  # no German yet: English, not half-Chinese
    assert QCoreApplication.translate("WelcomePanel", "Add a node…") == "Add a node…"
    assert QCoreApplication.translate("QPlatformTheme", "Cancel") == "Cancel"
    assert i18n.available_languages() == ["zh_CN"]


def test_pseudo_locale_stretches_and_keeps_placeholders(language: QApplication, qtbot: QtBot) -> None:
    i18n.install_translator(language, "pseudo")
    source = "Delete the instance {name} on {node}?"
    shown = QCoreApplication.translate("ConfirmDeleteDialog", source)
    assert shown != source and shown.startswith("[") and shown.endswith("]")
    assert len(shown) >= 1.3 * len(source)
    assert shown.format(name="web", node="n1").count("web") == 1  # placeholders still work
    assert not re.search(r"[a-z]", shown.replace("{name}", "").replace("{node}", ""))  # all accented
    panel = WelcomePanel()
    qtbot.addWidget(panel)
    assert panel.findChild(QPushButton, "addNodeButton").text().startswith("[Åđđ å ñöđé")
    assert i18n.pseudo_translate("&Refresh").startswith("[&R")  # the mnemonic letter stays typeable


def test_the_ts_covers_every_string_of_the_gui_and_all_are_translated(tmp_path: Path) -> None:
    lupdate = BIN / "pyside6-lupdate"
    if not lupdate.exists():
        lupdate = Path(shutil.which("pyside6-lupdate") or "pyside6-lupdate")
    fresh = tmp_path / "fresh.ts"
    # the GUI, and the session's words (shown by the GUI through ui/bridge.py)
    sources = sorted(str(p) for p in (ROOT / "ocv_desktop" / "ui").rglob("*.py"))
    sources.append(str(ROOT / "ocv_desktop" / "services" / "session.py"))
    subprocess.run([lupdate, "-silent", *sources, "-ts", str(fresh)], check=True, capture_output=True)
    wanted = {(c, s) for c, s, _, _ in messages(fresh)}
    have = {(c, s): (t, kind) for c, s, t, kind in messages(TS)}
    missing = sorted(wanted - set(have))
    assert not missing, f"strings not in {TS.name} ({FIX}): {missing[:10]}"
    unfinished = sorted(k for k in wanted if have[k][1] == "unfinished" or not have[k][0])
    assert not unfinished, f"untranslated ({FIX}): {unfinished[:10]}"


def test_translations_keep_placeholders_and_mnemonics() -> None:
    for context, source, translation, _ in messages(TS):
        where = f"{context}: {source!r} -> {translation!r}"
        assert sorted(re.findall(r"\{\w*\}", source)) == sorted(re.findall(r"\{\w*\}", translation)), where
        assert ("%n" in source) == ("%n" in translation), where
        mnemonic = re.search(r"&(\w)", source)
        if mnemonic:
            assert f"(&{mnemonic.group(1).upper()})" in translation, where


def test_the_shipped_qm_is_compiled_from_the_ts(tmp_path: Path) -> None:
    lrelease = BIN / "pyside6-lrelease"
    compiled = tmp_path / "check.qm"
    subprocess.run([lrelease, "-silent", str(TS), "-qm", str(compiled)], check=True, capture_output=True)
    assert compiled.read_bytes() == (TRANSLATION_DIR / "ocv_desktop_zh_CN.qm").read_bytes(), FIX
