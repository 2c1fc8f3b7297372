"""Entry point (``ocv-desktop`` and ``python -m ocv_desktop``): no command opens the GUI, anything
else is a CLI command. The parsing and the GUI start live in ``cli``, so there is one parser."""

from __future__ import annotations

from collections.abc import Sequence


def main(argv: Sequence[str] | None = None) -> int:
    from ocv_desktop import cli

    return cli.main(argv)
