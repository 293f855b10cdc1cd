"""The 卷内目录 of an archive submission as PDF (WeasyPrint, the same CJK fonts as the 执法文书 of
``liuhen.documents``) and as DOCX (python-docx, fonts set for East Asian text). Both are drawn
from the sealed ``ArchiveRecord.file_index``, so they print exactly what was submitted."""

from __future__ import annotations

import io
from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone

from liuhen.archives.fileindex import page_range
from liuhen.archives.models import ArchiveRecord
from liuhen.documents.chinese import chinese_date
from liuhen.records.models import Confidentiality

_CONFIDENTIAL = {c.value: str(c.label) for c in Confidentiality if c != Confidentiality.NORMAL}


def _note(entry: dict[str, Any]) -> str:
    parts: list[str] = []
    if entry.get("av_files"):
        parts.append(f"音像资料{entry['av_files']}件")
    if entry.get("version", 1) > 1:
        parts.append(f"第{entry['version']}版")
    if entry.get("confidentiality") in _CONFIDENTIAL:
        parts.append(_CONFIDENTIAL[entry["confidentiality"]])
    return "；".join(parts)


def index_rows(record: ArchiveRecord) -> list[dict[str, Any]]:
    return [{**e, "range": page_range(e), "note": _note(e)} for e in record.entries]


def context(record: ArchiveRecord) -> dict[str, Any]:
    case = record.case
    rows = index_rows(record)
    return {
        "record": record,
        "case": case,
        "agency_name": case.agency.name,
        "entries": rows,
        "av_count": sum(int(e.get("av_files", 0)) for e in rows),
        "started_cn": chinese_date(record.action_started_on),
        "ended_cn": chinese_date(record.action_ended_on),
        "submitted_cn": timezone.localtime(record.submitted_at).strftime("%Y-%m-%d %H:%M"),
        "compiled_by": record.compiled_by.full_name or record.compiled_by.username,
    }


def _refuse_fetch(url: str, *args: Any, **kwargs: Any) -> Any:
    raise ValueError(f"外部资源不可用：{url[:60]}")


def render_index_pdf(record: ArchiveRecord) -> bytes:
    from weasyprint import HTML

    html = render_to_string("archives/pdf/file_index.html", context(record))
    pdf: bytes = HTML(string=html, url_fetcher=_refuse_fetch).write_pdf()
    return pdf


def render_index_docx(record: ArchiveRecord) -> bytes:
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Pt

    ctx = context(record)
    document = Document()
    style = document.styles["Normal"]
    style.font.name = "Times New Roman"
    style.font.size = Pt(10.5)
    style.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), "仿宋")
    title = document.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = title.add_run("卷内目录")
    run.font.size = Pt(22)
    # Word reads the eastAsia font of w:rFonts for CJK text.
    run.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), "方正小标宋简体")
    meta = [
        ("档号", record.archive_no),
        ("类别", f"{record.category_name}（{record.category}）"),
        ("案件名称", record.case.title),
        ("案号", record.case.number),
        ("保管期限", record.retention_label),
        ("执法起止日期", f"{ctx['started_cn']} 至 {ctx['ended_cn']}"),
        ("总页数", f"{record.page_count} 页"),
        ("立卷人", ctx["compiled_by"]),
    ]
    for key, value in meta:
        document.add_paragraph(f"{key}：{value}")
    table = document.add_table(rows=1, cols=6)
    table.style = "Table Grid"
    for cell, text in zip(
        table.rows[0].cells, ("顺序号", "文号", "题名", "日期", "页号", "备注"), strict=True
    ):
        cell.text = text
    for entry in ctx["entries"]:
        cells = table.add_row().cells
        values = (
            str(entry["no"]),
            entry["doc_no"],
            entry["title"],
            entry["date"],
            entry["range"],
            entry["note"],
        )
        for cell, text in zip(cells, values, strict=True):
            cell.text = text
    document.add_paragraph(f"本卷共 {len(ctx['entries'])} 件 {record.page_count} 页。")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def filename_stem(record: ArchiveRecord) -> str:
    return f"卷内目录-{record.archive_no}-第{record.attempt}次报送".replace("/", "_")


__all__ = ["context", "filename_stem", "index_rows", "render_index_docx", "render_index_pdf"]
