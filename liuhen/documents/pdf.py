"""PDF rendering of 执法文书 with WeasyPrint (needs Pango and a CJK font: scripts/bootstrap.sh).

A PDF handed to a person (download, export, a party's copy) carries a visible watermark naming
who received it and when (AC-4: a leaked copy can be traced): :func:`watermark_text` builds it,
``watermark=`` puts it on every page — a line in the top margin and a large diagonal text.
"""

from __future__ import annotations

import html
from datetime import datetime
from typing import Any, NoReturn

from django.template.loader import select_template
from django.utils import timezone

from liuhen.documents.content import DocumentContent, build_document
from liuhen.documents.qr import qr_svg
from liuhen.records.models import Record


def _refuse_fetch(url: str, *args: Any, **kwargs: Any) -> NoReturn:
    """Documents are self-contained: nothing is fetched, so record content cannot reach out."""
    raise ValueError(f"外部资源不可用：{url[:60]}")


def watermark_text(who: str, when: datetime | None = None, purpose: str = "下载") -> str:
    """``张伟(a1 证号…) 下载于 2026-11-30 17:05:02`` (local time)."""
    moment = timezone.localtime(when or timezone.now()).strftime("%Y-%m-%d %H:%M:%S")
    return f"{who} {purpose}于 {moment}"


def _css_string(text: str) -> str:
    """A CSS string literal that cannot end the string or the ``<style>`` element."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ")
    return '"' + escaped.replace("<", "\\3c ").replace(">", "\\3e ") + '"'


_WATERMARK_CSS = (
    "@page { @top-right { content: CONTENT; font-size: 8pt; color: #555; vertical-align: bottom;"
    " padding-bottom: 3mm; font-family: 'Noto Sans CJK SC', 'WenQuanYi Micro Hei', sans-serif; } }"
    " .lh-watermark { position: fixed; top: 95mm; left: -15mm; width: 190mm; text-align: center;"
    " transform: rotate(-32deg); font-size: 19pt; line-height: 1.3; color: rgba(120, 120, 120, 0.28);"
    " font-family: 'Noto Sans CJK SC', 'WenQuanYi Micro Hei', sans-serif; z-index: -1; }"
)


def _watermark_markup(text: str) -> str:
    css = _WATERMARK_CSS.replace("CONTENT", _css_string(text))
    return f'<style>{css}</style><div class="lh-watermark" aria-hidden="true">{html.escape(text)}</div>'


def render_html(content: DocumentContent, *, watermark: str = "") -> str:
    template = select_template([f"documents/pdf/{content.layout}.html", "documents/pdf/generic.html"])
    page = template.render({**content.as_context(), "qr_svg": qr_svg(content.payload)})
    if watermark:
        markup = _watermark_markup(watermark)
        page = page.replace("</body>", markup + "</body>", 1) if "</body>" in page else page + markup
    return page


def render_pdf_content(content: DocumentContent, *, watermark: str = "") -> bytes:
    """``watermark``: text put visibly on every page (see :func:`watermark_text`); empty for none."""
    from weasyprint import HTML  # heavy import (Pango via cffi), only when a PDF is asked for

    pdf: bytes = HTML(string=render_html(content, watermark=watermark), url_fetcher=_refuse_fetch).write_pdf()
    return pdf


def render_pdf(record: Record, *, watermark: str = "") -> bytes:
    """The record's 执法文书 as PDF bytes (A4, agency header, number, body, seal, digest + QR footer)."""
    return render_pdf_content(build_document(record), watermark=watermark)
