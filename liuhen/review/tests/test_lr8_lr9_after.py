"""LR-8 (HY-FS 第十二条): decision documents — and revocations of filing or acceptance — filed with
the legal office within 10 days, tracked as a deadline; LR-9 (HY-FS 第十三条): the retained
materials in one click."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import date

import pytest
from django.test import Client
from django.utils import timezone

from liuhen.cases.models import Case
from liuhen.cases.services import take_branch
from liuhen.core.canonical import tagged
from liuhen.ledger.models import LedgerEntry
from liuhen.policy.models import Deadline
from liuhen.records.models import Record
from liuhen.review import selectors, services
from liuhen.review.testing import ALL_OK, Bureau, make_decision, reviewed


def _filing(case: Case, **values: str) -> dict[str, object]:
    return {
        "filing_kind": "decision",
        "document_name": "行政处罚决定书",
        "document_no": case.number,
        "decided_on": "2026-10-12",
        "filed_on": "2026-10-20",
        "filed_by": "基金监管科 王军",
        "received_by": "于法",
        "documents": ["行政处罚决定书"],
        **values,
    }


def test_lr8_the_filing_deadline_runs_from_the_decision_and_shows(
    hy: Bureau, major_case: Case, client: Client
) -> None:
    submission, _ = reviewed(hy, major_case)
    make_decision(hy, major_case, fine_amount="25000", decided_on="2026-10-12")
    (row,) = selectors.filing_deadlines(major_case)
    assert (row.rule_id, row.due, row.state) == ("HY-FS-12-decision-filing", date(2026, 10, 22), "overdue")
    client.force_login(hy.reviewer)
    page = client.get(f"/review/{submission.pk}/").content.decode()
    assert 'data-testid="filing-deadline"' in page and "2026-10-22" in page and "HY-FS 第十二条第一款" in page
    response = client.post(
        f"/review/cases/{major_case.pk}/filing/",
        {
            **{f"filing-{k}": v for k, v in _filing(major_case).items()},
            "filing-documents": "行政处罚决定书",
            "next": f"/review/{submission.pk}/",
        },
        follow=True,
    )
    assert "备案已登记" in response.content.decode()
    filing = Record.objects.get(case=major_case, record_type="decision_filing")
    assert filing.created_by == hy.reviewer and [s.role for s in filing.signers.all()] == ["reviewer"]
    row = Deadline.objects.get(pk=row.pk)
    assert row.state == "met"


def test_lr8_a_revoked_case_still_files_the_revocation(hy: Bureau, major_case: Case) -> None:
    take_branch(
        actor=hy.officer, case=major_case, branch="revoked", reason="经复核原认定事实有误，撤销立案。"
    )
    major_case.refresh_from_db()
    (row,) = selectors.filing_deadlines(major_case)
    assert row.rule_id == "HY-FS-12-revocation-filing" and row.state in ("due", "overdue")
    today = timezone.localdate().isoformat()
    services.file_with_legal_office(
        actor=hy.officer,
        case=major_case,
        data=_filing(
            major_case,
            filing_kind="revocation",
            document_name="撤销立案决定书",
            decided_on=today,
            filed_on=today,
        ),
    )
    assert Deadline.objects.get(pk=row.pk).state == "met"


def _fake_pdf(record: Record) -> bytes:
    return f"%PDF-fake {record.record_type} v{record.version}".encode()


def test_lr9_the_retained_materials_in_one_zip(
    hy: Bureau, major_case: Case, client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("liuhen.review.bundle._render", _fake_pdf)
    submission = services.submit_for_review(actor=hy.officer, case=major_case, place="基金监管科")
    receipt = services.register_receipt(actor=hy.reviewer, submission=submission, place="法制科")
    question = services.ask_question(actor=hy.reviewer, receipt=receipt, text="涉案金额如何计算？")
    services.answer_question(actor=hy.officer, question=question, text="按结算清单逐笔核对。")
    services.record_checks(actor=hy.reviewer, receipt=receipt, entries=ALL_OK)
    services.issue_opinion(actor=hy.reviewer, receipt=receipt, opinion_type="agree", text="同意。")
    services.register_return(actor=hy.reviewer, receipt=receipt, received_by=hy.officer, place="法制科")
    make_decision(hy, major_case, fine_amount="25000")
    client.force_login(hy.officer)
    assert client.get(f"/review/{submission.pk}/bundle/").status_code == 403  # not the legal office
    client.force_login(hy.reviewer)
    response = client.get(f"/review/{submission.pk}/bundle/")
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    assert (
        receipt.register_no in response["Content-Disposition"]
        or "filename*" in response["Content-Disposition"]
    )
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    names = archive.namelist()
    assert names[:5] == [
        "01_案卷移交清单_第1版.pdf",
        "01_案卷移交清单_第2版.pdf",
        "02_拟作出的决定_案件调查终结报告.pdf",
        "03_法制审核意见书.pdf",
        "04_行政处罚决定书_1.pdf",
    ]
    assert "06_审核过程.txt" in names and "manifest.json" in names
    manifest = json.loads(archive.read("manifest.json"))
    for entry in manifest["files"]:
        assert entry["sm3"] == tagged("sm3", archive.read(entry["name"]))
    course = archive.read("06_审核过程.txt").decode()
    assert receipt.register_no in course and "执法主体是否合法：符合" in course and "审核意见：同意" in course
    assert "问1" in course and "涉案金额如何计算？" in course and "按结算清单逐笔核对。" in course
    entry = LedgerEntry.objects.filter(action="review.bundle").get()
    assert entry.actor_id == hy.reviewer.pk and entry.case_id == major_case.pk
    assert receipt.register_no in entry.payload


def test_lr9_confidential_records_are_withheld_not_included(
    hy: Bureau, major_case: Case, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("liuhen.review.bundle._render", _fake_pdf)
    submission, _ = reviewed(hy, major_case)
    from liuhen.records.services import create_record
    from liuhen.review.testing import decision_data

    create_record(
        actor=hy.officer,
        case=major_case,
        record_type="penalty_decision",
        data=decision_data(major_case, fine_amount="25000"),
        confidentiality="state_secret",
    )
    bundle = services.export_bundle(actor=hy.reviewer, submission=submission)
    assert [w["record_type"] for w in bundle.withheld] == ["penalty_decision"]
    assert not any(str(f["name"]).startswith("04_") for f in bundle.files)


@pytest.mark.slow
def test_lr9_the_bundle_holds_the_rendered_documents(hy: Bureau, major_case: Case) -> None:
    submission, _ = reviewed(hy, major_case)
    bundle = services.export_bundle(actor=hy.head, submission=submission)
    archive = zipfile.ZipFile(io.BytesIO(bundle.data))
    assert archive.read("03_法制审核意见书.pdf")[:5] == b"%PDF-"
