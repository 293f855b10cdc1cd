"""Demo records of 审查决定: investigation report, advance notice, statement and defence, hearing
(with its notices and the party's request), legal review, collective discussion, decision — and the
AV of every contact with the party.

Day plan (days after the stage starts): report 0, advance notice and hearing-right notice 1, hearing
request 3, statement 4, hearing notice 5 for a hearing on day 19 (more than 7 working days later),
legal review 20–22, collective discussion 23, decision 24.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from liuhen.cases.models import PartyKind, Stage
from liuhen.demo.spec import cn_date
from liuhen.demo.steps_investigation import on_site
from liuhen.records.models import Confidentiality, SignerRole
from liuhen.records.services import SignerInput

if TYPE_CHECKING:
    from liuhen.demo.builder import CaseBuild

REV = Stage.REVIEW
HEARING_DAY = 19
DECISION_DAY = 24


def _evidence(b: CaseBuild) -> list[str]:
    if on_site(b):
        first = "现场笔录及现场照片、执法记录仪录像"
    else:
        first = "医保结算数据及相关凭证" if b.violation.money == "fund" else "相关书证"
    return [first, f"{b.party.representative}询问笔录1份", "相关台账及票据复印件"]


def _level(b: CaseBuild) -> str:
    return Confidentiality.PRIVACY if b.has("privacy") else Confidentiality.NORMAL


def investigation_report(b: CaseBuild) -> None:
    data: dict[str, Any] = {
        "party": b.party.name,
        "party_kind": b.party.kind,
        "investigation_summary": f"本案于{cn_date(b.day(Stage.INITIATION, 1))}立案，承办人依法开展现场检查、调取书证、询问当事人，"
        "调查终结。",
        "facts": b.facts,
        "evidence": _evidence(b),
        "violated_provisions": b.violation.provision,
        "penalty_basis": b.violation.basis,
        "discretion_benchmark": f"适用{b.spec.discretion}，当事人主动配合调查、积极整改，属从轻处罚情形。",
        "discretion_level": "lighter",
        "circumstances": "初次违法，主动整改。",
        "recommendation": "penalty",
        "proposed_penalty_kinds": b.penalty_kinds,
        "handler_opinion": f"建议对当事人{b.decision_text}",
        "department_opinion": f"同意承办人意见，提请机关负责人审查。{b.head.full_name}",
        "reported_on": b.day(REV, 0),
    }
    if b.fine:
        data["fine_amount"] = b.fine
    if b.violation.money == "income":
        data["confiscation_amount"] = b.amount
    signers = [b.lead_signer(b.at(REV, 0, 10)), b.head_signer(b.at(REV, 0, 16), person=b.head)]
    b.record("investigation_report", data, signers)


def advance_notice(b: CaseBuild) -> None:
    data: dict[str, Any] = {
        "document_no": b.doc_no("罚告"),
        "party": b.party.name,
        "facts": b.facts,
        "evidence": _evidence(b),
        "legal_basis": f"违反{b.violation.provision}，依据{b.violation.basis}。",
        "proposed_decision": b.decision_text,
        "rights": ["statement", "defence", "hearing"],
        "channel": f"可向本机关{b.case.department.name}书面或口头陈述申辩，联系人{b.lead.full_name}，电话{b.spec.phone}。",
        "deadline_days": 5,
        "issued_on": b.day(REV, 1),
    }
    if b.fine:
        data["proposed_amount"] = b.fine
    signers = [b.lead_signer(b.at(REV, 1, 10)), b.party_signer(SignerRole.RECIPIENT, b.at(REV, 1, 10, 20))]
    b.record("advance_notice", data, signers)


def notice_av(b: CaseBuild) -> None:
    start = b.at(REV, 1, 9, 58)
    data = {
        "description": "送达行政处罚事先告知书并告知当事人陈述、申辩、要求听证权利的全过程录像。",
        "recorded_at": start,
        "ended_at": b.at(REV, 1, 10, 25),
        "location": b.party.address,
        "device_no": b.device(1),
        "recorded_by": b.second.full_name,
        "continuous": True,
        "scenario": "rights",
        "consent": "not_applicable",
    }
    b.av(
        "video",
        data,
        [b.video_file(start, "告知权利义务录像")],
        document=b.last["advance_notice"],
        confidentiality=_level(b),
    )


def hearing_notice(b: CaseBuild) -> None:
    data = {
        "document_no": b.doc_no("听告"),
        "notice_kind": "right",
        "party": b.party.name,
        "proposed_decision": b.decision_text,
        "application_days": 5,
        "issued_on": b.day(REV, 1),
    }
    b.record(
        "hearing_notice",
        data,
        [b.lead_signer(b.at(REV, 1, 10, 5)), b.party_signer(SignerRole.RECIPIENT, b.at(REV, 1, 10, 22))],
    )


def hearing_application(b: CaseBuild) -> None:
    data = {
        "applicant": b.party.name,
        "applied_on": b.day(REV, 3),
        "form": "written",
        "notice_no": b.doc_no("听告"),
        "matters": "对违法金额的计算方法和处罚幅度有异议，申请举行听证。",
        "public_requested": True,
        "received_by": b.lead.full_name,
    }
    b.record("hearing_application", data, [b.party_signer(SignerRole.PARTY, b.at(REV, 3, 15))])


def statement_defence(b: CaseBuild) -> None:
    data = {
        "held_at": b.at(REV, 4, 14, 30),
        "place": f"{b.office}会议室",
        "officers": b.officers(),
        "party": b.party.name,
        "speaker": f"{b.party.representative}（{'本人' if b.party.kind == PartyKind.PERSON else '法定代表人'}）",
        "form": "oral",
        "content": "对违法事实无异议，系初次违法，已主动整改，请求从轻处罚。",
        "adoption": "partly",
        "review_reasons": "当事人积极整改属实，依据裁量基准在法定幅度内从轻处罚；其他理由不予采纳。",
    }
    signers = [
        *b.officer_signers(b.at(REV, 4, 15, 10)),
        b.party_signer(SignerRole.PARTY, b.at(REV, 4, 15, 12)),
    ]
    b.record("statement_defence", data, signers)


def statement_av(b: CaseBuild) -> None:
    start = b.at(REV, 4, 14, 28)
    data = {
        "description": "听取当事人陈述申辩及当事人在笔录上签署姓名和意见的同步录音。",
        "recorded_at": start,
        "ended_at": b.at(REV, 4, 15, 14),
        "location": f"{b.office}会议室",
        "device_no": b.device(11),
        "recorded_by": b.second.full_name,
        "scenario": "signing",
        "consent": "not_applicable",
    }
    b.av(
        "audio",
        data,
        [b.audio_file(start, "陈述申辩同步录音")],
        document=b.last["statement_defence"],
        confidentiality=_level(b),
    )


def hearing_schedule(b: CaseBuild) -> None:
    from liuhen.review.selectors import hearing_notice_period, period_end

    # At least 7 working days before the hearing (行政处罚法 第六十四条第（二）项; refused otherwise):
    # day 5 unless a holiday in between makes that too late.
    hearing_at = b.at(REV, HEARING_DAY, 9)
    latest = period_end(b.case.agency, hearing_notice_period(b.case.agency), hearing_at)
    issued = min(b.day(REV, 5), latest) if latest is not None else b.day(REV, 5)
    data = {
        "document_no": b.doc_no("听通"),
        "notice_kind": "schedule",
        "party": b.party.name,
        "proposed_decision": b.decision_text,
        "hearing_at": hearing_at,
        "place": f"{b.office}听证室",
        "host": b.reviewer.full_name,
        "public": True,
        "issued_on": issued,
    }
    b.record(
        "hearing_notice",
        data,
        [b.lead_signer(b.at(REV, 5, 10)), b.party_signer(SignerRole.RECIPIENT, b.at(REV, 5, 15))],
        title="听证通知书",
    )


def hearing(b: CaseBuild) -> None:
    host = b.reviewer
    data = {
        "started_at": b.at(REV, HEARING_DAY, 9),
        "ended_at": b.at(REV, HEARING_DAY, 11, 30),
        "place": f"{b.office}听证室",
        "public": True,
        "host": host.full_name,
        "hearing_officers": [{"name": b.head.full_name, "number": b.head.certificate_no or ""}],
        "recorder": b.archivist.full_name,
        "investigators": b.officers(),
        "party_attendees": [
            {"name": b.party.representative, "number": "法定代表人"},
            {"name": b.agency.faker.person_name(), "number": "委托代理人（律师）"},
        ],
        "proceedings": "主持人宣布听证纪律和当事人权利义务；调查人员陈述违法事实、证据和处罚建议；"
        "当事人及其代理人对证据进行质证，对金额的计算方法提出异议；双方进行辩论。",
        "final_statements": "当事人：请求考虑已积极整改，从轻处罚。调查人员：坚持原处罚建议。",
    }
    when = b.at(REV, HEARING_DAY, 11, 35)
    signers = [
        *b.officer_signers(when),
        b.party_signer(SignerRole.PARTY, when),
        SignerInput(
            role=SignerRole.ATTENDEE, name=host.full_name, person=host, signed_at=when, note="听证主持人"
        ),
    ]
    b.record("hearing_record", data, signers)


def hearing_av(b: CaseBuild) -> None:
    start = b.at(REV, HEARING_DAY, 8, 58)
    data = {
        "description": "听证会全程录像。",
        "recorded_at": start,
        "ended_at": b.at(REV, HEARING_DAY, 11, 36),
        "location": f"{b.office}听证室",
        "device_no": b.device(21),
        "recorded_by": b.archivist.full_name,
        "continuous": True,
        "scenario": "hearing",
        "consent": "not_applicable",
    }
    b.av("video", data, [b.video_file(start, "听证会录像")], document=b.last["hearing_record"])


def _review_days(b: CaseBuild) -> tuple[int, int]:
    """(received, issued) by the legal office; a slow review takes 9 days (HY-FS 第六条: 3 working days)."""
    return (14, 23) if b.has("review_slow") else (20, 22)


def case_file_handover(b: CaseBuild) -> None:
    """The case file handed to the legal office, and returned after review (HY-FS 第五条、第九条)."""
    reviewer = b.reviewer
    received, issued = _review_days(b)
    legal_office = next(name for name, legal in b.spec.departments if legal)
    data = {
        "register_no": b.doc_no("法审"),
        "case_file_name": b.case.title,
        "draft_decision": b.decision_text,
        "materials": [
            "立案审批表",
            "现场笔录及照片、录像",
            "询问笔录",
            "案件调查终结报告",
            "行政处罚事先告知书",
            "陈述申辩笔录",
        ],
        "handed_by_before": b.lead.full_name,
        "received_by_before": reviewer.full_name,
        "handed_at_before": b.at(REV, received, 9),
        "place_before": f"{b.office}{legal_office}",
        "handed_by_after": reviewer.full_name,
        "received_by_after": b.lead.full_name,
        "handed_at_after": b.at(REV, issued, 17),
        "place_after": f"{b.office}{legal_office}",
    }
    signers = [
        b.lead_signer(b.at(REV, received, 9)),
        SignerInput(
            role=SignerRole.REVIEWER,
            name=reviewer.full_name,
            person=reviewer,
            signed_at=b.at(REV, received, 9),
        ),
    ]
    b.record("case_file_handover", data, signers, title="重大行政执法决定案卷移交清单")


def legal_review(b: CaseBuild) -> None:
    reviewer = b.reviewer
    received, issued = _review_days(b)
    data = {
        "received_on": b.day(REV, received),
        "reviewers": [{"name": reviewer.full_name, "number": reviewer.certificate_no or ""}],
        "review_items": ["subject", "facts", "procedure", "law", "characterisation", "discretion"],
        "opinion_type": "correct_law" if b.has("objection") else "agree",
        "opinion": "拟适用的处罚条款不当，建议改按《医疗保障基金使用监督管理条例》第四十条处理。"
        if b.has("objection")
        else f"执法主体合法，事实清楚，证据确凿，程序合法，适用法律正确，处罚幅度符合{b.spec.discretion}，"
        "同意承办机构意见。",
        "extended": False,
        "issued_on": b.day(REV, issued),
    }
    signer = SignerInput(
        role=SignerRole.REVIEWER, name=reviewer.full_name, person=reviewer, signed_at=b.at(REV, issued, 16)
    )
    b.record("legal_review_opinion", data, [signer])


def collective(b: CaseBuild) -> None:
    attendees = [b.person(u) for u in b.spec.discussion]
    chair = attendees[0]
    rank = {b.spec.head: "负责人", b.spec.legal: "法制审核人员"}
    data = {
        "held_at": b.at(REV, 23, 15),
        "place": f"{b.office}三楼会议室",
        "host": chair.full_name,
        "recorder": b.archivist.full_name,
        "attendees": [{"name": p.full_name, "number": rank.get(p.username, b.spec.rank)} for p in attendees],
        "case_report": f"承办人{b.lead.full_name}汇报：{b.facts}拟{b.decision_text}",
        "statements": "\n".join(
            (
                f"{attendees[1].full_name}：事实清楚，证据充分，同意承办人意见。",
                f"{attendees[2].full_name}：同意，建议同时约谈当事人负责人。",
                f"{attendees[-1].full_name}：法制审核已通过，处罚幅度符合裁量基准。",
                f"{chair.full_name}：同意按承办人意见处理，按程序送达执行。",
            )
        ),
        "conclusion": f"经集体讨论，决定对当事人{b.decision_text}",
        "decision": "penalty",
        "occasion": "major_case",
        "designated_room": True,  # the agency's meeting room for 合议 (PL 第十三条)
    }
    when = b.at(REV, 23, 16, 30)
    signers = [
        SignerInput(role=SignerRole.ATTENDEE, name=p.full_name, person=p, signed_at=when) for p in attendees
    ]
    b.record("collective_discussion", data, signers, actor=b.head if b.head in b.handlers else b.lead)


def objection_and_collective(b: CaseBuild) -> None:
    """LR-6 (HY-FS 第十条): the department objects to the opinion, the legal office re-reviews and
    still disagrees, and the agency studies it collectively in the designated room, on video, every
    attendee signing (the agency head in the system) — the collective decision unblocks the decision."""
    from liuhen.review import selectors as review_selectors
    from liuhen.review import services as review

    _, issued = _review_days(b)
    first = b.last["legal_review_opinion"]
    objection = review.object_to_opinion(
        actor=b.lead,
        opinion_record=first,
        reason=f"本案违法行为系{b.violation.title}，适用{b.violation.basis}并无不当，请求重新审核。",
        raised_at=b.at(REV, issued, 17, 30),
    )
    answer = review.re_review(
        actor=b.reviewer,
        objection=objection,
        opinion_type="correct_law",
        text="经重新审核，仍认为应当适用第四十条，维持原审核意见。",
        issued_at=b.at(REV, issued + 1, 10),
    )
    again = review.object_to_opinion(
        actor=b.lead,
        opinion_record=answer.record,
        reason="承办科室对重新审核意见仍有异议，提请局集体研究。",
        raised_at=b.at(REV, issued + 1, 11),
    )
    head = b.agency_head
    room_name = f"{b.office}三楼合议室"
    room = next((r for r in review_selectors.designated_rooms(b.case.agency) if r.name == room_name), None)
    if room is None:
        room = review.designate_room(
            actor=head, name=room_name, equipment="固定录音录像设备", at=b.at(Stage.INITIATION, 0, 8)
        )
    people = [b.person(u) for u in b.spec.discussion]
    rank = {b.spec.head: "负责人", b.spec.legal: "法制审核人员"}
    start = b.at(REV, issued + 1, 15)
    # The recording of the discussion (its own AV record; the service checks that its file exists).
    recording = b.av(
        "video",
        {
            "description": "集体研究会议全程录音录像（指定合议室）。",
            "recorded_at": b.at(REV, issued + 1, 14, 58),
            "ended_at": b.at(REV, issued + 1, 16, 32),
            "location": room.name,
            "device_no": b.device(31),
            "recorded_by": b.archivist.full_name,
            "continuous": True,
            "scenario": "deliberation",
            "consent": "not_applicable",
        },
        [b.video_file(b.at(REV, issued + 1, 14, 58), "集体研究全程录像")],
    )
    review.hold_collective_study(
        actor=head,
        objection=again,
        held_at=start,
        room=room,
        host=head.full_name,
        recorder=b.archivist.full_name,
        attendees=[
            review.AttendeeInput(
                name=p.full_name,
                title=rank.get(p.username, b.spec.rank),
                person=p if p == head else None,
                signed_at=b.at(REV, issued + 1, 16, 30),
            )
            for p in people
        ],
        case_report=f"承办人{b.lead.full_name}汇报：{b.facts}拟{b.decision_text}法制机构重新审核后仍认为适用法律不当。",
        speeches=[
            review.Speech(
                people[1].full_name, f"违法事实属{b.violation.title}，适用{b.violation.basis}更为准确。"
            ),
            review.Speech(b.reviewer.full_name, "从条文文义看两者均可适用，建议集体研究确定。"),
            review.Speech(head.full_name, "同意承办科室意见，按原拟定条款作出处罚决定。"),
        ],
        conclusion=f"经集体研究，适用{b.violation.basis}，决定对当事人{b.decision_text}",
        decision="penalty",
        av_record=recording,
    )


def deliberation_av(b: CaseBuild) -> None:
    start = b.at(REV, 23, 14, 58)
    data = {
        "description": "案件集体讨论会议全程录音录像（指定会议室）。",
        "recorded_at": start,
        "ended_at": b.at(REV, 23, 16, 32),
        "location": f"{b.office}三楼会议室",
        "device_no": b.device(31),
        "recorded_by": b.archivist.full_name,
        "continuous": True,
        "scenario": "deliberation",
        "consent": "not_applicable",
    }
    b.av("video", data, [b.video_file(start, "集体讨论录像")], document=b.last["collective_discussion"])


def penalty_decision(b: CaseBuild) -> None:
    v = b.violation
    data: dict[str, Any] = {
        "document_no": b.case.number,
        "party": b.party.name,
        "party_details": b.party.details,
        "party_kind": b.party.kind,
        "facts": b.facts,
        "evidence": _evidence(b),
        "statement_handling": "当事人在法定期限内进行了陈述申辩，本机关复核后部分采纳。"
        + ("当事人申请听证，本机关依法组织了听证。" if b.has("hearing") else ""),
        "violated_provisions": v.provision,
        "penalty_basis": v.basis,
        "discretion": f"当事人积极整改，适用{b.spec.discretion}从轻处罚情形。",
        "penalty_kinds": b.penalty_kinds,
        "payment": b.spec.payment,
        "payment_days": 15,
        "reconsideration_body": b.spec.reconsideration_body,
        "reconsideration_days": 60,
        "court": b.spec.court,
        "litigation_months": 6,
        "decided_on": b.day(REV, DECISION_DAY),
    }
    if b.fine:
        data["fine_amount"] = b.fine
    if v.money == "income":
        data["confiscation_amount"] = b.amount
    if v.sanction or not b.fine:
        data["other_penalty"] = "；".join(
            x for x in (v.sanction, "责令退回医保基金" if v.money == "fund" else "") if x
        )
    b.record(
        "penalty_decision",
        data,
        [b.head_signer(b.at(REV, DECISION_DAY, 17))],
        confidentiality=_level(b),
    )


__all__ = [
    "DECISION_DAY",
    "advance_notice",
    "case_file_handover",
    "collective",
    "deliberation_av",
    "hearing",
    "hearing_application",
    "hearing_av",
    "hearing_notice",
    "hearing_schedule",
    "investigation_report",
    "legal_review",
    "notice_av",
    "objection_and_collective",
    "penalty_decision",
    "statement_av",
    "statement_defence",
]
