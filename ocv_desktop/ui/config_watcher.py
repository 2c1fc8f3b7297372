"""Notice that config.yaml changed on disk (a CLI run, a second window, a hand edit) and reload it.

The CLI and the GUI may change nodes at the same time (NodeService holds a cross-process lock for
each change); this makes the open window show what another process saved. Saves replace the file
by a rename, which ends a watch on the file itself, so the home folder is watched (a rename into
it changes the folder) and the file again after each change. A change is looked at after a short
quiet time (one save touches the folder several times: temp file, backup, rename) and only
reloaded when the file's identity (inode, size, mtime) differs from the last one seen; the
window's own saves therefore reload once and find nothing new. Where file watching does not work
(some network file systems), the check also runs whenever the application becomes active.
"""

from __future__ import annotations

import os

from PySide6.QtCore import QFileSystemWatcher, QObject, Qt, QTimer
from PySide6.QtGui import QGuiApplication

from ocv_desktop.ui.bridge import Workspace

QUIET_MS = 200  # after the last file event, before the file is read


def _stamp(path: os.PathLike[str]) -> tuple[int, int, int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_ino, st.st_size, st.st_mtime_ns)


class ConfigWatcher(QObject):
    def __init__(self, workspace: Workspace, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("configWatcher")
        self.ws = workspace
        self._path = workspace.home.config_file
        self._seen = _stamp(self._path)
        self._watcher = QFileSystemWatcher(self)
        self._quiet = QTimer(self)
        self._quiet.setSingleShot(True)
        self._quiet.setInterval(QUIET_MS)
        self._quiet.timeout.connect(self.check)
        self._watcher.directoryChanged.connect(self._changed)
        self._watcher.fileChanged.connect(self._changed)
        self._watch()
        app = QGuiApplication.instance()
        if isinstance(app, QGuiApplication):
            app.applicationStateChanged.connect(self._state_changed)

    def _watch(self) -> None:
        root = self.ws.home.root
        if root.is_dir() and str(root) not in self._watcher.directories():
            self._watcher.addPath(str(root))
        if self._path.exists() and str(self._path) not in self._watcher.files():
            self._watcher.addPath(str(self._path))

    def _changed(self, _path: str) -> None:
        self._quiet.start()  # restarts: wait until the save is over

    def _state_changed(self, state: Qt.ApplicationState) -> None:
        if state == Qt.ApplicationState.ApplicationActive:
            self.check()

    def check(self) -> None:
        """Reload when config.yaml is not the file last seen."""
        self._watch()
        stamp = _stamp(self._path)
        if stamp == self._seen or self.ws.closing:
            return
        self._seen = stamp
        self.ws.run_task("reload-config", self.ws.reload_config())
