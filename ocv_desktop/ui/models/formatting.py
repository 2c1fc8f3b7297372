"""How numbers look in the window: sizes in binary units, CPU, latencies, durations.

The engine keeps bytes and seconds (core/models.py); these helpers are the one place that turns
them into short text for table cells and tooltips. Unit names are not translated (they are SI/IEC
symbols), the surrounding words are.
"""

from __future__ import annotations

_UNITS = ("B", "KiB", "MiB", "GiB", "TiB", "PiB")


def format_bytes(value: int | None) -> str:
    """``1536`` -> ``1.5 KiB``; None -> ``""``."""
    if value is None:
        return ""
    size = float(value)
    for unit in _UNITS:
        if abs(size) < 1024 or unit == _UNITS[-1]:
            if unit == "B":
                return f"{int(size)} B"
            return f"{size:.1f} {unit}" if size < 10 else f"{size:.0f} {unit}"
        size /= 1024
    raise AssertionError("unreachable")  # pragma: no cover


def format_usage(used: int | None, limit: int | None) -> str:
    """``used / limit`` when both are known, else whichever is."""
    if used is not None and limit is not None:
        return f"{format_bytes(used)} / {format_bytes(limit)}"
    return format_bytes(used if used is not None else limit)


def format_cores(cores: float | None) -> str:
    if cores is None:
        return ""
    return f"{cores:g}"


def format_seconds(seconds: float | None) -> str:
    """A duration for the activity log: ``0.4 s``, ``12 s``, ``3 min 05 s``."""
    if seconds is None:
        return ""
    if seconds < 10:
        return f"{seconds:.1f} s"
    if seconds < 60:
        return f"{seconds:.0f} s"
    minutes, secs = divmod(int(seconds), 60)
    if minutes < 60:
        return f"{minutes} min {secs:02d} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"


def format_latency(seconds: float | None) -> str:
    if seconds is None:
        return "–"
    return f"{seconds * 1000:.0f} ms"
