"""HY pack (海阳市医疗保障局 公示 + 全过程记录 + 法制审核): every rule broken and fixed, and HY's
distinctive findings (legal-review thresholds, review periods, 30-day filing, 7-working-day disclosure)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

import pytest

from liuhen.policy.engine import blocking_for_transition, evaluate
from liuhen.policy.findings import FindingStatus
from liuhen.policy.schema import packs_for
from liuhen.policy.snapshot import CaseSnapshot, RecordSnap
from liuhen.policy.tests.snapshots import (
    assert_broken_and_fixed,
    case,
    clip,
    failing,
    pair_maker,
    rec,
    rule_params,
    signed,
    swap_maker,
)
from liuhen.workdays.calendar import WorkdayCalendar

PACKS = packs_for("HY")
CAL = WorkdayCalendar()

FILING = {
    "source": "ex_officio",
    "party": "某药店",
    "facts": "串换药品",
    "handler_opinion": "建议立案",
    "department_opinion": "同意",
    "head_opinion": "同意立案",
    "approved_on": "2026-03-02",
}
NOTICE = {
    "facts": "串换药品",
    "evidence": ["处方"],
    "legal_basis": "条例第三十八条",
    "proposed_decision": "罚款",
    "rights": ["statement", "defence"],
}
REVIEW = {"review_items": ["facts", "law", "discretion"], "opinion_type": "agree", "opinion": "同意"}
DISCLOSURE = {
    "decision_no": "海医保罚〔2026〕1号",
    "case_name": "某药店串换药品案",
    "party": "某药店 91370687XXXXXXXX",
    "facts": "串换药品",
    "penalty": "罚款",
    "agency": "海阳市医疗保障局",
    "decided_on": "2026-03-02",
    "confidentiality_reviewed": True,
}
VIDEO = {"device_no": "ZFJLY-01", "recorded_by": "李四", "recorded_at": "2026-03-02T09:00:00+08:00"}


SITE_WINDOW = {"started_at": "2026-03-02T09:00:00+08:00", "ended_at": "2026-03-02T10:00:00+08:00"}
pair = pair_maker("HY")
swap = swap_maker("HY")


def decision(**data: Any) -> RecordSnap:
    return rec("penalty_decision", "review", data, signers=signed("head"))


review_opinion = rec("legal_review_opinion", "review", REVIEW, signers=signed("reviewer"))
HANDOVER = {
    "register_no": "法审〔2026〕1号",
    "case_file_name": "某药店串换药品案",
    "materials": ["调查终结报告"],
    "handed_by_before": "王敏",
    "received_by_before": "周律",
    "handed_at_before": "2026-03-03T09:00:00+08:00",
    "place_before": "法制科",
}
RETURNED = {
    "handed_by_after": "周律",
    "received_by_after": "王敏",
    "handed_at_after": "2026-03-05T16:00:00+08:00",
    "place_after": "法制科",
}


def report(**data: Any) -> RecordSnap:
    """The draft decision (案件调查终结报告) with the HY-FS 第二条 amounts and flags."""
    return rec(
        "investigation_report", "review", {"party_kind": "organisation", "recommendation": "penalty", **data}
    )


TABLE = {
    "HY-FS-2-1-fine-person": pair(decision(fine_amount=500), fixed=(review_opinion,), stage="review"),
    "HY-FS-2-1-fine-organisation": pair(
        decision(fine_amount="20000.00"), fixed=(review_opinion,), stage="review", party_kind="organisation"
    ),
    "HY-FS-2-1-confiscation": pair(
        decision(confiscation_amount=25000),
        fixed=(review_opinion,),
        stage="review",
        party_kind="organisation",
    ),
    "HY-FS-2-2-late-fee": pair(report(late_fee_per_day="300"), fixed=(review_opinion,), stage="review"),
    "HY-FS-2-2-transfer": pair(report(transfer_amount="100000"), fixed=(review_opinion,), stage="review"),
    "HY-FS-2-3-conflict": pair(report(circumstances_conflict=True), fixed=(review_opinion,), stage="review"),
    "HY-FS-2-3-disagreement": pair(report(opinions_differ=True), fixed=(review_opinion,), stage="review"),
    "HY-FS-2-4-complex": pair(
        rec("filing_approval", "initiation", FILING, complex_case=True),
        decision(decided_on="2026-03-10"),
        fixed=(rec("legal_review_opinion", "review", REVIEW, issued_on="2026-03-09"),),
        stage="review",
    ),
    "HY-FS-5-handover": pair(
        rec("legal_review_opinion", "review", REVIEW, received_on="2026-03-04", issued_on="2026-03-05"),
        fixed=(rec("case_file_handover", "review", HANDOVER),),
        stage="review",
    ),
    "HY-FS-9-returned": (
        case("HY", review_opinion, rec("case_file_handover", "review", HANDOVER), stage="review"),
        case(
            "HY",
            review_opinion,
            rec("case_file_handover", "review", {**HANDOVER, **RETURNED}),
            stage="review",
        ),
    ),
    "HY-FS-12-decision-filing": tuple(
        case(
            "HY",
            review_opinion,
            decision(decided_on="2026-03-02"),
            rec(
                "decision_filing",
                "service",
                filing_kind="decision",
                decided_on="2026-03-02",
                filed_on=filed_on,
            ),
            stage="service",
        )
        for filed_on in ("2026-03-13", "2026-03-12")
    ),
    "HY-FS-12-revocation-filing": tuple(
        case(
            "HY",
            rec("decision_filing", "investigation", filing_kind="revocation", filed_on=filed_on),
            stage="investigation",
            branch="revoked",
        )
        for filed_on in ("2026-03-20", "2026-03-14")
    ),
    "HY-FS-4-draft-person": pair(
        rec("advance_notice", "review", NOTICE, proposed_amount=800), fixed=(review_opinion,), stage="review"
    ),
    "HY-FS-4-draft-organisation": pair(
        rec("advance_notice", "review", NOTICE, proposed_amount=30000),
        fixed=(review_opinion,),
        stage="review",
        party_kind="organisation",
    ),
    "HY-FS-6-review-period": swap(
        "legal_review_opinion",
        "review",
        {**REVIEW, "received_on": "2026-03-02", "issued_on": "2026-03-09"},
        {**REVIEW, "received_on": "2026-03-02", "issued_on": "2026-03-05"},
    ),
    "HY-FS-6-review-extended": swap(
        "legal_review_opinion",
        "review",
        {**REVIEW, "extended": True, "received_on": "2026-03-02", "issued_on": "2026-03-12"},
        {**REVIEW, "extended": True, "received_on": "2026-03-02", "issued_on": "2026-03-10"},
    ),
    "HY-FS-6-extension-reason": swap(
        "legal_review_opinion",
        "review",
        {**REVIEW, "extended": True},
        {**REVIEW, "extended": True, "extension_reason": "案情复杂"},
    ),
    "HY-FS-8-review-items": swap("legal_review_opinion", "review", {**REVIEW, "opinion": ""}, REVIEW),
    "HY-FS-8-discretion": swap(
        "legal_review_opinion", "review", {**REVIEW, "review_items": ["facts", "law"]}, REVIEW
    ),
    "HY-JL-5-application": swap(
        "filing_approval",
        "initiation",
        {**FILING, "source": "application"},
        {**FILING, "source": "application", "source_detail": "书面申请", "decision": "file"},
    ),
    "HY-JL-6-ex-officio": swap("filing_approval", "initiation", {**FILING, "department_opinion": ""}, FILING),
    "HY-JL-6-not-filed-notice": pair(
        fixed=(rec("complainant_notice", "initiation"),),
        stage="initiation",
        source="complaint",
        branch="not_filed",
    ),
    "HY-JL-7-7-appraisal": pair(rec("appraisal_commission"), fixed=(rec("appraisal_opinion"),)),
    "HY-JL-8-preservation-av": pair(
        rec("evidence_preservation_notice"),
        rec("video", scenario="coercive_measure"),
        fixed=(rec("video", scenario="preservation"),),
    ),
    "HY-JL-8-sealing-av": pair(
        rec("coercive_measure_decision"),
        rec("video", scenario="preservation"),
        fixed=(rec("video", scenario="coercive_measure"),),
    ),
    "HY-JL-10-notice-content": swap("advance_notice", "review", {**NOTICE, "evidence": []}, NOTICE),
    "HY-JL-10-statement-or-waiver": pair(
        rec("advance_notice", "review", NOTICE), fixed=(rec("waiver_record", "review"),), stage="review"
    ),
    "HY-JL-10-adoption": swap(
        "statement_defence",
        "review",
        {"form": "oral", "content": "无主观故意"},
        {"form": "oral", "content": "无主观故意", "adoption": "rejected"},
    ),
    "HY-JL-11-hearing": pair(
        rec("hearing_application", "review"), fixed=(rec("hearing_record", "review"),), stage="review"
    ),
    "HY-JL-12-head-signs": (
        case("HY", rec("penalty_decision", "review"), stage="review"),
        case("HY", decision(), stage="review"),
    ),
    "HY-JL-12-reviewer": (
        case("HY", rec("legal_review_opinion", "review", REVIEW), stage="review"),
        case("HY", review_opinion, stage="review"),
    ),
    "HY-JL-14-filing-30d": tuple(
        case(
            "HY",
            rec("closing_report", "closing", action_ended_on="2026-03-02"),
            rec("archive_registration", "closing", archivist="王五", archived_on=archived_on),
            stage="closing",
        )
        for archived_on in ("2026-04-15", "2026-03-20")
    ),
    "HY-JL-16-custodian": swap("archive_registration", "closing", {}, {"archivist": "王五"}),
    "HY-JL-19-video-classified": swap("video", "investigation", {**VIDEO, "device_no": ""}, VIDEO),
    "HY-JL-19-audio-classified": swap("audio", "investigation", {"recorded_by": "李四"}, VIDEO),
    "HY-JL-20-continuous": swap(
        "video", "investigation", {"continuous": False}, {"continuous": False, "gap_explanation": "设备故障"}
    ),
    "HY-JL-21-party-told": swap("av_consent", "investigation", {"party_told": False}, {"party_told": True}),
    "HY-JL-21-opening-notice": swap(
        "video",
        "investigation",
        {"opening_statement": ["time", "place"]},
        {"opening_statement": ["time", "place", "recording_notice"]},
    ),
    "HY-JL-20-site-gaps": (
        case("HY", rec("site_inspection", data=SITE_WINDOW), clip(0, 20), clip(40, 60)),
        case(
            "HY",
            rec("site_inspection", data=SITE_WINDOW),
            clip(0, 20),
            clip(40, 60, explanation="记录仪电量耗尽，更换电池"),
        ),
    ),
    "HY-GS-7-penalty-disclosure": (
        case(
            "HY",
            decision(decided_on="2026-03-02"),
            rec("disclosure_record", "service", DISCLOSURE, published_on="2026-03-20"),
            stage="service",
        ),
        case(
            "HY",
            decision(decided_on="2026-03-02"),
            rec("disclosure_record", "service", DISCLOSURE, published_on="2026-03-10"),
            stage="service",
        ),
    ),
    "HY-GS-5-4-disclosure-content": swap(
        "disclosure_record", "service", {**DISCLOSURE, "facts": ""}, DISCLOSURE
    ),
    "HY-GS-11-confidentiality-review": swap(
        "disclosure_record", "service", {**DISCLOSURE, "confidentiality_reviewed": False}, DISCLOSURE
    ),
    "HY-GS-12-withdrawal": swap(
        "disclosure_record",
        "service",
        DISCLOSURE,
        {**DISCLOSURE, "withdrawn_on": "2026-04-01", "withdrawal_reason": "决定经复议被撤销"},
        branch="revoked",
    ),
}


@pytest.mark.parametrize(("rule_id", "broken", "fixed"), rule_params(PACKS, "HY", TABLE))
def test_hy_rule_broken_then_fixed(rule_id: str, broken: CaseSnapshot, fixed: CaseSnapshot) -> None:
    assert_broken_and_fixed(PACKS, CAL, rule_id, broken, fixed)


@pytest.mark.parametrize(
    ("party_kind", "amount", "major"),
    [
        ("person", 499, False),
        ("person", 500, True),
        ("organisation", 19999, False),
        ("organisation", 20000, True),
    ],
)
def test_lr1_lr7_hy_legal_review_thresholds(party_kind: str, amount: int, major: bool) -> None:
    """LR-1 / LR-7 (HY-FS 第二条第（一）项): a major fine without legal review holds the decision."""
    snap = case("HY", decision(fine_amount=amount), stage="review", party_kind=party_kind)
    rule_id = f"HY-FS-2-1-fine-{party_kind}"
    found = failing(evaluate(snap, PACKS, CAL), rule_id)
    assert bool(found) is major
    blocked = {f.rule_id for f in blocking_for_transition(snap, PACKS, CAL, "service")}
    assert (rule_id in blocked) is major
    if major:
        assert found[0].citation == "HY-FS 第二条第（一）项"


def test_lr3_hy_review_due_in_three_working_days_over_qingming() -> None:
    """LR-3 (HY-FS 第六条): 3 working days on the real 2026 schedule (清明 4-6 April is off)."""
    snap = case("HY", rec("legal_review_opinion", "review", REVIEW, received_on="2026-04-02"), stage="review")
    snap = replace(snap, today=date(2026, 4, 3))
    [finding] = [f for f in evaluate(snap, PACKS, CAL) if f.rule_id == "HY-FS-6-review-period"]
    assert finding.status is FindingStatus.DUE
    assert finding.due is not None and finding.due.isoformat() == "2026-04-08"


def test_ds3_hy_penalty_disclosure_overdue_with_citation() -> None:
    """DS-3 (HY-GS 第七条): a penalty decision not published within 7 working days is overdue."""
    snap = case("HY", decision(decided_on="2026-03-02"), stage="service")
    snap = replace(snap, today=date(2026, 3, 20))
    [finding] = [f for f in evaluate(snap, PACKS, CAL) if f.rule_id == "HY-GS-7-penalty-disclosure"]
    assert finding.status is FindingStatus.OVERDUE
    assert finding.citation == "HY-GS 第七条"
    assert finding.due is not None and finding.due.isoformat() == "2026-03-11"


def test_lr7_hy_decision_dated_before_the_review_is_refused() -> None:
    """LR-7 (HY-FS 第二条、第十四条): the review must come before the decision, not after it."""
    after = rec("legal_review_opinion", "review", REVIEW, issued_on="2026-03-11", signers=signed("reviewer"))
    snap = case("HY", decision(fine_amount=800, decided_on="2026-03-10"), after, stage="review")
    [finding] = failing(evaluate(snap, PACKS, CAL), "HY-FS-2-1-fine-person")
    assert finding.status is FindingStatus.MISSING and finding.blocking
    assert "HY-FS-2-1-fine-person" in {
        f.rule_id for f in blocking_for_transition(snap, PACKS, CAL, "service")
    }


@pytest.mark.parametrize(
    ("data", "rule_id", "major"),
    [
        ({"late_fee_per_day": "299.99"}, "HY-FS-2-2-late-fee", False),
        ({"late_fee_per_day": "300"}, "HY-FS-2-2-late-fee", True),
        ({"transfer_amount": "99999.99"}, "HY-FS-2-2-transfer", False),
        ({"transfer_amount": "100000.00"}, "HY-FS-2-2-transfer", True),
        ({"circumstances_conflict": False}, "HY-FS-2-3-conflict", False),
        ({"opinions_differ": True}, "HY-FS-2-3-disagreement", True),
    ],
)
def test_lr1_hy_fs_2_item_2_and_3_thresholds(data: dict[str, Any], rule_id: str, major: bool) -> None:
    """LR-1 (HY-FS 第二条第（二）（三）项): late fee ≥ 300 yuan/day, transfer ≥ 100,000 yuan, conflicting
    circumstances or disagreement make the draft decision major (blocking without review)."""
    snap = case("HY", report(**data), stage="review")
    found = failing(evaluate(snap, PACKS, CAL), rule_id)
    assert bool(found) is major
    assert (rule_id in {f.rule_id for f in blocking_for_transition(snap, PACKS, CAL, "service")}) is major


def test_lr1_hy_complex_flag_from_any_record_makes_the_decision_major() -> None:
    """LR-1 (HY-FS 第二条第（四）项): flagged complex at intake (or on the draft), the decision needs review."""
    flagged = case(
        "HY", report(complex_case=True), decision(fine_amount=100, decided_on="2026-03-10"), stage="review"
    )
    assert failing(evaluate(flagged, PACKS, CAL), "HY-FS-2-4-complex")
    plain = case("HY", report(), decision(fine_amount=100, decided_on="2026-03-10"), stage="review")
    assert not failing(evaluate(plain, PACKS, CAL), "HY-FS-2-4-complex")


def test_lr8_hy_filing_within_10_days_overdue_and_revocation_deadline_runs_in_its_branch() -> None:
    """LR-8 (HY-FS 第十二条): the filing deadline is OVERDUE after 10 days; in a revoked case the
    revocation-filing deadline runs although the branch stops the case's other deadlines."""
    snap = case("HY", review_opinion, decision(decided_on="2026-03-02"), stage="service")
    [finding] = failing(
        evaluate(replace(snap, today=date(2026, 3, 13)), PACKS, CAL), "HY-FS-12-decision-filing"
    )
    assert finding.status is FindingStatus.OVERDUE and finding.due == date(2026, 3, 12)
    revoked = case("HY", stage="investigation", branch="revoked")
    found = [f for f in evaluate(revoked, PACKS, CAL) if f.rule_id == "HY-FS-12-revocation-filing"]
    assert [f.status for f in found] == [FindingStatus.DUE]
    assert not [f for f in evaluate(revoked, PACKS, CAL) if f.rule_id == "BL-60-decision-90-days"]
