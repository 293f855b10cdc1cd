"""DOCX rendering of 执法文书 with docxtpl.

The Word templates are built programmatically with python-docx the first time they are needed (one
per body kind: running paragraphs or a form table) and kept in memory, so there is no binary file to
ship or keep in sync with the PDF layout. Both renderers fill them from the same
:class:`~liuhen.documents.content.DocumentContent`.
"""

from __future__ import annotations

import functools
import io
from typing import Any

from docx import Document
from docx.enum.section import WD_SECTION
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from docx.table import _Cell
from docx.text.paragraph import Paragraph
from docx.text.run import Run
from docxtpl import DocxTemplate, InlineImage

from liuhen.documents.content import DocumentContent, build_document
from liuhen.documents.qr import qr_png
from liuhen.records.models import Record

BODY_FONT = "仿宋"  # GB/T 9704: body in 仿宋 三号; Word substitutes when it is missing
TITLE_FONT = "方正小标宋简体"
LABEL_FONT = "黑体"
LATIN_FONT = "Times New Roman"
SEAL_ALT = "（印章）"
_PARAGRAPH_LAYOUTS = frozenset({"penalty_decision", "advance_notice"})
_TEXT_WIDTH_MM = 210 - 28 - 26


def _font(run: Run, *, east_asia: str = BODY_FONT, size: float = 16, bold: bool = False) -> Run:
    run.font.size = Pt(size)
    run.font.bold = bold
    run.font.name = LATIN_FONT
    r_pr = run._element.get_or_add_rPr()
    fonts = r_pr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        r_pr.insert(0, fonts)
    fonts.set(qn("w:eastAsia"), east_asia)
    return run


def _para(
    container: Any,
    text: str = "",
    *,
    align: WD_ALIGN_PARAGRAPH | None = None,
    size: float = 16,
    east_asia: str = BODY_FONT,
    indent_chars: float = 0,
    space_after: float = 0,
) -> Paragraph:
    paragraph: Paragraph = container.add_paragraph()
    if align is not None:
        paragraph.alignment = align
    fmt = paragraph.paragraph_format
    fmt.space_before = Pt(0)
    fmt.space_after = Pt(space_after)
    if indent_chars:
        fmt.first_line_indent = Pt(size * indent_chars)
    if text:
        _font(paragraph.add_run(text), east_asia=east_asia, size=size)
    return paragraph


def _control(container: Any, tag: str) -> None:
    """A paragraph holding only a docxtpl ``{%p … %}`` tag (removed when rendered)."""
    container.add_paragraph(tag)


def _no_borders(table: Any) -> None:
    tbl_pr = table._tbl.tblPr
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        element = OxmlElement(f"w:{edge}")
        element.set(qn("w:val"), "nil")
        borders.append(element)
    tbl_pr.append(borders)


def _cell_text(cell: _Cell, text: str, *, size: float, align: WD_ALIGN_PARAGRAPH | None = None) -> None:
    paragraph = cell.paragraphs[0]
    if align is not None:
        paragraph.alignment = align
    _font(paragraph.add_run(text), size=size)


def _page_number(paragraph: Paragraph) -> None:
    _font(paragraph.add_run("第 "), size=8)
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), "PAGE")
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "1"
    run.append(text)
    field.append(run)
    paragraph._p.append(field)
    _font(paragraph.add_run(" 页"), size=8)


