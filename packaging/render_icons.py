"""Render the app icon (ocv_desktop/ui/resources/icons/ocv-desktop.svg) for the platform installers,
with Qt's own SVG renderer, so no image tool is needed on the build runner:

    python packaging/render_icons.py ico  OUT.ico          # Windows (.exe and installer)
    python packaging/render_icons.py iconset OUT.iconset   # macOS: then `iconutil -c icns OUT.iconset`
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QImage, QPainter
from PySide6.QtSvg import QSvgRenderer

SVG = Path(__file__).resolve().parents[1] / "ocv_desktop" / "ui" / "resources" / "icons" / "ocv-desktop.svg"


def render(size: int) -> QImage:
    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    QSvgRenderer(str(SVG)).render(painter)
    painter.end()
    return image


def main(kind: str, out: str) -> int:
    _app = QGuiApplication([])  # QImage writers need the image-format plugins a Qt app loads
    target = Path(out)
    if kind == "ico":
        # Qt's .ico writer stores one image; 256 px is what Windows scales down from.
        if not render(256).save(str(target), "ICO"):
            print(f"render_icons: cannot write {target}", file=sys.stderr)
            return 1
    elif kind == "iconset":
        target.mkdir(parents=True, exist_ok=True)
        for size in (16, 32, 128, 256, 512):
            render(size).save(str(target / f"icon_{size}x{size}.png"))
            render(size * 2).save(str(target / f"icon_{size}x{size}@2x.png"))
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main(*sys.argv[1:3]) if len(sys.argv) == 3 else 2)
