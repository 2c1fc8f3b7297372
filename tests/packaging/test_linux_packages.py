"""The installers `make package` builds, tried the way a sysadmin uses them: the PyInstaller bundle
runs its self-test against a real Secret Service, the .deb installs, runs without any venv on the
PATH and purges without a trace, lintian finds no error, and the .run starts.

One build (packaging/linux/build.sh, ~1-3 min on 2 cores) serves the whole module."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

import ocv_desktop

# One build for the module: with lintian, 3-6 minutes on 2 busy cores (the suite default is 300 s a test).
pytestmark = [pytest.mark.slow, pytest.mark.timeout(1800)]

ROOT = Path(__file__).resolve().parents[2]
VERSION = ocv_desktop.__version__
# What a user's shell has: no venv, no PYTHONPATH, no keyring override.
PLAIN_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"


@dataclass(frozen=True)
class Built:
    bundle: Path
    deb: Path
    run: Path


def _run(argv: list[str], env: dict[str, str] | None = None, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(argv, env=env, check=False, capture_output=True, text=True, timeout=timeout)


def _plain_env(**extra: str) -> dict[str, str]:
    keep = ("HOME", "LANG", "DBUS_SESSION_BUS_ADDRESS", "XDG_RUNTIME_DIR")
    env = {k: os.environ[k] for k in keep if k in os.environ}
    return {**env, "PATH": PLAIN_PATH, "QT_QPA_PLATFORM": "offscreen", **extra}


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    for tool in ("dpkg-deb", "makeself", "fakeroot", "patchelf", "lintian"):
        if shutil.which(tool) is None:
            pytest.fail(f"{tool} is missing: run scripts/install-system-deps.sh (as root)")
    out = tmp_path_factory.mktemp("package")
    env = {**os.environ, "PYTHON": sys.executable, "DIST": str(out / "dist"), "BUILD": str(out / "build")}
    result = subprocess.run(
        [str(ROOT / "packaging" / "linux" / "build.sh")],
        env=env,
        check=False,
        capture_output=True,
        text=True,
        timeout=1200,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    dist = out / "dist"
    return Built(
        dist / "ocv-desktop",
        dist / f"ocv-desktop_{VERSION}_amd64.deb",
        dist / f"ocv-desktop-{VERSION}-linux-x86_64.run",
    )


def test_the_bundle_self_tests_against_the_secret_service(built: Built, keyring_env: dict[str, str], tmp_path: Path):
    env = _plain_env(DBUS_SESSION_BUS_ADDRESS=keyring_env["DBUS_SESSION_BUS_ADDRESS"])
    result = _run([str(built.bundle / "ocv-desktop"), "--home", str(tmp_path / "home"), "self-test", "--json"], env)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    report = json.loads(result.stdout)
    assert report["ok"] is True
    assert report["version"] == VERSION
    assert report["window"] == {"shown": True, "nodeTree": True, "instanceTable": True}
    # keyring's entry-point metadata and the SecretService backend made it into the bundle
    assert report["secrets"] == {"backend": "keyring.backends.SecretService.Keyring", "persistent": True, "reason": ""}


def test_the_bundle_carries_translations_and_icons_but_no_test_tool(built: Built) -> None:
    internal = built.bundle / "_internal"
    assert (internal / "ocv_desktop/ui/resources/translations/ocv_desktop_zh_CN.qm").is_file()
    assert (internal / "ocv_desktop/ui/resources/icons/ocv-desktop.svg").is_file()
    names = {p.name.lower() for p in internal.rglob("*")}
    # fakepve is AGPL and for tests only: never in an installer
    assert not [n for n in names if n.startswith(("fakepve", "pytest", "schemathesis"))]
    # pyte is LGPL-3.0: loose, replaceable source files and its licence, not frozen into the archive
    assert (internal / "pyte/screens.py").is_file()
    assert [p for p in internal.glob("pyte-*.dist-info/*") if "licen" in p.name.lower()]
    # no library may look for its dependencies on the build machine
    leaky = []
    for lib in internal.rglob("*.so*"):
        rpath = _run(["patchelf", "--print-rpath", str(lib)]).stdout
        if rpath.strip():
            leaky.append(f"{lib.name}: {rpath.strip()}")
    assert leaky == []


def test_lintian_finds_no_error_in_the_deb(built: Built) -> None:
    result = _run(["lintian", str(built.deb)], timeout=900)
    errors = [line for line in result.stdout.splitlines() if line.startswith("E:")]
    assert errors == [], result.stdout[-3000:]


@pytest.fixture
def installed_deb(built: Built) -> Iterator[Path]:
    if os.geteuid() != 0:
        pytest.fail("installing the .deb needs root (CI and the lab run as root)")
    if _run(["dpkg-query", "-W", "ocv-desktop"]).returncode == 0:
        pytest.fail("ocv-desktop is already installed on this machine: this test installs and purges its own copy")
    subprocess.run(["dpkg", "-i", str(built.deb)], check=True, capture_output=True, timeout=600)
    try:
        yield Path("/usr/bin/ocv-desktop")
    finally:
        subprocess.run(["dpkg", "--purge", "ocv-desktop"], check=False, capture_output=True, timeout=600)


def test_the_deb_installs_runs_without_a_venv_and_purges_clean(
    installed_deb: Path, built: Built, tmp_path: Path
) -> None:
    files = subprocess.run(["dpkg", "-L", "ocv-desktop"], check=True, capture_output=True, text=True).stdout.split()
    assert "/opt/ocv-desktop/ocv-desktop" in files
    assert "/usr/share/applications/ocv-desktop.desktop" in files
    assert "/usr/share/icons/hicolor/scalable/apps/ocv-desktop.svg" in files

    env = _plain_env(HOME=str(tmp_path))
    version = _run(["ocv-desktop", "--version"], env)
    assert (version.returncode, version.stdout, version.stderr) == (0, f"ocv-desktop {VERSION}\n", "")
    assert Path(shutil.which("ocv-desktop", path=PLAIN_PATH) or "") == installed_deb

    home = tmp_path / "home"
    listed = _run(["ocv-desktop", "--home", str(home), "nodes", "list", "--json"], env)
    assert listed.returncode == 0, listed.stderr
    assert listed.stderr == ""
    assert json.loads(listed.stdout)["nodes"] == []

    purge = _run(["dpkg", "--purge", "ocv-desktop"], timeout=600)
    assert purge.returncode == 0, purge.stderr
    # everything the package owned is gone (the shared folders it listed, /usr/share and such, stay)
    ours = [f for f in files if f.startswith("/opt/ocv-desktop") or "ocv-desktop" in Path(f).name]
    assert len(ours) > 100
    assert [f for f in ours if os.path.lexists(f)] == []
    assert _run(["dpkg-query", "-W", "ocv-desktop"]).returncode != 0


def test_the_run_archive_prints_the_version(built: Built, tmp_path: Path) -> None:
    result = _run(["sh", str(built.run), "--", "--version"], _plain_env(HOME=str(tmp_path), TMPDIR=str(tmp_path)))
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1] == f"ocv-desktop {VERSION}"
    assert list(tmp_path.iterdir()) == []  # it cleans up what it unpacked
