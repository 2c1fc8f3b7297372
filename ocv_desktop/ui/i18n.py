"""Translations: the app's own ``.qm`` files, Qt's for its standard buttons, and pseudo-localisation.

Which language: the ``locale`` argument (a saved setting), else the environment variable
``OCV_DESKTOP_LANG``, else the system locale. ``OCV_DESKTOP_LANG=pseudo`` (or ``locale="pseudo"``)
installs a pseudo-translator instead, as Vorta does with TRANS_SCALE: every string comes back
accented, bracketed and about 40 % longer, so untranslated strings (they stay plain) and layouts
that cut off longer languages show up at a glance.

Sources: ``resources/translations/ocv_desktop_<lang>.ts``; ``scripts/update-translations.sh``
re-extracts every ``tr()`` string of ``ocv_desktop/ui`` into them and compiles the ``.qm`` files
into ``ocv_desktop/ui/resources/translations`` (package data, found from any install).

Contexts: ``self.tr()`` uses the *runtime* class name as its context while pyside6-lupdate uses
the class the call is written in, so ``tr()`` in a base class method, called on a subclass,
finds no translation. Such code (and module-level functions) uses
``QCoreApplication.translate("<Context>", "...")`` with a fixed context.
"""

from __future__ import annotations

import logging
import os
import re

from PySide6.QtCore import QLibraryInfo, QLocale, QObject, QTranslator
from PySide6.QtWidgets import QApplication

from ocv_desktop.ui.resources import TRANSLATION_DIR

log = logging.getLogger(__name__)

ENV_VAR = "OCV_DESKTOP_LANG"
PSEUDO = "pseudo"
CATALOG = "ocv_desktop"  # ocv_desktop_<locale>.qm
_INSTALLED_PROPERTY = "_ocv_translators"


# --- pseudo-localisation -------------------------------------------------------------------------

_ACCENTED = str.maketrans(
    "abcdeghiklmnoprstuwyzABCDEGHIKLMNOPRSTUWYZ",
    "åƀçđéĝĥîķĺɱñöþŕšţûŵýžÅƁÇĐÉĜĤÎĶĹḾÑÖÞŔŠŢÛŴÝŽ",
)
# Left untouched: {placeholders} for str.format, %1/%n arguments, <html tags>, &entities; and the
# letter after a mnemonic '&' (Alt+<letter> must stay typeable).
_PROTECTED = re.compile(r"\{[^{}]*\}|%L?\d+|%n|<[^<>]*>|&[A-Za-z]+;|&&|&.")
STRETCH = 0.4


def pseudo_translate(text: str) -> str:
    """``"Add &node…"`` -> ``"[Åđđ &nöđé… ~~~~]"``: accented, about 40 % longer, bracketed."""
    if not text.strip():
        return text
    out, last = [], 0
    for match in _PROTECTED.finditer(text):
        out.append(text[last : match.start()].translate(_ACCENTED))
        out.append(match.group())
        last = match.end()
    out.append(text[last:].translate(_ACCENTED))
    body = "".join(out)
    lines = body.split("\n")
    extra = max(1, round(len(max(lines, key=len)) * STRETCH))
    # In words of at most 8, so that wrapped labels can still break the line (one long run of
    # tildes would be a single unbreakable word wider than any real translation).
    padding = " ".join("~" * min(8, extra - i) for i in range(0, extra, 8))
    lines[0] = f"[{lines[0]}"
    lines[-1] = f"{lines[-1]} {padding}]"
    return "\n".join(lines)


class PseudoTranslator(QTranslator):
    """Answers every ``tr()`` with its pseudo-translation (Qt's own strings included)."""

    # Qt translates key names through this context when it *displays* shortcuts; leave them, so
    # the shortcut texts in menus stay readable and parseable.
    _SKIP_CONTEXTS = frozenset({"QShortcut", "QKeySequence"})

    def translate(self, context: str, source: str, disambiguation: str | None = None, n: int = -1) -> str:
        if context in self._SKIP_CONTEXTS or not source:
            return ""  # empty = not translated here: Qt keeps the source text
        return pseudo_translate(source)

    def isEmpty(self) -> bool:
        return False


# --- choosing and installing ---------------------------------------------------------------------


def requested_locale(locale: str | None = None) -> str:
    """The language asked for: the argument, else ``$OCV_DESKTOP_LANG``, else the system's."""
    chosen = (locale or os.environ.get(ENV_VAR, "")).strip()
    return chosen or QLocale.system().name()


def available_languages() -> list[str]:
    """Locales we ship a translation for (from the .qm files), e.g. ``["zh_CN"]``."""
    prefix = f"{CATALOG}_"
    return sorted(p.stem.removeprefix(prefix) for p in TRANSLATION_DIR.glob(f"{prefix}*.qm"))


def install_translator(app: QApplication, locale: str | None = None) -> None:
    """Install the translators for ``locale`` (see ``requested_locale``), replacing any installed
    by an earlier call. Unknown languages fall back to the English source texts."""
    for old in app.findChildren(QTranslator, _INSTALLED_PROPERTY):
        app.removeTranslator(old)
        old.deleteLater()
    name = requested_locale(locale)
    if name == PSEUDO:
        _install(app, PseudoTranslator(app))
        log.info("pseudo-localisation active")
        return
    qlocale = QLocale(name)
    ours = QTranslator(app)
    if ours.load(qlocale, CATALOG, "_", str(TRANSLATION_DIR)):
        _install(app, ours)
        log.info("translation %s loaded for locale %s", ours.filePath(), name)
    else:
        ours.deleteLater()
        log.debug("no ocv-desktop translation for locale %s; using English", name)
        return  # Qt's own strings in another language would mix languages in one dialog
    qt = QTranslator(app)
    if qt.load(qlocale, "qtbase", "_", QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)):
        _install(app, qt)  # "OK", "Cancel", "Show Details..." in QMessageBox and QDialogButtonBox
    else:
        qt.deleteLater()


def _install(app: QApplication, translator: QObject) -> None:
    translator.setObjectName(_INSTALLED_PROPERTY)
    app.installTranslator(translator)  # type: ignore[arg-type]
