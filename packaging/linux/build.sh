#!/usr/bin/env bash
# Builds, from the repository's venv, into dist/:
#   ocv-desktop/                                the PyInstaller one-folder bundle
#   ocv-desktop_<version>_amd64.deb             the bundle in /opt/ocv-desktop, /usr/bin/ocv-desktop,
#                                               the .desktop entry and the icon
#   ocv-desktop-<version>-linux-x86_64.run      the same bundle as a self-extracting makeself archive
# Usually run through `make package`, which installs the tools first. Offline: nothing is downloaded.
# Environment: PYTHON (the venv's python), DIST (default dist), BUILD (default build).
set -euo pipefail
cd "$(dirname "$0")/../.."

PYTHON=${PYTHON:-.venv/bin/python}
DIST=${DIST:-dist}
BUILD=${BUILD:-build}
for tool in dpkg-deb makeself fakeroot patchelf; do
  command -v "$tool" >/dev/null || { echo "build.sh: $tool is missing (run: sudo ./scripts/install-system-deps.sh package)" >&2; exit 1; }
done

# The version is the installed distribution's metadata (pyproject.toml takes it from
# ocv_desktop.__version__), so the packages, --version and About can never disagree.
version=$("$PYTHON" -c 'import importlib.metadata as m; print(m.version("ocv-desktop"))')
arch=amd64
start=$(date +%s)

echo "== PyInstaller bundle (ocv-desktop $version)"
# An old setuptools run can leave ocv_desktop.egg-info in the source tree; PyInstaller would copy
# its (stale) entry points instead of the installed ones, and the bundle would find no provider.
rm -rf ocv_desktop.egg-info
rm -rf "$DIST/ocv-desktop"
"$PYTHON" -m PyInstaller --noconfirm --clean --log-level WARN \
  --distpath "$DIST" --workpath "$BUILD/pyinstaller" packaging/ocv-desktop.spec
bundle="$DIST/ocv-desktop"
# Python's own libraries carry the build machine's RUNPATH (e.g. a pyenv prefix under /root): an
# installed bundle must never load libraries from there. And a shared library is not a program.
find "$bundle" -type f -name '*.so*' -print0 | while IFS= read -r -d '' lib; do
  chmod 0644 "$lib"
  if [ -n "$(patchelf --print-rpath "$lib" 2>/dev/null)" ]; then patchelf --remove-rpath "$lib"; fi
done
"$bundle/ocv-desktop" --version >/dev/null  # fails the build if the bundle cannot start

echo "== .deb"
root="$BUILD/deb/ocv-desktop_${version}_$arch"
rm -rf "$root"
install -d "$root/DEBIAN" "$root/opt" "$root/usr/bin" "$root/usr/share/applications" \
  "$root/usr/share/icons/hicolor/scalable/apps" "$root/usr/share/doc/ocv-desktop" \
  "$root/usr/share/lintian/overrides"
cp -a "$bundle" "$root/opt/ocv-desktop"
ln -s /opt/ocv-desktop/ocv-desktop "$root/usr/bin/ocv-desktop"
install -m 0644 resources/ocv-desktop.desktop "$root/usr/share/applications/ocv-desktop.desktop"
install -m 0644 ocv_desktop/ui/resources/icons/ocv-desktop.svg "$root/usr/share/icons/hicolor/scalable/apps/ocv-desktop.svg"
install -m 0644 packaging/linux/copyright "$root/usr/share/doc/ocv-desktop/copyright"
install -m 0644 packaging/linux/lintian-overrides "$root/usr/share/lintian/overrides/ocv-desktop"
printf 'ocv-desktop (%s) unstable; urgency=medium\n\n  * Release %s (built from the project repository).\n\n -- ocv-desktop developers <ocv-desktop@users.noreply.github.com>  %s\n' \
  "$version" "$version" "$(date -R -d "@${SOURCE_DATE_EPOCH:-$start}")" | gzip -9n > "$root/usr/share/doc/ocv-desktop/changelog.gz"
find "$root" -type d -exec chmod 0755 {} +
installed_kb=$(du -sk --exclude=DEBIAN "$root" | cut -f1)
# The bundle links against the build machine's glibc (and no newer one can be assumed away).
glibc=$(getconf GNU_LIBC_VERSION | cut -d' ' -f2)
sed -e "s/@GLIBC@/$glibc/" -e "s/@VERSION@/$version/" -e "s/@ARCH@/$arch/" -e "s/@INSTALLED_SIZE@/$installed_kb/" \
  packaging/linux/control.in > "$root/DEBIAN/control"
deb="$DIST/ocv-desktop_${version}_$arch.deb"
# xz, not zstd: zstd builds in 0.6 s instead of ~40 s, but dpkg before 1.21.18 (Debian 11) cannot
# read it and lintian rejects it as malformed.
fakeroot dpkg-deb -Zxz --root-owner-group --build "$root" "$deb" >/dev/null

echo "== .run"
run="$DIST/ocv-desktop-$version-linux-x86_64.run"
rm -f "$run"
makeself --zstd --nox11 --quiet --tar-quietly "$bundle" "$run" "ocv-desktop $version" ./ocv-desktop >/dev/null

echo "== built in $(( $(date +%s) - start )) s"
ls -l "$deb" "$run"
du -sh "$bundle"
