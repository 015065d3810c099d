"""A font that renders Simplified Chinese in ReportLab PDFs, found once per process.

ReportLab embeds TrueType outlines only (as a subset of the glyphs used). Noto CJK and other OpenType fonts with
PostScript (CFF) outlines cannot be embedded, so they are skipped. When no usable font is installed, the PDF names
the Adobe CID font STSong-Light, which PDF readers substitute from their own CJK fonts: text stays correct, though
its look depends on the reader.
"""

import functools
import logging
import os
import shutil
import subprocess
from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFError, TTFont

logger = logging.getLogger(__name__)

REGULAR_NAME = "ChoujianCJK"
BOLD_NAME = "ChoujianCJK-Bold"
CID_FALLBACK = "STSong-Light"

# (path, index of the face inside a .ttc collection)
KNOWN_REGULAR: tuple[tuple[str, int], ...] = (
    ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", 0),
    ("/usr/share/fonts/wqy-microhei/wqy-microhei.ttc", 0),
    ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", 0),
    ("/usr/share/fonts/wqy-zenhei/wqy-zenhei.ttc", 0),
    ("/usr/share/fonts/truetype/arphic/uming.ttc", 0),
    ("/usr/share/fonts/truetype/arphic/ukai.ttc", 0),
    ("/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf", 0),
    ("/usr/share/fonts/truetype/droid/DroidSansFallback.ttf", 0),
    ("/usr/share/fonts/google-droid/DroidSansFallback.ttf", 0),
    ("/System/Library/Fonts/STHeiti Light.ttc", 0),
    ("C:/Windows/Fonts/simhei.ttf", 0),
    ("C:/Windows/Fonts/simsun.ttc", 0),
)
KNOWN_BOLD: tuple[tuple[str, int], ...] = (
    ("/System/Library/Fonts/STHeiti Medium.ttc", 0),
    ("C:/Windows/Fonts/msyhbd.ttc", 0),
)

_PATHS: dict[str, str] = {}  # registered name → the file it came from (charts drawn by other libraries use it too)

# Characters every font we accept must draw: a font without them would print empty boxes.
_PROBE = "抽样单检验封条编号拒（）"


def _configured(name: str) -> str | None:
    try:
        from django.conf import settings

        value = getattr(settings, name, None) if settings.configured else None
    except ImportError:  # pragma: no cover - Django is always installed with the platform
        value = None
    return value or os.environ.get(name) or None


def _load(name: str, path: str, index: int = 0) -> bool:
    """Register `path` under `name` if it is a TrueType font that draws Chinese."""
    if not path or not Path(path).is_file():
        return False
    try:
        font = TTFont(name, path, subfontIndex=index)
    except (TTFError, OSError, ValueError) as error:
        logger.info("PDF font %s not usable: %s", path, error)
        return False
    glyphs = font.face.charToGlyph
    if not all(ord(char) in glyphs for char in _PROBE):
        logger.info("PDF font %s does not cover Simplified Chinese", path)
        return False
    pdfmetrics.registerFont(font)
    _PATHS[name] = path
    return True


def _fc_match() -> list[str]:
    if shutil.which("fc-match") is None:
        return []
    try:
        result = subprocess.run(
            ["fc-match", "-s", "-f", "%{file}\n", ":lang=zh-cn"], capture_output=True, text=True, timeout=10
        )
    except (OSError, subprocess.SubprocessError):
        return []
    files = [line.strip() for line in result.stdout.splitlines()]
    return [file for file in files if file.lower().endswith((".ttf", ".ttc"))][:40]


@functools.cache
def cjk_font_name() -> str:
    """The registered name of a font for Simplified Chinese (an embedded TrueType subset, else STSong-Light)."""
    configured = _configured("CHOUJIAN_PDF_FONT")
    if configured and _load(REGULAR_NAME, configured):
        return REGULAR_NAME
    if configured:
        logger.warning("CHOUJIAN_PDF_FONT=%s is not a TrueType font with Chinese glyphs; looking elsewhere", configured)
    for path, index in KNOWN_REGULAR:
        if _load(REGULAR_NAME, path, index):
            return REGULAR_NAME
    for path in _fc_match():
        if _load(REGULAR_NAME, path):
            return REGULAR_NAME
    logger.warning("No TrueType Chinese font found; PDFs use the reader's %s", CID_FALLBACK)
    pdfmetrics.registerFont(UnicodeCIDFont(CID_FALLBACK))
    return CID_FALLBACK


def cjk_font_path() -> str | None:
    """The file of the Chinese font the PDFs embed, for charts drawn elsewhere (None: only the reader's CID font)."""
    cjk_font_name()
    return _PATHS.get(REGULAR_NAME)


@functools.cache
def cjk_bold_font_name() -> str:
    """A bold Chinese font when one is installed (CHOUJIAN_PDF_FONT_BOLD or a known path), else the regular one."""
    regular = cjk_font_name()
    if regular == CID_FALLBACK:
        return regular
    configured = _configured("CHOUJIAN_PDF_FONT_BOLD")
    candidates = ((configured, 0),) if configured else ()
    for path, index in (*candidates, *KNOWN_BOLD):
        if _load(BOLD_NAME, path, index):
            return BOLD_NAME
    return regular
