"""Go's ``time.Time`` as JSON carries it: RFC 3339 with up to nine fractional digits.

Docker and LXD/Incus are Go programs and print their times this way (``Created``, ``created_at``),
so their parsers share this one reader.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from ocv_desktop.core.errors import MalformedData
from ocv_desktop.providers.shape import kind

_FRACTION_RE = re.compile(r"\.(\d+)")


def parse_go_time(value: Any, what: str = "a time") -> datetime | None:
    """``2024-01-01T12:34:56.123456789Z`` as an aware datetime (Python keeps microseconds). Go's
    zero time (``0001-01-01T00:00:00Z``) means 'never' and gives None, as does an unreadable
    string; a value that is not a string at all (an object, a number) is MalformedData."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise MalformedData(f"{what} is {kind(value)}, expected an RFC 3339 time")
    text = value.strip()
    if not text or text.startswith("0001-01-01"):
        return None
    text = _FRACTION_RE.sub(lambda m: "." + m.group(1)[:6].ljust(6, "0"), text, count=1)
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
