"""PDF rendering of 执法文书 with WeasyPrint (needs Pango and a CJK font: scripts/bootstrap.sh)."""

from __future__ import annotations

from typing import Any, NoReturn

from django.template.loader import select_template

from liuhen.documents.content import DocumentContent, build_document
from liuhen.documents.qr import qr_svg
from liuhen.records.models import Record


def _refuse_fetch(url: str, *args: Any, **kwargs: Any) -> NoReturn:
    """Documents are self-contained: nothing is fetched, so record content cannot reach out."""
    raise ValueError(f"外部资源不可用：{url[:60]}")


def render_html(content: DocumentContent) -> str:
    template = select_template([f"documents/pdf/{content.layout}.html", "documents/pdf/generic.html"])
    return template.render({**content.as_context(), "qr_svg": qr_svg(content.payload)})


def render_pdf_content(content: DocumentContent) -> bytes:
    from weasyprint import HTML  # heavy import (Pango via cffi), only when a PDF is asked for

    pdf: bytes = HTML(string=render_html(content), url_fetcher=_refuse_fetch).write_pdf()
    return pdf


def render_pdf(record: Record) -> bytes:
    """The record's 执法文书 as PDF bytes (A4, agency header, number, body, seal, digest + QR footer)."""
    return render_pdf_content(build_document(record))
