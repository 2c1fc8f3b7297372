"""Entry point: no subcommand opens the GUI, anything else goes to the CLI."""

from __future__ import annotations

import sys
from collections.abc import Sequence


def main(argv: Sequence[str] | None = None) -> int:
    from ocv_desktop import cli

    return cli.main(list(sys.argv[1:] if argv is None else argv))
