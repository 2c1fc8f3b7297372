"""Importing a OneClickVirt provider YAML: pick the file, then see what happened to every entry.

The import itself is ``NodeService.import_oneclickvirt`` (the caller runs it); bad entries are
skipped and listed with file and line, so the report is where the user learns what to fix.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHeaderView,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ocv_desktop.core.models import HealthState, NodeConfig
from ocv_desktop.store.oneclickvirt import ImportProblem, ImportReport
from ocv_desktop.ui.dialogs.base import run_and_dispose
from ocv_desktop.ui.dialogs.widgets import FittingDialog, text_label
from ocv_desktop.ui.icons import platform_icon
from ocv_desktop.ui.theme import HEALTH_COLOURS


async def choose_import_file(parent: QWidget | None, start_dir: Path | None = None) -> Path | None:
    """A non-modal file dialog for a OneClickVirt YAML; None when cancelled."""
    dialog = QFileDialog(
        parent,
        QCoreApplication.translate("ImportDialog", "Import OneClickVirt providers"),
        str(start_dir or Path.home()),
        QCoreApplication.translate("ImportDialog", "OneClickVirt provider files (*.yaml *.yml);;All files (*)"),
    )
    dialog.setObjectName("importFileDialog")
    dialog.setFileMode(QFileDialog.FileMode.ExistingFile)
    dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptOpen)
    if await run_and_dispose(dialog) != QDialog.DialogCode.Accepted:
        return None
    files = dialog.selectedFiles()
    return Path(files[0]) if files else None


class ImportReportDialog(FittingDialog):
    def __init__(self, parent: QWidget | None, report: ImportReport) -> None:
        super().__init__(parent)
        self.setObjectName("importReportDialog")
        self.setWindowTitle(self.tr("Import report"))
        layout = QVBoxLayout(self)
        summary = self.tr("{file}: {added} added, {updated} updated, {skipped} skipped.").format(
            file=report.source.name, added=len(report.added), updated=len(report.updated), skipped=len(report.errors)
        )
        layout.addWidget(text_label(summary, bold=True, object_name="summaryLabel"))
        if report.added or report.updated:
            layout.addWidget(
                text_label(
                    self.tr(
                        "Passwords and token secrets from the file are kept with your other credentials, never in "
                        "the configuration file. At the first connection to each node you confirm its host key."
                    )
                )
            )
        if report.errors:
            layout.addWidget(
                text_label(self.tr("Skipped entries were not imported; fix them in the file and import it again."))
            )

        self.tree = QTreeWidget(objectName="reportTree")
        self.tree.setHeaderLabels([self.tr("Entry"), self.tr("Details")])
        self.tree.setRootIsDecorated(True)
        self.tree.setWordWrap(True)  # long problem messages wrap instead of running off the side
        self._group(self.tr("Added ({count})"), report.added)
        self._group(self.tr("Updated ({count})"), report.updated)
        self._problems(self.tr("Skipped ({count})"), report.errors, HealthState.UNHEALTHY)
        self._problems(self.tr("Warnings ({count})"), report.warnings, HealthState.PARTIAL)
        self.tree.expandAll()
        header = self.tree.header()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        layout.addWidget(self.tree, 1)

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        buttons.accepted.connect(self.accept)
        layout.addWidget(buttons)
        self.resize(720, 420)

    def _group(self, title: str, nodes: tuple[NodeConfig, ...]) -> None:
        if not nodes:
            return
        group = QTreeWidgetItem([title.format(count=len(nodes))])
        for node in nodes:
            item = QTreeWidgetItem([node.name, f"{node.type.value} · {node.display_address}"])
            item.setIcon(0, platform_icon(node.type))
            group.addChild(item)
        self.tree.addTopLevelItem(group)

    def _problems(self, title: str, problems: tuple[ImportProblem, ...], state: HealthState) -> None:
        if not problems:
            return
        group = QTreeWidgetItem([title.format(count=len(problems))])
        group.setForeground(0, HEALTH_COLOURS[state])
        for problem in problems:
            where = self.tr("line {line}").format(line=problem.line) if problem.line else f"providers[{problem.index}]"
            entry = f"{problem.name} ({where})" if problem.name else where
            item = QTreeWidgetItem([entry, problem.message])
            item.setToolTip(1, str(problem))
            group.addChild(item)
        self.tree.addTopLevelItem(group)


async def show_import_report(parent: QWidget | None, report: ImportReport) -> None:
    await run_and_dispose(ImportReportDialog(parent, report))
