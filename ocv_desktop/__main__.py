"""``python -m ocv_desktop``."""

from ocv_desktop.app import main

raise SystemExit(main())
