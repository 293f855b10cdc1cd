"""YC pack (盐池县医疗保障局全过程记录制度): every rule broken and fixed, and YC's distinctive findings.

Requirement IDs name the params (e.g. ``AV-1+IV-3:YC-5-6-inquiry-av``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest

from liuhen.policy.engine import blocking_for_transition, evaluate
from liuhen.policy.findings import FindingStatus, Severity
from liuhen.policy.schema import packs_for
from liuhen.policy.snapshot import CaseSnapshot, RecordSnap
from liuhen.policy.tests.snapshots import (
    OPENING,
    assert_broken_and_fixed,
    att,
    case,
    clip,
    failing,
    rec,
    rule_params,
    signed,
)
from liuhen.workdays.calendar import WorkdayCalendar

PACKS = packs_for("YC")
CAL = WorkdayCalendar()

SITE = {"certificate_shown": True, "party_present": "present", "party_signature": "signed"}
REPORT = {
    "facts": "超量开药",
    "evidence": ["处方"],
    "penalty_basis": "医疗保障基金使用监督管理条例第三十八条",
    "discretion_benchmark": "一般情节",
    "handler_opinion": "建议罚款",
    "department_opinion": "同意",
}
ARCHIVE = {
    "archive_no": "YC-2026-001",
    "category": "行政处罚",
    "retention": "30y",
    "action_started_on": "2026-03-02",
    "action_ended_on": "2026-04-30",
}
SITE_WINDOW = {**SITE, "started_at": "2026-03-02T09:00:00+08:00", "ended_at": "2026-03-02T10:00:00+08:00"}
VIDEO = {"recorded_at": "2026-03-02T09:00:00+08:00", "location": "某药店", "recorded_by": "李四"}


def pair(
    *records_broken: RecordSnap, fixed: tuple[RecordSnap, ...], **kw: Any
) -> tuple[CaseSnapshot, CaseSnapshot]:
    """(broken, fixed): the same case, ``fixed`` with extra records."""
    return case("YC", *records_broken, **kw), case("YC", *records_broken, *fixed, **kw)


def swap(
    before: Mapping[str, Any], after: Mapping[str, Any], record_type: str, stage: str, **kw: Any
) -> tuple[CaseSnapshot, CaseSnapshot]:
    """(broken, fixed): one record of ``record_type`` whose data differs."""
    return (
        case("YC", rec(record_type, stage, before), stage=stage, **kw),
        case("YC", rec(record_type, stage, after), stage=stage, **kw),
    )


inspection = {"case_type": "inspection", "source": "ex_officio"}

TABLE = {
    "YC-4-1-annual-plan": pair(fixed=(rec("annual_inspection_plan", "preparation"),), **inspection),
    "YC-4-2-inspection-notice": pair(fixed=(rec("inspection_notice", "preparation"),), **inspection),
    "YC-4-3-complaint-letter": pair(
        fixed=(rec("complaint_registration", "initiation"),), source="complaint", stage="initiation"
    ),
    "YC-4-3-instruction": swap(
        {"source": "assigned"},
        {"source": "assigned", "source_detail": "市局督办函"},
        "filing_approval",
        "initiation",
    ),
    "YC-4-4-filing-approval": pair(fixed=(rec("filing_approval", "initiation"),), stage="initiation"),
    "YC-4-4-not-filing-approval": pair(
        fixed=(rec("not_filing_approval", "initiation"),), stage="initiation", branch="not_filed"
    ),
    "YC-4-4-appraisal-opinion": pair(rec("appraisal_commission"), fixed=(rec("appraisal_opinion"),)),
    "YC-4-4-service-receipt": pair(
        fixed=(rec("service_receipt", "service", method="direct"),), stage="service"
    ),
    "YC-5-1-landmark-av": pair(
        rec("site_inspection", data=SITE),
        rec("photo", scenario="inquiry"),
        fixed=(rec("photo", scenario="landmark"),),
    ),
    "YC-5-3-site-av": pair(
        rec("site_inspection", data=SITE),
        rec("photo", scenario="must_check"),
        rec("video", scenario="landmark"),
        fixed=(rec("video", scenario="must_check"),),
    ),
    "YC-5-5-rights-av": pair(
        rec("advance_notice", "review"),
        rec("audio", "review", scenario="signing"),
        fixed=(rec("audio", "review", scenario="rights"),),
        stage="review",
    ),
    "YC-5-6-inquiry-av": (
        case("YC", rec("inquiry", certificate_shown=True)),
        case("YC", rec("inquiry", certificate_shown=True, attachments=(att("audio/mpeg"),))),
    ),
    "YC-5-7-signing-av": pair(
        rec("statement_defence", "review", form="oral"),
        fixed=(rec("video", "review", scenario="signing"),),
        stage="review",
    ),
    "YC-5-8-original-av": (
        case("YC", rec("document_scan", attachments=())),
        case("YC", rec("document_scan", attachments=(att("image/png"),))),
    ),
    "YC-5-9-sampling-av": pair(
        rec("sampling_record", original_unavailable=True), fixed=(rec("photo", scenario="sampling"),)
    ),
    "YC-5-10-summary-dispute-av": pair(
        rec("statement_defence", "review", form="written"),
        fixed=(rec("audio", "review", scenario="summary_penalty"),),
        stage="review",
        procedure="simple",
    ),
    "YC-5-11-lodged-service-av": pair(
        rec("service_receipt", "service", method="lodged"),
        rec("video", "service", scenario="service"),
        fixed=(rec("video", "service", scenario="lodged_service"),),
        stage="service",
    ),
    "YC-5-12-notice-service-av": pair(
        rec("service_receipt", "service", method="public_notice"),
        fixed=(rec("photo", "service", scenario="public_notice_service"),),
        stage="service",
    ),
    "YC-5-13-reinspection-av": pair(
        rec("reinspection_record", "followup", grade="general"),
        fixed=(rec("video", "followup", scenario="reinspection"),),
        stage="followup",
    ),
    "YC-6-1-video-no-consent": swap(
        {"consent": "refused"}, {"consent": "not_applicable"}, "video", "investigation"
    ),
    "YC-6-1-audio-no-consent": swap(
        {"consent": "refused"}, {"consent": "not_applicable"}, "audio", "investigation"
    ),
    "YC-6-1-photo-no-consent": swap(
        {"consent": "refused"}, {"consent": "consented"}, "photo", "investigation"
    ),
    "YC-6-1-restriction-site-note": swap(
        {**SITE, "av_restriction": "privacy"},
        {
            **SITE,
            "av_restriction": "privacy",
            "av_restriction_note": "涉及患者病历隐私，当事人不同意录像，以文字记录代替。",
        },
        "site_inspection",
        "investigation",
    ),
    "YC-6-1-restriction-inquiry-note": swap(
        {"certificate_shown": True, "av_restriction": "secret"},
        {
            "certificate_shown": True,
            "av_restriction": "secret",
            "av_restriction_note": "涉及商业秘密，当事人不同意录音录像。",
        },
        "inquiry",
        "investigation",
    ),
    "YC-6-1-file-secret-consent": (
        case("YC", rec("inquiry", certificate_shown=True, attachments=(att("video/mp4", secret=True),))),
        case(
            "YC",
            rec(
                "inquiry",
                certificate_shown=True,
                attachments=(att("video/mp4", secret=True, consent="consented"),),
            ),
        ),
    ),
    "YC-6-1-file-privacy-consent": (
        case("YC", rec("photo", attachments=(att("image/jpeg", privacy=True, consent="refused"),))),
        case("YC", rec("photo", consent="consented", attachments=(att("image/jpeg", privacy=True),))),
    ),
    "YC-6-1-consent-recorded": pair(
        rec("video", consent="consented"), fixed=(rec("av_consent", consent="consented"),)
    ),
    "YC-8-1-certificate-site": swap(
        {**SITE, "certificate_shown": False}, SITE, "site_inspection", "investigation"
    ),
    "YC-8-1-certificate-inquiry": swap({}, {"certificate_shown": True}, "inquiry", "investigation"),
    "YC-8-2-investigation-records": pair(fixed=(rec("inquiry", certificate_shown=True),)),
    "YC-9-1-handler-opinion": pair(
        fixed=(rec("investigation_report", "investigation", REPORT),), stage="review"
    ),
    "YC-9-1-discretion": swap(
        {**REPORT, "discretion_benchmark": ""}, REPORT, "investigation_report", "review"
    ),
    "YC-9-2-department-opinion": swap(
        {k: v for k, v in REPORT.items() if k != "department_opinion"},
        REPORT,
        "investigation_report",
        "review",
    ),
    "YC-9-5-decision-signed": (
        case("YC", rec("penalty_decision", "review", signers=signed(refused=["head"])), stage="review"),
        case("YC", rec("penalty_decision", "review", signers=signed("head")), stage="review"),
    ),
    "YC-10-2-performance": pair(
        fixed=(rec("performance_record", "service", performance="full"),), stage="service"
    ),
    "YC-11-archive": pair(fixed=(rec("archive_registration", "closing", ARCHIVE),), stage="closing"),
    "YC-11-archive-fields": swap({**ARCHIVE, "retention": ""}, ARCHIVE, "archive_registration", "closing"),
    "YC-12-narration": swap({"recorded_at": VIDEO["recorded_at"]}, VIDEO, "video", "investigation"),
    "YC-12-opening-statement": swap(
        {"opening_statement": ["time", "place", "officers", "action"]},
        {"opening_statement": OPENING},
        "video",
        "investigation",
    ),
    "YC-12-site-gaps": (
        case("YC", rec("site_inspection", data=SITE_WINDOW), clip(0, 30), clip(36, 60)),
        case(
            "YC",
            rec("site_inspection", data=SITE_WINDOW),
            clip(0, 30),
            clip(36, 60, explanation="当事人要求暂停"),
        ),
    ),
    "YC-12-continuous": swap(
        {"continuous": False},
        {"continuous": False, "gap_explanation": "电池耗尽，更换后继续"},
        "video",
        "investigation",
    ),
}


@pytest.mark.parametrize(("rule_id", "broken", "fixed"), rule_params(PACKS, "YC", TABLE))
def test_yc_rule_broken_then_fixed(rule_id: str, broken: CaseSnapshot, fixed: CaseSnapshot) -> None:
    assert_broken_and_fixed(PACKS, CAL, rule_id, broken, fixed)


def test_av1_yc_inquiry_without_av_blocks_review_with_citation() -> None:
    """AV-1 / YC-5(6): an inquiry without AV is on the checklist and holds the case in investigation."""
    snap = case("YC", rec("inquiry", certificate_shown=True))
    [finding] = failing(evaluate(snap, PACKS, CAL), "YC-5-6-inquiry-av")
    assert finding.citation == "YC 第五条第（六）项"
    assert finding.status is FindingStatus.MISSING and finding.severity is Severity.BLOCKING
    assert "AV-1" in finding.requirement_ids
    assert "YC-5-6-inquiry-av" in {f.rule_id for f in blocking_for_transition(snap, PACKS, CAL, "review")}
    # Past the stage the same gap is a violation.
    later = case("YC", rec("inquiry", certificate_shown=True), stage="review")
    assert failing(evaluate(later, PACKS, CAL), "YC-5-6-inquiry-av")[0].status is FindingStatus.VIOLATED


def test_av3_yc_av_of_secrets_without_consent_is_forbidden() -> None:
    """AV-3 / YC-6(1): AV made although the party refused consent is a blocking violation."""
    snap = case("YC", rec("video", consent="refused"))
    [finding] = failing(evaluate(snap, PACKS, CAL), "YC-6-1-video-no-consent")
    assert finding.citation == "YC 第六条第（一）项"
    assert finding.status is FindingStatus.VIOLATED and finding.blocking


def test_av1_av3_yc_restricted_site_visit_needs_no_video_but_a_note() -> None:
    """YC-5(3) vs YC-6(1): a site inspection where privacy forbids recording is not held to the
    video requirement (the two rules cannot both be met); the officer explains it in writing."""
    restricted = {
        **SITE,
        "av_restriction": "privacy",
        "av_restriction_note": "涉及个人隐私，当事人不同意录像。",
    }
    snap = case("YC", rec("site_inspection", data=restricted), rec("photo"))
    findings = evaluate(snap, PACKS, CAL)
    assert not failing(findings, "YC-5-3-site-av")
    assert not failing(findings, "YC-6-1-restriction-site-note")
    unexplained = case("YC", rec("site_inspection", data={**SITE, "av_restriction": "privacy"}), rec("photo"))
    [finding] = failing(evaluate(unexplained, PACKS, CAL), "YC-6-1-restriction-site-note")
    assert finding.blocking and finding.citation == "YC 第六条第（一）项"


def test_in1_yc_not_filed_case_is_approved_on_the_not_filing_form() -> None:
    """YC-4(4): a case not filed carries its 不予立案审批表; no 立案审批表 is asked of it."""
    snap = case("YC", rec("not_filing_approval", "initiation"), stage="initiation", branch="not_filed")
    assert not failing(evaluate(snap, PACKS, CAL), "YC-4-4-filing-approval")
    assert not failing(evaluate(snap, PACKS, CAL), "YC-4-4-not-filing-approval")
    bare = case("YC", stage="initiation", branch="not_filed")
    # The 立案审批表 is no longer asked once the case is not filed; its branch record is.
    assert not failing(evaluate(bare, PACKS, CAL), "YC-4-4-filing-approval")
    [finding] = failing(evaluate(bare, PACKS, CAL), "YC-4-4-not-filing-approval")
    assert finding.citation == "YC 第四条第（四）项"


def test_av2_yc_text_record_scenarios_differ_from_other_packs() -> None:
    """AV-2 / YC-4(1): only YC asks an inspection case for the annual inspection plan."""
    snap = case("YC", case_type="inspection", source="ex_officio")
    assert failing(evaluate(snap, PACKS, CAL), "YC-4-1-annual-plan")[0].citation == "YC 第四条第（一）项"
    other = case("WD", case_type="inspection", source="ex_officio")
    assert not [f for f in evaluate(other, packs_for("WD"), CAL) if f.pack == "YC"]
