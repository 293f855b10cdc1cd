"""PDF and DOCX of 行政处罚决定书 and 送达回证 (issue 3 acceptance): Chinese renders (page 1 rasterised
and non-blank, text extracted), the number line with 〔〕, the SM3 digest, and a QR code that decodes
to the verification payload."""

from __future__ import annotations

import io

import docx
import pypdfium2 as pdfium
import pytest
import zxingcpp
from PIL import Image, ImageStat

from liuhen.documents.pdf import render_pdf
from liuhen.documents.tests.conftest import AGENCY, DOCUMENT_NO
from liuhen.documents.verification import document_digest, qr_payload
from liuhen.documents.word import SEAL_ALT, render_docx
from liuhen.records.models import Record

pytestmark = pytest.mark.slow


def _page_image(pdf: bytes, index: int = 0) -> Image.Image:
    document = pdfium.PdfDocument(pdf)
    image: Image.Image = document[index].render(scale=3).to_pil().convert("L")
    return image


def _pdf_text(pdf: bytes) -> str:
    document = pdfium.PdfDocument(pdf)
    return "".join(document[i].get_textpage().get_text_range() for i in range(len(document)))


CJK_FONT_MARKS = ("WenQuanYi", "CJK", "Han", "Song", "Hei", "Kai", "Fang")


def _cjk_fonts(pdf: bytes) -> dict[str, bool]:
    """Font base name -> whether it drew any CJK text, over every text object of every page."""
    import ctypes

    import pypdfium2.raw as pdfium_raw

    fonts: dict[str, bool] = {}
    for page in pdfium.PdfDocument(pdf):
        textpage = page.get_textpage()
        for obj in page.get_objects():
            if obj.type != pdfium_raw.FPDF_PAGEOBJ_TEXT:
                continue
            font = pdfium_raw.FPDFTextObj_GetFont(obj.raw)
            size = pdfium_raw.FPDFFont_GetBaseFontName(font, None, 0)
            name = ctypes.create_string_buffer(size)
            pdfium_raw.FPDFFont_GetBaseFontName(font, name, size)
            chars = pdfium_raw.FPDFTextObj_GetText(obj.raw, textpage.raw, None, 0)
            text = ctypes.create_string_buffer(chars * 2)
            pdfium_raw.FPDFTextObj_GetText(
                obj.raw, textpage.raw, ctypes.cast(text, ctypes.POINTER(ctypes.c_ushort)), chars
            )
            decoded = text.raw.decode("utf-16-le", errors="replace")
            key = name.value.decode(errors="replace").split("+")[-1]
            fonts[key] = fonts.get(key, False) or any("\u4e00" <= ch <= "\u9fff" for ch in decoded)
    return fonts


def _qr_texts(image: Image.Image) -> list[str]:
    return [result.text for result in zxingcpp.read_barcodes(image)]


def _assert_pdf(record: Record, pdf: bytes, title: str) -> None:
    assert pdf.startswith(b"%PDF-")
    page = _page_image(pdf)
    # Non-blank: a real share of dark pixels (text, table rules), not an empty white page.
    dark = sum(page.histogram()[:128]) / (page.width * page.height)
    assert dark > 0.01, dark
    assert ImageStat.Stat(page).extrema[0][0] < 50
    text = _pdf_text(pdf)
    compact = "".join(text.split())
    assert AGENCY in compact
    assert "".join(title.split()) in compact
    assert record.case is not None and record.case.number in compact
    assert document_digest(record) in compact
    # The QR code in the footer of page 1 decodes to the payload.
    assert qr_payload(record) in _qr_texts(page)
    # The glyphs are CJK shapes, not tofu: text extraction maps them back to the characters, and
    # every text object is drawn with the CJK font the README commands install (no fallback font).
    assert "〔2026〕" in compact
    fonts = _cjk_fonts(pdf)
    drew_cjk = [name for name, cjk in fonts.items() if cjk]
    assert drew_cjk and all(any(m in name for m in CJK_FONT_MARKS) for name in drew_cjk), fonts


