"""Acceptance (AR-1, AR-2): a closed, demo-like case gets an archive record with number,
category, retention term and the action's dates, filed within the 30-day deadline and accepted
by the archivist; its 卷内目录 renders as PDF (CJK titles and page counts in the extracted text,
drawn with a CJK font, non-blank) and as DOCX; the API serves the same."""

from __future__ import annotations

import io
import json

import pypdfium2 as pdfium
from django.test import Client
from django.utils import timezone
from docx import Document

from liuhen.archives import selectors, services
from liuhen.archives.render import render_index_docx, render_index_pdf
from liuhen.archives.selectors import State
from liuhen.cases.models import Case
from liuhen.conftest import Org, login
from liuhen.ledger.models import LedgerEntry
from liuhen.ledger.verify import verify
from liuhen.org.models import Person

CJK_FONT_MARKS = ("Noto", "Source Han", "WenQuanYi", "FangSong", "SimSun", "SimHei")


def _pdf_text(pdf: bytes) -> str:
    document = pdfium.PdfDocument(pdf)
    return "".join(document[i].get_textpage().get_text_range() for i in range(len(document)))


def test_ar_1_ar_2_closed_case_is_archived_within_the_deadline_and_its_index_renders(
    org: Org, closed_case: Case, archivist: Person
) -> None:
    services.designate_custodian(actor=org.agency_head, agency=org.agency, person=archivist)
    record = services.submit_archive(actor=org.officer_a1, case=closed_case)
    services.decide_archive(actor=archivist, submission=record, accept=True)
    status = selectors.status_of(closed_case)
    assert status.state == State.ACCEPTED
    assert record.archive_no and record.category_name == "行政处罚" and record.retention_label == "30年"
    assert record.action_started_on <= record.action_ended_on
    assert (record.due_on - record.action_ended_on).days >= 30
    assert timezone.localtime(record.submitted_at).date() <= record.due_on and not status.late

    pdf = render_index_pdf(record)
    assert pdf.startswith(b"%PDF-")
    compact = "".join(_pdf_text(pdf).split())
    assert "卷内目录" in compact and record.archive_no in compact
    assert "行政处罚" in compact and "30年" in compact
    for entry in record.entries:
        assert entry["title"] in compact  # 现场笔录, 现场照片, 结案报告
    inspection, photos, _report = record.entries
    assert f"{inspection['first_page']}–{inspection['last_page']}" in compact
    assert f"{photos['first_page']}–{photos['last_page']}" in compact
    assert f"共{len(record.entries)}件{record.page_count}页" in compact
    # drawn with a CJK font, and not a blank page
    page = pdfium.PdfDocument(pdf)[0].render(scale=1).to_pil().convert("L")
    assert sum(page.histogram()[:128]) / (page.width * page.height) > 0.005
    fonts = " ".join(_font_names(pdf))
    assert any(mark in fonts for mark in CJK_FONT_MARKS), fonts

    docx = Document(io.BytesIO(render_index_docx(record)))
    cells = [c.text for row in docx.tables[0].rows for c in row.cells]
    assert "现场笔录" in cells and str(record.page_count) in " ".join(p.text for p in docx.paragraphs)
    assert verify().ok


def _font_names(pdf: bytes) -> list[str]:
    import ctypes

    import pypdfium2.raw as raw

    names: list[str] = []
    for page in pdfium.PdfDocument(pdf):
        for obj in page.get_objects():
            if obj.type != raw.FPDF_PAGEOBJ_TEXT:
                continue
            font = raw.FPDFTextObj_GetFont(obj.raw)
            size = raw.FPDFFont_GetBaseFontName(font, None, 0)
            buffer = ctypes.create_string_buffer(size)
            raw.FPDFFont_GetBaseFontName(font, buffer, size)
            names.append(buffer.value.decode(errors="replace"))
    return names


def test_ar_2_views_and_downloads(org: Org, closed_case: Case, archivist: Person, client: Client) -> None:
    login(client, org.officer_a1)
    case_page = client.get(f"/cases/{closed_case.pk}/").content.decode()
    assert "编制卷内目录并报送归档" in case_page
    response = client.post(f"/archives/cases/{closed_case.pk}/submit/", {"note": "按期报送"})
    record = closed_case.archive_records.get()
    assert response.status_code == 302 and response["Location"] == f"/archives/{record.pk}/"
    detail = client.get(f"/archives/{record.pk}/").content.decode()
    assert record.archive_no in detail and "卷内目录" in detail and "现场笔录" in detail
    pdf = client.get(f"/archives/{record.pk}/index.pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert client.get(f"/archives/{record.pk}/index.docx").status_code == 200
    assert LedgerEntry.objects.filter(action="archive.index_export", object_id=str(record.pk)).count() == 2
    # an officer cannot decide; the archivist can
    client.post(f"/archives/{record.pk}/decide/", {"outcome": "accept"})
    assert selectors.decision_of(record) is None
    login(client, archivist)
    client.post(f"/archives/{record.pk}/decide/", {"outcome": "return", "reasons": "缺少页码。"})
    assert selectors.decision_of(record).outcome == "returned"  # type: ignore[union-attr]
    # another department's officer: 404
    login(client, org.officer_b1)
    assert client.get(f"/archives/{record.pk}/").status_code == 404
    assert client.get(f"/archives/{record.pk}/index.pdf").status_code == 404


def test_ar_2_api(org: Org, closed_case: Case, archivist: Person, client: Client) -> None:
    login(client, org.officer_a1)
    status = client.get(f"/api/cases/{closed_case.pk}/archive").json()
    assert status["state"] == "to_compile" and status["due_on"]
    created = client.post(
        f"/api/cases/{closed_case.pk}/archive",
        data=json.dumps({"note": "API 报送"}),
        content_type="application/json",
        HTTP_X_CSRFTOKEN=_csrf(client),
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["category_name"] == "行政处罚" and body["retention_label"] == "30年"
    assert body["file_index"][0]["title"] == "现场笔录" and body["page_count"] > 0
    login(client, archivist)
    pending = client.get("/api/archives/pending").json()
    assert [p["id"] for p in pending] == [body["id"]]
    refused = client.post(
        f"/api/archives/{body['id']}/decision",
        data=json.dumps({"accept": False}),
        content_type="application/json",
        HTTP_X_CSRFTOKEN=_csrf(client),
    )
    assert refused.status_code == 400 and "reasons" in refused.json()["error"]["fields"]
    accepted = client.post(
        f"/api/archives/{body['id']}/decision",
        data=json.dumps({"accept": True}),
        content_type="application/json",
        HTTP_X_CSRFTOKEN=_csrf(client),
    )
    assert accepted.status_code == 201 and accepted.json()["outcome"] == "accepted"
    assert [r["id"] for r in client.get(f"/api/archives?year={body['archive_year']}").json()] == [body["id"]]
    assert client.get(f"/api/archives?year={body['archive_year'] - 1}").json() == []
    assert client.get(f"/api/archives/{body['id']}/index.pdf").status_code == 200
    login(client, org.officer_b1)
    assert client.get(f"/api/archives/{body['id']}").status_code == 404


def _csrf(client: Client) -> str:
    client.get("/archives/")
    return client.cookies["csrftoken"].value if "csrftoken" in client.cookies else ""
