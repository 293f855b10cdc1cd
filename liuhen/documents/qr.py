"""QR codes of the verification payload (segno: pure Python, no imaging library needed)."""

from __future__ import annotations

import io

import segno

QUIET_ZONE = 4  # modules; what ISO/IEC 18004 asks for so phone scanners find the code


def _code(payload: str) -> segno.QRCode:
    return segno.make(payload, error="m", micro=False)


def qr_svg(payload: str) -> str:
    """An inline ``<svg>`` sized by CSS (viewBox only)."""
    svg: str = _code(payload).svg_inline(scale=1, border=QUIET_ZONE, omitsize=True)
    return svg


def qr_png(payload: str, *, scale: int = 8) -> bytes:
    buffer = io.BytesIO()
    _code(payload).save(buffer, kind="png", scale=scale, border=QUIET_ZONE)
    return buffer.getvalue()
