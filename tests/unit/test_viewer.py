"""transport/viewer.py without a server: finding remote-viewer and the private connection file."""

from __future__ import annotations

import os
import stat

import pytest

from ocv_desktop.core.errors import Unsupported
from ocv_desktop.transport import viewer


def test_the_connection_file_is_private_from_its_creation(tmp_path):
    path = viewer.write_connection_file(tmp_path, {"type": "vnc", "host": "127.0.0.1", "port": 5900, "password": "pw"})
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert path.read_text().splitlines() == ["[virt-viewer]", "type=vnc", "host=127.0.0.1", "port=5900", "password=pw"]


def test_a_line_break_cannot_smuggle_in_another_key(tmp_path):
    with pytest.raises(ValueError):  # "title=a" then "host=evil" would send the viewer elsewhere
        viewer.write_connection_file(tmp_path, {"title": "a\nhost=evil"})
    assert not (tmp_path / "console.vv").exists()


def test_find_viewer_names_the_package_when_none_is_installed(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setattr(viewer, "EXTRA_PLACES", [])
    with pytest.raises(Unsupported) as info:
        viewer.find_viewer()
    assert "virt-viewer" in (info.value.hint or "")
    exe = tmp_path / "remote-viewer"
    exe.write_text("#!/bin/sh\n")
    exe.chmod(0o755)
    assert viewer.find_viewer() == str(exe)


def test_find_viewer_looks_where_installers_put_it_outside_path(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path / "nothing"))
    place = tmp_path / "VirtViewer v11" / "bin"
    place.mkdir(parents=True)
    exe = place / "remote-viewer"
    exe.write_text("#!/bin/sh\n")
    exe.chmod(0o755)
    monkeypatch.setattr(viewer, "EXTRA_PLACES", [str(place)])
    assert viewer.find_viewer() == str(exe)
