"""Files the GUI loads at run time: ``icons/*.svg`` and ``translations/*.qm``.

They live inside the package (not in the top-level ``resources/`` folder) so that they are found
the same way from a source checkout, an editable install, a wheel (``pip install .``: listed as
package data in pyproject.toml) and a PyInstaller bundle. The top-level ``resources/`` keeps what
is not loaded by the running app: the ``.desktop`` file and the translation sources (``.ts``).
"""

from __future__ import annotations

from pathlib import Path

RESOURCE_DIR = Path(__file__).resolve().parent
ICON_DIR = RESOURCE_DIR / "icons"
TRANSLATION_DIR = RESOURCE_DIR / "translations"