def test_dc6_penalty_decision_pdf(penalty: Record) -> None:
    pdf = render_pdf(penalty)
    _assert_pdf(penalty, pdf, "行 政 处 罚 决 定 书")
    compact = "".join(_pdf_text(pdf).split())
    assert "行政处罚决定书" in compact
    assert DOCUMENT_NO in compact
    assert "（印章）" in compact and "二〇二六年十一月二十五日" in compact
    assert pdfium.PdfDocument(pdf).get_metadata_dict()["Subject"] == qr_payload(penalty)


def test_sv_service_receipt_pdf(receipt: Record) -> None:
    pdf = render_pdf(receipt)
    _assert_pdf(receipt, pdf, "送达回证")
    compact = "".join(_pdf_text(pdf).split())
    for label in (
        "送达文书名称及文号",
        "受送达人",
        "送达地点",
        "送达方式",
        "收件人签名",
        "送达时间",
        "送达人",
        "见证人",
        "备注",
    ):
        assert label in compact
    assert "留置送达" in compact and DOCUMENT_NO in compact
    assert len(pdfium.PdfDocument(pdf)) == 1  # the form fits on one sheet


def _docx_text(data: bytes) -> str:
    document = docx.Document(io.BytesIO(data))
    parts = [p.text for p in document.paragraphs]
    parts += [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    parts += [p.text for section in document.sections for p in section.footer.paragraphs]
    return "\n".join(parts)


def _docx_images(data: bytes) -> dict[str, bytes]:
    """alt text -> image bytes of the inline pictures."""
    document = docx.Document(io.BytesIO(data))
    images = {}
    for shape in document.inline_shapes:
        inline = shape._inline
        part = document.part.related_parts[inline.graphic.graphicData.pic.blipFill.blip.embed]
        images[inline.docPr.get("descr")] = part.blob
    return images


@pytest.mark.parametrize(("fixture", "title"), [("penalty", "行政处罚决定书"), ("receipt", "送达回证")])
def test_docx_carries_header_number_and_digest(
    request: pytest.FixtureRequest, fixture: str, title: str
) -> None:
    record: Record = request.getfixturevalue(fixture)
    data = render_docx(record)
    text = _docx_text(data)
    assert AGENCY in text and title in text
    assert DOCUMENT_NO in text  # the decision's own number, or the served document's on the receipt
    assert record.case is not None and record.case.number in text
    assert document_digest(record) in text
    images = _docx_images(data)
    assert set(images) == {SEAL_ALT, qr_payload(record)}
    assert _qr_texts(Image.open(io.BytesIO(images[qr_payload(record)]))) == [qr_payload(record)]
    properties = docx.Document(io.BytesIO(data)).core_properties
    assert properties.subject == qr_payload(record)
    assert properties.keywords == document_digest(record)


def test_docx_penalty_body_text(penalty: Record) -> None:
    text = _docx_text(render_docx(penalty))
    assert "违法事实：2026年3月至6月" in text
    assert "罚款人民币24,691.20元（大写：贰万肆仟陆佰玖拾壹元贰角）" in text
    assert "二〇二六年十一月二十五日" in text
    assert "{{" not in text and "{%" not in text  # every template tag was rendered


def test_generic_type_renders_both_formats(penalty: Record, org: object) -> None:
    from liuhen.conftest import Org
    from liuhen.documents.tests.test_content import _required_data
    from liuhen.records.services import create_record

    assert isinstance(org, Org) and penalty.case is not None
    record = create_record(
        actor=org.officer_a1,
        case=penalty.case,
        record_type="inquiry_notice",
        data=_required_data("inquiry_notice"),
    )
    compact = "".join(_pdf_text(render_pdf(record)).split())
    assert "询问通知书" in compact and document_digest(record) in compact
    text = _docx_text(render_docx(record))
    assert "询问通知书" in text and "案件名称" in text and "{{" not in text
