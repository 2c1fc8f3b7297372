; Inno Setup script: installs dist\ocv-desktop (the PyInstaller folder) and a Start menu entry.
; Built by packaging\windows\build.ps1, which passes /DAppVersion from the package metadata.
#ifndef AppVersion
  #error AppVersion is not defined: build with packaging\windows\build.ps1
#endif

[Setup]
AppId={{5B7C1C52-6F0E-4D7A-9A47-0C5D8E7B3F21}
AppName=ocv-desktop
AppVersion={#AppVersion}
AppPublisher=ocv-desktop developers
DefaultDirName={autopf}\ocv-desktop
DefaultGroupName=ocv-desktop
; Per-user install unless the user chooses otherwise: no administrator needed.
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=dialog
OutputDir=..\..\dist
OutputBaseFilename=ocv-desktop-{#AppVersion}-windows-x64-setup
SetupIconFile=ocv-desktop.ico
UninstallDisplayIcon={app}\ocv-desktop.exe
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
Compression=lzma2
SolidCompression=yes
WizardStyle=modern
LicenseFile=..\..\LICENSE

[Languages]
Name: "en"; MessagesFile: "compiler:Default.isl"
Name: "zh_CN"; MessagesFile: "compiler:Languages\ChineseSimplified.isl"

[Files]
Source: "..\..\dist\ocv-desktop\*"; DestDir: "{app}"; Flags: recursesubdirs createallsubdirs ignoreversion

[Icons]
Name: "{group}\ocv-desktop"; Filename: "{app}\ocv-desktop.exe"
Name: "{group}\Uninstall ocv-desktop"; Filename: "{uninstallexe}"

[Run]
Filename: "{app}\ocv-desktop.exe"; Description: "Start ocv-desktop"; Flags: nowait postinstall skipifsilent
