"""Entry point (``ocv-desktop`` and ``python -m ocv_desktop``): no command opens the GUI, anything
else is a CLI command. The parsing lives in ``cli``, so there is one parser; the GUI is reached
only from here (``QtGui``), so that cli/ never imports ui/ (DESIGN.md layers)."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from ocv_desktop.core.errors import OcvError  # pure: imports no library
from ocv_desktop.library_warnings import route_library_warnings

if TYPE_CHECKING:  # store.home imports platformdirs: no library before main() routed the warnings
    from ocv_desktop.store.home import Home


class QtGui:
    """The Qt face for ``cli.main``: PySide6 is imported only when the window is wanted."""

    def run(self, home: Home) -> int:
        try:
            from ocv_desktop.ui.main import run_gui
        except ImportError as e:
            hint = "use a command instead; see `ocv-desktop --help`"
            raise OcvError(f"the window cannot open: {e}", hint=hint) from e
        return run_gui(home)

    def self_test(self, home: Home) -> dict[str, Any]:
        from ocv_desktop.ui.main import self_test

        return self_test(home)


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args == ["--version"]:  # answered before the parser's ~20 command modules are imported
        from ocv_desktop import APP_NAME, __version__

        print(f"{APP_NAME} {__version__}")
        return 0
    route_library_warnings()  # before any library is imported: import-time warnings come once
    from ocv_desktop import cli

    return cli.main(args, gui=QtGui())
