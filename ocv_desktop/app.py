"""Entry point (``ocv-desktop`` and ``python -m ocv_desktop``): no command opens the GUI, anything
else is a CLI command. The parsing and the GUI start live in ``cli``, so there is one parser."""

from __future__ import annotations

from collections.abc import Sequence

from ocv_desktop.library_warnings import route_library_warnings


def main(argv: Sequence[str] | None = None) -> int:
    route_library_warnings()  # before any library is imported: import-time warnings come once
    from ocv_desktop import cli

    return cli.main(argv)