def _handover_table(doc: Any) -> None:
    """The 案卷移交清单 of HY-FS's annex: 序号 and 案卷名称 across, then 审核前 / 审核后 columns."""
    table = doc.add_table(rows=8, cols=3)
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    half = (_TEXT_WIDTH_MM - 32) / 2
    widths = (Mm(32), Mm(half), Mm(half))
    for row in table.rows:
        for cell, width in zip(row.cells, widths, strict=True):
            cell.width = width
    center = WD_ALIGN_PARAGRAPH.CENTER
    for index, (label, value) in enumerate(
        (("序　号", "{{ handover.register_no }}"), ("案卷名称", "{{ handover.case_file_name }}"))
    ):
        _cell_text(table.cell(index, 0), label, size=13, align=center)
        merged = table.cell(index, 1).merge(table.cell(index, 2))
        _cell_text(merged, value, size=13)
    _cell_text(table.cell(2, 1), "审核前", size=13, align=center)
    _cell_text(table.cell(2, 2), "审核后", size=13, align=center)
    _cell_text(table.cell(3, 0), "{%tr for line in handover.lines %}", size=13)
    _cell_text(table.cell(4, 0), "{{ line.label }}", size=13, align=center)
    _cell_text(table.cell(4, 1), "{{ line.before }}", size=13)
    _cell_text(table.cell(4, 2), "{{ line.after }}", size=13)
    _cell_text(table.cell(5, 0), "{%tr endfor %}", size=13)
    _cell_text(table.cell(6, 0), "案卷材料", size=13, align=center)
    _cell_text(table.cell(6, 1), "{{ handover.materials_before_text }}", size=12)
    _cell_text(table.cell(6, 2), "{{ handover.materials_after_text }}", size=12)
    _cell_text(table.cell(7, 0), "{{ handover.note_label }}", size=13, align=center)
    merged = table.cell(7, 1).merge(table.cell(7, 2))
    _cell_text(merged, "{{ handover.note }}", size=12)


def _build_template(paragraph_body: bool, handover: bool = False) -> bytes:
    doc = Document()
    section = doc.sections[0]
    section.start_type = WD_SECTION.NEW_PAGE
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    section.footer_distance = Mm(12)
    normal = doc.styles["Normal"]
    normal.font.name = LATIN_FONT
    normal.font.size = Pt(16)
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), BODY_FONT)
    for stray in list(doc.paragraphs):  # python-docx's default document may start with an empty one
        stray._p.getparent().remove(stray._p)

    _control(doc, "{%p if confidentiality %}")
    _para(doc, "{{ confidentiality }}", size=14, east_asia=LABEL_FONT)
    _control(doc, "{%p endif %}")
    _para(doc, "{{ agency_name }}", align=WD_ALIGN_PARAGRAPH.CENTER, size=22, east_asia=TITLE_FONT)
    _para(doc, "{{ title }}", align=WD_ALIGN_PARAGRAPH.CENTER, size=22, east_asia=TITLE_FONT, space_after=12)
    _para(doc, "{{ doc_no }}", align=WD_ALIGN_PARAGRAPH.RIGHT, space_after=12)

    if paragraph_body:
        _control(doc, "{%p for para in lines %}")
        body = _para(doc, indent_chars=2)
        body.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
        _font(body.add_run("{% if para.label %}{{ para.label }}：{% endif %}"), east_asia=LABEL_FONT)
        _font(body.add_run("{{ para.text }}"))
        _control(doc, "{%p endfor %}")
    elif handover:
        _handover_table(doc)
        _control(doc, "{%p for line in sign_lines %}")
        _para(doc, "{{ line.label }}（签名）：{{ line.names or '＿＿＿＿＿＿＿＿' }}", size=14)
        _control(doc, "{%p endfor %}")
    else:
        table = doc.add_table(rows=3, cols=2)
        table.style = "Table Grid"
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        table.autofit = False
        widths = (Mm(44), Mm(_TEXT_WIDTH_MM - 44))
        for row in table.rows:
            for cell, width in zip(row.cells, widths, strict=True):
                cell.width = width
        _cell_text(table.cell(0, 0), "{%tr for row in rows %}", size=13)
        _cell_text(table.cell(1, 0), "{{ row.label }}", size=13, align=WD_ALIGN_PARAGRAPH.CENTER)
        _cell_text(table.cell(1, 1), "{{ row.value }}{% if row.tall %}\n{% endif %}", size=13)
        _cell_text(table.cell(2, 0), "{%tr endfor %}", size=13)
        _control(doc, "{%p for line in sign_lines %}")
        _para(doc, "{{ line.label }}（签名）：{{ line.names or '＿＿＿＿＿＿＿＿' }}", size=14)
        _control(doc, "{%p endfor %}")

    _para(doc, "")
    _para(doc, "{{ seal }}", align=WD_ALIGN_PARAGRAPH.RIGHT)
    signature = _para(doc, "{{ agency_name }}", align=WD_ALIGN_PARAGRAPH.RIGHT)
    signature.paragraph_format.right_indent = Pt(32)
    dated = _para(doc, "{{ date_cn }}", align=WD_ALIGN_PARAGRAPH.RIGHT, space_after=18)
    dated.paragraph_format.right_indent = Pt(32)

    verify = doc.add_table(rows=1, cols=2)
    verify.autofit = False
    _no_borders(verify)
    text_cell, qr_cell = verify.cell(0, 0), verify.cell(0, 1)
    text_cell.width, qr_cell.width = Mm(_TEXT_WIDTH_MM - 26), Mm(26)
    _cell_text(text_cell, "留痕记录 {{ record_id }} · 第 {{ version }} 版 · 案号 {{ case_number }}", size=8)
    for line in (
        "摘要（SM3）：{{ digest }}",
        "核验码：{{ payload }}",
        "核验：用留痕系统“文书核验”扫描二维码，或输入核验码，比对系统中保存的记录。",
    ):
        _font(text_cell.add_paragraph().add_run(line), size=8)
    _cell_text(qr_cell, "{{ qr }}", size=8, align=WD_ALIGN_PARAGRAPH.RIGHT)

    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _font(footer.add_run("{{ footer }} · "), size=8)
    _page_number(footer)

    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


