"""Import dialogs: choosing the file and the report of a real import (the seed README's example)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog, QLabel, QLineEdit, QTreeWidget
from pytestqt.qtbot import QtBot

from ocv_desktop.services.nodes import NodeService
from ocv_desktop.store.home import Home
from ocv_desktop.store.secrets import SecretStore
from ocv_desktop.ui.dialogs.import_dialog import ImportReportDialog, choose_import_file, show_import_report
from tests.ui.test_dialogs_support import result, start, visible_window
from tests.unit.test_oneclickvirt import seed_example


def test_choose_import_file_returns_the_chosen_file_or_none(qloop: object, qtbot: QtBot, tmp_path: Path) -> None:
    path = tmp_path / "providers.yaml"
    path.write_text("providers: []\n", encoding="utf-8")
    task = start(choose_import_file(None, tmp_path))
    dialog = visible_window(qtbot, QFileDialog)
    assert dialog.fileMode() is QFileDialog.FileMode.ExistingFile
    assert "(*.yaml *.yml)" in dialog.nameFilters()[0]
    name_edit = dialog.findChild(QLineEdit, "fileNameEdit")  # Qt's own (non-native) dialog offscreen
    qtbot.keyClicks(name_edit, str(path))
    qtbot.keyClick(name_edit, Qt.Key.Key_Return)
    assert result(qtbot, task) == path

    task = start(choose_import_file(None, tmp_path))
    dialog = visible_window(qtbot, QFileDialog, exclude=(dialog,))
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert result(qtbot, task) is None


async def _import(tmp_path: Path) -> object:
    source = tmp_path / "providers.yaml"
    # The seed README's example (its LXD entry's certificates exist only on the OneClickVirt server:
    # imported with warnings) plus one entry that cannot be imported at all.
    broken = '  - name: "broken"\n    type: "lxd"\n    host: "192.168.1.9"\n    server_cert: "/dev/null"\n'
    source.write_text(seed_example().rstrip("\n") + "\n" + broken, encoding="utf-8")
    service = NodeService(Home(tmp_path / "home"), await SecretStore.open())  # memory only in tests
    return await service.import_oneclickvirt(source)


def test_import_report_lists_added_nodes_warnings_and_skipped_entries_with_their_line(
    qloop: object, qtbot: QtBot, tmp_path: Path
) -> None:
    report = result(qtbot, start(_import(tmp_path)))
    task = start(show_import_report(None, report))  # type: ignore[arg-type]
    dialog = visible_window(qtbot, ImportReportDialog)
    assert dialog.findChild(QLabel, "summaryLabel").text() == "providers.yaml: 3 added, 0 updated, 1 skipped."
    tree = dialog.findChild(QTreeWidget, "reportTree")
    groups = {tree.topLevelItem(i).text(0): tree.topLevelItem(i) for i in range(tree.topLevelItemCount())}
    assert set(groups) == {"Added (3)", "Skipped (1)", "Warnings (3)"}
    added = groups["Added (3)"]
    assert [added.child(i).text(0) for i in range(added.childCount())] == [
        "docker-node-1",
        "lxd-cluster-1",
        "proxmox-node-1",
    ]
    warnings = groups["Warnings (3)"]
    texts = [warnings.child(i).text(1) for i in range(warnings.childCount())]
    assert any("no certificate was pinned" in t for t in texts)
    assert sum("client certificate was not imported" in t for t in texts) == 2
    skipped = groups["Skipped (1)"].child(0)
    (problem,) = report.errors  # type: ignore[attr-defined]
    assert skipped.text(0) == f"broken (line {problem.line})"
    assert "server_cert: cannot read /dev/null" in skipped.text(1) and "not a regular file" in skipped.text(1)
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert result(qtbot, task) is None
