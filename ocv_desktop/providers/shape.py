"""Shape checks for what a node sends back: parsers read JSON through these, so a wrong type, NaN
or an absurd number becomes a ``MalformedData`` naming the field instead of an AttributeError deep
in a parser ("internal error (a bug)"). ``guarded`` is the net around each parser's entry point for
whatever the explicit checks did not foresee; the provider adds the node's name (base.py)."""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Mapping
from typing import Any, ParamSpec, TypeVar

from ocv_desktop.core.errors import MalformedData

P = ParamSpec("P")
R = TypeVar("R")

# Sizes, counts and times fit in 63 bits everywhere we read them (Go int64, Perl IV).
MAX_INT = 2**63 - 1

# What a parser may trip over when the data is not the shape it expects.
SHAPE_ERRORS = (AttributeError, TypeError, ValueError, KeyError, IndexError, OverflowError, RecursionError)


def kind(value: Any) -> str:
    """A JSON-ish name for the type of ``value`` (for messages)."""
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)  # nan, inf, -inf
    for types, name in _KINDS:
        if isinstance(value, types):
            return name
    return "a number" if value is not None else "null"


_KINDS: tuple[tuple[type | tuple[type, ...], str], ...] = (
    (bool, "a boolean"),
    (Mapping, "an object"),
    ((list, tuple), "a list"),
    (str, "a string"),
)


def obj(value: Any, what: str) -> Mapping[str, Any]:
    """An object; null (Go's nil map) reads as an empty one."""
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise MalformedData(f"{what} is {kind(value)}, expected an object")
    return value


def arr(value: Any, what: str) -> list[Any]:
    """A list; null (Go's nil slice) reads as an empty one."""
    if value is None:
        return []
    if not isinstance(value, list):
        raise MalformedData(f"{what} is {kind(value)}, expected a list")
    return value


def objs(value: Any, what: str) -> list[Mapping[str, Any]]:
    """A list of objects."""
    items = arr(value, what)
    for i, item in enumerate(items):
        if not isinstance(item, Mapping):
            raise MalformedData(f"{what}[{i}] is {kind(item)}, expected an object")
    return items


def text(value: Any, what: str) -> str:
    """A scalar as text; null is empty. Objects, lists and NaN/Infinity are not text."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool | int) or (isinstance(value, float) and math.isfinite(value)):
        return str(value)
    raise MalformedData(f"{what} is {kind(value)}, expected text")


def integer(value: Any, what: str) -> int | None:
    """A whole number in int64 range, or None when absent. Strings of digits are accepted
    (pvesh prints some numbers as strings)."""
    if value is None or value == "":
        return None
    number: int
    if isinstance(value, bool):
        raise MalformedData(f"{what} is {kind(value)}, expected a number")
    if isinstance(value, float):
        if not math.isfinite(value):
            raise MalformedData(f"{what} is {value}, expected a number")
        number = int(value)
    elif isinstance(value, str):
        try:
            number = int(float(value)) if "." in value else int(value)
        except (ValueError, OverflowError):
            raise MalformedData(f"{what} is {value[:40]!r}, expected a number") from None
    elif isinstance(value, int):
        number = value
    else:
        raise MalformedData(f"{what} is {kind(value)}, expected a number")
    if abs(number) > MAX_INT:
        raise MalformedData(f"{what} is out of range ({str(number)[:24]}...)")
    return number


def number(value: Any, what: str) -> float | None:
    """A finite number, or None when absent."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise MalformedData(f"{what} is {kind(value)}, expected a number")
    try:
        result = float(value)
    except (TypeError, ValueError, OverflowError):
        raise MalformedData(f"{what} is {kind(value)}, expected a number") from None
    if not math.isfinite(result):
        raise MalformedData(f"{what} is {value}, expected a finite number")
    return result


def guarded(what: str) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Turn any shape error inside a parser entry point into MalformedData about ``what``."""

    def wrap(fn: Callable[P, R]) -> Callable[P, R]:
        @functools.wraps(fn)
        def inner(*args: P.args, **kwargs: P.kwargs) -> R:
            try:
                return fn(*args, **kwargs)
            except MalformedData as exc:
                if exc.node or getattr(exc, "framed", False):
                    raise
                raise _framed(f"{what}: {exc.what}") from None  # say which answer held the bad field
            except SHAPE_ERRORS as exc:
                raise _framed(f"{what} could not be read ({type(exc).__name__}: {str(exc)[:120]})") from None

        return inner

    return wrap


def _framed(what: str) -> MalformedData:
    """A MalformedData that already names the answer it came from (outer guards leave it alone)."""
    exc = MalformedData(what)
    exc.framed = True  # type: ignore[attr-defined]
    return exc
