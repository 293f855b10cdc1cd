"""Each rule of the national baseline (行政处罚法 2021): broken → finding, met → none.

Named by requirement ID. Deadlines use the real 2026 schedule (chinese-calendar + the workdays
calendar): the Mid-Autumn day 2026-09-25 and National Day 2026-10-01..07 are rest days, the
Saturday 2026-10-10 is a make-up working day.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from liuhen.policy.engine import evaluate
from liuhen.policy.findings import Finding, FindingStatus, Severity
from liuhen.policy.schema import BASELINE, packs_for
from liuhen.policy.snapshot import CaseSnapshot
from liuhen.policy.tests.engine_snaps import at, rec, sign, snap
from liuhen.workdays.calendar import WorkdayCalendar

CAL = WorkdayCalendar()


def findings(snapshot: CaseSnapshot, rule_id: str) -> list[Finding]:
    return [f for f in evaluate(snapshot, packs_for(BASELINE), CAL) if f.rule_id == rule_id]


def decision(
    *,
    fine: str | None = None,
    decided_on: str = "2026-03-10",
    head: bool = True,
    rid: int = 7,
    absent: bool | None = None,
):
    data: dict[str, object] = {"decided_on": decided_on, "penalty_kinds": ["fine"]}
    if fine is not None:
        data["fine_amount"] = fine
    if absent is not None:
        data["party_absent"] = absent
    return rec(
        "penalty_decision", "review", data=data, signers=(sign("head"),) if head else (), record_id=rid
    )


def test_baseline_rules_cite_the_law() -> None:
    (pack,) = packs_for(BASELINE)
    assert pack.rules
    for rule in pack.rules:
        assert rule.citation.startswith("行政处罚法 第"), rule.id
        assert rule.id.startswith("BL-")


# --- 第四十二条 ---------------------------------------------------------------------------------


def test_IV_1_two_certified_officers_art42() -> None:
    (broken,) = findings(snap(stage="investigation", handlers=1), "BL-42-two-officers")
    assert broken.status is FindingStatus.VIOLATED and broken.blocking
    assert broken.citation == "行政处罚法 第四十二条"
    assert findings(snap(stage="investigation", handlers=2), "BL-42-two-officers") == []
    # Before investigation the rule does not apply yet.
    assert findings(snap(stage="initiation", handlers=1), "BL-42-two-officers") == []


# --- 第四十四条 ---------------------------------------------------------------------------------


def notice(issued_on: str = "2026-03-05", *, created: str | None = None):
    return rec(
        "advance_notice",
        "review",
        data={"issued_on": issued_on},
        created=at(created) if created else None,
    )


def test_DC_1_advance_notice_before_decision_art44() -> None:
    (missing,) = findings(snap(stage="review", records=(decision(),)), "BL-44-advance-notice")
    assert missing.status is FindingStatus.MISSING and missing.blocking and missing.record_id == 7
    (violated,) = findings(snap(stage="service", records=(decision(),)), "BL-44-advance-notice")
    assert violated.status is FindingStatus.VIOLATED
    met = snap(stage="review", records=(notice(), decision()))
    assert findings(met, "BL-44-advance-notice") == []
    # Not needed in the simple procedure (当场处罚).
    assert (
        findings(snap(stage="review", procedure="simple", records=(decision(),)), "BL-44-advance-notice")
        == []
    )


def test_DC_1_notice_dated_after_the_decision_does_not_count_art62() -> None:
    """第六十二条: 未告知的不得作出决定 — a notice issued after the decision date is no notice."""
    late = snap(stage="review", records=(notice("2026-03-11"), decision(decided_on="2026-03-10")))
    (finding,) = findings(late, "BL-44-advance-notice")
    assert finding.status is FindingStatus.MISSING and finding.blocking
    same_day = snap(stage="review", records=(notice("2026-03-10"), decision(decided_on="2026-03-10")))
    assert findings(same_day, "BL-44-advance-notice") == []


# --- 第五十一条 ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("party", "over", "limit"),
    [("person", "200.01", "200.00"), ("organisation", "3000.01", "3000.00")],
)
def test_ST_2_summary_procedure_fine_limit_art51(party: str, over: str, limit: str) -> None:
    rule = "BL-51-summary-person-200" if party == "person" else "BL-51-summary-org-3000"

    def case(fine: str, procedure: str = "simple") -> CaseSnapshot:
        return snap(stage="review", procedure=procedure, party=party, records=(decision(fine=fine),))

    (broken,) = findings(case(over), rule)
    assert broken.status is FindingStatus.VIOLATED and broken.severity is Severity.BLOCKING
    assert broken.citation == "行政处罚法 第五十一条"
    assert findings(case(limit), rule) == []
    assert findings(case(over, procedure="general"), rule) == []  # the general procedure has no cap


def test_ST_2_person_limit_does_not_apply_to_an_organisation() -> None:
    case = snap(stage="review", procedure="simple", party="organisation", records=(decision(fine="2000"),))
    assert findings(case, "BL-51-summary-person-200") == []
    assert findings(case, "BL-51-summary-org-3000") == []


# --- 第五十六条 ---------------------------------------------------------------------------------


def preservation(preserved: str, handle_by: str):
    data = {"preserved_at": f"{preserved}T10:00:00+08:00", "handle_by": handle_by}
    return rec("evidence_preservation_notice", data=data, record_id=5)


def test_IV_6_preservation_handled_within_7_working_days_art56_national_day() -> None:
    # 7 working days from 2026-09-29: 9-30, 10-08, 10-09, 10-10 (make-up Saturday), 10-12, 10-13, 10-14.
    (late,) = findings(snap(records=(preservation("2026-09-29", "2026-10-15"),)), "BL-56-preservation-7-days")
    assert late.status is FindingStatus.LATE and late.due == date(2026, 10, 14)
    assert late.record_id == 5 and not late.provisional
    assert "2026-10-14" in late.message
    # Calendar-days or weekends-only counting would wrongly require 10-08 / 10-09: it is met here.
    assert (
        findings(snap(records=(preservation("2026-09-29", "2026-10-14"),)), "BL-56-preservation-7-days") == []
    )


# --- 第五十七条 ---------------------------------------------------------------------------------


def test_DC_3_decision_signed_by_the_head_art57() -> None:
    (missing,) = findings(snap(stage="review", records=(decision(head=False),)), "BL-57-head-decides")
    assert missing.status is FindingStatus.MISSING and missing.blocking
    assert findings(snap(stage="review", records=(decision(),)), "BL-57-head-decides") == []


# --- 第六十条 -----------------------------------------------------------------------------------


def filing(approved_on: str):
    return rec(
        "filing_approval", "initiation", data={"received_on": "2026-01-05", "approved_on": approved_on}
    )


def test_DC_3_decision_within_90_days_of_filing_art60() -> None:
    rule = "BL-60-decision-90-days"
    running = snap(stage="investigation", records=(filing("2026-01-06"),), today=date(2026, 3, 20))
    (due,) = findings(running, rule)
    assert due.status is FindingStatus.DUE and due.due == date(2026, 4, 7)  # 01-06 + 90 days
    overdue = snap(stage="investigation", records=(filing("2026-01-06"),), today=date(2026, 4, 8))
    assert [f.status for f in findings(overdue, rule)] == [FindingStatus.OVERDUE]
    late = snap(stage="review", records=(filing("2026-01-06"), decision(decided_on="2026-04-08")))
    assert [f.status for f in findings(late, rule)] == [FindingStatus.LATE]
    on_time = snap(stage="review", records=(filing("2026-01-06"), decision(decided_on="2026-04-07")))
    assert findings(on_time, rule) == []


def test_ST_1_90_days_run_from_entering_investigation_without_a_filing_record() -> None:
    case = snap(stage="investigation", entered={"investigation": at("2026-01-06")}, today=date(2026, 4, 8))
    (overdue,) = findings(case, "BL-60-decision-90-days")
    assert overdue.status is FindingStatus.OVERDUE and overdue.due == date(2026, 4, 7)
    # A branched (e.g. transferred) case stops the clock.
    assert (
        findings(
            snap(stage="investigation", branch="transferred", today=date(2026, 4, 8)),
            "BL-60-decision-90-days",
        )
        == []
    )


# --- 第六十一条 ---------------------------------------------------------------------------------


def receipt(served: str, stage: str = "service"):
    return rec("service_receipt", stage, data={"method": "direct", "served_at": f"{served}T10:00:00+08:00"})


def test_SV_1_service_within_7_working_days_when_the_party_was_absent_art61() -> None:
    rule = "BL-61-service-7-days"
    # Decided 2026-09-29 with the party absent: due 2026-10-14 (National Day holiday not counted).
    late = snap(
        stage="service", records=(decision(decided_on="2026-09-29", absent=True), receipt("2026-10-15"))
    )
    (finding,) = findings(late, rule)
    assert finding.status is FindingStatus.LATE and finding.due == date(2026, 10, 14)
    assert finding.severity is Severity.WARNING and finding.citation == "行政处罚法 第六十一条"
    on_time = snap(
        stage="service", records=(decision(decided_on="2026-09-29", absent=True), receipt("2026-10-14"))
    )
    assert findings(on_time, rule) == []
    waiting = snap(
        stage="service", records=(decision(decided_on="2026-09-29", absent=True),), today=date(2026, 10, 9)
    )
    (due,) = findings(waiting, rule)
    assert due.status is FindingStatus.DUE and "2026-10-14" in due.message
    overdue = snap(
        stage="service", records=(decision(decided_on="2026-09-29", absent=True),), today=date(2026, 10, 15)
    )
    assert [f.status for f in findings(overdue, rule)] == [FindingStatus.OVERDUE]


def test_SV_1_party_present_is_not_held_to_the_7_day_period_art61() -> None:
    """Present at the announcement, the party is handed the decision at once: no 7-day period."""
    present = snap(stage="service", records=(decision(decided_on="2026-09-29"), receipt("2026-10-20")))
    assert findings(present, "BL-61-service-7-days") == []
    assert findings(present, "BL-61-service-7-days-receipt") == []


def test_SV_1_party_absent_marked_on_the_service_receipt_art61() -> None:
    rule = "BL-61-service-7-days-receipt"
    absent_receipt = rec(
        "service_receipt",
        "service",
        data={"method": "mail", "served_at": "2026-10-15T10:00:00+08:00", "party_absent": True},
    )
    (late,) = findings(
        snap(stage="service", records=(decision(decided_on="2026-09-29"), absent_receipt)), rule
    )
    assert late.status is FindingStatus.LATE and late.due == date(2026, 10, 14) and late.record_id == 7
    timely = rec(
        "service_receipt",
        "service",
        data={"method": "mail", "served_at": "2026-10-14T10:00:00+08:00", "party_absent": True},
    )
    assert findings(snap(stage="service", records=(decision(decided_on="2026-09-29"), timely)), rule) == []
    # Marked on the decision too: only the decision's rule speaks (no duplicate).
    both = snap(stage="service", records=(decision(decided_on="2026-09-29", absent=True), absent_receipt))
    assert findings(both, rule) == []
    assert [f.status for f in findings(both, "BL-61-service-7-days")] == [FindingStatus.LATE]


def test_SV_1_service_receipt_before_leaving_service_art61() -> None:
    rule = "BL-61-service-receipt"
    (missing,) = findings(snap(stage="service", records=(decision(),)), rule)
    assert missing.status is FindingStatus.MISSING and missing.blocking
    (violated,) = findings(snap(stage="closing", records=(decision(),)), rule)
    assert violated.status is FindingStatus.VIOLATED
    assert findings(snap(stage="service", records=(decision(), receipt("2026-03-12"))), rule) == []
    assert findings(snap(stage="review", records=(decision(),)), rule) == []  # not yet


# --- 第六十四条 ---------------------------------------------------------------------------------


def hearing_notice(kind: str, issued_on: str, hearing_at: str | None = None, rid: int = 30):
    data: dict[str, object] = {"notice_kind": kind, "issued_on": issued_on}
    if hearing_at:
        data["hearing_at"] = f"{hearing_at}T09:00:00+08:00"
    return rec("hearing_notice", "review", data=data, record_id=rid)


def application(applied_on: str):
    return rec("hearing_application", "review", data={"applied_on": applied_on, "form": "written"})


def test_DC_2_hearing_requested_within_5_working_days_art64() -> None:
    """第六十四条第（一）项 + 第八十五条: 5 working days after the 听证告知书; a right the party may let lapse."""
    rule = "BL-64-hearing-request-5-days"
    # Told 2026-09-29: 09-30, 10-08, 10-09, 10-10 (make-up Saturday), 10-12.
    running = snap(stage="review", records=(hearing_notice("right", "2026-09-29"),), today=date(2026, 10, 9))
    (due,) = findings(running, rule)
    assert due.status is FindingStatus.DUE and due.due == date(2026, 10, 12) and not due.blocking
    late = snap(stage="review", records=(hearing_notice("right", "2026-09-29"), application("2026-10-13")))
    (finding,) = findings(late, rule)
    assert finding.status is FindingStatus.LATE and finding.citation == "行政处罚法 第六十四条第（一）项"
    in_time = snap(stage="review", records=(hearing_notice("right", "2026-09-29"), application("2026-10-12")))
    assert findings(in_time, rule) == []
    # The party let the period lapse: nothing to report (optional).
    lapsed = snap(stage="review", records=(hearing_notice("right", "2026-09-29"),), today=date(2026, 10, 20))
    assert findings(lapsed, rule) == []
    # A schedule notice does not start this period.
    schedule = snap(stage="review", records=(hearing_notice("schedule", "2026-09-29", "2026-10-20"),))
    assert findings(schedule, rule) == []


def test_DC_2_hearing_noticed_7_working_days_ahead_art64() -> None:
    """第六十四条第（二）项: 7 working days before a hearing on 2026-10-14 is 2026-09-29."""
    rule = "BL-64-hearing-notice-7-days"
    short = snap(stage="review", records=(hearing_notice("schedule", "2026-09-30", "2026-10-14"),))
    (late,) = findings(short, rule)
    assert late.status is FindingStatus.LATE and late.due == date(2026, 9, 29) and late.record_id == 30
    ok = snap(stage="review", records=(hearing_notice("schedule", "2026-09-29", "2026-10-14"),))
    assert findings(ok, rule) == []
    # Without a time on the notice, the hearing record's start is used.
    held = rec("hearing_record", "review", data={"started_at": "2026-10-14T09:00:00+08:00"})
    bare = snap(stage="review", records=(hearing_notice("schedule", "2026-09-30"), held))
    assert [f.status for f in findings(bare, rule)] == [FindingStatus.LATE]


def test_DC_2_hearing_held_without_a_schedule_notice_art64() -> None:
    rule = "BL-64-hearing-noticed"
    held = rec("hearing_record", "review", data={"started_at": "2026-10-14T09:00:00+08:00"}, record_id=40)
    (finding,) = findings(snap(stage="review", records=(hearing_notice("right", "2026-09-20"), held)), rule)
    assert finding.status is FindingStatus.VIOLATED and finding.record_id == 40 and not finding.blocking
    noticed = snap(stage="review", records=(hearing_notice("schedule", "2026-09-29", "2026-10-14"), held))
    assert findings(noticed, rule) == []


def test_every_baseline_rule_has_a_test_here() -> None:
    """Every rule of the baseline is exercised by a test of this module (named by its id)."""
    source = Path(__file__).read_text(encoding="utf-8")
    (pack,) = packs_for(BASELINE)
    untested = [rule.id for rule in pack.rules if f'"{rule.id}"' not in source]
    assert not untested, untested
