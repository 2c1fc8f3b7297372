"""The main window: node tree | instance table, the activity dock, toolbar, menus, status bar.

It is thin (DESIGN.md rule 6): it shows the workspace's state through three models and turns
clicks into workspace calls. Flows that wait for the user (dialogs) run as workspace tasks, so
they are referenced, cancelled on close and never block the loop; dialogs open non-modally.

Object names the tests and the self-test rely on: ``nodeTree``, ``instanceTable``,
``instanceFilter``, ``activityLog`` (the dock), ``welcomePanel``, ``errorBanner``, and the
``closed`` signal, emitted once the window has shut the workspace down and closed.

Window geometry, the splitter and the table headers are kept in ``window.ini`` in the app's home
(QSettings in INI format), so ``--home`` keeps everything in one folder and nothing goes to the
platform registry.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from typing import Any

from PySide6.QtCore import QByteArray, QItemSelection, QModelIndex, QPoint, QSettings, Qt, QTimer, QUrl, Signal
from PySide6.QtGui import QCloseEvent, QDesktopServices, QGuiApplication, QResizeEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QDockWidget,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMenu,
    QSplitter,
    QStackedWidget,
    QTableView,
    QToolBar,
    QTreeView,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from ocv_desktop.core.errors import OcvError
from ocv_desktop.core.models import HealthState, Instance, NodeConfig, Platform
from ocv_desktop.services import consoles
from ocv_desktop.services.session import InstanceAction
from ocv_desktop.ui import terminal
from ocv_desktop.ui.actions import SelectionState, WindowActions, applicable
from ocv_desktop.ui.bridge import Workspace
from ocv_desktop.ui.config_watcher import ConfigWatcher
from ocv_desktop.ui.console.tabs import ConsoleTabs
from ocv_desktop.ui.console.terminal_view import TerminalView as ConsoleView
from ocv_desktop.ui.dialogs.widgets import error_colour, set_text_colour
from ocv_desktop.ui.errors import localize
from ocv_desktop.ui.flows import app as app_flows
from ocv_desktop.ui.flows import create as create_flows
from ocv_desktop.ui.flows import images as image_flows
from ocv_desktop.ui.flows import instances as instance_flows
from ocv_desktop.ui.flows import nodes as node_flows
from ocv_desktop.ui.flows.details import DetailsController
from ocv_desktop.ui.flows.node_details import show_node_details
from ocv_desktop.ui.models.activity import ActivityModel
from ocv_desktop.ui.models.instance_table import InstanceFilterProxy, InstanceTableModel
from ocv_desktop.ui.models.node_tree import ItemKind, NodeTreeModel
from ocv_desktop.ui.theme import apply_palette
from ocv_desktop.ui.widgets.config_problems import ConfigProblemsPanel
from ocv_desktop.ui.widgets.error_banner import ErrorBanner
from ocv_desktop.ui.widgets.health_badge import HealthBadgeDelegate
from ocv_desktop.ui.widgets.welcome import WelcomePanel

log = logging.getLogger(__name__)

SETTINGS_FILE = "window.ini"
_DEFAULT_WIDTHS = (160, 90, 80, 150, 75, 105, 90, 115)  # name .. IPs; the node column stretches


class MainWindow(QMainWindow):
    closed = Signal()  # emitted once the workspace is shut down and the window has closed

    def __init__(self, workspace: Workspace, parent: QWidget | None = None, *, remember_state: bool = True) -> None:
        """``remember_state=False``: neither read nor write window.ini (the self-test must not
        overwrite the user's window layout with an offscreen one)."""
        super().__init__(parent)
        self.ws = workspace
        self._remember_state = remember_state
        workspace.dialog_parent = self
        self.setObjectName("mainWindow")
        self.setWindowTitle(self.tr("ocv-desktop"))
        self._settings = QSettings(str(workspace.home.root / SETTINGS_FILE), QSettings.Format.IniFormat)
        self._closing: asyncio.Task[None] | None = None
        self._may_close = False
        self._restoring_tree = False
        self._selected_before_reset: tuple[str, str] | None = None
        # Node events come in bursts (50 dead nodes fail within one turn at start-up); the message
        # above the table walks every node in scope, so it is redone once per burst (issue 15).
        self._node_message_later = QTimer(self)
        self._node_message_later.setSingleShot(True)
        self._node_message_later.setInterval(0)
        self._node_message_later.timeout.connect(self._update_node_message)
        self._actions_later = QTimer(self)  # the same for the actions' enabled state
        self._actions_later.setSingleShot(True)
        self._actions_later.setInterval(0)
        self._actions_later.timeout.connect(self._update_actions)
        # The node ids in the tree's current scope, as a set: every node event asks "is it on
        # screen?", and asking the tree's selection each time was O(nodes) per event (issue 15).
        # Forgotten whenever the selection, the tree or the nodes change.
        self._scope_cache: frozenset[str] | None = None
        self.images_panel: QWidget | None = None  # the open images panel (ui/flows/images.py)

        self.tree_model = NodeTreeModel(workspace, self)
        self.instance_model = InstanceTableModel(workspace, self)
        self.proxy = InstanceFilterProxy(self)
        self.proxy.setSourceModel(self.instance_model)
        self.activity_model = ActivityModel(self)
        workspace.activityChanged.connect(self.activity_model.upsert)
        self.config_watcher = ConfigWatcher(workspace, self)  # config.yaml saved by another process

        self.actions_ = WindowActions(self)
        self._build_views()
        self.details = DetailsController(self)  # the instanceDetails dock and its action
        self._build_central()
        self._build_activity_dock()
        self._build_console_dock()
        self._build_menus_and_toolbar()
        self._build_status_bar()
        self._connect()
        self._restore_state()
        self._settings_changed()
        self._nodes_changed()
        self._select_all_nodes()

    # --- building ------------------------------------------------------------------------------

    def _build_views(self) -> None:
        tree = QTreeView(self)
        tree.setObjectName("nodeTree")
        tree.setModel(self.tree_model)
        tree.setHeaderHidden(True)
        tree.setUniformRowHeights(True)
        tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        tree.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        tree.setAccessibleName(self.tr("Nodes"))
        self.badge_delegate = HealthBadgeDelegate(tree)
        tree.setItemDelegate(self.badge_delegate)
        tree.expandAll()
        self.node_tree = tree

        table = QTableView(self)
        table.setObjectName("instanceTable")
        table.setModel(self.proxy)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        table.setSortingEnabled(True)
        table.sortByColumn(InstanceTableModel.NAME, Qt.SortOrder.AscendingOrder)
        table.setAlternatingRowColors(True)
        table.setWordWrap(False)
        table.setShowGrid(False)
        table.verticalHeader().setVisible(False)
        table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        table.verticalHeader().setDefaultSectionSize(table.fontMetrics().height() + 10)
        table.horizontalHeader().setStretchLastSection(True)
        table.horizontalHeader().setHighlightSections(False)
        for col, width in enumerate(_DEFAULT_WIDTHS):
            table.setColumnWidth(col, width)
        table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        table.setAccessibleName(self.tr("Instances"))
        self.instance_table = table

        self.filter_edit = QLineEdit(self)
        self.filter_edit.setObjectName("instanceFilter")
        self.filter_edit.setPlaceholderText(self.tr("Filter instances by any column (Ctrl+F)"))
        self.filter_edit.setClearButtonEnabled(True)
        self.filter_edit.setAccessibleName(self.tr("Filter instances"))

        self.scope_label = QLabel(self)
        self.scope_label.setObjectName("scopeLabel")
        self.node_message = QLabel(self)
        self.node_message.setObjectName("nodeMessage")
        self.node_message.setWordWrap(False)  # one line per node, elided to the table's width
        self.node_message.setTextFormat(Qt.TextFormat.PlainText)
        set_text_colour(self.node_message, error_colour(self))  # readable in light and dark palettes
        self.node_message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.node_message.hide()

    def _build_central(self) -> None:
        right = QWidget(self)
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        top = QHBoxLayout()
        top.addWidget(self.scope_label, 1)
        top.addWidget(self.filter_edit, 2)
        right_layout.addLayout(top)
        right_layout.addWidget(self.node_message)
        right_layout.addWidget(self.instance_table, 1)

        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.setObjectName("mainSplitter")
        self.splitter.addWidget(self.node_tree)
        self.splitter.addWidget(right)
        self.splitter.setStretchFactor(0, 1)
        self.splitter.setStretchFactor(1, 4)
        self.splitter.setChildrenCollapsible(False)

        self.welcome = WelcomePanel(self)
        self.config_problems = ConfigProblemsPanel(self)
        self.stack = QStackedWidget(self)
        self.stack.setObjectName("mainStack")
        self.stack.addWidget(self.welcome)
        self.stack.addWidget(self.config_problems)
        self.stack.addWidget(self.splitter)

        self.banner = ErrorBanner(self)
        central = QWidget(self)
        layout = QVBoxLayout(central)
        layout.setContentsMargins(6, 6, 6, 0)
        layout.addWidget(self.banner)
        layout.addWidget(self.stack, 1)
        self.setCentralWidget(central)

    def _build_activity_dock(self) -> None:
        view = QTableView(self)
        view.setObjectName("activityTable")
        view.setModel(self.activity_model)
        view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        view.verticalHeader().setVisible(False)
        view.verticalHeader().setDefaultSectionSize(view.fontMetrics().height() + 8)
        view.horizontalHeader().setStretchLastSection(True)
        view.setShowGrid(False)
        view.setWordWrap(False)
        view.setAlternatingRowColors(True)
        view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        for col, width in enumerate((80, 130, 130, 160, 80, 80)):
            view.setColumnWidth(col, width)
        self.activity_view = view
        dock = QDockWidget(self.tr("Activity"), self)
        dock.setObjectName("activityLog")
        dock.setWidget(view)
        dock.setFeatures(
            QDockWidget.DockWidgetFeature.DockWidgetMovable | QDockWidget.DockWidgetFeature.DockWidgetClosable
        )
        self.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, dock)
        self.activity_dock = dock

    def _build_console_dock(self) -> None:
        """The consoles: a bottom dock above the activity log, hidden until the first one opens
        (it can be floated as a window of its own)."""
        self._console_count = 0
        self.console_tabs = ConsoleTabs(self)
        self.console_tabs.emptied.connect(self._consoles_emptied)
        dock = QDockWidget(self.tr("Consoles"), self)
        dock.setObjectName("consoleDock")
        dock.setWidget(self.console_tabs)
        dock.setFeatures(
            QDockWidget.DockWidgetFeature.DockWidgetMovable | QDockWidget.DockWidgetFeature.DockWidgetFloatable
        )
        self.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, dock)
        self.splitDockWidget(dock, self.activity_dock, Qt.Orientation.Vertical)
        dock.hide()
        self.console_dock = dock

    def _build_menus_and_toolbar(self) -> None:
        a = self.actions_
        bar = self.menuBar()
        file_menu = bar.addMenu(self.tr("&File"))
        file_menu.addActions([a.add_node, a.import_file])
        file_menu.addSeparator()
        file_menu.addAction(a.settings)
        file_menu.addSeparator()
        file_menu.addAction(a.quit)
        node_menu = bar.addMenu(self.tr("&Node"))
        node_menu.addActions([a.refresh, a.check_health, a.trust_node, a.images])
        node_menu.addSeparator()
        node_menu.addActions([a.edit_node, a.remove_node])
        inst_menu = bar.addMenu(self.tr("&Instance"))
        inst_menu.addAction(a.create_instance)
        inst_menu.addSeparator()
        inst_menu.addActions([a.start, a.stop, a.restart])
        inst_menu.addSeparator()
        inst_menu.addAction(self.details.action)
        inst_menu.addActions([a.reset_password, a.open_terminal, a.open_graphical])
        inst_menu.addSeparator()
        inst_menu.addAction(a.delete)
        view_menu = bar.addMenu(self.tr("&View"))
        view_menu.addActions([a.group_by_platform, a.group_by_tag])
        view_menu.addSeparator()
        view_menu.addAction(a.find)
        view_menu.addAction(self.activity_dock.toggleViewAction())
        help_menu = bar.addMenu(self.tr("&Help"))
        help_menu.addActions([a.open_log_folder, a.about])

        toolbar = QToolBar(self.tr("Main toolbar"), self)
        toolbar.setObjectName("mainToolBar")
        toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        toolbar.setMovable(False)
        toolbar.addActions([a.add_node, a.refresh])
        toolbar.addSeparator()
        toolbar.addAction(a.create_instance)
        toolbar.addActions([a.start, a.stop, a.restart, a.delete])
        toolbar.addSeparator()
        toolbar.addActions([a.reset_password, a.open_terminal])
        self.addToolBar(toolbar)
        self.toolbar = toolbar

    def _build_status_bar(self) -> None:
        self.health_label = QLabel(self)
        self.health_label.setObjectName("healthSummary")
        self.keyring_label = QLabel(self)
        self.keyring_label.setObjectName("keyringState")
        self.statusBar().addWidget(self.health_label)
        self.statusBar().addPermanentWidget(self.keyring_label)

    def _connect(self) -> None:
        ws = self.ws
        ws.nodesChanged.connect(self._forget_scope)  # first: the handlers below ask for the scope
        ws.nodesChanged.connect(self._nodes_changed)
        ws.healthChanged.connect(self._health_changed)
        ws.nodeStateChanged.connect(self._node_state_changed)
        ws.instancesChanged.connect(self._instances_changed)
        ws.keyringStateChanged.connect(self._update_keyring_label)
        ws.problem.connect(self.banner.show_message)
        ws.settingsChanged.connect(self._settings_changed)
        self.banner.openLogRequested.connect(self._open_log_folder)

        for changed in (
            self.tree_model.modelReset,
            self.tree_model.layoutChanged,
            self.tree_model.rowsInserted,
            self.tree_model.rowsRemoved,
        ):
            changed.connect(self._forget_scope)
        self.tree_model.modelAboutToBeReset.connect(self._remember_tree_selection)
        self.tree_model.modelReset.connect(self._restore_tree_selection)
        self.node_tree.selectionModel().selectionChanged.connect(self._scope_changed)
        self.node_tree.customContextMenuRequested.connect(self._tree_menu)
        self.node_tree.activated.connect(self._node_activated)  # double-click or Enter
        self.badge_delegate.badgeClicked.connect(self._badge_clicked)
        self.instance_table.selectionModel().selectionChanged.connect(self._update_actions)
        self.instance_table.customContextMenuRequested.connect(self._table_menu)
        self.activity_view.customContextMenuRequested.connect(self._activity_menu)
        self.filter_edit.textChanged.connect(self.proxy.set_text)
        self.proxy.rowsInserted.connect(self._update_actions)
        self.proxy.rowsRemoved.connect(self._update_actions)
        self._connect_actions()

    def _connect_actions(self) -> None:
        a = self.actions_
        a.start.triggered.connect(lambda: self._power(InstanceAction.START))
        a.stop.triggered.connect(lambda: self._power(InstanceAction.STOP))
        a.restart.triggered.connect(lambda: self._power(InstanceAction.RESTART))
        a.delete.triggered.connect(lambda: self._flow("delete", instance_flows.delete(self)))
        a.reset_password.triggered.connect(self._reset_password)
        a.open_terminal.triggered.connect(self._open_terminal)
        a.open_graphical.triggered.connect(self._open_graphical)
        a.refresh.triggered.connect(self.refresh_scope)
        a.create_instance.triggered.connect(lambda: self._flow("create", create_flows.create_instance(self)))
        a.images.triggered.connect(lambda: self._flow("images", image_flows.show_images(self)))
        a.settings.triggered.connect(lambda: self._flow("settings", app_flows.edit_settings(self)))
        a.about.triggered.connect(lambda: self._flow("about", app_flows.show_about(self)))
        a.open_log_folder.triggered.connect(self._open_log_folder)
        a.check_health.triggered.connect(lambda: self.ws.check_now(self._scope_node_ids()))
        a.add_node.triggered.connect(lambda: self._flow("add-node", node_flows.add_node(self)))
        a.edit_node.triggered.connect(self._edit_node)
        a.remove_node.triggered.connect(self._remove_node)
        a.trust_node.triggered.connect(self._trust_current_node)
        a.node_details.triggered.connect(self._node_details)
        a.import_file.triggered.connect(lambda: self._flow("import", node_flows.import_file(self)))
        a.find.triggered.connect(self._focus_filter)
        a.quit.triggered.connect(self.close)
        a.group_by_platform.triggered.connect(lambda: self._group_by("platform"))
        a.group_by_tag.triggered.connect(lambda: self._group_by("tag"))

        self.config_problems.openFolderRequested.connect(
            lambda: QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.ws.home.config_file.parent)))
        )
        self.config_problems.reloadRequested.connect(lambda: self._flow("reload-config", self._reload_config()))
        self.welcome.addNodeRequested.connect(lambda: self._flow("add-node", node_flows.add_node(self)))
        self.welcome.importRequested.connect(lambda: self._flow("import", node_flows.import_file(self)))
        self.welcome.addLocalRequested.connect(
            lambda platform, endpoint: self._flow("add-node", node_flows.add_node(self, Platform(platform), endpoint))
        )

    # --- state ---------------------------------------------------------------------------------

    def _restore_state(self) -> None:
        s = self._settings
        geometry = s.value("window/geometry") if self._remember_state else None
        if isinstance(geometry, QByteArray) and not geometry.isEmpty():
            self.restoreGeometry(geometry)
        else:
            self.resize(1200, 740)
        for key, restore in (
            ("window/state", self.restoreState),
            ("window/splitter", self.splitter.restoreState),
            ("window/instanceHeader", self.instance_table.horizontalHeader().restoreState),
            ("window/activityHeader", self.activity_view.horizontalHeader().restoreState),
        ):
            value = s.value(key) if self._remember_state else None
            if isinstance(value, QByteArray) and not value.isEmpty():
                restore(value)
        self.console_dock.hide()  # a saved layout may show it; consoles are not reopened at start
        if not self._remember_state or s.value("window/splitter") is None:
            self.splitter.setSizes([270, 930])
            self.resizeDocks([self.activity_dock], [170], Qt.Orientation.Vertical)

    def save_state(self) -> None:
        if not self._remember_state:
            return
        s = self._settings
        s.setValue("window/geometry", self.saveGeometry())
        s.setValue("window/state", self.saveState())
        s.setValue("window/splitter", self.splitter.saveState())
        s.setValue("window/instanceHeader", self.instance_table.horizontalHeader().saveState())
        s.setValue("window/activityHeader", self.activity_view.horizontalHeader().saveState())
        s.sync()

    # --- reacting to the workspace -------------------------------------------------------------

    def _nodes_changed(self) -> None:
        has_nodes = bool(self.ws.nodes)
        problems = self.ws.config_problems()
        if has_nodes:
            self.stack.setCurrentWidget(self.splitter)
        elif problems:  # never invite a first node into a file that cannot be saved
            self.config_problems.set_problems(str(self.ws.home.config_file), problems)
            self.stack.setCurrentWidget(self.config_problems)
        else:
            self.stack.setCurrentWidget(self.welcome)
            self._flow("detect-local", self._detect_local())
        self._update_actions()
        self._update_health_label()
        self._scope_changed()

    def _in_scope(self, node_id: str) -> bool:
        if self._scope_cache is None:
            self._scope_cache = frozenset(self._scope_node_ids())
        return node_id in self._scope_cache

    def _forget_scope(self, *_: Any) -> None:
        self._scope_cache = None

    def _health_changed(self, node_id: str) -> None:
        self._update_health_label()
        self._update_actions()  # a node that went down (or came back) changes what its instances can do
        # The nodes on screen stay current: a node that answers is listed again once its list is
        # older than the health interval (never for an unreachable one: that would only fail).
        if self._in_scope(node_id) and self.ws.health_state(node_id) is not HealthState.UNHEALTHY:
            self.ws.refresh_if_stale(node_id)

    def _node_state_changed(self, node_id: str) -> None:
        if self._in_scope(node_id):
            self._node_message_later.start()
            self._actions_later.start()

    def _instances_changed(self, node_id: str) -> None:
        if self._in_scope(node_id):
            self._actions_later.start()

    def _settings_changed(self) -> None:
        app = QApplication.instance()
        theme = self.ws.settings.theme
        # live, no restart; "system" at start-up is what ui.main set already (nothing to undo)
        if isinstance(app, QApplication) and (app.property("ocvTheme") or "system") != theme:
            apply_palette(app, theme)
            app.setProperty("ocvTheme", theme)
        group_by = self.ws.settings.group_by
        (self.actions_.group_by_tag if group_by == "tag" else self.actions_.group_by_platform).setChecked(True)
        self.tree_model.set_group_by(group_by)

    def _update_health_label(self) -> None:
        total = len(self.ws.nodes)
        self.health_label.setText(
            self.tr("{healthy} of {total} nodes healthy").format(healthy=self.ws.healthy_count(), total=total)
        )

    def _update_keyring_label(self) -> None:
        store = self.ws.secrets
        if store.persistent:
            text = self.tr("credentials in the system keyring ({backend})").format(backend=store.backend_name)
        else:
            text = self.tr("credentials not saved: {reason}").format(reason=store.reason)
        self.keyring_label.setText(text)
        self.keyring_label.setToolTip(text)

    def _update_node_message(self) -> None:
        """Above the table: why the selected nodes show no (or old) instances. One line per node
        (the full error in the tooltip and in the activity log)."""
        lines = []
        for node_id in self._scope_node_ids():
            node = self.ws.node(node_id)
            if node is None:
                continue
            if node_id in self.ws.trust_needed:
                text = self.tr("{node}: its host key or certificate is not trusted yet; press F5 or click its badge.")
                lines.append(text.format(node=node.name))
            elif node_id in self.ws.errors:
                text = self.tr("{node}: could not list instances: {error}")
                lines.append(text.format(node=node.name, error=localize(self.ws.errors[node_id])))
        metrics, width = self.node_message.fontMetrics(), max(200, self.instance_table.width() - 8)
        shown = [metrics.elidedText(" ".join(line.split()), Qt.TextElideMode.ElideRight, width) for line in lines[:5]]
        if len(lines) > 5:
            shown.append("…")  # the rest are in the tooltip
        self.node_message.setText("\n".join(shown))
        self.node_message.setToolTip("\n\n".join(lines))
        self.node_message.setVisible(bool(lines))

    # --- tree and scope ------------------------------------------------------------------------

    def _select_all_nodes(self) -> None:
        self.node_tree.setCurrentIndex(self.tree_model.all_index())

    def _current_tree_index(self) -> QModelIndex:
        selected = self.node_tree.selectionModel().selectedIndexes()
        return selected[0] if selected else QModelIndex()

    def _scope_node_ids(self) -> list[str]:
        index = self._current_tree_index()
        if not index.isValid():
            return [n.id for n in self.ws.nodes]
        return self.tree_model.node_ids(index)

    def current_node(self) -> NodeConfig | None:
        node_id = self.tree_model.node_id(self._current_tree_index())
        return self.ws.node(node_id) if node_id else None

    def _scope_changed(self, *_: QItemSelection) -> None:
        self._scope_cache = None
        if self._restoring_tree:
            return
        index = self._current_tree_index()
        kind = self.tree_model.kind(index) if index.isValid() else ItemKind.ALL
        ids = self._scope_node_ids()
        self.proxy.set_scope(None if kind == ItemKind.ALL else ids)
        self.scope_label.setText(str(index.data(Qt.ItemDataRole.DisplayRole) or self.tr("All nodes")))
        for node_id in ids:  # first look at a node: list it (no trust question from a mere click)
            if not self.ws.loaded(node_id) and not self.ws.refreshing(node_id) and not self.ws.closing:
                self.ws.refresh(node_id)
        self._update_node_message()
        self._update_actions()

    def _remember_tree_selection(self) -> None:
        index = self._current_tree_index()
        if not index.isValid():
            self._selected_before_reset = None
        elif self.tree_model.kind(index) == ItemKind.NODE:
            self._selected_before_reset = ("node", self.tree_model.node_id(index) or "")
        elif self.tree_model.kind(index) == ItemKind.GROUP:
            self._selected_before_reset = ("group", index.data(NodeTreeModel.GroupKeyRole))
        else:
            self._selected_before_reset = ("all", "")
        self._restoring_tree = True

    def _restore_tree_selection(self) -> None:
        self.node_tree.expandAll()
        kind, key = self._selected_before_reset or ("all", "")
        target = QModelIndex()
        if kind == "node":
            found = self.tree_model.node_indexes(key)
            target = found[0] if found else QModelIndex()
        elif kind == "group":
            target = self.tree_model.group_index(key)
        self._restoring_tree = False
        self.node_tree.setCurrentIndex(target if target.isValid() else self.tree_model.all_index())
        self._scope_changed()

    def _badge_clicked(self, node_id: str) -> None:
        self.ws.review_trust(node_id)

    def _group_by(self, group_by: str) -> None:
        self.tree_model.set_group_by(group_by)
        self.ws.run_task("save-group-by", self.ws.set_group_by(group_by))

    # --- instance actions ----------------------------------------------------------------------

    def selected_instances(self) -> list[Instance]:
        rows = sorted({i.row() for i in self.instance_table.selectionModel().selectedRows()})
        return self.proxy.instances(rows)

    def target_node_id(self) -> str | None:
        """The node a new instance or the images dialog is for: the tree's node, else the node
        of the first selected instance, else the only node in the scope."""
        node = self.current_node()
        if node is not None:
            return node.id
        insts = self.selected_instances()
        if insts:
            return insts[0].node_id
        ids = self._scope_node_ids()
        return ids[0] if ids else None

    def select_instance(self, node_id: str, instance_id: str) -> bool:
        """Show and select the instance's row (switching the tree to its node when the current
        scope hides it). False while the table does not show it yet."""
        if node_id not in self._scope_node_ids():
            indexes = self.tree_model.node_indexes(node_id)
            if indexes:
                self.node_tree.setCurrentIndex(indexes[0])
        proxy = self.proxy
        for row in range(proxy.rowCount()):
            inst = proxy.instances([row])[0]
            if inst.node_id == node_id and inst.id == instance_id:
                self.instance_table.clearSelection()
                self.instance_table.selectRow(row)
                self.instance_table.scrollTo(proxy.index(row, 0))
                self.instance_table.setFocus()
                return True
        return False

    def _selection_state(self) -> SelectionState:
        target, why_not = self._terminal_choice()
        insts = tuple(self.selected_instances())
        graphical, graphical_why_not = self._graphical_choice()
        node = self.current_node()
        return SelectionState(
            instances=insts,
            node=node,
            scope_nodes=len(self._scope_node_ids()),
            has_nodes=bool(self.ws.nodes),
            config_broken=bool(self.ws.config_problems()),
            can_open_terminal=target is not None,
            terminal_why_not=why_not,
            can_open_graphical=graphical is not None,
            graphical_why_not=graphical_why_not,
            instance_nodes={i.node_id: n for i in insts if (n := self.ws.node(i.node_id)) is not None},
            offline=frozenset(i.node_id for i in insts if self.ws.health_state(i.node_id) is HealthState.UNHEALTHY),
        )

    def _update_actions(self, *_: Any) -> None:
        self.actions_.update(self._selection_state())

    def _power(self, action: InstanceAction) -> asyncio.Future[Any] | None:
        targets = applicable(action, self.selected_instances())
        if not targets:
            return None
        return self.ws.run_instance_action(action, targets)

    def refresh_scope(self) -> None:
        for node_id in self._scope_node_ids():
            self.ws.refresh(node_id, interactive=True, record=True)

    def _terminal_target(self) -> tuple[NodeConfig, Instance | None] | None:
        return self._terminal_choice()[0]

    def _terminal_choice(self) -> tuple[tuple[NodeConfig, Instance | None] | None, str]:
        """What Open terminal opens now: (node, instance or None), or None and why not."""
        insts = self.selected_instances()
        if len(insts) > 1:
            return None, self.tr("Select one instance to open a terminal in it")
        inst = insts[0] if insts else None
        node = self.ws.node(inst.node_id) if inst is not None else self.current_node()
        if node is None:
            return None, self.tr("Select a node or one instance to open a terminal")
        if self.ws.settings.terminal == "external" and not terminal.can_open(node, inst):
            return None, self.tr("Your terminal program cannot open this; choose the built-in terminal in Settings")
        block = consoles.console_block(node, inst)
        if block is not None:
            return None, self._console_block_text(block)
        return (node, inst), ""

    def _console_block_text(self, block: consoles.ConsoleBlock) -> str:
        texts = {
            consoles.ConsoleBlock.NO_SSH: self.tr(
                "This node is reached over its API only: add SSH access to open a shell on it"
            ),
            consoles.ConsoleBlock.NOT_RUNNING: self.tr("The instance is not running"),
            consoles.ConsoleBlock.VM_CONSOLE: self.tr(
                "A virtual machine's console needs the Proxmox API: add API credentials to the node"
            ),
            consoles.ConsoleBlock.API_ONLY: self.tr(
                "This node has neither SSH access nor API credentials for a console"
            ),
            consoles.ConsoleBlock.NO_PTY_HERE: self.tr("Terminals on this computer need a POSIX system"),
        }
        return texts.get(block, block.message)

    def _graphical_choice(self) -> tuple[tuple[NodeConfig, Instance] | None, str]:
        """The VM whose screen Open graphical console shows, or None and why not."""
        insts = self.selected_instances()
        if len(insts) != 1:
            return None, self.tr("Select one virtual machine to show its screen")
        inst = insts[0]
        node = self.ws.node(inst.node_id)
        if node is None:
            return None, self.tr("Select one virtual machine to show its screen")
        block = consoles.graphical_block(node, inst)
        if block is None:
            return (node, inst), ""
        texts = {
            consoles.GraphicalBlock.NOT_A_VM: self.tr(
                "Only virtual machines have a graphical console: open a terminal instead"
            ),
            consoles.GraphicalBlock.NOT_PROXMOX: self.tr("Graphical consoles are offered for Proxmox virtual machines"),
            consoles.GraphicalBlock.NOT_RUNNING: self.tr("The virtual machine is not running"),
            consoles.GraphicalBlock.NO_API: self.tr(
                "A graphical console needs the Proxmox API: add API credentials to the node"
            ),
        }
        return None, texts.get(block, block.message)

    def _open_graphical(self) -> None:
        target, _ = self._graphical_choice()
        if target is None:
            return
        self._console_count += 1
        self._flow(f"graphical:{self._console_count}", self._show_screen(*target))

    async def _show_screen(self, node: NodeConfig, inst: Instance) -> None:
        await self.open_graphical_console(node, inst)

    async def open_graphical_console(self, node: NodeConfig, inst: Instance) -> int | None:
        """Hand the VM's screen to remote-viewer; returns the viewer's exit status once it has
        exited (None when it could not start: the banner says why, naming what to install)."""
        self.statusBar().showMessage(self.tr("Opening the screen of {vm}…").format(vm=inst.name), 5000)
        try:
            viewer = await consoles.open_graphical_console(self.ws.session, node.id, inst)
        except OcvError as exc:
            self.banner.show_message(
                self.tr("Could not show the screen of {vm}: {error}").format(vm=inst.name, error=exc)
            )
            return None
        try:
            return await viewer.wait()
        finally:
            await viewer.close()

    def _open_terminal(self) -> None:
        target = self._terminal_target()
        if target is None:
            return
        node, inst = target
        if self.ws.settings.terminal == "external":
            problem = terminal.open_session(node, inst, self.ws.home.known_hosts)
            if problem:
                self.banner.show_message(problem)
            return
        self._console_count += 1
        self._flow(f"console:{self._console_count}", self._open_console_tab(node, inst))

    async def _open_console_tab(self, node: NodeConfig, inst: Instance | None) -> None:
        await self.open_console(node, inst)

    async def open_console(self, node: NodeConfig, inst: Instance | None) -> ConsoleView | None:
        """Open a console for (node) or (node, instance) in a new tab, which gets the focus.
        The tab is shown first, so the console opens at the size the view really has."""
        if not self.console_dock.isVisible():
            self.console_dock.show()
            self.resizeDocks([self.console_dock], [max(260, self.height() * 45 // 100)], Qt.Orientation.Vertical)
        self.console_dock.raise_()
        where = inst.name if inst is not None else node.name
        view = self.console_tabs.add_pending(where)
        await asyncio.sleep(0.05)  # Qt lays the dock and the tab out (their sizes become real)
        size = view.term_size()
        try:
            channel = await consoles.open_console(self.ws.session, node.id, inst, size)
        except OcvError as exc:
            if isValid(view):
                self.console_tabs.discard(view)
            self.banner.show_message(
                self.tr("Could not open a terminal for {target}: {error}").format(target=where, error=exc)
            )
            return None
        except BaseException:
            if isValid(view):
                self.console_tabs.discard(view)
            raise
        if self._closing is not None or not isValid(view) or self.console_tabs.indexOf(view) < 0:  # tab closed
            await channel.close()
            return None
        self.console_tabs.attach(view, channel, size)
        if self.console_tabs.currentWidget() is view:
            view.setFocus(Qt.FocusReason.OtherFocusReason)
        return view

    def _consoles_emptied(self) -> None:
        self.console_dock.hide()

    def _reset_password(self) -> None:
        insts = self.selected_instances()
        if len(insts) == 1:
            inst = insts[0]
            self._flow(f"reset-password:{inst.node_id}:{inst.id}", instance_flows.reset_password(self, inst))

    # --- node flows ----------------------------------------------------------------------------

    def _edit_node(self) -> None:
        node = self.current_node()
        if node is not None:
            self._flow(f"edit-node:{node.id}", node_flows.edit_node(self, node))

    def _remove_node(self) -> None:
        node = self.current_node()
        if node is not None:
            self._flow(f"remove-node:{node.id}", node_flows.remove_node(self, node))

    def _node_details(self) -> None:
        node = self.current_node()
        if node is not None:
            show_node_details(self, node.id)

    def _node_activated(self, index: QModelIndex) -> None:
        node_id = self.tree_model.node_id(index)
        if node_id is not None:
            show_node_details(self, node_id)

    def _trust_current_node(self) -> None:
        node = self.current_node()
        if node is not None:
            self.ws.review_trust(node.id)

    async def _detect_local(self) -> None:
        from ocv_desktop.services.local_detect import detect_local_platforms

        try:
            found = await asyncio.wait_for(asyncio.to_thread(detect_local_platforms), 10)
        except (TimeoutError, OSError) as exc:
            log.info("looking for local platforms failed: %s", exc)
            return
        self.welcome.set_local_candidates(found)

    async def _reload_config(self) -> None:
        await self.ws.reload_config()

    def _flow(self, name: str, coro: Coroutine[Any, Any, None]) -> asyncio.Future[None]:
        """Run a UI flow (dialogs and workspace calls) as a named workspace task."""
        return self.ws.run_task(f"ui:{name}", coro)

    # --- context menus -------------------------------------------------------------------------

    def _tree_menu(self, pos: QPoint) -> None:
        index = self.node_tree.indexAt(pos)
        if index.isValid():
            self.node_tree.setCurrentIndex(index)
        a = self.actions_
        menu = QMenu(self)
        menu.addActions([a.refresh, a.check_health])
        if self.current_node() is not None:
            menu.addAction(a.node_details)
            menu.addAction(a.trust_node)
            menu.addAction(a.open_terminal)
            menu.addSeparator()
            menu.addActions([a.edit_node, a.remove_node])
        else:
            menu.addSeparator()
            menu.addActions([a.add_node, a.import_file])
        self._popup(menu, self.node_tree, pos)

    def _table_menu(self, pos: QPoint) -> None:
        a = self.actions_
        menu = QMenu(self)
        menu.addAction(self.details.action)
        menu.addSeparator()
        menu.addActions([a.start, a.stop, a.restart])
        menu.addSeparator()
        menu.addActions([a.reset_password, a.open_terminal, a.open_graphical])
        menu.addSeparator()
        copy = menu.addAction(self.tr("Copy name"))
        copy.setEnabled(bool(self.selected_instances()))
        copy.triggered.connect(self._copy_names)
        menu.addAction(a.refresh)
        menu.addSeparator()
        menu.addAction(a.delete)
        self._popup(menu, self.instance_table, pos)

    def _activity_menu(self, pos: QPoint) -> None:
        rows = sorted({i.row() for i in self.activity_view.selectionModel().selectedRows()})
        chosen = [a for r in rows if (a := self.activity_model.activity_at(r)) is not None]
        menu = QMenu(self)
        cancellable = [a for a in chosen if a.cancel is not None]
        cancel = menu.addAction(self.tr("Cancel"))
        cancel.setEnabled(bool(cancellable))
        cancel.triggered.connect(lambda: [a.cancel() for a in cancellable if a.cancel is not None])
        copy = menu.addAction(self.tr("Copy result"))
        copy.setEnabled(bool(chosen))
        copy.triggered.connect(
            lambda: QGuiApplication.clipboard().setText(
                "\n".join(f"{a.action} {a.node_name} {a.instance_name}: {a.message}" for a in chosen)
            )
        )
        self._popup(menu, self.activity_view, pos)

    def _popup(self, menu: QMenu, view: QAbstractItemView, pos: QPoint) -> None:
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        menu.popup(view.viewport().mapToGlobal(pos))  # non-blocking (no exec())

    def _copy_names(self) -> None:
        QGuiApplication.clipboard().setText("\n".join(i.name for i in self.selected_instances()))

    def _focus_filter(self) -> None:
        self.filter_edit.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.filter_edit.selectAll()

    def _open_log_folder(self) -> None:
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.ws.home.logs_dir)))

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if self.node_message.isVisible():
            self._update_node_message()  # elided to the new width

    # --- closing -------------------------------------------------------------------------------

    def closeEvent(self, event: QCloseEvent) -> None:
        """Closing first shuts the workspace down (tasks cancelled, connections closed, bounded
        in time), then closes for real and emits ``closed``."""
        if self._may_close:
            super().closeEvent(event)
            if event.isAccepted():
                self.closed.emit()
            return
        event.ignore()
        if self._closing is None:
            self.save_state()
            self.hide()
            self._closing = asyncio.get_running_loop().create_task(self._shut_down_and_close(), name="close-window")

    async def _shut_down_and_close(self) -> None:
        try:
            await self.console_tabs.close_all()  # each remote shell ends, not only its connection
            await self.ws.shutdown()
        finally:
            self._may_close = True
            self.close()
