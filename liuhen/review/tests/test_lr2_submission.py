"""LR-2 (HY-FS 第四条、第五条、第九条, 附件): submission with the 案卷移交清单, registration of
receipt with a sequential number, and the registered return."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client

from liuhen.cases.models import Case, Stage
from liuhen.cases.services import PartyInput, add_party, change_stage, open_case
from liuhen.ledger.models import LedgerEntry
from liuhen.ledger.verify import verify
from liuhen.review import selectors, services
from liuhen.review.models import Receipt, Submission
from liuhen.review.testing import ALL_OK, Bureau, case_in_review, make_bureau

TZ = ZoneInfo("Asia/Shanghai")


def test_lr2_submission_lists_the_case_records_as_materials(hy: Bureau, major_case: Case) -> None:
    submission = services.submit_for_review(actor=hy.officer, case=major_case, place="基金监管科")
    materials = selectors.materials_json(submission)
    assert len(materials) == 1 and materials[0].startswith("案件调查终结报告（第1版")
    assert (
        submission.draft_record is not None and submission.draft_record.record_type == "investigation_report"
    )
    assert "拟罚款25000.00元" in submission.draft_decision
    assert '"major":true' in submission.assessment
    entry = LedgerEntry.objects.filter(action="review.submit").get()
    assert entry.case_id == major_case.pk and entry.object_id == str(submission.pk)


def test_lr2_only_after_investigation_with_a_draft_decision_one_round_at_a_time(hy: Bureau) -> None:
    case = open_case(
        actor=hy.officer,
        department=hy.fund,
        title="调查中的案件",
        case_type="penalty",
        procedure="general",
        source="ex_officio",
        handlers=[hy.officer, hy.officer2],
    )
    with pytest.raises(ValidationError, match="调查终结"):
        services.submit_for_review(actor=hy.officer, case=case, place="基金监管科")
    case = case_in_review(hy, fine_amount="25000")
    services.submit_for_review(actor=hy.officer, case=case, place="基金监管科")
    with pytest.raises(ValidationError, match="尚未退还"):
        services.submit_for_review(actor=hy.officer, case=case, place="基金监管科")
    with pytest.raises(PermissionDenied):
        services.submit_for_review(actor=hy.reviewer, case=case, place="法制科")


def test_lr2_no_submission_without_the_investigation_report(hy: Bureau) -> None:
    case = open_case(
        actor=hy.officer,
        department=hy.fund,
        title="无报告",
        case_type="penalty",
        procedure="general",
        source="ex_officio",
        handlers=[hy.officer, hy.officer2],
    )
    add_party(
        actor=hy.officer,
        case=case,
        data=PartyInput(kind="person", name="李明", id_number="11010519491231002X"),
    )
    for stage in (Stage.INVESTIGATION, Stage.REVIEW):
        case = change_stage(actor=hy.officer, case=case, to_stage=stage)
    with pytest.raises(ValidationError, match="案件调查终结报告"):
        services.submit_for_review(actor=hy.officer, case=case, place="基金监管科")


def test_lr2_receipt_issues_the_handover_checklist_with_a_sequential_register_number(
    hy: Bureau, major_case: Case
) -> None:
    submission = services.submit_for_review(actor=hy.officer, case=major_case, place="基金监管科")
    with pytest.raises(PermissionDenied):
        services.register_receipt(actor=hy.officer, submission=submission, place="法制科")
    receipt = services.register_receipt(actor=hy.reviewer, submission=submission, place="法制科")
    year = receipt.received_at.astimezone(TZ).year
    assert (receipt.year, receipt.sequence) == (year, 1)
    assert receipt.register_no == f"海医保法审〔{year}〕1号"
    handover = receipt.handover
    data = handover.fields
    assert handover.record_type == "case_file_handover" and handover.created_by == hy.reviewer
    assert data["register_no"] == receipt.register_no
    assert data["case_file_name"] == f"{major_case.number} {major_case.title}"
    assert data["materials"] == selectors.materials_json(submission)
    assert (data["handed_by_before"], data["received_by_before"], data["place_before"]) == (
        "王军",
        "于法",
        "法制科",
    )
    assert sorted(s.role for s in handover.signers.all()) == ["officer", "reviewer"]
    with pytest.raises(ValidationError, match="已登记收案"):
        services.register_receipt(actor=hy.reviewer, submission=submission, place="法制科")

    other = case_in_review(hy, fine_amount="30000", title="第二案")
    second = services.register_receipt(
        actor=hy.reviewer,
        submission=services.submit_for_review(actor=hy.officer, case=other, place="基金监管科"),
        place="法制科",
    )
    assert second.sequence == 2 and second.register_no.endswith(f"〔{year}〕2号")
    # Per agency: another agency's register starts at 1.
    elsewhere = make_bureau("HY", suffix="B")
    third = services.register_receipt(
        actor=elsewhere.reviewer,
        submission=services.submit_for_review(
            actor=elsewhere.officer, case=case_in_review(elsewhere, fine_amount="30000"), place="基金监管科"
        ),
        place="法制科",
    )
    assert third.sequence == 1
    assert verify(blobs=False).ok


def test_lr2_register_numbers_restart_each_year(hy: Bureau, major_case: Case) -> None:
    first = services.register_receipt(
        actor=hy.reviewer,
        submission=services.submit_for_review(
            actor=hy.officer,
            case=major_case,
            place="基金监管科",
            submitted_at=datetime(2025, 12, 30, 9, tzinfo=TZ),
        ),
        received_at=datetime(2025, 12, 31, 10, tzinfo=TZ),
        place="法制科",
    )
    other = case_in_review(hy, fine_amount="30000", title="次年案")
    second = services.register_receipt(
        actor=hy.reviewer,
        submission=services.submit_for_review(
            actor=hy.officer, case=other, place="基金监管科", submitted_at=datetime(2026, 1, 4, 9, tzinfo=TZ)
        ),
        received_at=datetime(2026, 1, 5, 10, tzinfo=TZ),
        place="法制科",
    )
    assert (first.year, first.sequence, second.year, second.sequence) == (2025, 1, 2026, 1)
    assert second.register_no == "海医保法审〔2026〕1号"


def test_lr2_the_return_is_registered_as_the_checklists_next_version(hy: Bureau, major_case: Case) -> None:
    submission = services.submit_for_review(actor=hy.officer, case=major_case, place="基金监管科")
    receipt = services.register_receipt(actor=hy.reviewer, submission=submission, place="法制科")
    with pytest.raises(ValidationError, match="出具审核意见后"):
        services.register_return(actor=hy.reviewer, receipt=receipt, received_by=hy.officer, place="法制科")
    services.record_checks(actor=hy.reviewer, receipt=receipt, entries=ALL_OK)
    services.issue_opinion(actor=hy.reviewer, receipt=receipt, opinion_type="agree", text="同意。")
    with pytest.raises(ValidationError, match="接收人"):
        services.register_return(actor=hy.reviewer, receipt=receipt, received_by=hy.outsider, place="法制科")
    returned = services.register_return(
        actor=hy.reviewer, receipt=receipt, received_by=hy.officer, place="法制科"
    )
    after = returned.handover
    assert after.supersedes_id == receipt.handover_id and after.version == 2
    assert "HY-FS 第九条" in after.correction_reason
    data = after.fields
    assert (data["handed_by_after"], data["received_by_after"], data["place_after"]) == (
        "于法",
        "王军",
        "法制科",
    )
    assert data["returned_materials"][-1] == "法制审核意见书（同意）"
    assert data["materials"] == receipt.handover.fields["materials"]  # the 审核前 columns stay
    assert selectors.row_of(Submission.objects.get(pk=submission.pk)).status == "returned"
    with pytest.raises(ValidationError, match="已退还"):
        services.register_return(actor=hy.reviewer, receipt=receipt, received_by=hy.officer, place="法制科")
    # A returned round lets the department submit again (e.g. after supplementing materials).
    assert selectors.submit_blocker(major_case) == ""
    assert verify(blobs=False).ok


def test_lr2_the_handover_checklist_renders_with_the_materials(hy: Bureau, major_case: Case) -> None:
    from liuhen.documents.content import build_document
    from liuhen.documents.word import render_docx

    receipt = services.register_receipt(
        actor=hy.reviewer,
        submission=services.submit_for_review(actor=hy.officer, case=major_case, place="基金监管科"),
        place="法制科",
    )
    content = build_document(receipt.handover)
    assert content.title == "重大行政执法决定案卷移交清单"
    handover = content.extra["handover"]
    assert any("案件调查终结报告（第1版" in m for m in handover["materials_before"])
    assert handover["register_no"] == receipt.register_no
    docx = render_docx(receipt.handover)
    assert docx[:2] == b"PK"


@pytest.mark.slow
def test_lr2_the_handover_checklist_renders_as_pdf(hy: Bureau, major_case: Case) -> None:
    from liuhen.documents.pdf import render_pdf

    receipt = services.register_receipt(
        actor=hy.reviewer,
        submission=services.submit_for_review(actor=hy.officer, case=major_case, place="基金监管科"),
        place="法制科",
    )
    assert render_pdf(receipt.handover)[:5] == b"%PDF-"


def test_lr2_submit_page_prefills_the_materials(hy: Bureau, major_case: Case, client: Client) -> None:
    client.force_login(hy.officer)
    page = client.get(f"/review/cases/{major_case.pk}/submit/").content.decode()
    assert "案件调查终结报告（第1版" in page and "基金监管科" in page
    response = client.post(
        f"/review/cases/{major_case.pk}/submit/",
        {"draft_decision": "罚款25000元", "materials": "案件调查终结报告\n询问笔录", "place": "基金监管科"},
    )
    submission = Submission.objects.get(case=major_case)
    assert response.status_code == 302 and response["Location"] == f"/review/{submission.pk}/"
    assert selectors.materials_json(submission) == ["案件调查终结报告", "询问笔录"]
    client.force_login(hy.reviewer)
    response = client.post(f"/review/{submission.pk}/receive/", {"place": "法制科"}, follow=True)
    assert "已登记收案" in response.content.decode()
    assert Receipt.objects.filter(submission=submission).exists()
    client.force_login(hy.outsider)
    assert client.get(f"/review/{submission.pk}/").status_code == 404
