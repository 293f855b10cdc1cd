"""LR-4 (HY-FS 第七条、第八条): the review items as a checklist with notes, the discretion
benchmark checked against the proposed fine, questions to the investigators and their answers;
LR-5 (HY-FS 第九条): the opinion types producing the 法制审核意见书."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.test import Client

from liuhen.cases.models import Case, Stage
from liuhen.ledger.verify import verify
from liuhen.policy.selectors import findings_for
from liuhen.records.models import Record
from liuhen.review import selectors, services
from liuhen.review.models import ChecklistEntry, Opinion, Receipt
from liuhen.review.services import CheckInput
from liuhen.review.testing import ALL_OK, Bureau


def _receipt(hy: Bureau, case: Case) -> Receipt:
    submission = services.submit_for_review(actor=hy.officer, case=case, place="基金监管科")
    return services.register_receipt(actor=hy.reviewer, submission=submission, place="法制科")


def test_lr4_checklist_items_with_notes_are_write_once_events(hy: Bureau, major_case: Case) -> None:
    receipt = _receipt(hy, major_case)
    with pytest.raises(ValidationError, match="请写明具体意见"):
        services.record_checks(actor=hy.reviewer, receipt=receipt, entries=[CheckInput("facts", "problem")])
    with pytest.raises(PermissionDenied):
        services.record_checks(actor=hy.officer, receipt=receipt, entries=[CheckInput("facts", "ok")])
    first = services.record_checks(
        actor=hy.reviewer,
        receipt=receipt,
        entries=[
            CheckInput("facts", "problem", "缺少医保结算明细。"),
            CheckInput("subject", "ok", "主体合法。"),
        ],
    )
    assert len(first) == 2
    # unchanged items are not written again; a changed one is a new row, the old one stays
    again = services.record_checks(
        actor=hy.reviewer,
        receipt=receipt,
        entries=[CheckInput("subject", "ok", "主体合法。"), CheckInput("facts", "ok", "已补充结算明细。")],
    )
    assert [e.item for e in again] == ["facts"]
    lines = {line.item: line for line in selectors.checklist_of(receipt)}
    assert lines["facts"].entry is not None and lines["facts"].entry.result == "ok"
    assert [e.note for e in lines["facts"].history] == ["缺少医保结算明细。"]
    assert ChecklistEntry.objects.count() == 3
    with pytest.raises(Exception, match="write-once"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE review_checklistentry SET note = 'x'")


def test_lr4_the_opinion_needs_every_item_and_the_discretion_check(hy: Bureau, major_case: Case) -> None:
    receipt = _receipt(hy, major_case)
    with pytest.raises(ValidationError, match="请先完成审核事项：执法主体是否合法"):
        services.issue_opinion(actor=hy.reviewer, receipt=receipt, opinion_type="agree", text="同意。")
    services.record_checks(
        actor=hy.reviewer, receipt=receipt, entries=[e for e in ALL_OK if e.item != "discretion"]
    )
    with pytest.raises(ValidationError, match="裁量基准（依据：HY-FS 第八条第二款）"):
        services.issue_opinion(actor=hy.reviewer, receipt=receipt, opinion_type="agree", text="同意。")
    services.check_discretion(
        actor=hy.reviewer,
        receipt=receipt,
        benchmark_code="FJ-38-4",
        base_amount=Decimal("16800"),
        proposed_fine=Decimal("25000"),
    )
    opinion = services.issue_opinion(actor=hy.reviewer, receipt=receipt, opinion_type="agree", text="同意。")
    assert "discretion" in opinion.record.fields["review_items"]


def test_lr4_agree_is_refused_while_an_item_has_a_problem(hy: Bureau, major_case: Case) -> None:
    receipt = _receipt(hy, major_case)
    entries = [CheckInput(e.item, e.result, e.note) for e in ALL_OK]
    entries[2] = CheckInput("procedure", "problem", "未告知听证权利。")
    services.record_checks(actor=hy.reviewer, receipt=receipt, entries=entries)
    with pytest.raises(ValidationError, match="“程序是否合法”存在问题，不能出具同意意见"):
        services.issue_opinion(actor=hy.reviewer, receipt=receipt, opinion_type="agree", text="同意。")
    opinion = services.issue_opinion(
        actor=hy.reviewer,
        receipt=receipt,
        opinion_type="correct_procedure",
        text="应告知听证权利后再作决定。",
    )
    assert opinion.record.fields["opinion_type"] == "correct_procedure"


@pytest.mark.parametrize(
    ("code", "base", "fine", "within", "low", "high"),
    [
        ("FJ-38-4", "16800", "25000", True, "16800.00", "33600.00"),  # 1–2 × the loss
        ("FJ-38-4", "16800", "40000", False, "16800.00", "33600.00"),
        ("FJ-40", "14500", "20000", False, "29000.00", "72500.00"),  # 2–5 × the amount defrauded
        ("FJ-39", None, "30000", True, "10000.00", "50000.00"),  # fixed 10,000–50,000
    ],
)
def test_lr4_discretion_benchmark_range_and_warning(
    hy: Bureau, major_case: Case, code: str, base: str | None, fine: str, within: bool, low: str, high: str
) -> None:
    receipt = _receipt(hy, major_case)
    check = services.check_discretion(
        actor=hy.reviewer,
        receipt=receipt,
        benchmark_code=code,
        base_amount=Decimal(base) if base else None,
        proposed_fine=Decimal(fine),
    )
    assert check.within is within
    assert (check.allowed_min, check.allowed_max) == (Decimal(low), Decimal(high))
    assert "《山东省医疗保障行政处罚自由裁量基准》" in check.benchmark_text


def test_lr4_discretion_input_errors(hy: Bureau, major_case: Case) -> None:
    receipt = _receipt(hy, major_case)
    with pytest.raises(ValidationError, match="没有裁量基准条目 NOPE"):
        services.check_discretion(
            actor=hy.reviewer, receipt=receipt, benchmark_code="NOPE", proposed_fine=None
        )
    with pytest.raises(ValidationError, match="请填写涉案金额"):
        services.check_discretion(
            actor=hy.reviewer, receipt=receipt, benchmark_code="FJ-38-4", proposed_fine=Decimal(1)
        )
    with pytest.raises(ValidationError, match="请写明核对意见"):
        services.check_discretion(
            actor=hy.reviewer, receipt=receipt, benchmark_code="", proposed_fine=Decimal(1)
        )
    manual = services.check_discretion(
        actor=hy.reviewer,
        receipt=receipt,
        benchmark_code="",
        proposed_fine=Decimal(1),
        note="按省级基准人工核对。",
    )
    assert manual.within is None


def test_lr4_the_warning_shows_on_the_review_page(hy: Bureau, major_case: Case, client: Client) -> None:
    receipt = _receipt(hy, major_case)
    client.force_login(hy.reviewer)
    page = client.get(f"/review/{receipt.submission_id}/").content.decode()
    # prefilled from the investigation report (benchmark entry, loss amount, proposed fine)
    assert 'value="FJ-38-4" selected' in page and 'value="16800.00"' in page
    client.post(
        f"/review/{receipt.submission_id}/discretion/",
        {"benchmark_code": "FJ-38-4", "base_amount": "16800", "proposed_fine": "40000", "note": ""},
    )
    page = client.get(f"/review/{receipt.submission_id}/").content.decode()
    assert 'data-within="no"' in page and "超出裁量幅度" in page and "16800.00–33600.00" in page


def test_lr4_questions_to_the_investigators_and_answers(hy: Bureau, major_case: Case, client: Client) -> None:
    receipt = _receipt(hy, major_case)
    with pytest.raises(PermissionDenied):
        services.ask_question(actor=hy.officer, receipt=receipt, text="?")
    question = services.ask_question(actor=hy.reviewer, receipt=receipt, text="涉案金额如何计算？")
    with pytest.raises(PermissionDenied):
        services.answer_question(actor=hy.outsider, question=question, text="不知道")
    client.force_login(hy.officer2)
    client.post(f"/review/questions/{question.pk}/answer/", {f"q{question.pk}-text": "按结算清单逐笔核对。"})
    question.refresh_from_db()
    assert question.answer.text == "按结算清单逐笔核对。" and question.answer.answered_by == hy.officer2
    with pytest.raises(ValidationError, match="已答复"):
        services.answer_question(actor=hy.officer, question=question, text="补充")
    page = client.get(f"/review/{receipt.submission_id}/").content.decode()
    assert "涉案金额如何计算？" in page and "按结算清单逐笔核对。" in page


@pytest.mark.parametrize(
    "opinion_type",
    ["agree", "investigate", "supplement", "correct_law", "correct_procedure", "transfer", "other"],
)
def test_lr5_each_opinion_type_produces_the_opinion_record(
    hy: Bureau, major_case: Case, opinion_type: str
) -> None:
    receipt = _receipt(hy, major_case)
    services.record_checks(actor=hy.reviewer, receipt=receipt, entries=ALL_OK)
    opinion = services.issue_opinion(
        actor=hy.reviewer, receipt=receipt, opinion_type=opinion_type, text="意见及理由。"
    )
    record = opinion.record
    assert record.record_type == "legal_review_opinion" and record.created_by == hy.reviewer
    data = record.fields
    assert data["opinion_type"] == opinion_type and data["opinion"] == "意见及理由。"
    assert [r["name"] for r in data["reviewers"]] == ["于法"]
    assert data["review_items"] == [
        "subject",
        "facts",
        "procedure",
        "law",
        "characterisation",
        "content",
        "discretion",
    ]
    assert [s.role for s in record.signers.all()] == ["reviewer"]
    with pytest.raises(ValidationError, match="本轮审核已结束"):
        services.issue_opinion(actor=hy.reviewer, receipt=receipt, opinion_type="agree", text="再来一次。")
    with pytest.raises(ValidationError, match="本轮审核已结束"):
        services.record_checks(actor=hy.reviewer, receipt=receipt, entries=ALL_OK[:1])
    # The pack's own rules on the opinion record are satisfied (HY-FS-5, -8).
    rules = {f.rule_id for f in findings_for(major_case)}
    assert not rules & {"HY-FS-5-handover", "HY-FS-8-review-items", "HY-FS-8-discretion"}
    assert verify(blobs=False).ok


def test_lr5_investigate_further_sends_the_case_back_to_investigation(hy: Bureau, major_case: Case) -> None:
    receipt = _receipt(hy, major_case)
    services.record_checks(actor=hy.reviewer, receipt=receipt, entries=ALL_OK)
    services.issue_opinion(
        actor=hy.reviewer, receipt=receipt, opinion_type="investigate", text="证据不足，继续调查。"
    )
    major_case.refresh_from_db()
    assert major_case.stage == Stage.INVESTIGATION
    change = major_case.stage_changes.last()
    assert change is not None and change.actor == hy.reviewer and receipt.register_no in change.reason


def test_lr5_opinion_through_the_page(hy: Bureau, major_case: Case, client: Client) -> None:
    receipt = _receipt(hy, major_case)
    client.force_login(hy.reviewer)
    data = {f"result_{e.item}": e.result for e in ALL_OK} | {f"note_{e.item}": e.note for e in ALL_OK}
    response = client.post(f"/review/{receipt.submission_id}/checklist/", data, follow=True)
    assert "审核事项已登记" in response.content.decode()
    response = client.post(
        f"/review/{receipt.submission_id}/opinion/",
        {"opinion-opinion_type": "agree", "opinion-text": "同意。"},
        follow=True,
    )
    page = response.content.decode()
    assert "法制审核意见书已生成" in page and 'data-type="agree"' in page
    opinion = Opinion.objects.get(receipt=receipt)
    assert Record.objects.filter(pk=opinion.record_id, record_type="legal_review_opinion").exists()
