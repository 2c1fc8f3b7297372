# Windows: the PyInstaller bundle and an Inno Setup installer, into dist\.
#   powershell -ExecutionPolicy Bypass -File packaging\windows\build.ps1
# Needs Python 3.11+ (python.org) and Inno Setup 6 (`choco install innosetup`; the GitHub runner
# image has it). Run from the repository root. Not run by this repository's CI machine (Linux):
# .github/workflows/package.yml runs it on a Windows runner.
$ErrorActionPreference = "Stop"
Set-Location (Join-Path $PSScriptRoot "..\..")

py -3.11 -m venv .venv-package
$py = ".venv-package\Scripts\python.exe"
# The same hashed lock as Linux (it is resolved for every platform); the test lock adds PyInstaller.
& $py -m pip install --require-hashes --no-deps -r requirements\test.lock
& $py -m pip install --no-deps --no-build-isolation .
$version = & $py -c "import importlib.metadata as m; print(m.version('ocv-desktop'))"

& $py packaging\render_icons.py ico packaging\windows\ocv-desktop.ico
& $py -m PyInstaller --noconfirm --clean --distpath dist --workpath build\pyinstaller packaging\ocv-desktop.spec
& dist\ocv-desktop\ocv-desktop-cli.exe --version
if ($LASTEXITCODE -ne 0) { throw "the bundle does not start" }

# ISCC comes with Inno Setup; the installer is per-user by default (no admin prompt).
& "${env:ProgramFiles(x86)}\Inno Setup 6\ISCC.exe" "/DAppVersion=$version" packaging\windows\ocv-desktop.iss
Get-ChildItem dist\*.exe
