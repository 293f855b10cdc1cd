"""LR-3 (HY-FS 第六条): 3 working days from receipt on the real 2026 calendar, one extension of at
most 3 working days with its reason, and the overdue alert for the reviewer and the agency head."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from liuhen.cases.models import Case
from liuhen.policy.models import Deadline
from liuhen.review import selectors, services
from liuhen.review.models import Extension, Receipt
from liuhen.review.testing import ALL_OK, Bureau, case_in_review

TZ = ZoneInfo("Asia/Shanghai")
# 2026: National Day 1–7 October off, Saturday 10 October a make-up working day.
RECEIVED = datetime(2026, 9, 29, 10, 0, tzinfo=TZ)  # Tuesday


def _received(hy: Bureau, case: Case, at: datetime = RECEIVED) -> Receipt:
    submission = services.submit_for_review(
        actor=hy.officer, case=case, place="基金监管科", submitted_at=at.replace(hour=9)
    )
    return services.register_receipt(actor=hy.reviewer, submission=submission, place="法制科", received_at=at)


def test_lr3_due_three_working_days_after_receipt_on_the_2026_calendar(hy: Bureau, major_case: Case) -> None:
    receipt = _received(hy, major_case)
    row = selectors.row_of(receipt.submission, today=date(2026, 9, 30))
    # 30 Sept (1), [1–7 Oct holiday], 8 Oct (2), 9 Oct (3).
    assert row.due == date(2026, 10, 9) and not row.provisional and not row.overdue
    assert selectors.row_of(receipt.submission, today=date(2026, 10, 12)).overdue


def test_lr3_one_extension_of_at_most_three_working_days_with_reason(hy: Bureau, major_case: Case) -> None:
    receipt = _received(hy, major_case)
    at = datetime(2026, 10, 8, 15, tzinfo=TZ)
    with pytest.raises(ValidationError, match="最长不超过3个工作日（依据：HY-FS 第六条）"):
        services.extend_review(actor=hy.reviewer, receipt=receipt, working_days=4, reason="案情复杂", at=at)
    with pytest.raises(ValidationError, match="特殊情况"):
        services.extend_review(actor=hy.reviewer, receipt=receipt, working_days=3, reason=" ", at=at)
    services.extend_review(
        actor=hy.reviewer, receipt=receipt, working_days=3, reason="需补充调取银行流水。", at=at
    )
    # 10 Oct is a make-up Saturday (4), 12 Oct (5), 13 Oct (6).
    assert selectors.row_of(receipt.submission, today=date(2026, 10, 9)).due == date(2026, 10, 13)
    with pytest.raises(ValidationError, match="只能延长一次"):
        services.extend_review(actor=hy.reviewer, receipt=receipt, working_days=1, reason="再延长", at=at)
    assert Extension.objects.count() == 1


def test_lr3_no_extension_after_the_period_ended(hy: Bureau, major_case: Case) -> None:
    receipt = _received(hy, major_case)
    with pytest.raises(ValidationError, match="已于2026-10-09届满"):
        services.extend_review(
            actor=hy.reviewer,
            receipt=receipt,
            working_days=2,
            reason="迟到的延长",
            at=datetime(2026, 10, 12, 9, tzinfo=TZ),
        )


def test_lr3_the_opinion_record_carries_the_period_for_the_packs_deadline_rule(
    hy: Bureau, major_case: Case
) -> None:
    receipt = _received(hy, major_case)
    services.extend_review(
        actor=hy.reviewer,
        receipt=receipt,
        working_days=2,
        reason="需补充材料。",
        at=datetime(2026, 10, 9, 9, tzinfo=TZ),
    )
    services.record_checks(actor=hy.reviewer, receipt=receipt, entries=ALL_OK)
    opinion = services.issue_opinion(
        actor=hy.reviewer,
        receipt=receipt,
        opinion_type="agree",
        text="同意。",
        issued_at=datetime(2026, 10, 12, 16, tzinfo=TZ),
    )
    data = opinion.record.fields
    assert (data["received_on"], data["issued_on"], data["extended"]) == ("2026-09-29", "2026-10-12", True)
    assert data["extension_reason"] == "需补充材料。"
    # The pack's own rule (HY-FS-6-review-extended, 6 working days) agrees with the workspace.
    row = Deadline.objects.get(case=major_case, rule_id="HY-FS-6-review-extended")
    assert row.due == date(2026, 10, 13) and row.state == "met"
    assert not selectors.row_of(receipt.submission).late


def test_lr3_a_late_opinion_is_marked_late(hy: Bureau, major_case: Case) -> None:
    receipt = _received(hy, major_case)
    services.record_checks(actor=hy.reviewer, receipt=receipt, entries=ALL_OK)
    services.issue_opinion(
        actor=hy.reviewer,
        receipt=receipt,
        opinion_type="agree",
        text="同意。",
        issued_at=datetime(2026, 10, 14, 9, tzinfo=TZ),
    )
    assert selectors.row_of(receipt.submission).late
    assert Deadline.objects.get(case=major_case, rule_id="HY-FS-6-review-period").state == "late"


def test_lr3_overdue_alert_goes_to_the_reviewer_and_the_agency_head(hy: Bureau, major_case: Case) -> None:
    receipt = _received(hy, major_case)
    soon_case = case_in_review(hy, fine_amount="30000", title="即将到期")
    soon = _received(hy, soon_case, datetime(2026, 10, 8, 9, tzinfo=TZ))  # due 13 Oct
    today = date(2026, 10, 12)
    for person in (hy.reviewer, hy.head):
        panel = selectors.overdue_reviews(person, today)
        assert [r.receipt.pk for r in panel.overdue] == [receipt.pk]
        assert [r.receipt.pk for r in panel.due_soon] == [soon.pk]
    for person in (hy.officer, hy.dept_head, hy.outsider):
        assert selectors.overdue_reviews(person, today).overdue == []
    # Once the opinion is out, no more alert.
    services.record_checks(actor=hy.reviewer, receipt=receipt, entries=ALL_OK)
    services.issue_opinion(actor=hy.reviewer, receipt=receipt, opinion_type="agree", text="同意。")
    assert selectors.overdue_reviews(hy.reviewer, today).overdue == []


def test_lr3_the_workspace_shows_the_queue_and_the_alert(
    hy: Bureau, major_case: Case, client: Client
) -> None:
    _received(hy, major_case)
    pending = services.submit_for_review(
        actor=hy.officer, case=case_in_review(hy, fine_amount="30000", title="待收案"), place="基金监管科"
    )
    client.force_login(hy.head)
    page = client.get("/review/").content.decode()
    assert (
        'data-testid="review-alerts"' in page and 'data-testid="review-overdue"' in page
    )  # today is after 9 Oct
    assert page.count('data-testid="queue-row"') == 2
    assert "2026-10-09" in page and "（待登记）" in page and f"/review/{pending.pk}/" in page
    client.force_login(hy.officer)
    assert client.get("/review/").status_code == 403


def test_lr3_overdue_alert_on_the_agency_heads_dashboard(
    hy: Bureau, major_case: Case, client: Client
) -> None:
    """The overdue review reaches the agency head on the page they open first, not only the workspace."""
    receipt = _received(hy, major_case)
    client.force_login(hy.head)
    page = client.get("/").content.decode()
    assert 'data-testid="review-alerts"' in page and receipt.register_no in page
    client.force_login(hy.officer)
    assert 'data-testid="review-alerts"' not in client.get("/").content.decode()