@functools.cache
def template_bytes(paragraph_body: bool, handover: bool = False) -> bytes:
    return _build_template(paragraph_body, handover)


@functools.cache
def seal_png() -> bytes:
    """A dashed red circle with （印章） inside: where the agency stamps the paper copy."""
    from PIL import Image, ImageDraw, ImageFont

    size, width = 480, 5
    image = Image.new("RGBA", (size, size), (255, 255, 255, 0))
    draw = ImageDraw.Draw(image)
    box = (width, width, size - width, size - width)
    for start in range(0, 360, 10):
        draw.arc(box, start, start + 6, fill=(204, 0, 0, 255), width=width)
    try:
        font: Any = ImageFont.truetype("wqy-microhei.ttc", 40)
    except OSError:
        font = None  # no CJK font: the circle alone still marks the place (alt text says 印章)
    if font is not None:
        draw.text((size / 2, size * 0.2), SEAL_ALT, fill=(204, 0, 0, 255), font=font, anchor="mm")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def _describe_images(tpl: DocxTemplate, qr: bytes, payload: str) -> None:
    """Alt text: the QR payload on the QR code (so it survives even where images are stripped)."""
    for shape in tpl.docx.inline_shapes:
        inline = shape._inline
        blip = inline.graphic.graphicData.pic.blipFill.blip
        part = tpl.docx.part.related_parts.get(blip.embed)
        is_qr = part is not None and part.blob == qr
        inline.docPr.set("descr", payload if is_qr else SEAL_ALT)
        inline.docPr.set("title", "核验二维码" if is_qr else "印章位置")


def render_docx_content(content: DocumentContent) -> bytes:
    tpl = DocxTemplate(
        io.BytesIO(
            template_bytes(content.layout in _PARAGRAPH_LAYOUTS, content.layout == "case_file_handover")
        )
    )
    qr = qr_png(content.payload)
    context = {
        **content.as_context(),
        "seal": InlineImage(tpl, io.BytesIO(seal_png()), width=Mm(38)),
        "qr": InlineImage(tpl, io.BytesIO(qr), width=Mm(24)),
    }
    tpl.render(context, autoescape=True)
    _describe_images(tpl, qr, content.payload)
    props = tpl.docx.core_properties
    props.title = f"{content.title} {content.doc_no}"
    props.author = content.agency_name
    props.subject = content.payload
    props.keywords = content.digest
    props.identifier = content.payload
    props.comments = content.footer
    buffer = io.BytesIO()
    tpl.save(buffer)
    return buffer.getvalue()


def render_docx(record: Record) -> bytes:
    """The record's 执法文书 as a Word document (same content and layout as the PDF)."""
    return render_docx_content(build_document(record))
