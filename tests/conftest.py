"""Suite-wide settings. Qt runs offscreen and qasync uses PySide6 in every test process."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QT_API", "pyside6")

# Keyring fixtures (secret_service, keyring_env, new_secret_service, no_keyring). Importing the module also points
# keyring at its fail backend for the whole run, so no test touches the developer's own keyring.
import pytest

pytest.register_assert_rewrite("tests.keyring_fixture")  # test modules also load it as a plugin
from tests.keyring_fixture import keyring_env, new_secret_service, no_keyring, secret_service  # noqa: E402, F401

# The lab of real servers (sshd, dockerd, incusd, lxd, fakepve): fixtures lab, lab_ssh, lab_docker, ...
# Coverage per package at the end of a `--cov` run (tests/coverage_packages.py).
pytest_plugins = ["tests.lab.fixtures", "tests.coverage_packages"]
