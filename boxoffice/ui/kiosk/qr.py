"""QR codes drawn with Qt (from the `qrcode` package's matrix): the tickets on the done screen."""

from __future__ import annotations

import qrcode  # type: ignore[import-untyped]
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QImage, QPainter, QPixmap


def qr_pixmap(payload: str, size: int) -> QPixmap:
    """A `size`×`size` black-on-white QR code of `payload` (with its quiet zone)."""
    code = qrcode.QRCode(border=4, error_correction=qrcode.constants.ERROR_CORRECT_M)
    code.add_data(payload)
    code.make(fit=True)
    matrix = code.get_matrix()
    modules = len(matrix)
    image = QImage(modules, modules, QImage.Format.Format_RGB32)
    image.fill(QColor("white"))
    black = QColor("black").rgb()
    for y, row in enumerate(matrix):
        for x, dark in enumerate(row):
            if dark:
                image.setPixel(x, y, black)
    scale = max(1, size // modules)
    scaled = image.scaled(
        modules * scale,
        modules * scale,
        Qt.AspectRatioMode.KeepAspectRatio,
        Qt.TransformationMode.FastTransformation,  # sharp modules
    )
    pixmap = QPixmap(size, size)
    pixmap.fill(QColor("white"))
    painter = QPainter(pixmap)
    offset = (size - scaled.width()) // 2
    painter.drawImage(offset, offset, scaled)
    painter.end()
    return pixmap
