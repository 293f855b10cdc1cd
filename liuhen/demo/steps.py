"""The records each demo case gets in each stage, with realistic content, signers and media.

Each step writes one record (or a record and its files) through ``CaseBuild``, which calls the
records services. Field names follow ``liuhen/records/catalogue.toml``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from liuhen.cases.models import PartyKind, Stage
from liuhen.demo import scenarios as sc
from liuhen.records.models import Confidentiality, SignerRole
from liuhen.records.services import FileInput, SignerInput, correct_record

if TYPE_CHECKING:
    from liuhen.demo.builder import CaseBuild

STAGE_REASONS: dict[str, str] = {
    Stage.INITIATION: "检查发现违法线索，启动立案程序。",
    Stage.INVESTIGATION: "经机关负责人批准立案，进入调查取证。",
    Stage.REVIEW: "调查终结，提交审查决定。",
    Stage.SERVICE: "行政处罚决定已作出，进入送达执行。",
    Stage.CLOSING: "决定已执行完毕，办理结案归档。",
    Stage.FOLLOWUP: "结案后开展回访复查。",
}


@dataclass(frozen=True)
class Step:
    run: Callable[[CaseBuild], Any]
    feature: str = ""  # only for plans with this feature
    unless: str = ""  # skipped for plans with this feature

    def applies(self, build: CaseBuild) -> bool:
        features = build.plan.features
        return (not self.feature or self.feature in features) and not (
            self.unless and self.unless in features
        )


def _party_signer(b: CaseBuild, role: str, when: Any, **kwargs: Any) -> SignerInput:
    return SignerInput(role=role, name=b.party.representative, signed_at=when, **kwargs)


# --- 程序启动 ------------------------------------------------------------------------------------


def filing_approval(b: CaseBuild) -> None:
    not_filed = "not_filed" in b.plan.features
    received = b.day(Stage.INITIATION, 0)
    complaint = b.plan.source == "complaint"
    data: dict[str, Any] = {
        "source": b.plan.source,
        "received_on": received,
        "source_detail": (
            f"{received:%Y年%m月%d日}接群众电话举报（举报人要求保密），反映{b.party.name}存在违规使用医保基金问题。"
            if complaint
            else f"{received:%Y年%m月%d日}在医保基金日常监督检查及智能监控数据筛查中发现疑点。"
        ),
        "party": b.party.details,
        "facts": b.facts.replace("经查，", "初步核查，"),
        "handler_opinion": "当事人行为涉嫌违反"
        + b.violation.provision
        + ("，但初步核查发现不属于本局管辖范围，建议不予立案。" if not_filed else "，建议立案调查。"),
    }
    signers = [
        SignerInput(
            role=SignerRole.OFFICER,
            name=b.lead.full_name,
            person=b.lead,
            signed_at=b.at(Stage.INITIATION, 0, 10),
        )
    ]
    if b.plan.progress != 0:
        data.update(
            department_opinion=f"同意承办人意见。{b.head.full_name}",
            head_opinion="同意不予立案。" if not_filed else "同意立案，由承办人依法调查。",
            decision="not_file" if not_filed else "file",
            approved_on=b.day(Stage.INITIATION, 1),
        )
        signers.append(
            SignerInput(
                role=SignerRole.HEAD,
                name=b.demo.people["juzhang"].full_name,
                person=b.demo.people["juzhang"],
                signed_at=b.at(Stage.INITIATION, 1, 16),
            )
        )
    b.record("filing_approval", data, signers)


# --- 调查取证 ------------------------------------------------------------------------------------


def site_inspection(b: CaseBuild, *, stage: str = Stage.INVESTIGATION, followup: bool = False) -> None:
    start = b.at(stage, 0, 9, 30)
    place = b.party.address
    person_case = b.party.kind == PartyKind.PERSON
    if followup:
        findings = (
            f"回访复查：当事人已按行政处罚决定改正违法行为，{'、'.join(b.violation.items[:1])}等问题已整改；"
            "医保结算系统已设置非医保商品拦截，进销存台账与结算数据一致，未发现新的违规行为。"
        )
    elif person_case:
        place = f"{sc.COUNTY_OFFICE}询问室"
        findings = f"调取当事人医保结算记录，发现{b.period}期间结算异常：{b.violation.conduct}。"
    else:
        items = "；".join(b.violation.items)
        findings = (
            f"执法人员到达现场后表明身份，检查了当事人经营场所、医保结算系统和相关台账。现场发现：{items}。"
            f"经比对医保结算数据，{b.period}期间存在{b.violation.conduct}的情况。已对现场拍照、录像。"
        )
    data: dict[str, Any] = {
        "started_at": start,
        "ended_at": b.at(stage, 0, 11, 10),
        "place": place,
        "inspectors": b.officers(),
        "party": b.party.name,
        "party_details": b.party.details,
        "party_present": "present",
        "present_persons": (
            []
            if person_case
            else [
                {"name": b.party.representative, "number": "法定代表人"},
                {"name": b.party.staff_name, "number": "收银员"},
            ]
        ),
        "notice_to_party": "执法人员到达现场后电话通知当事人负责人到场，负责人于十分钟后到场。",
        "certificate_shown": True,
        "rights_told": True,
        "findings": findings,
        "party_statement": "对检查情况无异议。"
        if followup
        else "对检查发现的问题基本认可，称系店员操作不规范所致。",
        "party_signature": "signed",
    }
    signers = [
        *b.officer_signers(b.at(stage, 0, 11, 12)),
        _party_signer(b, SignerRole.PARTY, b.at(stage, 0, 11, 15)),
    ]
    b.record("site_inspection", data, signers, title="回访复查现场笔录" if followup else "")


def photos(b: CaseBuild, *, stage: str = Stage.INVESTIGATION, followup: bool = False) -> None:
    media = b.demo.media
    first = b.index % len(media.photos)
    chosen = [media.photos[first], media.photos[(first + 1) % len(media.photos)]]
    when = b.at(stage, 0, 9, 45)
    files = []
    for offset, path in enumerate(chosen):
        b.photo_count += 1
        files.append(
            FileInput(
                source=str(path),
                filename=f"IMG_{when:%Y%m%d}_{b.case.sequence:03d}{b.photo_count:02d}.jpg",
                caption=("整改后现场" if followup else "现场检查") + f"照片 {offset + 1}",
            )
        )
    data = {
        "description": "回访复查时现场整改情况"
        if followup
        else f"{b.party.name}经营场所现场检查情况，含货架、结算终端及库房",
        "taken_at": when,
        "location": b.party.address,
        "photographer": b.second.full_name,
        "device_no": "DSJ-640323002",
        "consent": "not_applicable",
    }
    b.media_record("photo", data, files)


def video(b: CaseBuild) -> None:
    start = b.at(Stage.INVESTIGATION, 0, 9, 28)
    data = {
        "description": "执法记录仪全程记录现场检查：表明身份、出示执法证件、告知权利义务、检查经过及当事人签字确认。",
        "recorded_at": start,
        "ended_at": b.at(Stage.INVESTIGATION, 0, 11, 16),
        "location": b.party.address,
        "device_no": "DSJ-640323001",
        "recorded_by": b.lead.full_name,
        "continuous": True,
        "consent": "not_applicable",
    }
    files = [
        FileInput(
            source=str(b.demo.media.video),
            filename=f"DSJ001_{start:%Y%m%d_%H%M%S}.mp4",
            caption="执法记录仪原始录像",
        )
    ]
    b.media_record("video", data, files)


def inquiry_notice(b: CaseBuild) -> None:
    addressee = b.party.representative
    data = {
        "document_no": b.doc_no("询通"),
        "addressee": addressee
        if b.party.kind == PartyKind.PERSON
        else f"{b.party.name}（法定代表人{addressee}）",
        "matters": f"就你（单位）{b.violation.title.removeprefix('涉嫌').removesuffix('案')}有关问题接受询问。",
        "inquiry_at": b.at(Stage.INVESTIGATION, 3, 9),
        "place": f"{sc.COUNTY_OFFICE}询问室",
        "materials": ["本人身份证原件及复印件", "营业执照副本复印件", f"{b.period}医保结算明细及进销存台账"],
        "officers": b.officers(),
        "contact_phone": sc.OFFICE_PHONE,
        "issued_on": b.day(Stage.INVESTIGATION, 1),
    }
    b.record(
        "inquiry_notice",
        data,
        [
            SignerInput(
                role=SignerRole.OFFICER,
                name=b.lead.full_name,
                person=b.lead,
                signed_at=b.at(Stage.INVESTIGATION, 1, 15),
            )
        ],
    )


def _transcript(b: CaseBuild, address_hint: str) -> str:
    name = b.party.representative
    return "\n".join(
        (
            f"问：我们是盐池县医疗保障局执法人员{b.lead.full_name}、{b.second.full_name}，这是我们的执法证件，请你过目。"
            "你是否看清楚？",
            "答：看清楚了。",
            "问：根据法律规定，你有申请执法人员回避的权利，也有如实回答询问、协助调查的义务。你是否申请回避？",
            "答：不申请回避。",
            "问：请介绍一下你的基本情况。",
            f"答：我叫{name}，{address_hint}。",
            f"问：{b.period}期间，你（单位）是否存在{b.violation.conduct}的情况？",
            "答：有这个情况，主要是为了方便顾客，没有想到违反医保规定。",
            "问：涉及的医保基金金额是多少？",
            f"答：具体金额以你们调取的结算数据为准，我认可{b.amount}元这个数字。",
            "问：你还有什么补充的吗？",
            "答：没有了，我愿意配合调查，尽快整改并退回医保基金。",
        )
    )


def inquiry(b: CaseBuild) -> None:
    start = b.at(Stage.INVESTIGATION, 3, 9, 5)
    person_case = b.party.kind == PartyKind.PERSON
    interviewee = b.party.representative
    interviewee_id = b.party.representative_id
    wrong, right = "住所地址为花马池镇永清路", f"住{b.party.address}"
    data: dict[str, Any] = {
        "started_at": start,
        "ended_at": b.at(Stage.INVESTIGATION, 3, 10, 20),
        "place": f"{sc.COUNTY_OFFICE}询问室",
        "inquirers": b.officers(),
        "recorder": b.second.full_name,
        "interviewee": interviewee,
        "interviewee_id": interviewee_id,
        "interviewee_details": (wrong if "correction" in b.plan.features else right)
        + f"，联系电话{b.party.phone}",
        "relation": "party" if person_case else "legal_representative",
        "certificate_shown": True,
        "rights_told": True,
        "transcript": _transcript(b, wrong if "correction" in b.plan.features else right),
        "confirmation": "self_read",
        "interviewee_statement": "以上笔录我看过，与我说的相符。",
        "signature": "signed",
    }
    signers = [
        *b.officer_signers(b.at(Stage.INVESTIGATION, 3, 10, 22)),
        SignerInput(
            role=SignerRole.INTERVIEWEE, name=interviewee, signed_at=b.at(Stage.INVESTIGATION, 3, 10, 25)
        ),
    ]
    level = Confidentiality.PRIVACY if "privacy" in b.plan.features else Confidentiality.NORMAL
    record = b.record("inquiry", data, signers, confidentiality=level)
    if "correction" in b.plan.features:
        fixed = dict(
            data, interviewee_details=f"{right}，联系电话{b.party.phone}", transcript=_transcript(b, right)
        )
        corrected = correct_record(
            actor=b.lead,
            record=record,
            data=fixed,
            reason="被询问人住址记录有误，经被询问人核对后更正为营业执照登记住所，被询问人已在更正处签名确认。",
            signers=[
                *b.officer_signers(b.at(Stage.INVESTIGATION, 4, 14)),
                SignerInput(
                    role=SignerRole.INTERVIEWEE,
                    name=interviewee,
                    signed_at=b.at(Stage.INVESTIGATION, 4, 14, 5),
                    note="核对更正内容后签名",
                ),
            ],
        )
        b.last["inquiry"] = corrected


def audio(b: CaseBuild) -> None:
    start = b.at(Stage.INVESTIGATION, 3, 9, 4)
    data = {
        "description": f"对{b.party.representative}询问过程的同步录音。",
        "recorded_at": start,
        "ended_at": b.at(Stage.INVESTIGATION, 3, 10, 21),
        "location": f"{sc.COUNTY_OFFICE}询问室",
        "device_no": "LY-640323001",
        "recorded_by": b.second.full_name,
        "consent": "not_applicable",
    }
    files = [
        FileInput(
            source=str(b.demo.media.audio), filename=f"REC_{start:%Y%m%d_%H%M}.m4a", caption="询问同步录音"
        )
    ]
    b.media_record("audio", data, files)


def preservation(b: CaseBuild) -> None:
    when = b.at(Stage.INVESTIGATION, 0, 10, 40)
    data = {
        "document_no": b.doc_no("先保"),
        "party": b.party.name,
        "reason": "上述物品及资料系证明当事人违法行为的重要证据，可能灭失或者以后难以取得。",
        "legal_basis": "《中华人民共和国行政处罚法》第五十六条",
        "items": list(b.violation.items),
        "storage_place": b.party.address,
        "storage_method": "on_site",
        "preserved_at": when,
        "handle_by": b.day(Stage.INVESTIGATION, 7),
        "av_recorded": True,
    }
    signers = [*b.officer_signers(when), _party_signer(b, SignerRole.PARTY, when)]
    b.record("evidence_preservation_notice", data, signers)


def coercive(b: CaseBuild) -> None:
    juzhang = b.demo.people["juzhang"]
    data = {
        "document_no": b.doc_no("强决"),
        "party": b.party.name,
        "measure": "seize",
        "reason": "当事人涉嫌转卖医保药品，为防止证据损毁、涉案药品继续流转，需扣押涉案药品。",
        "legal_basis": "《中华人民共和国行政强制法》第九条第（二）项、第十八条；"
        + sc.REGULATION
        + "第二十七条",
        "property_list": list(b.violation.items),
        "place": b.party.address,
        "starts_on": b.day(Stage.INVESTIGATION, 2),
        "period_days": 30,
        "remedies": f"如不服本决定，可在收到本决定书之日起六十日内向{sc.RECONSIDERATION_BODY}申请行政复议，"
        f"或者在六个月内向{sc.COURT}提起行政诉讼。",
        "decided_on": b.day(Stage.INVESTIGATION, 2),
    }
    when = b.at(Stage.INVESTIGATION, 2, 15)
    signers = [
        *b.officer_signers(when),
        SignerInput(role=SignerRole.HEAD, name=juzhang.full_name, person=juzhang, signed_at=when),
        _party_signer(
            b, SignerRole.PARTY, when, refused=True, note="当事人拒绝签名，已全程录像并由见证人见证"
        ),
        SignerInput(
            role=SignerRole.WITNESS, name=b.demo.faker.person_name(), signed_at=when, note="社区工作人员"
        ),
    ]
    b.record("coercive_measure_decision", data, signers)


def scan(b: CaseBuild) -> None:
    path = b.demo.media.scans[b.index % len(b.demo.media.scans)]
    data = {
        "description": f"{b.party.name}{b.period}医保结算明细及相关台账复印件，经当事人核对与原件一致。",
        "source": b.party.representative,
        "original_location": b.party.address,
        "pages": 3,
        "collected_on": b.day(Stage.INVESTIGATION, 1),
    }
    files = [
        FileInput(source=str(path), filename=f"SCAN_{b.case.sequence:03d}_01.jpg", caption="书证复印件扫描")
    ]
    level = (
        Confidentiality.COMMERCIAL_SECRET
        if b.party.kind == PartyKind.ORGANISATION
        else Confidentiality.PRIVACY
    )
    b.media_record("document_scan", data, files, confidentiality=level)


# --- 审查决定 ------------------------------------------------------------------------------------


def _evidence(b: CaseBuild) -> list[str]:
    return [
        "现场笔录1份",
        "现场照片及执法记录仪录像",
        f"{b.party.representative}询问笔录1份",
        "医保结算明细及台账复印件",
    ]


def _decision_text(b: CaseBuild) -> str:
    if b.fine:
        return f"1.责令改正违法行为；2.责令退回医保基金{b.amount}元；3.处罚款{b.fine}元。"
    return f"1.责令改正违法行为；2.责令退回医保基金{b.amount}元；3.暂停医疗费用联网结算6个月。"


def advance_notice(b: CaseBuild) -> None:
    data: dict[str, Any] = {
        "document_no": b.doc_no("罚告"),
        "party": b.party.name,
        "facts": b.facts,
        "evidence": _evidence(b),
        "legal_basis": f"违反{b.violation.provision}，依据{b.violation.basis}。",
        "proposed_decision": _decision_text(b),
        "rights": ["statement", "defence", "hearing"],
        "channel": f"可向本局{sc.FUND}书面或口头陈述申辩，联系人{b.lead.full_name}，电话{sc.OFFICE_PHONE}。",
        "deadline_days": 5,
        "issued_on": b.day(Stage.REVIEW, 0),
    }
    if b.fine:
        data["proposed_amount"] = b.fine
    signers = [
        SignerInput(
            role=SignerRole.OFFICER, name=b.lead.full_name, person=b.lead, signed_at=b.at(Stage.REVIEW, 0, 10)
        ),
        _party_signer(b, SignerRole.RECIPIENT, b.at(Stage.REVIEW, 0, 15)),
    ]
    b.record("advance_notice", data, signers)


def statement_defence(b: CaseBuild) -> None:
    data = {
        "held_at": b.at(Stage.REVIEW, 3, 14, 30),
        "place": f"{sc.COUNTY_OFFICE}会议室",
        "officers": b.officers(),
        "party": b.party.name,
        "speaker": f"{b.party.representative}（{'本人' if b.party.kind == PartyKind.PERSON else '法定代表人'}）",
        "form": "oral",
        "content": "对违法事实无异议，系初次违法，已主动退回部分医保基金并完成整改，请求从轻处罚。",
        "adoption": "partly",
        "review_reasons": "当事人主动退回部分基金、积极整改属实，依据裁量基准在法定幅度内从轻处罚；其他理由不予采纳。",
    }
    signers = [
        *b.officer_signers(b.at(Stage.REVIEW, 3, 15, 10)),
        _party_signer(b, SignerRole.PARTY, b.at(Stage.REVIEW, 3, 15, 12)),
    ]
    b.record("statement_defence", data, signers)


def hearing(b: CaseBuild) -> None:
    fazhi = b.demo.people["fazhi"]
    data = {
        "started_at": b.at(Stage.REVIEW, 7, 9),
        "ended_at": b.at(Stage.REVIEW, 7, 11, 30),
        "place": f"{sc.COUNTY_OFFICE}听证室",
        "public": True,
        "host": fazhi.full_name,
        "hearing_officers": [{"name": b.head.full_name, "number": b.head.certificate_no or ""}],
        "recorder": b.demo.people["dangan"].full_name,
        "investigators": b.officers(),
        "party_attendees": [
            {"name": b.party.representative, "number": "法定代表人"},
            {"name": b.demo.faker.person_name(), "number": "委托代理人（宁夏某律师事务所律师）"},
        ],
        "proceedings": "主持人宣布听证纪律和当事人权利义务；调查人员陈述违法事实、证据和处罚建议；"
        "当事人及其代理人对证据进行质证，对串换金额的计算方法提出异议；双方进行辩论。",
        "final_statements": "当事人：请求考虑已全部退回医保基金，从轻处罚。调查人员：坚持原处罚建议。",
    }
    when = b.at(Stage.REVIEW, 7, 11, 35)
    signers = [
        *b.officer_signers(when),
        _party_signer(b, SignerRole.PARTY, when),
        SignerInput(
            role=SignerRole.ATTENDEE, name=fazhi.full_name, person=fazhi, signed_at=when, note="听证主持人"
        ),
    ]
    b.record("hearing_record", data, signers)


def legal_review(b: CaseBuild) -> None:
    fazhi = b.demo.people["fazhi"]
    data = {
        "received_on": b.day(Stage.REVIEW, 8),
        "reviewers": [{"name": fazhi.full_name, "number": fazhi.certificate_no or ""}],
        "review_items": ["subject", "facts", "procedure", "law", "characterisation", "discretion"],
        "opinion_type": "agree",
        "opinion": "执法主体合法，事实清楚，证据确凿，程序合法，适用法律正确，处罚幅度符合本局行政处罚裁量基准，同意承办机构意见。",
        "issued_on": b.day(Stage.REVIEW, 10),
    }
    b.record(
        "legal_review_opinion",
        data,
        [
            SignerInput(
                role=SignerRole.REVIEWER,
                name=fazhi.full_name,
                person=fazhi,
                signed_at=b.at(Stage.REVIEW, 10, 16),
            )
        ],
    )


def collective(b: CaseBuild) -> None:
    people = b.demo.people
    attendees = [people["juzhang"], people["chenjing"], people["mayong"], people["fazhi"]]
    data = {
        "held_at": b.at(Stage.REVIEW, 11, 15),
        "place": f"{sc.COUNTY_OFFICE}三楼会议室",
        "host": people["juzhang"].full_name,
        "recorder": people["dangan"].full_name,
        "attendees": [
            {"name": p.full_name, "number": ("局长" if p.username == "juzhang" else "科长")}
            for p in attendees
        ],
        "case_report": f"承办人{b.lead.full_name}汇报：{b.facts}拟{_decision_text(b)}",
        "statements": "\n".join(
            (
                f"{people['chenjing'].full_name}：事实清楚，证据充分，同意承办人意见。",
                f"{people['mayong'].full_name}：同意，建议同时约谈当事人负责人。",
                f"{people['fazhi'].full_name}：法制审核已通过，处罚幅度符合裁量基准。",
                f"{people['juzhang'].full_name}：同意按承办人意见处理，按程序送达执行。",
            )
        ),
        "conclusion": f"经集体讨论，决定对当事人{_decision_text(b)}",
        "decision": "penalty",
    }
    when = b.at(Stage.REVIEW, 11, 16, 30)
    signers = [
        SignerInput(role=SignerRole.ATTENDEE, name=p.full_name, person=p, signed_at=when) for p in attendees
    ]
    b.record("collective_discussion", data, signers, actor=b.head if b.head in b.handlers else b.lead)


def penalty_decision(b: CaseBuild) -> None:
    juzhang = b.demo.people["juzhang"]
    kinds = ["fine", "confiscation"] if b.fine else ["other"]
    data: dict[str, Any] = {
        "document_no": b.case.number,
        "party": b.party.name,
        "party_details": b.party.details,
        "facts": b.facts,
        "evidence": _evidence(b),
        "statement_handling": "当事人在法定期限内进行了陈述申辩，本局复核后部分采纳。",
        "violated_provisions": b.violation.provision,
        "penalty_basis": b.violation.basis,
        "discretion": "当事人主动退回部分医保基金并积极整改，适用《宁夏回族自治区医疗保障行政处罚裁量基准》从轻处罚情形。",
        "penalty_kinds": kinds,
        "payment": "自收到本决定书之日起十五日内，持缴款通知书到指定银行缴纳罚款；医保基金退回至盐池县医疗保障基金专户。",
        "payment_days": 15,
        "reconsideration_body": sc.RECONSIDERATION_BODY,
        "reconsideration_days": 60,
        "court": sc.COURT,
        "litigation_months": 6,
        "decided_on": b.day(Stage.REVIEW, 12),
    }
    if b.fine:
        data["fine_amount"] = b.fine
        data["confiscation_amount"] = b.amount
    else:
        data["other_penalty"] = "责令退回医保基金，暂停其医疗费用联网结算6个月。"
    b.record(
        "penalty_decision",
        data,
        [
            SignerInput(
                role=SignerRole.HEAD,
                name=juzhang.full_name,
                person=juzhang,
                signed_at=b.at(Stage.REVIEW, 12, 17),
            )
        ],
    )


# --- 送达执行 ------------------------------------------------------------------------------------


def service_receipt(b: CaseBuild) -> None:
    lodged = "lodged" in b.plan.features
    when = b.at(Stage.SERVICE, 1, 10, 15)
    data: dict[str, Any] = {
        "document_name": "行政处罚决定书",
        "document_no": b.case.number,
        "method": "lodged" if lodged else "direct",
        "recipient": b.party.name,
        "served_at": when,
        "place": b.party.address,
        "servers": b.officers(),
    }
    signers = [
        SignerInput(role=SignerRole.SERVER, name=p.full_name, person=p, signed_at=when) for p in b.handlers
    ]
    if lodged:
        witness = b.demo.faker.person_name()
        data.update(
            reason="受送达人拒绝签收，执法人员邀请社区工作人员到场见证，将文书留置于受送达人住所并拍照录像。",
            refusal_note=f"{b.party.representative}以“对处罚金额有异议”为由拒绝签收，{when:%Y年%m月%d日}。",
            witnesses=[{"name": witness, "number": "花马池镇北塘社区工作人员"}],
        )
        signers += [
            _party_signer(b, SignerRole.RECIPIENT, when, refused=True, note="拒绝签收"),
            SignerInput(role=SignerRole.WITNESS, name=witness, signed_at=when),
        ]
    else:
        signers.append(_party_signer(b, SignerRole.RECIPIENT, when))
    b.record("service_receipt", data, signers)


# --- 结案归档 ------------------------------------------------------------------------------------


def closing_report(b: CaseBuild) -> None:
    ended = b.day(Stage.CLOSING, 0)
    data = {
        "summary": f"本案于{b.case.created_at:%Y年%m月%d日}立案，经调查取证、事先告知、陈述申辩，"
        f"于{b.day(Stage.REVIEW, 12):%Y年%m月%d日}作出行政处罚决定并依法送达。",
        "outcome": "performed",
        "performance": f"当事人已于{ended:%Y年%m月%d日}退回医保基金{b.amount}元"
        + (f"并缴纳罚款{b.fine}元" if b.fine else "")
        + "，违法行为已改正。",
        "action_ended_on": ended,
        "handler_opinion": "处罚决定已执行完毕，建议结案。",
        "head_opinion": "同意结案。",
        "reported_on": b.day(Stage.CLOSING, 1),
    }
    signers = [
        SignerInput(
            role=SignerRole.OFFICER,
            name=b.lead.full_name,
            person=b.lead,
            signed_at=b.at(Stage.CLOSING, 1, 10),
        ),
        SignerInput(
            role=SignerRole.HEAD, name=b.head.full_name, person=b.head, signed_at=b.at(Stage.CLOSING, 1, 16)
        ),
    ]
    b.record("closing_report", data, signers)


def archive_registration(b: CaseBuild) -> None:
    dangan = b.demo.people["dangan"]
    data = {
        "archive_no": f"YB{b.case.year}-XZCF-{b.case.sequence:04d}",
        "category": "行政处罚",
        "volume_no": f"{b.case.sequence:03d}",
        "volumes": 1,
        "page_count": 40 + b.index * 3,
        "retention": "30y",
        "action_started_on": b.case.created_at.date(),
        "action_ended_on": b.day(Stage.CLOSING, 0),
        "archivist": dangan.full_name,
        "archived_on": b.day(Stage.CLOSING, 5),
    }
    signers = [
        SignerInput(
            role=SignerRole.OFFICER,
            name=b.lead.full_name,
            person=b.lead,
            signed_at=b.at(Stage.CLOSING, 5, 10),
        )
    ]
    b.record("archive_registration", data, signers)


def followup_inspection(b: CaseBuild) -> None:
    site_inspection(b, stage=Stage.FOLLOWUP, followup=True)


def followup_photos(b: CaseBuild) -> None:
    photos(b, stage=Stage.FOLLOWUP, followup=True)


STEPS: dict[str, tuple[Step, ...]] = {
    Stage.INITIATION: (Step(filing_approval),),
    Stage.INVESTIGATION: (
        Step(site_inspection),
        Step(photos, unless="privacy"),
        Step(video, feature="video"),
        Step(preservation, feature="preservation"),
        Step(coercive, feature="coercive"),
        Step(inquiry_notice),
        Step(inquiry),
        Step(audio, feature="audio"),
        Step(scan, feature="scan"),
    ),
    Stage.REVIEW: (
        Step(advance_notice),
        Step(statement_defence),
        Step(hearing, feature="hearing"),
        Step(legal_review, feature="major"),
        Step(collective, feature="major"),
        Step(penalty_decision),
    ),
    Stage.SERVICE: (Step(service_receipt),),
    Stage.CLOSING: (Step(closing_report), Step(archive_registration)),
    Stage.FOLLOWUP: (Step(followup_inspection), Step(followup_photos)),
}

__all__ = ["STAGE_REASONS", "STEPS", "Step"]
