"""Where the team's shared references and specs are (``../shared`` beside the checkout).

A CI clone may live elsewhere (e.g. under /tmp) on a machine that still has the shared folder at
its usual place, so look in order: ``$OCV_SHARED``, ``<repo>/../shared``, ``/work/shared``.

What a test needs and cannot find (these files, a tool, a fixture) goes through ``missing``: on a
developer's machine the test skips and says what to install; when ``CI`` is set it FAILS, so a CI
clone without ``../shared`` (or without a tool) cannot go green by skipping what it should check.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import NoReturn

import pytest

_REPO = Path(__file__).resolve().parents[1]


def _find_shared() -> Path:
    candidates = [os.environ.get("OCV_SHARED"), _REPO.parent / "shared", "/work/shared"]
    for candidate in candidates:
        if candidate and (Path(candidate) / "specs").is_dir():
            return Path(candidate)
    return _REPO.parent / "shared"


SHARED = _find_shared()
SPECS = Path(os.environ.get("OCV_SHARED_SPECS", SHARED / "specs"))
REFERENCE = SHARED / "reference"


def in_ci() -> bool:
    """``CI`` is set (GitHub, GitLab and most CI systems set ``CI=true``); ``CI=0``/``false`` is not CI."""
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no", "off")


def missing(what: str, install: str) -> NoReturn:
    """The one way a test gives up for lack of something: ``what`` is missing, ``install`` says how
    to get it. Skips on a developer's machine; fails when ``CI`` is set."""
    message = f"{what} is missing: {install}"
    if in_ci():
        pytest.fail(f"CI is set, so this is a failure, not a skip: {message}", pytrace=False)
    pytest.skip(message)


SPECS_HINT = "check out the team's shared folder beside the repo (../shared/specs) or set OCV_SHARED_SPECS"


def require_path(path: Path, what: str, install: str = SPECS_HINT) -> Path:
    """``path`` if it exists, else ``missing(...)``."""
    if not path.exists():
        missing(f"{what} ({path})", install)
    return path


def requires_path(path: Path, what: str, install: str = SPECS_HINT) -> object:
    """An autouse fixture for a module whose every test needs ``path``: ``_needs = requires_path(...)``
    at module level. (A ``skipif`` mark cannot fail in CI; a fixture can.)"""

    @pytest.fixture(autouse=True)
    def _needs_path() -> None:
        require_path(path, what, install)

    return _needs_path
