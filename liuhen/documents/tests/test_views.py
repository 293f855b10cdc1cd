"""Downloads (AC-1 scoped, ledgered: principle 2), the check page for printed copies, and the signed
scan as the record's next version (issue 3 point 6)."""

from __future__ import annotations

import json
from urllib.parse import quote

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from liuhen.conftest import Org, login
from liuhen.documents.verification import document_digest, qr_payload
from liuhen.ledger.models import LedgerEntry
from liuhen.records.models import Record

pytestmark = pytest.mark.django_db


def _exports(record: Record) -> list[LedgerEntry]:
    return list(
        LedgerEntry.objects.filter(
            action="document.export", object_type="records.record", object_id=str(record.pk)
        )
    )


@pytest.mark.slow
def test_pdf_download_is_ledgered_with_chinese_filename(client: Client, org: Org, penalty: Record) -> None:
    login(client, org.officer_a2)
    response = client.get(reverse("documents:pdf", args=[penalty.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    assert response["Content-Disposition"].startswith("attachment; filename*=utf-8''")
    assert quote("行政处罚决定书-测医保罚〔2026〕1号-第1版.pdf") in response["Content-Disposition"]
    (entry,) = _exports(penalty)
    assert entry.actor_id == org.officer_a2.pk and entry.case_id == penalty.case_id
    assert json.loads(entry.payload)["format"] == "pdf"
    assert json.loads(entry.payload)["digest"] == document_digest(penalty)


def test_docx_download_is_ledgered(client: Client, org: Org, receipt: Record) -> None:
    login(client, org.head_a)
    response = client.get(reverse("documents:docx", args=[receipt.pk]))
    assert response.status_code == 200
    assert response["Content-Type"].endswith("wordprocessingml.document")
    assert response.content.startswith(b"PK")
    assert quote("送达回证") in response["Content-Disposition"]
    (entry,) = _exports(receipt)
    assert json.loads(entry.payload)["format"] == "docx"


@pytest.mark.parametrize("name", ["documents:pdf", "documents:docx"])
def test_ac1_other_department_officer_gets_404_and_nothing_is_ledgered(
    client: Client, org: Org, penalty: Record, name: str
) -> None:
    login(client, org.officer_b1)
    assert client.get(reverse(name, args=[penalty.pk])).status_code == 404
    assert _exports(penalty) == []


def test_download_requires_login(client: Client, penalty: Record) -> None:
    response = client.get(reverse("documents:docx", args=[penalty.pk]))
    assert response.status_code == 302 and "/login" in response["Location"]


def test_record_page_links_to_downloads_and_scan_upload(client: Client, org: Org, penalty: Record) -> None:
    login(client, org.officer_a1)
    page = client.get(reverse("records:detail", args=[penalty.pk])).content.decode()
    assert "下载 PDF" in page and reverse("documents:pdf", args=[penalty.pk]) in page
    assert "下载 Word" in page and reverse("documents:docx", args=[penalty.pk]) in page
    assert reverse("documents:scan", args=[penalty.pk]) in page


def _check(client: Client, code: str) -> tuple[int, str]:
    response = client.get(reverse("documents:check"), {"code": code})
    return response.status_code, response.content.decode()


def test_check_matching_code(client: Client, org: Org, penalty: Record) -> None:
    login(client, org.officer_a1)
    status, page = _check(client, qr_payload(penalty))
    assert status == 200 and 'data-status="match"' in page and "一致" in page
    assert LedgerEntry.objects.filter(action="document.verify", object_id=str(penalty.pk)).exists()


def test_check_tampered_digest_is_a_mismatch(client: Client, org: Org, penalty: Record) -> None:
    login(client, org.officer_a1)
    forged = qr_payload(penalty)[:-4] + "0000"
    assert forged != qr_payload(penalty)
    status, page = _check(client, forged)
    assert status == 200 and 'data-status="mismatch"' in page and "不一致" in page


def test_check_is_scoped_by_selectors(client: Client, org: Org, penalty: Record) -> None:
    login(client, org.officer_b1)
    status, page = _check(client, qr_payload(penalty))
    assert status == 404 and 'data-status="not_found"' in page
    assert "系统中的摘要" not in page and "某大药房" not in page  # nothing of the record leaks


def test_check_malformed_code_and_empty_form(client: Client, org: Org) -> None:
    login(client, org.officer_a1)
    status, page = _check(client, "https://example.com/")
    assert status == 200 and 'data-status="malformed"' in page
    assert client.get(reverse("documents:check")).status_code == 200
    client.logout()
    assert client.get(reverse("documents:check")).status_code == 302


def test_signed_scan_becomes_the_next_version(client: Client, org: Org, penalty: Record) -> None:
    """The printed v1 is signed, stamped, scanned and uploaded: v2 has the same content and the scan;
    the QR code printed on v1 still checks out, and the check page points to v2."""
    login(client, org.officer_a1)
    scan = SimpleUploadedFile("决定书签章件.pdf", b"%PDF-1.7\n% scanned\n", content_type="application/pdf")
    response = client.post(
        reverse("documents:scan", args=[penalty.pk]), {"scan": scan, "note": "当事人已签收"}
    )
    new = Record.objects.get(supersedes=penalty)
    assert response.status_code == 302 and response["Location"] == reverse("records:detail", args=[new.pk])
    assert new.version == 2 and new.fields == penalty.fields
    assert new.correction_reason == "上传签字盖章的纸质文书扫描件：当事人已签收"
    assert [a.filename for a in new.attachments.all()] == ["决定书签章件.pdf"]
    _status, page = _check(client, qr_payload(penalty))
    assert 'data-status="match"' in page and "第 2 版" in page


def test_scan_upload_refused_to_reader_without_write_access(
    client: Client, org: Org, penalty: Record
) -> None:
    login(client, org.auditor)  # sees every case of the agency, writes none
    scan = SimpleUploadedFile("scan.pdf", b"%PDF-1.7\n", content_type="application/pdf")
    response = client.post(reverse("documents:scan", args=[penalty.pk]), {"scan": scan})
    assert response.status_code == 400
    assert not Record.objects.filter(supersedes=penalty).exists()
