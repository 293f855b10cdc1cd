"""Helpers for tests of legal review (kept out of conftest so other apps' tests can import them)."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.test import TestCase
from django.utils import timezone

from liuhen.cases.models import Case, CaseType, PartyKind, Procedure, Source, Stage
from liuhen.cases.services import PartyInput, change_stage, open_case
from liuhen.core.testing import record_data
from liuhen.org.models import Agency, Department, Person, Role
from liuhen.org.services import create_agency, create_department, create_person
from liuhen.records.models import Record
from liuhen.records.services import FileInput, SignerInput, create_record
from liuhen.review import selectors, services
from liuhen.review.models import (
    CheckItem,
    CheckResult,
    CollectiveDecision,
    DeliberationRoom,
    Objection,
    Receipt,
    Submission,
)

PASSWORD = "liuhen-test-pw"
SAMPLE_USCC = "91350100M000100Y43"
SAMPLE_RESIDENT_ID = "11010519491231002X"


@dataclass
class Bureau:
    """An agency under a given pack with the people a review involves."""

    agency: Agency
    fund: Department
    legal_office: Department
    officer: Person
    officer2: Person
    dept_head: Person
    reviewer: Person
    head: Person
    outsider: Person


def make_bureau(pack: str = "HY", *, suffix: str = "") -> Bureau:
    agency = create_agency(
        actor=None, name=f"海阳市医疗保障局{suffix}", short_name=f"海医保{suffix}", policy_pack=pack
    )
    fund = create_department(actor=None, agency=agency, name="基金监管科")
    other = create_department(actor=None, agency=agency, name="医药服务管理科")
    legal = create_department(actor=None, agency=agency, name="法制科", is_legal_office=True)

    def person(
        username: str, name: str, dept: Department | None, roles: list[str], cert: str | None
    ) -> Person:
        return create_person(
            actor=None,
            username=f"{username}{suffix}",
            full_name=name,
            password=PASSWORD,
            agency=agency,
            department=dept,
            roles=roles,
            certificate_no=f"{cert}{suffix}" if cert else None,
        )

    return Bureau(
        agency=agency,
        fund=fund,
        legal_office=legal,
        officer=person("wangjun", "王军", fund, [Role.OFFICER], "37068700000001"),
        officer2=person("liuting", "刘婷", fund, [Role.OFFICER], "37068700000002"),
        dept_head=person("sunkai", "孙凯", fund, [Role.DEPARTMENT_HEAD], None),
        reviewer=person("fazhi", "于法", legal, [Role.LEGAL_REVIEWER], None),
        head=person("juzhang", "杨局长", None, [Role.AGENCY_HEAD], None),
        outsider=person("qulei", "曲磊", other, [Role.OFFICER], "37068700000003"),
    )


def case_in_review(
    b: Bureau,
    *,
    party_kind: str = PartyKind.ORGANISATION,
    title: str = "某大药房涉嫌串换药品案",
    **report: Any,
) -> Case:
    """A penalty case moved to 审查决定 with a 案件调查终结报告 (``report`` overrides its fields)."""
    party = (
        PartyInput(kind=PartyKind.ORGANISATION, name="海阳市康宁大药房有限公司", uscc=SAMPLE_USCC)
        if party_kind == PartyKind.ORGANISATION
        else PartyInput(kind=PartyKind.PERSON, name="李明", id_number=SAMPLE_RESIDENT_ID)
    )
    case = open_case(
        actor=b.officer,
        department=b.fund,
        title=title,
        case_type=CaseType.PENALTY,
        procedure=Procedure.GENERAL,
        source=Source.EX_OFFICIO,
        handlers=[b.officer, b.officer2],
        parties=[party],
    )
    for stage in (Stage.INVESTIGATION, Stage.REVIEW):
        case = change_stage(actor=b.officer, case=case, to_stage=stage, reason="测试")
    values = {
        "party": party.name,
        "party_kind": party_kind,
        "recommendation": "penalty",
        "proposed_penalty_kinds": ["fine"],
        "handler_opinion": "建议责令退回医保基金并处罚款。",
        **report,
    }
    create_record(
        actor=b.officer,
        case=case,
        record_type="investigation_report",
        data=record_data("investigation_report", **values),
    )
    return case


def decision_data(case: Case, **values: Any) -> dict[str, Any]:
    return record_data(
        "penalty_decision",
        document_no=f"{case.number}",
        penalty_kinds=["fine"],
        **values,
    )


def make_decision(b: Bureau, case: Case, **values: Any) -> Record:
    return create_record(
        actor=b.officer,
        case=case,
        record_type="penalty_decision",
        data=decision_data(case, **values),
        signers=[SignerInput(role="head", name=b.head.full_name, person=b.head)],
    )


ALL_OK = [
    services.CheckInput(item=i, result=CheckResult.OK, note="经审查符合。")
    for i in CheckItem.values
    if i != "other"
]


def reviewed(
    b: Bureau,
    case: Case,
    *,
    opinion: str = "agree",
    received_at: datetime | None = None,
    submitted_at: datetime | None = None,
    issued_at: datetime | None = None,
) -> tuple[Submission, Receipt]:
    """Submitted, received, every item checked, the opinion issued."""
    submission = services.submit_for_review(
        actor=b.officer, case=case, place="基金监管科", submitted_at=submitted_at
    )
    receipt = services.register_receipt(
        actor=b.reviewer, submission=submission, place="法制科", received_at=received_at
    )
    services.record_checks(actor=b.reviewer, receipt=receipt, entries=ALL_OK)
    services.issue_opinion(
        actor=b.reviewer,
        receipt=receipt,
        opinion_type=opinion,
        text="事实清楚，证据确凿，同意。",
        issued_at=issued_at,
    )
    return submission, receipt


def populate_review() -> Receipt:
    """One row in every review event table (for the write-once and verify tests): an HY agency's
    major case disputed and settled, submitted, received, extended, checked, asked and answered,
    reviewed and returned."""
    b = make_bureau("HY", suffix="P")
    case = case_in_review(b, fine_amount="25000", loss_amount="16800", benchmark_entry="FJ-38-4")
    dispute = services.raise_dispute(actor=b.officer, case=case, position="major", reason="涉案金额较大。")
    services.resolve_dispute(
        actor=b.reviewer,
        dispute=dispute,
        major=True,
        participants="王军、于法",
        conclusion="属于重大执法决定。",
    )
    submission = services.submit_for_review(actor=b.officer, case=case, place="基金监管科")
    receipt = services.register_receipt(actor=b.reviewer, submission=submission, place="法制科")
    services.extend_review(actor=b.reviewer, receipt=receipt, working_days=2, reason="需调取银行流水核对。")
    services.record_checks(actor=b.reviewer, receipt=receipt, entries=ALL_OK)
    services.check_discretion(
        actor=b.reviewer,
        receipt=receipt,
        benchmark_code="FJ-38-4",
        base_amount=Decimal("16800"),
        proposed_fine=Decimal("25000"),
    )
    question = services.ask_question(actor=b.reviewer, receipt=receipt, text="涉案金额如何计算？")
    services.answer_question(actor=b.officer, question=question, text="按医保结算清单逐笔核对。")
    services.issue_opinion(actor=b.reviewer, receipt=receipt, opinion_type="agree", text="同意。")
    services.register_return(actor=b.reviewer, receipt=receipt, received_by=b.officer, place="法制科")
    # LR-6 on a second case: objection, re-review, objection again, collective study.
    other = case_in_review(
        b, fine_amount="25000", loss_amount="16800", benchmark_entry="FJ-38-4", title="某诊所涉嫌串换药品案"
    )
    reviewed(b, other, opinion="investigate")
    to_collective(b, other)
    return receipt


def video_file(
    name: str = "集体讨论录像.mp4", content: bytes = b"collective discussion video " * 64
) -> FileInput:
    return FileInput(source=io.BytesIO(content), filename=name, media_type="video/mp4")


def designated_room(b: Bureau, name: str = "三楼合议室") -> DeliberationRoom:
    existing = [r for r in selectors.designated_rooms(b.agency) if r.name == name]
    if existing:
        return existing[0]
    return services.designate_room(actor=b.head, name=name, equipment="固定录音录像设备")


def attendees(b: Bureau) -> list[services.AttendeeInput]:
    return [
        services.AttendeeInput(name=b.head.full_name, title="局长", person=b.head),
        services.AttendeeInput(name=b.dept_head.full_name, title="基金监管科科长"),
        services.AttendeeInput(name=b.reviewer.full_name, title="法制审核人员"),
        services.AttendeeInput(name="赵副局长", title="副局长"),
    ]


def speeches(b: Bureau) -> list[services.Speech]:
    return [
        services.Speech(b.dept_head.full_name, "现有证据已能证明串换药品的事实，无需补充调查。"),
        services.Speech(b.reviewer.full_name, "涉案金额计算依据仍需补强，维持补充调查意见。"),
        services.Speech("赵副局长", "结算清单与进货票据能相互印证，同意承办科室意见。"),
        services.Speech(b.head.full_name, "经讨论，事实清楚，证据确凿，按承办科室意见作出处罚决定。"),
    ]


def to_collective(
    b: Bureau, case: Case, *, decision: str = "penalty", av_files: list[FileInput] | None = None
) -> CollectiveDecision:
    """From a disagreeing first opinion: the department objects, the legal office re-reviews and
    still disagrees, the department objects again, and the agency studies it collectively (with
    every attendee's signature, in the designated room, on video)."""
    first = selectors.latest_opinion(case)
    assert first is not None
    objection = services.object_to_opinion(
        actor=b.officer, opinion_record=first, reason="结算清单和进货票据足以证明违法事实，无需补充调查。"
    )
    services.re_review(
        actor=b.reviewer,
        objection=objection,
        opinion_type="investigate",
        text="涉案金额计算依据不足，维持原意见。",
    )
    second = selectors.latest_opinion(case)
    assert second is not None
    again = services.object_to_opinion(
        actor=b.officer, opinion_record=second, reason="对重新审核意见仍有异议，提请集体研究。"
    )
    return hold(b, again, decision=decision, av_files=av_files)


def hold(
    b: Bureau,
    objection: Objection,
    *,
    decision: str = "penalty",
    av_files: list[FileInput] | None = None,
    **overrides: Any,
) -> CollectiveDecision:
    values: dict[str, Any] = {
        "held_at": timezone.now(),
        "room": designated_room(b),
        "host": b.head.full_name,
        "recorder": b.officer2.full_name,
        "attendees": attendees(b),
        "case_report": "承办人汇报：当事人串换药品，涉案金额16800元，拟罚款25000元。",
        "speeches": speeches(b),
        "conclusion": "经集体研究，事实清楚、证据确凿，决定对当事人罚款25000元。",
        "decision": decision,
        **overrides,
    }
    if "av_record" not in values:
        values["av_files"] = av_files if av_files is not None else [video_file()]
    with TestCase.captureOnCommitCallbacks(execute=True):
        return services.hold_collective_study(actor=b.head, objection=objection, **values)
