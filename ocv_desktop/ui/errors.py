"""The app's own words around a server's text, translated at the UI edge (issue 14, item 9).

Below ``ui/`` errors are plain English sentences (the CLI prints them, the log keeps them). Many are
our framing around what the node or the OS said: ``cannot connect to HOST:22: Connection refused``.
In the zh_CN window the framing must be Chinese while the server's own text stays as it was sent
(a sysadmin searches for it). So this table knows the app's message shapes: each pattern captures
the parts that came from outside (kept verbatim) and gives the translated sentence around them.
Texts that match nothing are shown as they are: new shapes belong in this table.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from PySide6.QtCore import QCoreApplication

from ocv_desktop.core.errors import OcvError

# (the English shape, its translation) — groups are outside text and stay as they are, except
# those named ``what``, which are themselves our phrases and go through the table again.
_SHAPES: tuple[tuple[re.Pattern[str], Callable[[], str]], ...] = tuple(
    (re.compile(pattern, re.DOTALL), template)
    for pattern, template in (
        (
            r"cannot connect to (?P<where>\S+): (?P<reason>.+)",
            lambda: QCoreApplication.translate("Errors", "cannot connect to {where}: {reason}"),
        ),
        (
            r"(?P<where>\S+) refused the connection",
            lambda: QCoreApplication.translate("Errors", "{where} refused the connection"),
        ),
        (
            r"cannot resolve the host name of (?P<where>\S+): (?P<reason>.+)",
            lambda: QCoreApplication.translate("Errors", "cannot resolve the host name of {where}: {reason}"),
        ),
        (
            r"SSH connection to (?P<where>\S+) failed: (?P<reason>.+)",
            lambda: QCoreApplication.translate("Errors", "SSH connection to {where} failed: {reason}"),
        ),
        (
            r"the connection to (?P<where>.+?) failed: (?P<reason>.+)",
            lambda: QCoreApplication.translate("Errors", "the connection to {where} failed: {reason}"),
        ),
        (
            r"(?P<what>.+) timed out after (?P<seconds>[0-9.e+]+) s",
            lambda: QCoreApplication.translate("Errors", "{what} timed out after {seconds} s"),
        ),
        (
            r"connecting to (?P<where>\S+) over SSH",
            lambda: QCoreApplication.translate("Errors", "connecting to {where} over SSH"),
        ),
        (
            r"(?P<where>\S+) refused the SSH login \((?P<method>\w+) authentication\)",
            lambda: QCoreApplication.translate("Errors", "{where} refused the SSH login ({method} authentication)"),
        ),
        (
            r"(?P<where>.+?) refused the trust token: (?P<reason>.+)",
            lambda: QCoreApplication.translate("Errors", "{where} refused the trust token: {reason}"),
        ),
        (r"connecting to (?P<where>\S+)", lambda: QCoreApplication.translate("Errors", "connecting to {where}")),
    )
)

# Whole sentences of ours (hints, name rules): translated as they are.
_SENTENCES: dict[str, Callable[[], str]] = {
    "is sshd running and the port right?": lambda: QCoreApplication.translate(
        "Errors", "is sshd running and the port right?"
    ),
    "check the node's address": lambda: QCoreApplication.translate("Errors", "check the node's address"),
    "check the user name and credentials": lambda: QCoreApplication.translate(
        "Errors", "check the user name and credentials"
    ),
    "the trust token is empty or has spaces in it": lambda: QCoreApplication.translate(
        "Errors", "the trust token is empty or has spaces in it"
    ),
    # providers/*: Provider.name_hint, the instance-name rule of each platform
    "LXD/Incus names are hostnames: letters, digits and '-', starting with a letter, at most 63": lambda: (
        QCoreApplication.translate(
            "Errors", "LXD/Incus names are hostnames: letters, digits and '-', starting with a letter, at most 63"
        )
    ),
    "2-63 characters: letters, digits, '_', '.' and '-', starting with a letter or digit": lambda: (
        QCoreApplication.translate(
            "Errors", "2-63 characters: letters, digits, '_', '.' and '-', starting with a letter or digit"
        )
    ),
    "a hostname: letters, digits and '-', not starting or ending with '-', at most 63 characters": lambda: (
        QCoreApplication.translate(
            "Errors", "a hostname: letters, digits and '-', not starting or ending with '-', at most 63 characters"
        )
    ),
    "use letters, digits and '-', start with a letter or digit, at most 63 characters": lambda: (
        QCoreApplication.translate(
            "Errors", "use letters, digits and '-', start with a letter or digit, at most 63 characters"
        )
    ),
    "tokens are single-use and expire; create a new one with `config trust add`": lambda: QCoreApplication.translate(
        "Errors", "tokens are single-use and expire; create a new one with `config trust add`"
    ),
}


def localize(text: str) -> str:
    """``text`` with the app's own framing translated and the outside parts kept verbatim."""
    sentence = _SENTENCES.get(text)
    if sentence is not None:
        return sentence()
    # "message (hint)", as OcvError.__str__ joins them: each half on its own
    if text.endswith(")"):
        for hint, translated in _SENTENCES.items():
            if text.endswith(f" ({hint})"):
                return f"{localize(text[: -len(hint) - 3])} ({translated()})"
    for pattern, template in _SHAPES:
        match = pattern.fullmatch(text)
        if match is not None:
            parts = {k: (localize(v) if k == "what" else v) for k, v in match.groupdict().items()}
            return template().format(**parts)
    return text


def error_text(error: BaseException) -> str:
    """``message`` then the hint on its own line (an OcvError), framing translated; any other
    error as its type and text."""
    if isinstance(error, OcvError):
        message = localize(error.message)
        return f"{message}\n{localize(error.hint)}" if error.hint else message
    return f"{type(error).__name__}: {error}" if str(error) else type(error).__name__
