"""The one folder the app keeps everything in: config.yaml, known_hosts, certs/, logs/.

Resolution order: ``--home DIR``, then ``$OCV_DESKTOP_HOME``, then the platform's user config
directory for ``ocv-desktop`` (platformdirs).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import platformdirs

ENV_VAR = "OCV_DESKTOP_HOME"


@dataclass(frozen=True, slots=True)
class Home:
    root: Path

    @property
    def config_file(self) -> Path:
        return self.root / "config.yaml"

    @property
    def config_lock(self) -> Path:
        """Held (core.files.FileLock) by whoever re-reads, changes and writes config.yaml."""
        return self.root / ".config.yaml.lock"

    @property
    def known_hosts(self) -> Path:
        return self.root / "known_hosts"

    @property
    def certs_dir(self) -> Path:
        return self.root / "certs"

    @property
    def logs_dir(self) -> Path:
        return self.root / "logs"

    def ensure(self) -> Home:
        """Create the folder tree, private to the user (it holds keys and trust decisions).
        Folders that already exist keep their permissions: ``--home`` may point at a folder the
        user set up on purpose."""
        for d in (self.root, self.certs_dir, self.logs_dir):
            if not d.exists():
                d.mkdir(parents=True)
                if os.name == "posix":
                    d.chmod(0o700)  # mkdir's mode is filtered by the umask
        return self


def resolve_home(cli_value: str | os.PathLike[str] | None = None) -> Home:
    if cli_value:
        return Home(Path(cli_value).expanduser().resolve())
    env = os.environ.get(ENV_VAR)
    if env:
        return Home(Path(env).expanduser().resolve())
    return Home(Path(platformdirs.user_config_dir("ocv-desktop", appauthor=False)))
