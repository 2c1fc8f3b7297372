"""Generated root passwords: length, character classes, symbol sets, bad arguments."""

from __future__ import annotations

import string

import pytest

from ocv_desktop.core.errors import InvalidInput
from ocv_desktop.core.passwords import DEFAULT_LENGTH, DEFAULT_SYMBOLS, MAX_LENGTH, MIN_LENGTH, generate_password

ALNUM = set(string.ascii_letters + string.digits)


def has_every_class(password: str, symbols: str = "") -> bool:
    classes = [string.ascii_lowercase, string.ascii_uppercase, string.digits] + ([symbols] if symbols else [])
    return all(any(c in cls for c in password) for cls in classes)


def test_default_is_16_letters_and_digits_with_every_class() -> None:
    for _ in range(500):
        password = generate_password()
        assert len(password) == DEFAULT_LENGTH == 16
        assert set(password) <= ALNUM
        assert has_every_class(password)


@pytest.mark.parametrize("length", [MIN_LENGTH, 12, 40, MAX_LENGTH])
def test_length_is_configurable(length: int) -> None:
    assert len(generate_password(length)) == length


def test_symbols_when_asked_for() -> None:
    for _ in range(200):
        password = generate_password(MIN_LENGTH, DEFAULT_SYMBOLS)
        assert set(password) <= ALNUM | set(DEFAULT_SYMBOLS)
        assert has_every_class(password, DEFAULT_SYMBOLS)


def test_no_two_alike() -> None:
    """A CSPRNG: 2000 passwords of 62^16 possibilities never repeat, and every character shows up."""
    passwords = [generate_password() for _ in range(2000)]
    assert len(set(passwords)) == len(passwords)
    assert set("".join(passwords)) == ALNUM


@pytest.mark.parametrize(
    ("length", "symbols", "message"),
    [
        (MIN_LENGTH - 1, "", "between 8 and 128"),
        (MAX_LENGTH + 1, "", "between 8 and 128"),
        (16, "a!", "may not contain 'a'"),
        (16, "!\n", "may not contain '\\n'"),
        (16, " ", "may not contain ' '"),
    ],
)
def test_bad_arguments(length: int, symbols: str, message: str) -> None:
    with pytest.raises(InvalidInput, match=message.replace("\\", "\\\\")):
        generate_password(length, symbols)
