"""Starting the GUI: QApplication, the qasync event loop, the workspace and the main window.

The order matters (desktop-anchors.md §D): ``QT_API=pyside6`` is set before qasync is imported
so qasync cannot pick another Qt binding; the QApplication exists before the loop. The app
coroutine waits for an asyncio.Event that the window's ``closed`` signal (or the application's
``aboutToQuit``) sets; the window shuts the workspace down before it closes, so when
``asyncio.run`` finishes there is nothing left to cancel.

Errors: ``sys.excepthook`` (exceptions in Qt slots, including qasync's ``asyncSlot``s) and the
loop's exception handler (exceptions nobody awaited) are logged with their traceback to
``<home>/logs/ocv-desktop.log`` and shown as one line in the window's non-modal error banner;
never as a traceback dialog. The log rotates, and secrets are redacted from every line.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import logging.handlers
import os
import re
import signal
import sys
import traceback
from collections.abc import Callable
from types import TracebackType
from typing import Any

os.environ.setdefault("QT_API", "pyside6")

import qasync  # after QT_API is set: qasync picks its Qt binding at import
from PySide6 import __version__ as PYSIDE_VERSION
from PySide6.QtCore import QCoreApplication, qVersion
from PySide6.QtWidgets import QApplication, QWidget

from ocv_desktop import APP_NAME, __version__
from ocv_desktop.core.errors import OcvError
from ocv_desktop.store.config import load_config
from ocv_desktop.store.home import Home
from ocv_desktop.store.secrets import SecretStore
from ocv_desktop.ui.app_window import MainWindow
from ocv_desktop.ui.bridge import Workspace
from ocv_desktop.ui.i18n import ENV_VAR as LANG_ENV_VAR
from ocv_desktop.ui.i18n import install_translator
from ocv_desktop.ui.icons import app_icon
from ocv_desktop.ui.qt_messages import route_qt_messages
from ocv_desktop.ui.theme import apply_palette, follow_system_scheme

log = logging.getLogger(__name__)

LOG_FILE = "ocv-desktop.log"
LOG_MAX_BYTES = 2 * 1024 * 1024
LOG_BACKUPS = 5

# key=value / key: value pairs whose key names a secret ("ssh_password": ..., token=...), in
# whatever text reaches the log. Over-redacting a harmless value is fine; leaking one is not.
_SECRET_PAIR = re.compile(
    r"(?i)((?:password|passwd|passphrase|secret|token|api[_-]?key|authorization|cookie|ticket)['\"]?)"
    r"(\s*[=:]\s*)(\"[^\"]*\"|'[^']*'|\S+)"
)
# An Authorization (or Proxy-Authorization) header's value is "<scheme> <credentials>" with a space
# ("Bearer abc", "Basic dXNl...", "Digest username=..., response=..."): the whole value goes, up to
# the end of the line or its closing quote; the pair rule below would stop at the space and keep the
# credentials.
_AUTH_HEADER = re.compile(r"(?i)(authorization['\"]?\s*[=:]\s*)(\"[^\"]*\"|'[^']*'|[^\r\n]+)")
_PVE_TOKEN = re.compile(r"(PVEAPIToken=[^=\s]+=)\S+")
_PVE_TICKET = re.compile(r"(PVEAuthCookie=)\S+")


def redact(text: str) -> str:
    """The text with secret-looking values replaced by ``***`` (a second line of defence: the
    engine already never logs a secret it knows about)."""
    text = _PVE_TOKEN.sub(r"\1***", text)
    text = _PVE_TICKET.sub(r"\1***", text)
    text = _AUTH_HEADER.sub(r"\1***", text)
    return _SECRET_PAIR.sub(r"\1\2***", text)


class RedactingFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))


def setup_logging(home: Home) -> logging.Handler:
    """Log INFO and above of ``ocv_desktop`` to a rotating file in the home's logs folder.
    Handlers that were there before (the CLI's stderr handler) keep the level they had."""
    home.ensure()
    logger = logging.getLogger("ocv_desktop")
    for existing in logger.handlers:
        if isinstance(existing, logging.handlers.RotatingFileHandler):
            return existing
        if existing.level == logging.NOTSET:
            existing.setLevel(logger.getEffectiveLevel())
    handler = logging.handlers.RotatingFileHandler(
        home.logs_dir / LOG_FILE, maxBytes=LOG_MAX_BYTES, backupCount=LOG_BACKUPS, encoding="utf-8"
    )
    handler.setFormatter(RedactingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.setLevel(logging.INFO)
    logger.addHandler(handler)
    if logger.getEffectiveLevel() > logging.INFO:
        logger.setLevel(logging.INFO)
    return handler


def install_error_hooks(loop: asyncio.AbstractEventLoop, show: Callable[[str], None]) -> Callable[[], None]:
    """Route unexpected exceptions to the log and the banner. Returns a function that undoes it."""
    previous_hook = sys.excepthook

    def text_for(exc: BaseException | None, fallback: str) -> str:
        if exc is None:
            return QCoreApplication.translate("ErrorHooks", "Unexpected problem: {what}").format(what=fallback)
        return QCoreApplication.translate(
            "ErrorHooks", "Unexpected error (a bug, please report it; details are in the log): {kind}: {error}"
        ).format(kind=type(exc).__name__, error=redact(str(exc)))

    def excepthook(kind: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        if issubclass(kind, KeyboardInterrupt):
            previous_hook(kind, exc, tb)
            return
        log.error("unhandled exception:\n%s", "".join(traceback.format_exception(kind, exc, tb)))
        show(text_for(exc, ""))

    def loop_handler(_loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        exc = context.get("exception")
        message = str(context.get("message", ""))
        if exc is not None:
            log.error("unhandled exception in the event loop: %s", message, exc_info=exc)
        else:
            log.error("event loop problem: %s", message)
        show(text_for(exc, message))

    sys.excepthook = excepthook
    loop.set_exception_handler(loop_handler)

    def undo() -> None:
        sys.excepthook = previous_hook
        loop.set_exception_handler(None)

    return undo


def _application() -> QApplication:
    route_qt_messages()  # before the QApplication: the platform plugin already talks while it loads
    app = QApplication.instance()
    if app is None:
        app = QApplication([sys.argv[0] if sys.argv else APP_NAME])
    assert isinstance(app, QApplication)
    app.setApplicationName(APP_NAME)
    app.setApplicationDisplayName(APP_NAME)
    app.setOrganizationName(APP_NAME)
    app.setApplicationVersion(__version__)
    app.setDesktopFileName(APP_NAME)  # Wayland/X11 match the window to resources/ocv-desktop.desktop
    app.setWindowIcon(app_icon())
    app.setQuitOnLastWindowClosed(False)  # the window's `closed` signal ends the app coroutine instead
    install_translator(app)
    apply_palette(app, "system")
    follow_system_scheme(app)  # "follow system" follows a light/dark switch of the desktop live
    return app


# What the first connect imports (asyncssh and httpx with their crypto: ~300 ms). Imported on a
# worker thread right after the window is shown, so the loop never runs a big import itself: the
# GIL switches every few ms and the window keeps painting. (Issue 15: the first connect imported
# them on the loop, a visible stall right after the first paint.)
WARM_MODULES = (
    "asyncssh",
    "httpx",
    "ocv_desktop.transport.ssh",
    "ocv_desktop.transport.http",
    "ocv_desktop.services.pool",
)


def warm_imports() -> None:
    """Import what connecting needs, plus every installed provider; blocking: run it off the loop."""
    import importlib

    from ocv_desktop.core.models import Platform
    from ocv_desktop.providers.base import provider_class

    for name in WARM_MODULES:
        importlib.import_module(name)
    for platform in Platform:
        try:
            provider_class(platform)
        except Exception:
            log.debug("provider %s not warmed", platform.value, exc_info=True)


def freeze_startup_heap() -> None:
    """Take everything alive after start-up out of the garbage collector's view.

    A full (generation 2) collection scans every tracked object, and with Qt and the engine loaded
    one took 100+ ms: a visible freeze whenever it happened during a refresh. What exists at
    start-up lives until exit anyway, so once frozen it is never scanned again and collections
    only look at what changed since (gc.freeze, Python >= 3.7). The young generations are
    collected first; a full collection here was itself a 50-100 ms stall right after the first
    paint (issue 15), for the little cyclic garbage that start-up leaves in the old one."""
    gc.collect(1)
    gc.freeze()


async def _install_configured_language(home: Home) -> None:
    """settings.language (the settings dialog) before any window text is made; $OCV_DESKTOP_LANG
    still wins. A config that does not load is reported later by the session: English then."""
    if os.environ.get(LANG_ENV_VAR, "").strip():
        return
    try:
        language = (await asyncio.to_thread(load_config, home.config_file)).settings.language
    except (OcvError, OSError) as exc:  # reported with file and line by Session.start
        log.debug("language setting not read: %s", exc)
        return
    app = QApplication.instance()
    if language and isinstance(app, QApplication):
        install_translator(app, language)


async def _run_window(home: Home) -> None:
    setup_logging(home)
    log.info("ocv-desktop %s starting (Qt %s, PySide6 %s)", __version__, qVersion(), PYSIDE_VERSION)
    # The window is built and painted from config.yaml first; the keyring opens after (issue 15:
    # keyring's imports and its D-Bus probe cost 60-135 ms before the first paint). Until then
    # the store makes every secret call wait, and the status bar says it is being opened.
    secrets = SecretStore.opening()
    await _install_configured_language(home)
    workspace = Workspace(home, secrets)
    window = MainWindow(workspace)
    loop = asyncio.get_running_loop()
    undo_hooks = install_error_hooks(loop, window.banner.show_message)
    done = asyncio.Event()
    window.closed.connect(done.set)
    app = QApplication.instance()
    if app is not None:
        app.aboutToQuit.connect(done.set)  # logout / session end
    if os.name == "posix":  # Ctrl+C / kill in a terminal closes the window like the close button
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, window.close)
    window.show()
    try:
        await workspace.start(monitor=False, refresh=False)  # the nodes from the config, no network yet
        log.info("main window shown with %d nodes", len(workspace.nodes))
        # Both off the loop (the keyring on its own thread): the window paints and answers meanwhile.
        opened, _ = await asyncio.gather(SecretStore.open(), asyncio.to_thread(warm_imports))
        secrets.adopt(opened)
        workspace.keyringStateChanged.emit()
        freeze_startup_heap()
        workspace.begin()  # health monitor and first refreshes
        await done.wait()
    finally:
        if os.name == "posix":
            for signum in (signal.SIGINT, signal.SIGTERM):
                loop.remove_signal_handler(signum)
        await workspace.shutdown()  # a no-op when the window already did it
        undo_hooks()
        window.deleteLater()
    log.info("main window closed")


def run_gui(home: Home) -> int:
    """Open the main window and run until it is closed. Returns the exit status."""
    _application()
    qasync.run(_run_window(home))
    return 0


async def _self_test(home: Home) -> dict[str, Any]:
    await asyncio.to_thread(load_config, home.config_file)  # a broken config is the answer (ConfigError)
    secrets = await SecretStore.open()
    workspace = Workspace(home, secrets)
    window = MainWindow(workspace, remember_state=False)
    try:
        await workspace.start(monitor=False, refresh=False)  # build and show; contact no node
        window.show()
        # A few turns of the Qt-driven loop (never processEvents() inside a coroutine: that would
        # run other tasks re-entrantly, qasync #59).
        for _ in range(5):
            await asyncio.sleep(0.02)
        found = {name: window.findChild(QWidget, name) is not None for name in ("nodeTree", "instanceTable")}
        return {
            "version": __version__,
            "home": str(home.root),
            "config_file": str(home.config_file),
            "nodes": len(workspace.nodes),
            "qt": {
                "version": qVersion(),
                "pyside": PYSIDE_VERSION,
                "platform": QApplication.platformName(),
                "event_loop": type(asyncio.get_running_loop()).__name__,
            },
            "window": {"shown": window.isVisible(), **found},
            "secrets": {"backend": secrets.backend_name, "persistent": secrets.persistent, "reason": secrets.reason},
        }
    finally:
        closed = asyncio.Event()
        window.closed.connect(closed.set)
        window.close()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(closed.wait(), 5)
        window.deleteLater()


def self_test(home: Home) -> dict[str, Any]:
    """Build the main window from ``home`` (offscreen when there is no display), turn the event
    loop, and report what was found. Contacts no node."""
    if sys.platform.startswith("linux") and not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    _application()
    result: dict[str, Any] = qasync.run(_self_test(home))
    with contextlib.suppress(RuntimeError):
        QApplication.processEvents()  # deliver the deleteLater
    return result
