"""The 卷内目录 (file index) of a case file: every current record of the case in the order it was
made, with its document number, date and the pages it takes in the bound volume (AR-1, AR-2).

Page rule (docs/archives.md):

- a text record counts the pages of its 执法文书 as ``liuhen.documents`` renders it (A4 PDF);
- each attached file adds: a PDF its page count; an image (``image/*``, a photo or a scan) one
  page; audio and video nothing — they are kept in the vault and listed as 音像资料 with 0 pages;
  any other file one page;
- a media record (photo, scan, audio, video) counts only its files.

Entries get consecutive page ranges (``first_page``–``last_page``); an entry with 0 pages has
none. This is a system read: the index lists the whole case file whatever its confidentiality
(titles and numbers only, never content), because the archive receives the whole file.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Exists, OuterRef
from django.utils import timezone

from liuhen.cases.models import Case
from liuhen.records.catalogue import UnknownRecordType, catalogue
from liuhen.records.models import Record, RecordAttachment

_PDF = "application/pdf"
_AV_PREFIXES = ("audio/", "video/")
_PAGE_RE = re.compile(rb"/Type\s*/Page(?![a-zA-Z])")


@dataclass(frozen=True)
class FileCount:
    filename: str
    media_type: str
    pages: int
    kind: str  # "pdf" | "image" | "av" | "other"


def _refuse_fetch(url: str, *args: Any, **kwargs: Any) -> Any:
    raise ValueError(f"外部资源不可用：{url[:60]}")


def document_pages(record: Record) -> int:
    """Pages of the record's 执法文书 as ``liuhen.documents`` lays it out (A4)."""
    from weasyprint import HTML

    from liuhen.documents.content import build_document
    from liuhen.documents.pdf import render_html

    document = HTML(string=render_html(build_document(record)), url_fetcher=_refuse_fetch).render()
    return max(1, len(document.pages))


def pdf_pages(data: bytes) -> int:
    """Page count of a PDF file: pypdfium2 when installed, else a scan for page objects."""
    try:
        import pypdfium2 as pdfium
    except ImportError:  # pragma: no cover - pypdfium2 is a dependency; the scan is the fallback
        return max(1, len(_PAGE_RE.findall(data)))
    try:
        return max(1, len(pdfium.PdfDocument(data)))
    except pdfium.PdfiumError:
        return max(1, len(_PAGE_RE.findall(data)))


def attachment_pages(attachment: RecordAttachment) -> FileCount:
    media_type = attachment.blob.media_type
    if media_type.startswith(_AV_PREFIXES):
        return FileCount(attachment.filename, media_type, 0, "av")
    if media_type.startswith("image/"):
        return FileCount(attachment.filename, media_type, 1, "image")
    if media_type == _PDF:
        from liuhen.vault.services import get_storage

        with get_storage().open(attachment.blob.storage_key) as handle:
            data = handle.read()
        return FileCount(attachment.filename, media_type, pdf_pages(data), "pdf")
    return FileCount(attachment.filename, media_type, 1, "other")


def current_records(case: Case) -> list[Record]:
    """The case's current record versions, in the order they were made (system read)."""
    newer = Record.objects.filter(supersedes=OuterRef("pk"))
    return list(
        Record.objects.filter(case=case)
        .filter(~Exists(newer))
        .prefetch_related("attachments__blob")
        .order_by("created_at", "pk")
    )


def _doc_no(record: Record, values: dict[str, Any]) -> str:
    for name in ("document_no", "decision_no", "notice_no", "archive_no"):
        value = values.get(name)
        if isinstance(value, str) and value.strip():
            return value.strip()
    return ""


def _doc_date(record: Record, values: dict[str, Any], date_fields: Sequence[str]) -> str:
    """The document's date as ``liuhen.documents`` prints it (its issue/sign date fields); else the
    last date the record's catalogue fields hold (forms end with their completion date:
    reported_on, archived_on …); else the day it was recorded."""
    from liuhen.documents.content import DATE_FIELDS

    for name in (*DATE_FIELDS, *reversed(date_fields)):
        value = values.get(name)
        if isinstance(value, str) and len(value) >= 10:
            try:
                return date.fromisoformat(value[:10]).isoformat()
            except ValueError:
                continue
    return timezone.localtime(record.created_at).date().isoformat()


def build_file_index(case: Case) -> list[dict[str, Any]]:
    """The index entries (JSON-ready dicts) of the case's current records with page ranges."""
    entries: list[dict[str, Any]] = []
    next_page = 1
    for number, record in enumerate(current_records(case), start=1):
        try:
            rtype = catalogue().get(record.record_type)
            kind, type_name = rtype.kind, rtype.name
            date_fields = [f.name for f in rtype.fields if f.type in ("date", "datetime")]
        except UnknownRecordType:
            kind, type_name, date_fields = "text", record.title, []
        values = record.fields
        files = [attachment_pages(a) for a in record.attachments.all()]
        doc_pages = document_pages(record) if kind == "text" else 0
        pages = doc_pages + sum(f.pages for f in files)
        entry: dict[str, Any] = {
            "no": number,
            "record_id": record.pk,
            "version": record.version,
            "record_type": record.record_type,
            "type_name": type_name,
            "title": record.title or type_name,
            "doc_no": _doc_no(record, values),
            "date": _doc_date(record, values, date_fields),
            "confidentiality": record.confidentiality,
            "document_pages": doc_pages,
            "files": [{"filename": f.filename, "kind": f.kind, "pages": f.pages} for f in files],
            "av_files": sum(1 for f in files if f.kind == "av"),
            "pages": pages,
            "first_page": next_page if pages else None,
            "last_page": next_page + pages - 1 if pages else None,
        }
        next_page += pages
        entries.append(entry)
    return entries


def total_pages(entries: Sequence[dict[str, Any]]) -> int:
    return sum(int(e["pages"]) for e in entries)


def page_range(entry: dict[str, Any]) -> str:
    if not entry.get("pages"):
        return "—"
    first, last = entry["first_page"], entry["last_page"]
    return str(first) if first == last else f"{first}–{last}"


__all__ = [
    "FileCount",
    "attachment_pages",
    "build_file_index",
    "current_records",
    "document_pages",
    "page_range",
    "pdf_pages",
    "total_pages",
]
