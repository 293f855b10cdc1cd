"""WD pack (望都县医疗保障行政执法全过程记录管理办法): every rule broken and fixed, and WD's
distinctive findings (24-hour AV upload, 30-day filing, five service methods)."""

from __future__ import annotations

from typing import Any

import pytest

from liuhen.policy.engine import evaluate
from liuhen.policy.findings import FindingStatus
from liuhen.policy.schema import packs_for
from liuhen.policy.snapshot import CaseSnapshot, RecordSnap
from liuhen.policy.tests.snapshots import (
    FAILING,
    T0,
    assert_broken_and_fixed,
    at,
    att,
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

PACKS = packs_for("WD")
CAL = WorkdayCalendar()

FILING = {
    "source": "ex_officio",
    "received_on": "2026-03-02",
    "party": "某诊所",
    "facts": "虚记诊疗项目",
    "handler_opinion": "建议立案",
    "department_opinion": "同意",
    "head_opinion": "同意",
}
SITE = {
    "started_at": "2026-03-02T09:00",
    "ended_at": "2026-03-02T10:00",
    "place": "某诊所",
    "inspectors": ["张三 NX000001"],
    "party": "某诊所",
    "party_details": "法定代表人王某",
    "notice_to_party": "电话通知到场",
    "findings": "…",
    "certificate_shown": True,
    "rights_told": True,
}
INQUIRY = {
    "started_at": "2026-03-02T09:00",
    "place": "询问室",
    "inquirers": ["张三 NX000001"],
    "interviewee": "王某",
    "interviewee_id": "1306…",
    "interviewee_details": "法定代表人",
    "transcript": "问：…答：…",
}
NOTICE = {
    "proposed_decision": "罚款",
    "facts": "…",
    "evidence": ["病历"],
    "legal_basis": "条例第三十八条",
    "channel": "书面或口头",
    "deadline_days": 5,
}
SERVED = {"document_name": "行政处罚决定书", "served_at": "2026-03-10T10:00", "servers": ["张三", "李四"]}


pair = pair_maker("WD")
swap = swap_maker("WD")


def service(method: str, **data: Any) -> RecordSnap:
    return rec("service_receipt", "service", {**SERVED, "method": method, **data})


def uploaded(record_type: str, field: str, hours_late: float) -> CaseSnapshot:
    """A media record made at T0 and uploaded ``hours_late`` hours later."""
    return case("WD", rec(record_type, data={field: T0.isoformat()}, created_at=at(hours=hours_late)))


def away(record_type: str, *, hours_after_return: float) -> CaseSnapshot:
    """Recorded at T0 during off-site work, back at the agency two days later, uploaded
    ``hours_after_return`` hours after that."""
    data = {
        "recorded_at": T0.isoformat(),
        "returned_at": at(days=2).isoformat(),
        "upload_delay_reason": "off_site",
    }
    return case("WD", rec(record_type, data=data, created_at=at(days=2, hours=hours_after_return)))


HEARING_WINDOW = {"started_at": "2026-03-02T09:00:00+08:00", "ended_at": "2026-03-02T11:00:00+08:00"}


TABLE = {
    "WD-7-ex-officio": swap("filing_approval", "initiation", {**FILING, "head_opinion": ""}, FILING),
    "WD-8-application": swap(
        "filing_approval",
        "initiation",
        {**FILING, "source": "application"},
        {**FILING, "source": "application", "source_detail": "书面申请及补正材料", "decision": "file"},
    ),
    "WD-9-complaint-registration": pair(
        fixed=(rec("complaint_registration", "initiation"),), stage="initiation", source="complaint"
    ),
    "WD-9-not-filed-record": pair(
        fixed=(rec("not_filing_approval", "initiation"),), stage="initiation", branch="not_filed"
    ),
    "WD-9-complainant-told": pair(
        rec("not_filing_approval", "initiation", named_complainant=True),
        fixed=(rec("complainant_notice", "initiation"),),
        stage="initiation",
        source="complaint",
        branch="not_filed",
    ),
    "WD-10-transfer": pair(
        fixed=(rec("transfer_letter", "initiation"),), stage="initiation", branch="transferred"
    ),
    "WD-10-transfer-approved": (
        case("WD", rec("transfer_letter", "initiation"), stage="initiation"),
        case("WD", rec("transfer_letter", "initiation", signers=signed("head")), stage="initiation"),
    ),
    "WD-11-referral": pair(
        fixed=(rec("criminal_referral", "initiation"),), stage="initiation", branch="referred_police"
    ),
    "WD-11-referral-approved": (
        case("WD", rec("criminal_referral", "initiation", signers=signed("officer")), stage="initiation"),
        case(
            "WD",
            rec("criminal_referral", "initiation", signers=signed("officer", "head")),
            stage="initiation",
        ),
    ),
    "WD-12-1-site-record": swap("site_inspection", "investigation", {**SITE, "notice_to_party": ""}, SITE),
    "WD-12-1-certificate": swap(
        "site_inspection", "investigation", {**SITE, "certificate_shown": False}, SITE
    ),
    "WD-12-1-rights": swap("site_inspection", "investigation", {**SITE, "rights_told": None}, SITE),
    "WD-12-2-inquiry-record": swap(
        "inquiry", "investigation", {**INQUIRY, "interviewee_details": ""}, INQUIRY
    ),
    "WD-12-3-inquiry-notice": swap(
        "inquiry_notice",
        "investigation",
        {
            "matters": "…",
            "inquiry_at": "2026-03-05T09:00",
            "place": "局询问室",
            "officers": ["张三"],
            "contact_phone": "0312-…",
        },
        {
            "matters": "…",
            "inquiry_at": "2026-03-05T09:00",
            "place": "局询问室",
            "officers": ["张三"],
            "contact_phone": "0312-…",
            "materials": ["营业执照"],
        },
    ),
    "WD-12-4-property-list": pair(rec("coercive_measure_decision"), fixed=(rec("property_list"),)),
    "WD-12-5-assistance": swap(
        "assistance_letter",
        "investigation",
        {"reason": "…", "content": "…"},
        {"reason": "…", "content": "…", "legal_basis": "条例第二十七条"},
    ),
    "WD-12-6-commission": swap(
        "appraisal_commission",
        "investigation",
        {"institution": "某鉴定所", "matters": "…"},
        {"institution": "某鉴定所", "matters": "…", "materials": ["病历"], "commissioned_on": "2026-03-03"},
    ),
    "WD-13-coercion-av": pair(
        rec("coercive_measure_decision"),
        rec("photo", scenario="coercive_measure"),
        rec("video", scenario="preservation"),
        fixed=(rec("video", scenario="coercive_measure"),),
    ),
    "WD-13-property-av": pair(
        rec("evidence_preservation_notice"),
        rec("video", scenario="coercive_measure"),
        fixed=(rec("video", scenario="preservation"),),
    ),
    "WD-15-notice-content": swap("advance_notice", "review", {**NOTICE, "channel": ""}, NOTICE),
    "WD-15-oral-statement": swap(
        "statement_defence",
        "review",
        {"form": "oral", "content": "…"},
        {"form": "oral", "content": "…", "adoption": "partly"},
    ),
    "WD-15-statement-or-waiver": pair(
        rec("advance_notice", "review", NOTICE),
        fixed=(rec("statement_defence", "review", form="waived"),),
        stage="review",
    ),
    "WD-16-hearing-record": pair(
        rec("hearing_application", "review"), fixed=(rec("hearing_record", "review"),), stage="review"
    ),
    "WD-16-hearing-av": pair(
        rec("hearing_record", "review"),
        rec("audio", "review", scenario="hearing"),
        rec("video", "review", scenario="deliberation"),
        fixed=(rec("video", "review", scenario="hearing"),),
        stage="review",
    ),
    "WD-16-hearing-gaps": (
        case(
            "WD",
            rec("hearing_record", "review", HEARING_WINDOW),
            clip(0, 40, stage="review", recorder="SXJ-01"),
            clip(50, 120, stage="review", recorder="SXJ-01"),
            clip(40, 50, stage="review", recorder="ZFJLY-02"),
            stage="review",
        ),
        case(
            "WD",
            rec("hearing_record", "review", HEARING_WINDOW),
            clip(0, 40, stage="review", recorder="SXJ-01"),
            clip(50, 120, stage="review", recorder="SXJ-01", explanation="休庭十分钟，休庭期间停止录制"),
            stage="review",
        ),
    ),
    "WD-17-head-signs": (
        case("WD", rec("penalty_decision", "review"), stage="review"),
        case("WD", rec("penalty_decision", "review", signers=signed("head")), stage="review"),
    ),
    "WD-17-expert-signed": (
        case("WD", rec("expert_opinion", "review"), stage="review"),
        case("WD", rec("expert_opinion", "review", signers=signed("expert")), stage="review"),
    ),
    "WD-17-legal-review": swap(
        "legal_review_opinion", "review", {"opinion": "同意"}, {"opinion": "同意", "reviewers": ["赵六"]}
    ),
    "WD-17-discussion-signed": (
        case(
            "WD", rec("collective_discussion", "review", signers=signed(refused=["attendee"])), stage="review"
        ),
        case(
            "WD",
            rec(
                "collective_discussion",
                "review",
                {"attendees": ["王局长", "李科长"]},
                signers=signed("attendee", "attendee"),
            ),
            stage="review",
        ),
    ),
    "WD-18-1-direct": (
        case("WD", service("direct", place="某诊所"), stage="service"),
        case("WD", service("direct", place="某诊所", recipient="王某", signed_by="王某"), stage="service"),
    ),
    "WD-18-2-lodged": (
        case("WD", service("lodged", place="某诊所"), stage="service"),
        case("WD", service("lodged", place="某诊所", reason="拒绝签收"), stage="service"),
    ),
    "WD-18-2-two-officers": (
        case("WD", service("lodged", servers=["张三"]), stage="service"),
        case("WD", service("lodged", servers=["张三", "李四"]), stage="service"),
    ),
    "WD-18-2-lodged-av": pair(
        service("lodged"),
        rec("video", "service", scenario="service"),
        fixed=(rec("video", "service", scenario="lodged_service"),),
        stage="service",
    ),
    "WD-18-3-mail": (
        case("WD", service("mail", document_no="望医保罚〔2026〕1号"), stage="service"),
        case("WD", service("mail", document_no="望医保罚〔2026〕1号", tracking_no="EMS123"), stage="service"),
    ),
    "WD-18-3-mail-receipt": pair(
        service("mail"), fixed=(rec("mailing_receipt", "service"),), stage="service"
    ),
    "WD-18-4-entrusted": (
        case("WD", service("forwarded", signed_by="王某"), stage="service"),
        case("WD", service("forwarded", signed_by="王某", reason="当事人在外地服刑"), stage="service"),
    ),
    "WD-18-5-public-notice": pair(
        service("public_notice"), fixed=(rec("public_notice_service", "service"),), stage="service"
    ),
    "WD-18-5-notice-evidence": swap(
        "public_notice_service",
        "service",
        {"reason": "下落不明", "channels": ["newspaper"], "medium": "保定日报"},
        {
            "reason": "下落不明",
            "channels": ["newspaper"],
            "medium": "保定日报",
            "evidence_items": ["报纸版面照片"],
        },
    ),
    "WD-19-performance": pair(fixed=(rec("enforcement_application", "service"),), stage="service"),
    "WD-20-enforcement-result": swap(
        "enforcement_application",
        "closing",
        {"result": "enforced"},
        {"result": "enforced", "result_on": "2026-05-01"},
    ),
    "WD-21-custodian": swap("archive_registration", "closing", {"archivist": " "}, {"archivist": "王五"}),
    "WD-22-av-upload-24h": (uploaded("video", "recorded_at", 30), uploaded("video", "recorded_at", 23)),
    "WD-22-av-upload-after-return": (
        away("video", hours_after_return=25),
        away("video", hours_after_return=20),
    ),
    "WD-22-av-return-reason": swap(
        "video",
        "investigation",
        {"returned_at": at(days=2).isoformat()},
        {"returned_at": at(days=2).isoformat(), "upload_delay_reason": "off_site"},
    ),
    "WD-22-av-return-time": swap(
        "photo",
        "investigation",
        {"upload_delay_reason": "remote"},
        {"upload_delay_reason": "remote", "returned_at": at(days=2).isoformat()},
    ),
    "WD-23-filing-30d": tuple(
        case(
            "WD",
            rec("closing_report", "closing", action_ended_on="2026-03-02"),
            rec("archive_registration", "closing", archivist="王五", archived_on=archived_on),
            stage="closing",
        )
        for archived_on in ("2026-04-02", "2026-04-01")
    ),
}


@pytest.mark.parametrize(("rule_id", "broken", "fixed"), rule_params(PACKS, "WD", TABLE))
def test_wd_rule_broken_then_fixed(rule_id: str, broken: CaseSnapshot, fixed: CaseSnapshot) -> None:
    assert_broken_and_fixed(PACKS, CAL, rule_id, broken, fixed)


def test_av7_wd_video_uploaded_after_24_hours_is_late_with_citation() -> None:
    """AV-7 (WD 第二十二条): uploaded 30 hours after recording → LATE; only WD has the 24-hour rule."""
    snap = uploaded("video", "recorded_at", 30)
    [finding] = failing(evaluate(snap, PACKS, CAL), "WD-22-av-upload-24h")
    assert finding.status is FindingStatus.LATE
    assert finding.citation == "WD 第二十二条"
    assert finding.due is not None and finding.due.isoformat() == "2026-03-03"
    assert not [f for f in evaluate(snap, packs_for("YC"), CAL) if "AV-7" in f.requirement_ids]


def test_ar1_wd_filing_overdue_after_30_days() -> None:
    """AR-1 (WD 第二十三条): 30 days after the action ended without archiving → OVERDUE."""
    snap = case("WD", rec("closing_report", "closing", action_ended_on="2026-03-02"), stage="closing")
    from dataclasses import replace
    from datetime import date

    [finding] = [
        f
        for f in evaluate(replace(snap, today=date(2026, 4, 7)), PACKS, CAL)
        if f.rule_id == "WD-23-filing-30d"
    ]
    assert finding.status is FindingStatus.OVERDUE and finding.citation == "WD 第二十三条"


@pytest.mark.parametrize(
    ("method", "rule_id"),
    [
        ("direct", "WD-18-1-direct"),
        ("lodged", "WD-18-2-lodged"),
        ("mail", "WD-18-3-mail"),
        ("entrusted", "WD-18-4-entrusted"),
        ("public_notice", "WD-18-5-public-notice"),
    ],
)
def test_sv1_sv5_wd_five_service_methods(method: str, rule_id: str) -> None:
    """SV-1..SV-5 (WD 第十八条): a bare receipt of each method misses that method's own items."""
    snap = case("WD", rec("service_receipt", "service", method=method), stage="service")
    found = failing(evaluate(snap, PACKS, CAL), rule_id)
    assert found and found[0].citation.startswith("WD 第十八条")


def test_av7_wd_upload_time_is_the_files_own_upload() -> None:
    """AV-7 (WD 第二十二条): a record made at once but whose file arrived 30 hours later is late;
    with no file at all the period runs and then is overdue."""
    recorded = {"recorded_at": T0.isoformat()}
    late_file = rec(
        "video", data=recorded, created_at=T0, attachments=(att("video/mp4", created_at=at(hours=30)),)
    )
    [finding] = failing(evaluate(case("WD", late_file), PACKS, CAL), "WD-22-av-upload-24h")
    assert finding.status is FindingStatus.LATE and finding.record_id == late_file.id
    no_file = rec("video", data=recorded, created_at=T0, attachments=())
    [running] = [
        f
        for f in evaluate(case("WD", no_file, today=T0.date()), PACKS, CAL)
        if f.rule_id == "WD-22-av-upload-24h"
    ]
    assert running.status is FindingStatus.DUE
    [overdue] = failing(
        evaluate(case("WD", no_file, today=at(days=3).date()), PACKS, CAL), "WD-22-av-upload-24h"
    )
    assert overdue.status is FindingStatus.OVERDUE


def test_av7_wd_working_away_counts_from_the_return() -> None:
    """AV-7 (WD 第二十二条): off-site work — 24 hours from returning to the agency, not from recording."""
    away = {
        "recorded_at": T0.isoformat(),
        "returned_at": at(days=3).isoformat(),
        "upload_delay_reason": "off_site",
    }
    upload = (att("video/mp4", created_at=at(days=3, hours=20)),)
    snap = case("WD", rec("video", data=away, created_at=at(days=3, hours=20), attachments=upload))
    assert not failing(evaluate(snap, PACKS, CAL), "WD-22-av-upload-after-return")
    too_late = (att("video/mp4", created_at=at(days=4, hours=1)),)
    snap = case("WD", rec("video", data=away, created_at=at(days=4, hours=1), attachments=too_late))
    assert failing(evaluate(snap, PACKS, CAL), "WD-22-av-upload-after-return")


def test_dc3_wd_every_listed_attendee_signs_the_discussion() -> None:
    """DC-3 (WD 第十七条): three attendees listed, two signatures → not all have signed."""
    record = rec(
        "collective_discussion",
        "review",
        {"attendees": ["甲", "乙", "丙"]},
        signers=signed("attendee", "attendee"),
    )
    [finding] = failing(evaluate(case("WD", record, stage="review"), PACKS, CAL), "WD-17-discussion-signed")
    assert finding.citation == "WD 第十七条" and finding.blocking


def test_av7_wd_upload_30_hours_after_recording_is_late_unless_field_work() -> None:
    """AV-7 acceptance (WD 第二十二条): a file uploaded 30 hours after recording is flagged late;
    with the field exception (reason + return time declared, uploaded within 24 hours of the
    return) it is not — for a video record and for a video attached to another record."""
    recorded = {"recorded_at": T0.isoformat()}
    late = rec("video", data=recorded, attachments=(att("video/mp4", created_at=at(hours=30)),))
    [finding] = failing(evaluate(case("WD", late), PACKS, CAL), "WD-22-av-upload-24h")
    assert finding.status is FindingStatus.LATE and finding.citation == "WD 第二十二条"
    field = {**recorded, "upload_delay_reason": "continuous", "returned_at": at(hours=20).isoformat()}
    excused = rec("video", data=field, attachments=(att("video/mp4", created_at=at(hours=30)),))
    findings = evaluate(case("WD", excused), PACKS, CAL)
    assert not [f for f in findings if "AV-7" in f.requirement_ids and f.status in FAILING]
    # A return time alone, without the reason, does not move the start: still late, and asked why.
    no_reason = rec(
        "video",
        data={**recorded, "returned_at": at(hours=20).isoformat()},
        attachments=(att("video/mp4", created_at=at(hours=30)),),
    )
    findings = evaluate(case("WD", no_reason), PACKS, CAL)
    assert failing(findings, "WD-22-av-upload-24h") and failing(findings, "WD-22-av-return-reason")


def test_av7_wd_av_attached_to_another_record_is_checked() -> None:
    """AV-7 (WD 第二十二条), issue 3 defect: AV attached to a non-AV record (a lodged-service receipt
    with its video, imported from the dock) has the same 24 hours, from its recording time; the
    field exception is declared on the file."""
    imported = att("video/mp4", created_at=at(hours=30), recorded_at=T0, ended_at=at(hours=0.2))
    receipt = rec("service_receipt", "service", {**SERVED, "method": "lodged"}, attachments=(imported,))
    [finding] = failing(evaluate(case("WD", receipt, stage="service"), PACKS, CAL), "WD-22-av-upload-24h")
    assert finding.status is FindingStatus.LATE and finding.record_id == receipt.id
    declared = att(
        "video/mp4", created_at=at(hours=30), recorded_at=T0, field_work="off_site", returned_at=at(hours=12)
    )
    receipt = rec("service_receipt", "service", {**SERVED, "method": "lodged"}, attachments=(declared,))
    findings = evaluate(case("WD", receipt, stage="service"), PACKS, CAL)
    assert not [f for f in findings if "AV-7" in f.requirement_ids and f.status in FAILING]
    # Uploaded on time: nothing; recording time unknown (neither imported nor stated): no period.
    on_time = rec(
        "inquiry", data=INQUIRY, attachments=(att("audio/mpeg", created_at=at(hours=2), recorded_at=T0),)
    )
    unknown = rec("inquiry", data=INQUIRY, attachments=(att("audio/mpeg", created_at=at(days=9)),))
    findings = evaluate(case("WD", on_time, unknown), PACKS, CAL)
    assert not [f for f in findings if "AV-7" in f.requirement_ids]


def test_sv2_wd_lodged_service_av_must_be_of_that_scenario() -> None:
    """SV-2 acceptance (WD 第十八条第（二）项): a lodged service without AV is a finding with its
    citation; AV of another scenario (a direct service's video) does not clear it; the lodged
    service's own video (attached, or a video record of that scenario) does."""
    receipt = service("lodged", reason="拒收", place="某诊所", servers=["张三", "李四"])
    [missing] = failing(evaluate(case("WD", receipt, stage="service"), PACKS, CAL), "WD-18-2-lodged-av")
    assert missing.citation == "WD 第十八条第（二）项" and "SV-2" in missing.requirement_ids
    other = rec("video", "service", scenario="service")
    assert failing(evaluate(case("WD", receipt, other, stage="service"), PACKS, CAL), "WD-18-2-lodged-av")
    right = rec("video", "service", scenario="lodged_service")
    assert not failing(evaluate(case("WD", receipt, right, stage="service"), PACKS, CAL), "WD-18-2-lodged-av")
    own = rec("service_receipt", "service", {**SERVED, "method": "lodged"}, attachments=(att("video/mp4"),))
    assert not failing(evaluate(case("WD", own, stage="service"), PACKS, CAL), "WD-18-2-lodged-av")


def test_iv6_wd_preservation_av_must_be_of_that_scenario() -> None:
    """IV-6 acceptance (WD 第十三条 先行登记保存): missing AV is a finding with its citation; a video
    of an inquiry in the same stage does not count; a preservation video does."""
    notice = rec("evidence_preservation_notice")
    [missing] = failing(evaluate(case("WD", notice), PACKS, CAL), "WD-13-property-av")
    assert missing.citation == "WD 第十三条" and "IV-6" in missing.requirement_ids
    inquiry_video = rec("video", scenario="inquiry")
    assert failing(evaluate(case("WD", notice, inquiry_video), PACKS, CAL), "WD-13-property-av")
    preservation_video = rec("video", scenario="preservation")
    assert not failing(evaluate(case("WD", notice, preservation_video), PACKS, CAL), "WD-13-property-av")


def test_av6_wd_hearing_gap_explained_on_the_declared_file() -> None:
    """AV-6 (WD 第十六条): the explanation of a gap may be declared on an imported file attached to
    the hearing record itself."""
    first = att("video/mp4", recorded_at=at(hours=0), ended_at=at(hours=0.5), recorder_no="SXJ-01")
    second = att("video/mp4", recorded_at=at(hours=1), ended_at=at(hours=2), recorder_no="SXJ-01")
    hearing = rec("hearing_record", "review", HEARING_WINDOW, attachments=(first, second))
    assert failing(evaluate(case("WD", hearing, stage="review"), PACKS, CAL), "WD-16-hearing-gaps")
    explained = att(
        "video/mp4",
        recorded_at=at(hours=1),
        ended_at=at(hours=2),
        recorder_no="SXJ-01",
        gap_explanation="休庭",
    )
    hearing = rec("hearing_record", "review", HEARING_WINDOW, attachments=(first, explained))
    assert not failing(evaluate(case("WD", hearing, stage="review"), PACKS, CAL), "WD-16-hearing-gaps")
    # Within the 5-minute tolerance: nothing to explain.
    close = att("video/mp4", recorded_at=at(hours=0.55), ended_at=at(hours=2), recorder_no="SXJ-01")
    hearing = rec("hearing_record", "review", HEARING_WINDOW, attachments=(first, close))
    assert not failing(evaluate(case("WD", hearing, stage="review"), PACKS, CAL), "WD-16-hearing-gaps")


def test_sv6_wd_performance_lapses_after_revocation_in_service() -> None:
    """SV-6 / issue 3 pack semantics: a decision revoked (撤销) while the case was in service ends
    the service stage's flow — its performance record is no longer asked (not VIOLATED); the
    same case moving on to closing without it is. What was required of a record that was made
    (the lodged service's video) is still reported after the branch."""
    revoked = case("WD", stage="service", branch="revoked")
    assert not failing(evaluate(revoked, PACKS, CAL), "WD-19-performance")
    assert failing(evaluate(case("WD", stage="closing"), PACKS, CAL), "WD-19-performance")
    lodged = service("lodged", reason="拒收", place="某诊所")
    [still] = failing(
        evaluate(case("WD", lodged, stage="service", branch="revoked"), PACKS, CAL), "WD-18-2-lodged-av"
    )
    assert still.status is FindingStatus.VIOLATED
    # Revoked during review, the service stage's rules were never reached: nothing either.
    assert not failing(
        evaluate(case("WD", stage="review", branch="revoked"), PACKS, CAL), "WD-19-performance"
    )
