"""Where the home folder is (--home, then $OCV_DESKTOP_HOME, then the user config folder)."""

from __future__ import annotations

from pathlib import Path

import platformdirs
import pytest

from ocv_desktop.store.home import ENV_VAR, Home, resolve_home


def test_resolution_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENV_VAR, str(tmp_path / "from-env"))
    assert resolve_home(tmp_path / "from-cli").root == tmp_path / "from-cli"
    assert resolve_home(None).root == tmp_path / "from-env"
    monkeypatch.delenv(ENV_VAR)
    assert resolve_home(None).root == Path(platformdirs.user_config_dir("ocv-desktop", appauthor=False))


def test_relative_and_tilde_paths_become_absolute(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HOME", str(tmp_path / "me"))
    assert resolve_home("rel").root == tmp_path / "rel"
    assert resolve_home("~/ocv").root == tmp_path / "me" / "ocv"


def test_layout_and_private_folders(tmp_path: Path) -> None:
    home = Home(tmp_path / "a" / "home").ensure()
    assert home.config_file == home.root / "config.yaml"
    assert home.known_hosts == home.root / "known_hosts"
    for folder in (home.root, home.certs_dir, home.logs_dir):
        assert folder.is_dir()
        assert (folder.stat().st_mode & 0o777) == 0o700
    (tmp_path / "mine").mkdir(mode=0o755)
    Home(tmp_path / "mine").ensure()  # a folder the user made keeps its permissions
    assert ((tmp_path / "mine").stat().st_mode & 0o777) == 0o755
