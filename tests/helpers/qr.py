"""Read tickets back: PDF pages rasterised with poppler, QR codes decoded with zbar."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest


def require_tools() -> None:
    missing = [tool for tool in ("pdftoppm", "zbarimg") if shutil.which(tool) is None]
    if missing:
        pytest.fail(f"{', '.join(missing)} missing: apt-get install poppler-utils zbar-tools")


def rasterise(pdf: bytes, folder: Path, dpi: int = 150) -> list[Path]:
    (folder / "tickets.pdf").write_bytes(pdf)
    subprocess.run(
        ["pdftoppm", "-r", str(dpi), "-png", str(folder / "tickets.pdf"), str(folder / "page")],
        check=True,
    )
    return sorted(folder.glob("page-*.png"))


def decode_qr(png: Path) -> list[str]:
    result = subprocess.run(
        ["zbarimg", "--raw", "-q", "-Sdisable", "-Sqrcode.enable", str(png)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode in (0, 4), result.stderr  # 4: nothing found
    return result.stdout.splitlines()


def qr_codes_of_pdf(pdf: bytes, folder: Path) -> list[list[str]]:
    """The QR payloads found on each page, page by page."""
    require_tools()
    return [decode_qr(page) for page in rasterise(pdf, folder)]
