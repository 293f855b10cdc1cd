"""Demo records of 送达执行, 结案归档 and 事后监管: service (direct, lodged, by post) with its AV or
postal receipt, publication of the decision, performance, closing report, archiving, the party's
rectification report and the graded re-inspection."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

from liuhen.cases.models import Stage
from liuhen.demo.spec import cn_date
from liuhen.demo.steps_decision import DECISION_DAY
from liuhen.records.models import SignerRole
from liuhen.records.services import SignerInput

if TYPE_CHECKING:
    from liuhen.demo.builder import CaseBuild

SRV, CLO, FUP = Stage.SERVICE, Stage.CLOSING, Stage.FOLLOWUP


def _method(b: CaseBuild) -> str:
    if b.has("lodged"):
        return "lodged"
    if b.has("mail"):
        return "mail"
    return "direct"


def _tracking(b: CaseBuild) -> str:
    return f"11{b.case.year % 100:02d}{b.case.sequence:04d}{b.index:03d}9"


def service_receipt(b: CaseBuild) -> None:
    method = _method(b)
    when = b.at(SRV, 2 if method == "mail" else 0, 10, 15)
    data: dict[str, Any] = {
        "document_name": "行政处罚决定书",
        "document_no": b.case.number,
        "method": method,
        "recipient": b.party.name,
        "served_at": when,
        "place": b.party.address,
        "servers": b.officers(),
    }
    signers = [
        SignerInput(role=SignerRole.SERVER, name=p.full_name, person=p, signed_at=when) for p in b.handlers
    ]
    if method == "lodged":
        data.update(
            reason="受送达人拒绝签收，执法人员将文书留置于受送达人住所并拍照录像。",
            refusal_note=f"{b.party.representative}以“对处罚金额有异议”为由拒绝签收，{cn_date(when)}。",
            recipient_signed=False,
        )
        signers.append(b.party_signer(SignerRole.RECIPIENT, when, refused=True, note="拒绝签收"))
        if "witness" not in b.plan.omit:
            data["witnesses"] = [{"name": b.witness, "number": "社区工作人员"}]
            data["reason"] = (
                "受送达人拒绝签收，执法人员邀请社区工作人员到场见证，将文书留置于受送达人住所并拍照录像。"
            )
            signers.append(SignerInput(role=SignerRole.WITNESS, name=b.witness, signed_at=when))
    elif method == "mail":
        data.update(
            tracking_no=_tracking(b),
            signed_by=b.party.representative,
            mailing_receipt_ref=f"EMS {_tracking(b)}",
        )
    else:
        data.update(signed_by=b.party.representative, recipient_signed=True)
        signers.append(b.party_signer(SignerRole.RECIPIENT, when))
    b.record("service_receipt", data, signers)


def service_av(b: CaseBuild) -> None:
    start = b.at(SRV, 0, 10, 8)
    lodged = b.has("lodged")
    data = {
        "description": ("留置送达" if lodged else "直接送达") + "行政处罚决定书全过程录像。",
        "recorded_at": start,
        "ended_at": b.at(SRV, 0, 10, 20),
        "location": b.party.address,
        "device_no": b.device(1),
        "recorded_by": b.second.full_name,
        "continuous": True,
        "scenario": "lodged_service" if lodged else "service",
        "consent": "not_applicable",
    }
    b.av("video", data, [b.video_file(start, "送达过程录像")], document=b.last["service_receipt"])


def mailing_receipt(b: CaseBuild) -> None:
    data = {
        "document_name": "行政处罚决定书",
        "document_no": b.case.number,
        "mail_kind": "express",
        "carrier": "中国邮政EMS",
        "tracking_no": _tracking(b),
        "addressee": b.party.representative,
        "address": b.party.address,
        "posted_at": b.at(SRV, 0, 9),
        "delivered_at": b.at(SRV, 2, 10, 15),
        "signed_by": b.party.representative,
        "returned": False,
    }
    b.record("mailing_receipt", data, [b.lead_signer(b.at(SRV, 0, 9, 5))])


def disclosure(b: CaseBuild) -> None:
    decided = b.day(Stage.REVIEW, DECISION_DAY)
    published = b.day(SRV, 16 if b.has("disclosure_late") else 1)
    reviewer = b.reviewer

    def public(text: str) -> str:  # a natural person's name is not published in full
        return text.replace(b.party.name, f"{b.party.name[0]}某") if b.person_party else text

    data = {
        "decision_no": b.case.number,
        "case_name": public(b.case.title),
        "party": public(b.party.name),
        "facts": public(b.facts),
        "penalty": b.decision_text,
        "agency": b.spec.name,
        "decided_on": decided,
        "channels": ["portal"],
        "confidentiality_reviewed": True,
        "published_on": published,
    }
    signers = [
        b.lead_signer(b.at(SRV, 1, 9)),
        SignerInput(
            role=SignerRole.REVIEWER, name=reviewer.full_name, person=reviewer, signed_at=b.at(SRV, 1, 9)
        ),
    ]
    b.record("disclosure_record", data, signers, title="行政处罚决定公示记录")


def performance(b: CaseBuild) -> None:
    paid = b.fine + (b.amount if b.violation.money in ("fund", "income") else 0)
    data: dict[str, Any] = {
        "decision_no": b.case.number,
        "performance": "full",
        "paid_on": b.day(SRV, 8),
        "voucher": f"非税收入缴款书 No.{b.case.year}{b.case.sequence:04d}{b.index:02d}",
        "rectification": b.violation.remedy + "。",
        "verified_by": b.lead.full_name,
        "recorded_on": b.day(SRV, 9),
    }
    if paid:
        data["paid_amount"] = paid
    b.record("performance_record", data, [b.lead_signer(b.at(SRV, 9, 10))])


def closing_report(b: CaseBuild) -> None:
    ended = b.day(CLO, 0)
    data = {
        "summary": f"本案于{cn_date(b.day(Stage.INITIATION, 1))}立案，经调查取证、事先告知、陈述申辩，"
        f"于{cn_date(b.day(Stage.REVIEW, DECISION_DAY))}作出行政处罚决定并依法送达。",
        "outcome": "performed",
        "performance": f"当事人已于{cn_date(b.day(SRV, 8))}履行完毕：{b.decision_text}",
        "action_ended_on": ended,
        "handler_opinion": "处罚决定已执行完毕，建议结案。",
        "head_opinion": "同意结案。",
        "reported_on": b.day(CLO, 1),
    }
    signers = [b.lead_signer(b.at(CLO, 1, 10)), b.head_signer(b.at(CLO, 1, 16), person=b.head)]
    b.record("closing_report", data, signers)


def archive_registration(b: CaseBuild) -> None:
    archived = 41 if b.has("archive_late") else 5
    data = {
        "archive_no": f"{b.spec.archive_prefix}{b.case.year}-XZCF-{b.case.sequence:04d}",
        "category": "行政处罚",
        "volume_no": f"{b.case.sequence:03d}",
        "volumes": 1,
        "page_count": 40 + b.index * 3,
        "retention": "30y",
        "action_started_on": b.case.created_at.date(),
        "action_ended_on": b.day(CLO, 0),
        "archivist": b.archivist.full_name,
        "archived_on": b.day(CLO, archived),
    }
    b.record("archive_registration", data, [b.lead_signer(b.at(CLO, archived, 10))])


# --- 事后监管 ------------------------------------------------------------------------------------


def rectification_report(b: CaseBuild) -> None:
    submitted = b.day(FUP, 0) - timedelta(days=4)
    data = {
        "party": b.party.name,
        "order_ref": b.case.number,
        "measures": b.violation.remedy + "。",
        "attachments": ["photos", "certificates"],
        "attachment_list": ["整改后现场照片2张", "相关证明材料复印件"],
        "completed_on": submitted - timedelta(days=2),
        "submitted_on": submitted,
    }
    when = b.at(FUP, 0, 9)
    b.record(
        "rectification_report",
        data,
        [b.party_signer(SignerRole.PARTY, when)],
        files=b.photo_files(when, "整改后现场照片（当事人提交）"),
    )


_METHODS = {"light": "paper", "general": "on_site", "serious": "on_site"}


def reinspection(b: CaseBuild) -> None:
    grade = b.plan.grade
    paper = grade == "light"
    data = {
        "grade": grade,
        "method": _METHODS[grade],
        "reviewed_at": b.at(FUP, 0, 10),
        "place": f"{b.office}（书面审查）" if paper else b.party.address,
        "inspectors": b.officers(),
        "findings": ("审查当事人提交的整改报告及照片、证明材料：" if paper else "回访复查：")
        + b.violation.remedy
        + "，未发现新的违法行为。",
        "rectified": True,
        "new_case_needed": False,
        "av_recorded": not paper and "reinspection_av" not in b.plan.omit,
        "next_steps": "纳入日常监督，下一年度监督检查时重点抽查。",
    }
    signers = [*b.officer_signers(b.at(FUP, 0, 11)), b.party_signer(SignerRole.PARTY, b.at(FUP, 0, 11, 5))]
    b.record("reinspection_record", data, signers, title="整改复查记录")


def reinspection_av(b: CaseBuild) -> None:
    start = b.at(FUP, 0, 9, 58)
    record = b.last["reinspection_record"]
    photo = {
        "description": "复查时整改后现场情况",
        "taken_at": b.at(FUP, 0, 10, 10),
        "location": b.party.address,
        "photographer": b.second.full_name,
        "device_no": b.device(2),
        "scenario": "reinspection",
        "consent": "not_applicable",
    }
    b.av("photo", photo, b.photo_files(start, "整改后现场照片"), document=record)
    video = {
        "description": "整改复查现场全程录像。",
        "recorded_at": start,
        "ended_at": b.at(FUP, 0, 10, 50),
        "location": b.party.address,
        "device_no": b.device(1),
        "recorded_by": b.lead.full_name,
        "continuous": True,
        "scenario": "reinspection",
        "consent": "not_applicable",
    }
    b.av("video", video, [b.video_file(start, "复查现场录像")], document=record)


__all__ = [
    "archive_registration",
    "closing_report",
    "disclosure",
    "mailing_receipt",
    "performance",
    "rectification_report",
    "reinspection",
    "reinspection_av",
    "service_av",
    "service_receipt",
]
