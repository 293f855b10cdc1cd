"""Demo records of 事前准备 and 程序启动, and of the branches that end a case early (不予立案, 移送,
撤销). Field names follow ``liuhen/records/catalogue.toml``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from liuhen.cases.models import Source, Stage
from liuhen.demo.spec import cn_date
from liuhen.records.models import SignerRole
from liuhen.records.services import SignerInput, correct_record

if TYPE_CHECKING:
    from liuhen.demo.builder import CaseBuild

_TRIGGERS: dict[str, str] = {
    Source.COMPLAINT: "complex_complaint",
    Source.ASSIGNED: "assigned",
    Source.TRANSFERRED: "assigned",
}
_SOURCE_TEXT: dict[str, str] = {
    Source.EX_OFFICIO: "日常监督检查及数据筛查",
    Source.COMPLAINT: "群众投诉举报",
    Source.ASSIGNED: "上级机关交办",
    Source.TRANSFERRED: "其他机关移送",
    Source.APPLICATION: "当事人申请",
}


def _year(b: CaseBuild) -> int:
    return b.day(Stage.PREPARATION).year


# --- 事前准备 ------------------------------------------------------------------------------------


def annual_plan(b: CaseBuild) -> None:
    year = _year(b)
    head = b.agency_head
    data = {
        "year": year,
        "plan_title": f"{b.spec.name}{year}年度{b.spec.supervision}计划",
        "scope": f"本辖区内定点医药机构及参保人员使用医疗保障基金的情况，重点为{b.violation.conduct}等问题。",
        "priorities": "1.定点零售药店串换药品、将非医保支付范围费用纳入结算；2.定点医疗机构过度诊疗、超标准收费；"
        "3.挂床住院、虚构医药服务项目。",
        "schedule": "一季度：制定方案、数据筛查；二、三季度：现场检查；四季度：查处、整改复查和总结。",
        "departments": [name for name, legal in b.spec.departments if not legal],
        "approved_by": head.full_name,
        "approved_on": b.day(Stage.PREPARATION, 0).replace(month=1, day=15),
    }
    b.record("annual_inspection_plan", data, [b.head_signer(b.at(Stage.PREPARATION, 0, 8, 40))])


def inspection_notice(b: CaseBuild) -> None:
    data = {
        "document_no": b.doc_no("检通"),
        "inspection_kind": "special",
        "plan_title": f"关于对{b.party.name}开展专项检查的通知",
        "basis": f"依据《医疗保障基金使用监督管理条例》第二十七条及{b.spec.name}{_year(b)}年度{b.spec.supervision}计划。",
        "targets": b.party.name,
        "focus": b.violation.conduct,
        "must_check_areas": ["经营（诊疗）场所", "医保结算终端及结算数据", "进销存台账及票据", "库房"],
        "team": b.officers(),
        "starts_on": b.day(Stage.PREPARATION, 1),
        "ends_on": b.day(Stage.PREPARATION, 20),
        "work_requirements": "检查时出示执法证件，全程使用执法记录仪，如实制作现场笔录，遵守廉洁纪律。",
        "issued_on": b.day(Stage.PREPARATION, 0),
    }
    b.record("inspection_notice", data, [b.head_signer(b.at(Stage.PREPARATION, 0, 11))])


def case_analysis(b: CaseBuild) -> None:
    attendees = [b.head, *b.handlers] if b.head not in b.handlers else b.handlers
    data = {
        "held_at": b.at(Stage.PREPARATION, 0, 9),
        "place": f"{b.office}会议室",
        "host": b.head.full_name,
        "recorder": b.second.full_name,
        "attendees": [{"name": p.full_name, "number": p.certificate_no or ""} for p in attendees],
        "trigger": _TRIGGERS.get(b.plan.source, "specialist"),
        "background": f"{_SOURCE_TEXT.get(b.plan.source, '线索')}反映{b.party.name}{b.violation.conduct}，"
        "涉及人数较多，社会关注度高。",
        "suspicions": f"1.{b.violation.conduct}的持续时间和涉及范围；2.有无伪造、隐匿相关记录；3.责任人员。",
        "statements": "\n".join(
            (
                f"{b.head.full_name}：本案线索具体，需先调取以往监督检查档案，明确检查重点。",
                f"{b.lead.full_name}：建议突击检查，同时调取从业人员和相关台账资料，现场全程录像。",
                f"{b.second.full_name}：同意，现场需固定{'、'.join(b.violation.items[:2])}等证据。",
            )
        ),
        "conclusion": f"制定调查方案，由{b.lead.full_name}主办、{b.second.full_name}协办，三日内开展现场检查。",
        "av_recorded": True,
    }
    when = b.at(Stage.PREPARATION, 0, 10, 30)
    signers = [
        SignerInput(role=SignerRole.ATTENDEE, name=p.full_name, person=p, signed_at=when) for p in attendees
    ]
    b.record("case_analysis_minutes", data, signers)


def investigation_plan(b: CaseBuild) -> None:
    data = {
        "case_summary": b.facts.replace("经查，", "据反映，"),
        "roles": [
            {"name": b.lead.full_name, "number": f"{b.lead.certificate_no}（主办：现场检查、询问）"},
            {
                "name": b.second.full_name,
                "number": f"{b.second.certificate_no}（协办：记录、执法记录仪、取证）",
            },
        ],
        "focus": b.violation.conduct,
        "proven_facts": [f"{b.party.name}依法登记，地址为{b.party.address}"],
        "unproven_facts": [b.violation.conduct, "违法行为的起止时间和涉及人数"],
        "evidence_held": ["投诉举报材料" if b.plan.source == Source.COMPLAINT else "交办函及线索材料"],
        "evidence_needed": ["现场笔录及现场照片、录像", "当事人询问笔录", *b.violation.items[:2]],
        "steps": "1.现场检查并全程录像；2.固定书证、物证；3.询问当事人及从业人员；4.必要时抽样检测。",
        "approved_on": b.day(Stage.PREPARATION, 1),
    }
    signers = [
        b.lead_signer(b.at(Stage.PREPARATION, 1, 9)),
        b.head_signer(b.at(Stage.PREPARATION, 1, 10), person=b.head),
    ]
    b.record("investigation_plan", data, signers)


# --- 程序启动 ------------------------------------------------------------------------------------


def complaint_registration(b: CaseBuild) -> None:
    received = b.at(Stage.INITIATION, 0, 9, 10)
    data = {
        "received_at": received,
        "channel": "hotline_12345",
        "identity": "named",
        "complainant": b.complainant,
        "contact": b.agency.faker.mobile(),
        "confidential": True,
        "respondent": b.party.name,
        "content": f"反映{b.party.name}{b.violation.conduct}，请求依法查处。",
        "acceptance": "accepted",
        "complex_case": b.has("complex"),
    }
    b.record("complaint_registration", data, [b.lead_signer(received)])


def filing_approval(b: CaseBuild) -> None:
    not_filed = b.has("not_filed")
    received = b.day(Stage.INITIATION, 0)
    complaint = b.plan.source == Source.COMPLAINT
    if complaint:
        detail = (
            f"{cn_date(received)}接12345热线转来实名举报（举报人要求保密），反映{b.party.name}存在违法问题。"
        )
    elif b.plan.source == Source.ASSIGNED:
        detail = (
            f"{cn_date(received)}收到{b.spec.superior}交办函及领导批示，要求对{b.party.name}依法核查处理。"
        )
    else:
        detail = f"{cn_date(received)}在{b.spec.supervision}及数据筛查中发现疑点。"
    data: dict[str, Any] = {
        "source": b.plan.source,
        "received_on": received,
        "source_detail": detail,
        "party": b.party.details,
        "facts": b.facts.replace("经查，", "初步核查，"),
        "handler_opinion": "当事人行为涉嫌违反"
        + b.violation.provision
        + (
            "，但初步核查发现举报不属实或不属于本机关管辖，建议不予立案。"
            if not_filed
            else "，建议立案调查。"
        ),
        "department_opinion": f"同意承办人意见。{b.head.full_name}",
        "head_opinion": "同意不予立案。" if not_filed else "同意立案，由承办人依法调查。",
        "decision": "not_file" if not_filed else "file",
        "approved_on": b.day(Stage.INITIATION, 1),
        "complex_case": b.has("complex"),
    }
    signers = [b.lead_signer(b.at(Stage.INITIATION, 0, 10)), b.head_signer(b.at(Stage.INITIATION, 1, 16))]
    b.record("filing_approval", data, signers)


# --- branches ------------------------------------------------------------------------------------


def not_filing_approval(b: CaseBuild) -> None:
    data = {
        "party": b.party.details,
        "place": b.party.address,
        "source": b.plan.source,
        "registered_at": b.at(Stage.INITIATION, 0, 9, 10),
        "verification": f"承办人{b.lead.full_name}、{b.second.full_name}于{cn_date(b.day(Stage.INITIATION, 1))}"
        f"调取医保结算数据并到{b.party.name}现场核实。",
        "reason_kind": "no_violation",
        "reasons": b.plan.branch_reason,
        "named_complainant": b.plan.source == Source.COMPLAINT,
        "handler_opinion": "建议不予立案，并将结果告知举报人。",
        "head_opinion": "同意不予立案。",
        "approved_on": b.day(Stage.INITIATION, 2),
    }
    signers = [b.lead_signer(b.at(Stage.INITIATION, 1, 17)), b.head_signer(b.at(Stage.INITIATION, 2, 10))]
    b.record("not_filing_approval", data, signers)


def complainant_notice(b: CaseBuild) -> None:
    data = {
        "document_no": b.doc_no("不立告"),
        "complainant": b.complainant,
        "complaint_summary": f"反映{b.party.name}{b.violation.conduct}。",
        "result": "经核查，决定不予立案。",
        "reasons": b.plan.branch_reason,
        "method": "written",
        "notified_on": b.day(Stage.INITIATION, 2),
    }
    b.record("complainant_notice", data, [b.lead_signer(b.at(Stage.INITIATION, 2, 15))])


def transfer_letter(b: CaseBuild) -> None:
    stage = b.case.stage
    data = {
        "document_no": b.doc_no("移"),
        "receiving_agency": b.spec.superior,
        "party": b.party.name,
        "facts": b.facts.replace("经查，", "经初步核查，"),
        "reason": b.plan.branch_reason,
        "legal_basis": f"{b.spec.procedure_rules}第十条",
        "materials": ["立案审批表（复印件）", "现场检查笔录及照片", "医保结算数据"],
        "approved_by": b.agency_head.full_name,
        "approved_on": b.day(stage, 2),
        "sent_on": b.day(stage, 3),
    }
    b.record("transfer_letter", data, [b.head_signer(b.at(stage, 2, 16))])


def criminal_referral(b: CaseBuild) -> None:
    stage = b.case.stage
    data = {
        "document_no": b.doc_no("移刑"),
        "police_agency": b.spec.police,
        "party": b.party.name,
        "facts": b.facts,
        "suspected_offence": "诈骗罪",
        "evidence": ["现场笔录", "询问笔录", "门诊日志及治疗登记本", "医保结算数据"],
        "report": f"经调查，当事人{b.violation.conduct}{b.money_phrase}，数额巨大，涉嫌诈骗罪，"
        "依据《行政执法机关移送涉嫌犯罪案件的规定》第三条，建议移送公安机关。",
        "materials": ["涉嫌犯罪案件移送书", "案件调查报告", "涉案证据材料清单及复印件"],
        "approved_by": b.agency_head.full_name,
        "approved_on": b.day(stage, 2),
        "sent_on": b.day(stage, 3),
    }
    b.record(
        "criminal_referral", data, [b.lead_signer(b.at(stage, 2, 10)), b.head_signer(b.at(stage, 2, 16))]
    )


def revocation(b: CaseBuild) -> None:
    """Before a decision is revoked: its (non-)performance recorded and any published notice of it
    withdrawn (HY-GS 第十二条)."""
    stage = b.case.stage
    b.record(
        "performance_record",
        {
            "decision_no": b.case.number,
            "performance": "not_performed",
            "rectification": "当事人在履行期限内申请复核，经复核原认定事实有误，决定撤销原处罚决定，罚款未缴纳，无需履行。",
            "recorded_on": b.day(stage, 6),
        },
        [b.lead_signer(b.at(stage, 6, 10))],
    )
    if b.has("filing"):
        decision_filing(b, kind="revocation")
    published = b.last.get("disclosure_record")
    if published is None:
        return
    data = dict(published.fields)
    data.update(
        withdrawn_on=b.day(stage, 7),
        withdrawal_reason="该行政处罚决定已经本机关复核撤销，现撤回公示信息。",
    )
    b.last["disclosure_record"] = correct_record(
        actor=b.lead,
        record=published,
        data=data,
        reason="行政处罚决定已撤销，依照《行政执法信息公示实施办法》第十二条撤回公示并作说明。",
    )


def decision_filing(b: CaseBuild, kind: str = "decision") -> None:
    """The decision (or its revocation) filed with the legal office within 10 days (HY-FS 第十二条)."""
    from liuhen.demo.steps_decision import DECISION_DAY

    stage = b.case.stage
    reviewer = b.reviewer
    decided = b.day(Stage.REVIEW, DECISION_DAY)
    filed = b.day(stage, 7 if kind == "revocation" else 1)
    data = {
        "filing_kind": kind,
        "document_name": "撤销行政处罚决定书" if kind == "revocation" else "行政处罚决定书",
        "document_no": b.case.number,
        "decided_on": filed if kind == "revocation" else decided,
        "filed_on": filed,
        "filed_by": b.lead.full_name,
        "received_by": reviewer.full_name,
        "documents": ["行政处罚决定书（副本）", "法制审核意见书", "集体讨论记录"]
        if kind == "decision"
        else ["撤销决定书（副本）", "复核意见"],
    }
    signers = [
        b.lead_signer(b.at(stage, 1, 10)),
        SignerInput(
            role=SignerRole.REVIEWER, name=reviewer.full_name, person=reviewer, signed_at=b.at(stage, 1, 11)
        ),
    ]
    b.record(
        "decision_filing", data, signers, title="重大执法决定备案" if kind == "decision" else "撤销决定备案"
    )


__all__ = [
    "annual_plan",
    "case_analysis",
    "complainant_notice",
    "complaint_registration",
    "criminal_referral",
    "decision_filing",
    "filing_approval",
    "inspection_notice",
    "investigation_plan",
    "not_filing_approval",
    "revocation",
    "transfer_letter",
]
