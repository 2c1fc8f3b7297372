#!/usr/bin/env bash
# macOS: ocv-desktop.app (PyInstaller), signed, in a notarised .dmg, into dist/.
#   packaging/macos/build.sh
# Needs Python 3.11+ (python.org universal2 installer) and Xcode's command-line tools. Run from a
# clone on a Mac; .github/workflows/package.yml runs it on a macOS runner.
#
# Signing matters here, not only for Gatekeeper: the Keychain binds each stored secret to the code
# signature of the app that stored it, so an unsigned (ad-hoc) build asks for the login password
# again after every update. Set, for a release:
#   MACOS_SIGN_IDENTITY   "Developer ID Application: NAME (TEAMID)" (in the login keychain)
#   MACOS_NOTARY_PROFILE  a profile stored with `xcrun notarytool store-credentials`
# Without them the .app is signed ad hoc and the .dmg is not notarised (fine for local testing).
set -euo pipefail
cd "$(dirname "$0")/../.."

python3.11 -m venv .venv-package
py=.venv-package/bin/python
"$py" -m pip install --require-hashes --no-deps -r requirements/test.lock
"$py" -m pip install --no-deps --no-build-isolation .
version=$("$py" -c 'import importlib.metadata as m; print(m.version("ocv-desktop"))')

"$py" packaging/render_icons.py iconset build/ocv-desktop.iconset
iconutil -c icns -o packaging/macos/ocv-desktop.icns build/ocv-desktop.iconset
"$py" -m PyInstaller --noconfirm --clean --distpath dist --workpath build/pyinstaller packaging/ocv-desktop.spec
app=dist/ocv-desktop.app
"$app/Contents/MacOS/ocv-desktop" --version

identity=${MACOS_SIGN_IDENTITY:--}   # "-" = ad hoc
# --options runtime: the hardened runtime notarisation requires; --timestamp: a secure timestamp.
codesign --force --deep --options runtime --timestamp --sign "$identity" "$app"
codesign --verify --strict --verbose=2 "$app"

dmg="dist/ocv-desktop-$version-macos.dmg"
rm -f "$dmg"
hdiutil create -volname "ocv-desktop $version" -srcfolder "$app" -ov -format UDZO "$dmg"
if [ -n "${MACOS_NOTARY_PROFILE:-}" ]; then
  codesign --sign "$identity" --timestamp "$dmg"
  xcrun notarytool submit "$dmg" --keychain-profile "$MACOS_NOTARY_PROFILE" --wait
  xcrun stapler staple "$dmg"
fi
ls -l "$dmg"
