"""The frozen app's entry point: the same ``main`` as the ``ocv-desktop`` console script."""

from ocv_desktop.app import main

raise SystemExit(main())
