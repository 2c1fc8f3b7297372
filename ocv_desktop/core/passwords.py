"""Root passwords for instances, from the OS CSPRNG (``secrets``)."""

from __future__ import annotations

import secrets
import string

from ocv_desktop.core.errors import InvalidInput

DEFAULT_LENGTH = 16
MIN_LENGTH = 8
MAX_LENGTH = 128
# Symbols that survive every shell, YAML and chpasswd path we use (still sent on stdin only).
DEFAULT_SYMBOLS = "!#%+-.=@^_~"


def generate_password(length: int = DEFAULT_LENGTH, symbols: str = "") -> str:
    """Letters and digits (plus ``symbols`` if given) with at least one lower, one upper and
    one digit (and one symbol when symbols are allowed)."""
    if not MIN_LENGTH <= length <= MAX_LENGTH:
        raise InvalidInput(f"password length must be between {MIN_LENGTH} and {MAX_LENGTH}, not {length}")
    bad = [c for c in symbols if c.isspace() or not c.isprintable() or c.isalnum()]
    if bad:
        # A newline would end chpasswd's user:password line; letters and digits are not symbols.
        raise InvalidInput(f"symbol set may not contain {''.join(sorted(set(bad)))!r}")
    classes = [string.ascii_lowercase, string.ascii_uppercase, string.digits]
    if symbols:
        classes.append("".join(dict.fromkeys(symbols)))
    alphabet = "".join(classes)
    while True:
        candidate = "".join(secrets.choice(alphabet) for _ in range(length))
        if all(any(c in cls for c in candidate) for cls in classes):
            return candidate
