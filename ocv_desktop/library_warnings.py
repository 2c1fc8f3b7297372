"""Warnings raised inside third-party libraries go to our log, never to the user's terminal.

A library release can start warning at import (cryptography 51 prints ten DSA deprecation lines
whenever asyncssh is imported); a sysadmin piping ``ocv-desktop instances list`` must not see that,
and a script reading stderr must not mistake it for an error. Warnings raised by our own code are
left alone: they are meant for us and for whoever runs the tests.
"""

from __future__ import annotations

import logging
import os
import warnings
from typing import TextIO

__all__ = ["LOGGER_NAME", "route_library_warnings"]

# A child of "ocv_desktop", so the CLI shows these with -v and the GUI writes them to its log file.
LOGGER_NAME = "ocv_desktop.library_warnings"
_OUR_PACKAGE = os.path.dirname(os.path.abspath(__file__)) + os.sep

_original_showwarning = warnings.showwarning


def _is_ours(filename: str) -> bool:
    return os.path.abspath(filename).startswith(_OUR_PACKAGE)


def _show(  # noqa: PLR0917 - the signature of warnings.showwarning
    message: Warning | str,
    category: type[Warning],
    filename: str,
    lineno: int,
    file: TextIO | None = None,
    line: str | None = None,
) -> None:
    if _is_ours(filename):
        _original_showwarning(message, category, filename, lineno, file, line)
        return
    logging.getLogger(LOGGER_NAME).info(
        "%s:%d: %s: %s", filename, lineno, category.__name__, str(message).strip()
    )


def route_library_warnings() -> None:
    """Install the routing; safe to call more than once. Call it before importing libraries:
    a warning raised at import time is shown only once."""
    warnings.showwarning = _show

