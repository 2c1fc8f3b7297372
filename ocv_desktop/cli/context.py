"""What every command gets: the home folder, the config, the secret store, the node service.

A command is ``def cmd(args, ctx: Context) -> int | None`` or ``async def`` (run with
``asyncio.run``). It takes what it needs from ``ctx``; nothing is opened that it does not ask for.
"""

from __future__ import annotations

import getpass
import sys
from typing import TYPE_CHECKING, Any, Protocol, TextIO

from ocv_desktop.core.errors import OcvError, SecretStoreError
from ocv_desktop.store.home import Home

if TYPE_CHECKING:  # imported where first used: `--help` or `nodes list` need none of their libraries
    from ocv_desktop.services.nodes import NodeService
    from ocv_desktop.store.config import AppConfig
    from ocv_desktop.store.secrets import SecretStore

PROG = "ocv-desktop"


class UsageError(Exception):
    """The command line is wrong (exit status 2). Raised by the parser and by commands whose
    options do not fit together."""


class GuiFace(Protocol):
    """The GUI as app.py hands it to the CLI (cli/ never imports ui/): open the window, or build
    it once and report (``self-test``)."""

    def run(self, home: Home) -> int: ...

    def self_test(self, home: Home) -> dict[str, Any]: ...


class Context:
    def __init__(self, home: Home, gui: GuiFace | None = None) -> None:
        self._home = home
        self._gui = gui
        self._home_ready = False
        self._config: AppConfig | None = None
        self._secrets: SecretStore | None = None
        self._nodes: NodeService | None = None

    @property
    def gui(self) -> GuiFace:
        if self._gui is None:
            raise OcvError("this program was started without its window", hint="see `ocv-desktop --help`")
        return self._gui

    @property
    def home(self) -> Home:
        """The home folder, created (private to the user) on first use."""
        if not self._home_ready:
            self._home.ensure()
            self._home_ready = True
        return self._home

    def config(self) -> AppConfig:
        """The config from ``config.yaml`` (ConfigError when it does not load)."""
        if self._nodes is not None:
            return self._nodes.config
        if self._config is None:
            from ocv_desktop.store.config import load_config

            self._config = load_config(self.home.config_file)
        return self._config

    async def secrets(self) -> SecretStore:
        if self._secrets is None:
            from ocv_desktop.store.secrets import SecretStore

            self._secrets = await SecretStore.open()
        return self._secrets

    async def node_service(self) -> NodeService:
        if self._nodes is None:
            from ocv_desktop.services.nodes import NodeService

            self._nodes = NodeService(self.home, await self.secrets())
        return self._nodes

    # --- talking to the user -------------------------------------------------------------------

    @property
    def out(self) -> TextIO:
        return sys.stdout

    def warn(self, message: str) -> None:
        print(f"{PROG}: warning: {message}", file=sys.stderr)

    def fail_if_not_persistent(self, store: SecretStore, whose: str) -> None:
        """After handing secrets to ``store``: when they only live in memory they are gone when this
        command ends, so the command has failed (exit 1) even though its config change is kept."""
        if not store.persistent:
            raise SecretStoreError(
                f"the secrets of {whose} were NOT saved and are gone when this command ends: {store.reason}",
                hint="the node is in config.yaml without them; once the keyring works, enter them in the "
                "app's node editor, or remove the node and add it again",
            )


def read_secrets(prompts: list[str]) -> list[str]:
    """One secret per prompt: asked without echo on a terminal, else one line each from stdin
    (so ``printf '%s\\n' "$PW" | ocv-desktop ...`` works and nothing lands in argv or history)."""
    if not prompts:
        return []
    if sys.stdin is not None and sys.stdin.isatty():
        return [getpass.getpass(f"{prompt}: ") for prompt in prompts]
    lines = (sys.stdin.read() if sys.stdin is not None else "").splitlines()
    if len(lines) < len(prompts):
        wanted = " and ".join(prompts)
        raise UsageError(f"expected {len(prompts)} line(s) on stdin ({wanted}), got {len(lines)}")
    values = lines[: len(prompts)]
    for prompt, value in zip(prompts, values, strict=True):
        if not value:
            raise UsageError(f"the {prompt} read from stdin is empty")
    return values
