"""LR-2 / LR-5: the 重大行政执法决定案卷移交清单 in its own layout — the annex form of HY-FS with
序号, 案卷名称 and the 审核前 / 审核后 columns (移交人, 接收人, 移交时间, 移交地点, 案卷材料) — as DOCX
and PDF, read back by text extraction."""

from __future__ import annotations

import io

import docx
import pypdfium2 as pdfium
import pytest

from liuhen.cases.models import Case
from liuhen.documents.pdf import render_pdf
from liuhen.documents.word import render_docx
from liuhen.records.models import Record
from liuhen.review import selectors, services
from liuhen.review.testing import ALL_OK, Bureau


def _returned(hy: Bureau, case: Case) -> tuple[Record, list[str]]:
    submission = services.submit_for_review(actor=hy.officer, case=case, place="基金监管科办公室")
    receipt = services.register_receipt(actor=hy.reviewer, submission=submission, place="法制科办公室")
    services.record_checks(actor=hy.reviewer, receipt=receipt, entries=ALL_OK)
    services.issue_opinion(actor=hy.reviewer, receipt=receipt, opinion_type="agree", text="同意。")
    row = services.register_return(actor=hy.reviewer, receipt=receipt, received_by=hy.officer, place="法制科")
    return row.handover, selectors.materials_json(submission)


def _docx_rows(data: bytes) -> list[list[str]]:
    document = docx.Document(io.BytesIO(data))
    table = next(t for t in document.tables if "审核前" in "".join(c.text for c in t._cells))
    rows = []
    for row in table.rows:
        cells: list[str] = []
        for cell in row.cells:  # merged cells repeat: keep each once
            if not cells or cell.text != cells[-1]:
                cells.append(cell.text)
        rows.append(cells)
    return rows


def test_lr_2_handover_docx_has_the_annex_columns_and_the_case_materials(
    hy: Bureau, major_case: Case
) -> None:
    handover, materials = _returned(hy, major_case)
    rows = _docx_rows(render_docx(handover))
    by_label = {r[0]: r[1:] for r in rows}
    assert by_label["序　号"] == [handover.fields["register_no"]]
    assert by_label["案卷名称"][0].endswith(major_case.title)
    assert rows[2][-2:] == ["审核前", "审核后"]
    assert by_label["移交人"] == ["王军", "于法"]
    assert by_label["接收人"] == ["于法", "王军"]
    assert by_label["移交地点"] == ["法制科办公室", "法制科"]
    before, after = by_label["案卷材料"]
    assert materials and all(m in before for m in materials)
    assert "案件调查终结报告（第1版" in before
    assert "法制审核意见书（同意）" in after


@pytest.mark.slow
def test_lr_2_handover_pdf_lists_the_case_materials(hy: Bureau, major_case: Case) -> None:
    handover, materials = _returned(hy, major_case)
    pdf = render_pdf(handover)
    document = pdfium.PdfDocument(pdf)
    text = "".join(document[i].get_textpage().get_text_range() for i in range(len(document)))
    flat = "".join(text.split())
    for word in (
        "重大行政执法决定案卷移交清单",
        "审核前",
        "审核后",
        "移交人",
        "接收人",
        "移交时间",
        "移交地点",
        "案卷材料",
    ):
        assert word in flat
    assert handover.fields["register_no"] in flat
    for material in materials:
        assert "".join(material.split()) in flat
    assert "法制审核意见书（同意）" in flat
