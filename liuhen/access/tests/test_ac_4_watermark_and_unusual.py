"""AC-4: private copying, keeping, spreading or leaking is to be prevented or detected — every
downloaded PDF names who downloaded it and when (visible watermark), and the audit section sees
who accessed far more than their own usual."""

from __future__ import annotations

from datetime import timedelta
from unittest import mock

import pypdfium2 as pdfium
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from liuhen.access import report
from liuhen.access.models import Action
from liuhen.access.tests.conftest import Acc
from liuhen.cases.models import Case
from liuhen.conftest import Org, login
from liuhen.core.testing import record_data
from liuhen.documents.pdf import render_pdf, watermark_text
from liuhen.ledger import services as ledger
from liuhen.ledger.models import LedgerEntry
from liuhen.records.services import create_record


def _pdf_text(data: bytes) -> str:
    pdf = pdfium.PdfDocument(data)
    try:
        return "".join(pdf[i].get_textpage().get_text_range() for i in range(len(pdf)))
    finally:
        pdf.close()


def test_ac_4_downloaded_pdf_carries_who_and_when(org: Org, case_a: Case, client: Client) -> None:
    record = create_record(
        actor=org.officer_a1, case=case_a, record_type="site_inspection", data=record_data("site_inspection")
    )
    login(client, org.officer_a2)
    before = timezone.localtime()
    response = client.get(reverse("documents:pdf", args=[record.pk]))
    assert response.status_code == 200
    text = _pdf_text(response.content)
    assert "王芳(a2 证号64000000000002) 下载于" in text.replace("\r\n", "").replace("\n", "")
    assert before.strftime("%Y-%m-%d") in text
    entry = LedgerEntry.objects.get(action="document.export", actor_id=org.officer_a2.pk)
    assert "下载于" in entry.payload


def test_ac_4_watermark_option_renders_on_every_page_and_is_escaped(org: Org, case_a: Case) -> None:
    record = create_record(
        actor=org.officer_a1, case=case_a, record_type="site_inspection", data=record_data("site_inspection")
    )
    mark = watermark_text('张伟"</style><b>', timezone.now())
    text = _pdf_text(render_pdf(record, watermark=mark))
    assert '张伟"</style><b> 下载于' in text
    assert "下载于" not in _pdf_text(render_pdf(record))


def test_ac_4_export_needs_an_export_grant(acc: Acc, client: Client) -> None:
    from liuhen.access import services

    record = create_record(
        actor=acc.org.officer_b1,
        case=acc.case_b,
        record_type="site_inspection",
        data=record_data("site_inspection"),
    )
    request = services.request_access(
        actor=acc.org.officer_a1, case=acc.case_b, actions={Action.VIEW}, reason="协查", days=1
    )
    services.decide(actor=acc.head_b, request=request, approved=True)
    login(client, acc.org.officer_a1)
    assert client.get(reverse("documents:pdf", args=[record.pk])).status_code == 403
    request = services.request_access(
        actor=acc.org.officer_a1, case=acc.case_b, actions={Action.EXPORT}, reason="协查需要打印", days=1
    )
    services.decide(actor=acc.head_b, request=request, approved=True)
    response = client.get(reverse("documents:pdf", args=[record.pk]))
    assert response.status_code == 200
    assert "下载于" in _pdf_text(response.content)


def _access_at(person_id: int, when: timezone.datetime, n: int, action: str, obj: object) -> None:
    from liuhen.org.models import Person

    person = Person.objects.get(pk=person_id)
    with mock.patch("liuhen.ledger.services.timezone.now", return_value=when):
        for _ in range(n):
            ledger.record_access(actor=person, action=action, obj=obj, case_id=None)  # type: ignore[arg-type]


def test_ac_4_unusual_access_compares_with_the_persons_own_median(
    org: Org, case_a: Case, client: Client
) -> None:
    record = create_record(
        actor=org.officer_a1, case=case_a, record_type="site_inspection", data=record_data("site_inspection")
    )
    today = timezone.localtime().replace(hour=10, minute=0, second=0, microsecond=0)
    # 王芳 downloads 2 a day for 30 days, then 25 today: unusual. 张伟 downloads 12 every day: his usual.
    for k in range(1, 31):
        _access_at(org.officer_a2.pk, today - timedelta(days=k), 2, "blob.download", record)
        _access_at(org.officer_a1.pk, today - timedelta(days=k), 12, "blob.download", record)
    _access_at(org.officer_a2.pk, today, 25, "blob.download", record)
    _access_at(org.officer_a1.pk, today, 12, "blob.download", record)
    _access_at(org.officer_a1.pk, today, 3, "record.view", record)

    assert report.unusual_access(org.officer_a1, start=today.date(), end=today.date()) == []  # not an auditor
    rows = report.unusual_access(org.auditor, start=today.date(), end=today.date(), factor=3, min_count=10)
    by_person = {r.person.pk: r for r in rows}
    flagged = by_person[org.officer_a2.pk]
    assert flagged.flagged and flagged.downloads == 25
    [day] = flagged.unusual
    assert (day.kind, day.count, day.median, day.threshold) == ("download", 25, 2.0, 10.0)
    assert not by_person[org.officer_a1.pk].flagged
    assert by_person[org.officer_a1.pk].views == 3
    assert rows[0].person.pk == org.officer_a2.pk  # flagged first
    # A higher minimum hides it; the page and the API show it.
    assert not report.unusual_access(org.auditor, start=today.date(), end=today.date(), min_count=30)[
        0
    ].flagged
    login(client, org.auditor)
    page = client.get(
        reverse("access:unusual"), {"start": today.date(), "end": today.date(), "factor": 3, "min_count": 10}
    )
    assert page.status_code == 200
    assert "王芳" in page.content.decode() and "unusual-day" in page.content.decode()
    api = client.get(
        "/api/access/unusual", {"start": today.date().isoformat(), "end": today.date().isoformat()}
    )
    assert api.status_code == 200
    assert api.json()[0]["person_name"] == "王芳"
    login(client, org.officer_a1)
    assert client.get(reverse("access:unusual")).status_code == 403
    assert client.get("/api/access/unusual", {"start": "2026-01-01", "end": "2026-01-02"}).status_code == 403
