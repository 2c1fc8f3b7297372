"""Key presses as the bytes an xterm sends (what bash, vim, less and htop expect of TERM=xterm-256color).

Pure: no widget, so it is unit-tested key by key. ``app_cursor``: the program asked for
"application cursor keys" (DECCKM, ``ESC [ ? 1 h``, as vim and less do), which changes the arrows
and Home/End from ``ESC [ A`` to ``ESC O A``.
"""

from __future__ import annotations

from PySide6.QtCore import Qt

K = Qt.Key

# xterm's modifier parameter: 1 + (shift 1, alt 2, ctrl 4)
_CURSOR = {K.Key_Up: "A", K.Key_Down: "B", K.Key_Right: "C", K.Key_Left: "D", K.Key_Home: "H", K.Key_End: "F"}
_TILDE = {K.Key_Insert: 2, K.Key_Delete: 3, K.Key_PageUp: 5, K.Key_PageDown: 6}
_SS3_F = {K.Key_F1: "P", K.Key_F2: "Q", K.Key_F3: "R", K.Key_F4: "S"}
_TILDE_F = {
    K.Key_F5: 15, K.Key_F6: 17, K.Key_F7: 18, K.Key_F8: 19, K.Key_F9: 20, K.Key_F10: 21, K.Key_F11: 23, K.Key_F12: 24,
}  # fmt: skip
_CTRL_PUNCT = {"@": 0, " ": 0, "2": 0, "[": 27, "3": 27, "\\": 28, "4": 28, "]": 29, "5": 29, "^": 30, "6": 30,
               "_": 31, "-": 31, "7": 31, "/": 31, "?": 127, "8": 127}  # fmt: skip


def key_bytes(key: int, text: str, *, shift: bool, ctrl: bool, alt: bool, app_cursor: bool = False) -> bytes | None:
    """The bytes for one key press, or None when the terminal sends nothing for it (a lone
    modifier). ``text`` is what Qt says the key typed (already shifted, may be empty)."""
    mod = 1 + (1 if shift else 0) + (2 if alt else 0) + (4 if ctrl else 0)
    escape = _escape_key(key, mod, app_cursor)
    if escape is not None:
        return escape
    special = _special(key, shift=shift, ctrl=ctrl)
    if special is not None:
        return b"\x1b" + special if alt else special
    if ctrl:
        return _with_alt(_control(key, text), alt)
    return _with_alt(text.encode("utf-8"), alt) if text else None


def _escape_key(key: int, mod: int, app_cursor: bool) -> bytes | None:
    """Cursor, editing and function keys: their escape sequences, with xterm's modifier parameter."""
    if key in _CURSOR:
        final = _CURSOR[K(key)]
        if mod > 1:
            return f"\x1b[1;{mod}{final}".encode()
        return f"\x1b{'O' if app_cursor else '['}{final}".encode()
    if key in _TILDE:
        n = _TILDE[K(key)]
        return f"\x1b[{n};{mod}~".encode() if mod > 1 else f"\x1b[{n}~".encode()
    if key in _SS3_F:
        final = _SS3_F[K(key)]
        return f"\x1b[1;{mod}{final}".encode() if mod > 1 else f"\x1bO{final}".encode()
    if key in _TILDE_F:
        n = _TILDE_F[K(key)]
        return f"\x1b[{n};{mod}~".encode() if mod > 1 else f"\x1b[{n}~".encode()
    return None


def _special(key: int, *, shift: bool, ctrl: bool) -> bytes | None:
    if key in (K.Key_Return, K.Key_Enter):
        return b"\r"
    if key == K.Key_Backspace:
        return b"\x08" if ctrl else b"\x7f"
    if key == K.Key_Backtab or (key == K.Key_Tab and shift):
        return b"\x1b[Z"
    if key == K.Key_Tab:
        return b"\t"
    if key == K.Key_Escape:
        return b"\x1b"
    return None


def _control(key: int, text: str) -> bytes | None:
    """Ctrl+letter is the letter's control code (Ctrl+C = 0x03); a few punctuation keys too."""
    if K.Key_A <= key <= K.Key_Z:
        return bytes([key - K.Key_A + 1])
    char = text[:1] if text and ord(text[:1]) >= 32 else (chr(key) if 32 <= key < 127 else "")
    if char.isalpha():
        return bytes([ord(char.upper()) - 64])
    if char in _CTRL_PUNCT:
        return bytes([_CTRL_PUNCT[char]])
    if text and ord(text[:1]) < 32:  # the platform already made the control code
        return text.encode()
    return None


def _with_alt(data: bytes | None, alt: bool) -> bytes | None:
    """Alt sends ESC before the key (xterm's "meta sends escape", what readline's M-b expects)."""
    if data is None:
        return None
    return b"\x1b" + data if alt else data
