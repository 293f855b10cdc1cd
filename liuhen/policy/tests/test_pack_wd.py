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
    T0,
    assert_broken_and_fixed,
    at,
    att,
    case,
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
    "WD-13-coercion-av": pair(rec("coercive_measure_decision"), rec("photo"), fixed=(rec("video"),)),
    "WD-13-property-av": pair(rec("evidence_preservation_notice"), fixed=(rec("video"),)),
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
        rec("audio", "review"),
        fixed=(rec("video", "review"),),
        stage="review",
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
    "WD-18-2-lodged-av": pair(service("lodged"), fixed=(rec("video", "service"),), stage="service"),
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
    "WD-22-video-upload-24h": (uploaded("video", "recorded_at", 30), uploaded("video", "recorded_at", 23)),
    "WD-22-audio-upload-24h": (uploaded("audio", "recorded_at", 48), uploaded("audio", "recorded_at", 24)),
    "WD-22-photo-upload-24h": (uploaded("photo", "taken_at", 25), uploaded("photo", "taken_at", 1)),
    **{
        f"WD-22-{kind}-delay-reason": swap(
            kind,
            "investigation",
            {"returned_at": at(days=2).isoformat()},
            {"returned_at": at(days=2).isoformat(), "upload_delay_reason": "off_site"},
        )
        for kind in ("video", "audio", "photo")
    },
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
    [finding] = failing(evaluate(snap, PACKS, CAL), "WD-22-video-upload-24h")
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
    [finding] = failing(evaluate(case("WD", late_file), PACKS, CAL), "WD-22-video-upload-24h")
    assert finding.status is FindingStatus.LATE and finding.record_id == late_file.id
    no_file = rec("video", data=recorded, created_at=T0, attachments=())
    [running] = [
        f
        for f in evaluate(case("WD", no_file, today=T0.date()), PACKS, CAL)
        if f.rule_id == "WD-22-video-upload-24h"
    ]
    assert running.status is FindingStatus.DUE
    [overdue] = failing(
        evaluate(case("WD", no_file, today=at(days=3).date()), PACKS, CAL), "WD-22-video-upload-24h"
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
    assert not failing(evaluate(snap, PACKS, CAL), "WD-22-video-upload-24h")
    too_late = (att("video/mp4", created_at=at(days=4, hours=1)),)
    snap = case("WD", rec("video", data=away, created_at=at(days=4, hours=1), attachments=too_late))
    assert failing(evaluate(snap, PACKS, CAL), "WD-22-video-upload-24h")


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
