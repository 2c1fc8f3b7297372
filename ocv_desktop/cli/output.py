"""How commands print: JSON for scripts (stable, documented in README.md) and aligned tables.

JSON rules every command follows: one JSON document on stdout, UTF-8 (non-ASCII as is, not
``\\u`` escapes), 2-space indent; dataclasses as objects with their field names, enums as their
string values, tuples as lists, times as ISO 8601, absent values as ``null``. Keys are only ever
added in later versions, never renamed or removed.
"""

from __future__ import annotations

import json
import sys
import unicodedata
from collections.abc import Callable, Sequence
from typing import Any, TextIO

from ocv_desktop.core.models import NodeConfig, to_jsonable
from ocv_desktop.store.secrets import SecretStore


def print_json(data: Any, file: TextIO | None = None) -> None:
    out = file or sys.stdout
    out.write(json.dumps(to_jsonable(data), ensure_ascii=False, indent=2) + "\n")


# Bidirectional controls reorder what the terminal shows ("Trojan Source"); not Cc, so named here.
_BIDI_CONTROLS = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def terminal_safe(text: str, *, keep: str = "") -> str:
    """``text`` with control characters shown as escapes (``\\x1b``) instead of sent raw: node data
    (names, image descriptions, remote error output) must not move the cursor, clear the screen,
    set the window title or reorder a line. Characters in ``keep`` (e.g. a newline in a message)
    stay as they are."""
    if text.isprintable():
        return text
    out = []
    for c in text:
        if c in keep or not (unicodedata.category(c) == "Cc" or c in _BIDI_CONTROLS):
            out.append(c)
        else:
            out.append(f"\\x{ord(c):02x}" if ord(c) < 0x100 else f"\\u{ord(c):04x}")
    return "".join(out)


def display_width(text: str) -> int:
    """Terminal columns: CJK (wide and full-width) characters take two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 0 if unicodedata.combining(c) else 1 for c in text)


def format_table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    headers = [terminal_safe(h) for h in headers]
    rows = [[terminal_safe(str(cell)) for cell in row] for row in rows]
    widths = [display_width(h) for h in headers]
    for row in rows:
        widths = [max(w, display_width(cell)) for w, cell in zip(widths, row, strict=True)]

    def line(cells: Sequence[str]) -> str:
        padded = [cell + " " * (w - display_width(cell)) for cell, w in zip(cells, widths, strict=True)]
        return "  ".join(padded).rstrip()

    return "\n".join([line(headers), *(line(r) for r in rows)])


def print_table(headers: Sequence[str], rows: Sequence[Sequence[str]], file: TextIO | None = None) -> None:
    (file or sys.stdout).write(format_table(headers, rows) + "\n")


Row = Callable[[Any], Sequence[str]]


def print_listing(
    node_name: str, key: str, items: Sequence[Any], headers: Sequence[str], row: Row, *, as_json: bool
) -> None:
    """What ``instances list`` and ``images list`` print, sorted by name: ``{"node": NAME, KEY: [...]}``
    as JSON, else a table (and when there is nothing, a note on stderr)."""
    ordered = sorted(items, key=lambda item: item.name)
    if as_json:
        print_json({"node": node_name, key: ordered})
    elif ordered:
        print_table(headers, [row(item) for item in ordered])
    else:
        print(f"no {key} on {node_name}", file=sys.stderr)


def print_record(item: Any, headers: Sequence[str], row: Row, *, as_json: bool) -> None:
    """One instance or image (``show``, ``create``, ``pull``): itself as JSON, else a one-row table."""
    if as_json:
        print_json(item)
    else:
        print_table(headers, [row(item)])


def secrets_json(store: SecretStore) -> dict[str, Any]:
    """``{"backend": str, "persistent": bool, "reason": str}`` — the keyring in use."""
    return {"backend": store.backend_name, "persistent": store.persistent, "reason": store.reason}


def node_json(node: NodeConfig) -> dict[str, Any]:
    """Every NodeConfig field under its own name (README: "JSON output")."""
    fields: dict[str, Any] = to_jsonable(node)
    return fields


def node_summary(node: NodeConfig) -> str:
    """``name (type, user@host:port)`` for one-line messages."""
    return f"{node.name} ({node.type.value}, {node.display_address})"
