"""HTML to PDF with WeasyPrint, offline, with a font that renders Korean where one is installed.

Reports are written as HTML (the same templates the pages use) and printed here. Nothing is
fetched while printing: structure pictures are inline SVG, and any other URL is refused, so a
report never depends on the network. Korean needs a CJK font from the system (Debian's
``fonts-noto-cjk``, installed by ``scripts/install-fonts.sh``); :func:`korean_font` says which one
is there, and a report made without one says so instead of printing empty boxes silently.
"""

from __future__ import annotations

import shutil
import subprocess
from functools import cache

from actives.errors import ConfigurationError

# Families tried first, in order; any other family that covers Korean comes after them.
PREFERRED_KOREAN_FAMILIES = (
    "Noto Sans CJK KR",
    "Noto Sans KR",
    "NanumGothic",
    "Noto Serif CJK KR",
)
INSTALL_HINT = "install a Korean font with: sudo apt-get install fonts-noto-cjk"


@cache
def korean_font() -> str | None:
    """The family name of an installed font with Korean glyphs (fontconfig), or None."""
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return None
    try:
        listed = subprocess.run(
            [fc_list, ":lang=ko", "family"], capture_output=True, text=True, timeout=20, check=False
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    families = {name.strip() for line in listed.splitlines() for name in line.split(",")}
    families.discard("")
    for preferred in PREFERRED_KOREAN_FAMILIES:
        if preferred in families:
            return preferred
    return sorted(families)[0] if families else None


def html_to_pdf(html: str) -> bytes:
    """Print an HTML document to PDF bytes.

    Raises ConfigurationError when WeasyPrint or its system libraries (Pango) are missing.
    """
    try:
        from weasyprint import HTML
        from weasyprint.urls import URLFetcher
    except (ImportError, OSError) as exc:
        raise ConfigurationError(
            f"PDF reports need WeasyPrint and the Pango library ({exc}); install them with "
            "pip install weasyprint and sudo apt-get install libpango-1.0-0 libpangoft2-1.0-0."
        ) from exc
    offline = URLFetcher(allowed_protocols={"data"}, allow_redirects=False)
    pdf: bytes = HTML(string=html, url_fetcher=offline).write_pdf()
    return pdf
