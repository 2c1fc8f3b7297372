"""Showing an error's text in the window: the app's message and its hint, one sentence each."""

from __future__ import annotations

from ocv_desktop.core.errors import OcvError


def error_text(error: BaseException) -> str:
    """``message`` then the hint on its own line (an OcvError); any other error as its type and text."""
    if isinstance(error, OcvError):
        return f"{error.message}\n{error.hint}" if error.hint else error.message
    return f"{type(error).__name__}: {error}" if str(error) else type(error).__name__
