"""Demo records of 调查取证: on-site inspection with its photos and video, evidence preservation,
coercive measures, refusals, sampling, inquiry with its audio, scanned documents."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from liuhen.cases.models import Stage
from liuhen.demo.spec import cn_date
from liuhen.records.models import Confidentiality, SignerRole
from liuhen.records.services import FileInput, SignerInput, correct_record

if TYPE_CHECKING:
    from liuhen.demo.builder import CaseBuild

INV = Stage.INVESTIGATION


def on_site(b: CaseBuild) -> bool:
    """Organisations are inspected where they operate; a person only for a coercive measure or a
    planned site visit."""
    return not b.person_party or b.has("coercive") or b.has("site")


def _refused(b: CaseBuild) -> bool:
    return b.has("refused")


def site_inspection(b: CaseBuild) -> None:
    start = b.at(INV, 0, 9, 30)
    items = "；".join(b.violation.items)
    if b.person_party:
        findings = (
            f"在当事人住所发现：{items}。{'经比对医保结算数据' if b.violation.money == 'fund' else '经现场检查'}，"
            f"{b.period}期间存在{b.violation.conduct}的情况。"
        )
    else:
        findings = (
            f"执法人员到达现场后表明身份，检查了当事人经营场所及相关台账资料。现场发现：{items}。"
            f"经比对，{b.period}期间存在{b.violation.conduct}的情况。已对现场拍照、录像。"
        )
    refused = _refused(b)
    data: dict[str, Any] = {
        "started_at": start,
        "ended_at": b.at(INV, 0, 11, 10),
        "place": b.party.address,
        "inspectors": b.officers(),
        "party": b.party.name,
        "party_details": b.party.details,
        "party_present": "refused" if refused else "present",
        "present_persons": (
            [{"name": b.party.representative, "number": "当事人本人"}]
            if b.person_party
            else [
                {"name": b.party.representative, "number": "法定代表人（负责人）"},
                {"name": b.party.staff_name, "number": "从业人员"},
            ]
        ),
        "notice_to_party": "执法人员到达现场后电话通知当事人负责人到场，负责人于十分钟后到场。",
        "certificate_shown": True,
        "rights_told": True,
        "findings": findings,
        "party_signature": "refused" if refused else "signed",
    }
    signers = b.officer_signers(b.at(INV, 0, 11, 12))
    if refused:
        data.update(
            findings="当事人负责人到场后拒绝接受检查，阻拦执法人员进入，拒绝提供相关资料。执法人员在社区工作人员见证下"
            f"对可进入区域进行了检查并全程录像，发现：{items}。",
            witnesses=[{"name": b.witness, "number": "社区工作人员"}],
            refusal_note="当事人拒绝在笔录上签名，已由见证人签名并全程录像。",
        )
        signers += [
            b.party_signer(SignerRole.PARTY, b.at(INV, 0, 11, 15), refused=True, note="拒绝签名"),
            SignerInput(role=SignerRole.WITNESS, name=b.witness, signed_at=b.at(INV, 0, 11, 16)),
        ]
    else:
        data["party_statement"] = "对检查情况无异议，认可检查发现的问题。"
        signers.append(b.party_signer(SignerRole.PARTY, b.at(INV, 0, 11, 15)))
    b.record("site_inspection", data, signers)


def av_consent(b: CaseBuild) -> None:
    """Before recording inside a home: the party told, and consenting (YC 第六条, HY-JL 第二十一条)."""
    when = b.at(INV, 0, 9, 20)
    data = {
        "told_at": when,
        "party": b.party.name,
        "activity": "在当事人住所内进行现场检查并使用执法记录仪录像",
        "party_told": True,
        "secrets": ["privacy"],
        "consent": "consented",
    }
    b.record(
        "av_consent",
        data,
        [b.lead_signer(when), b.party_signer(SignerRole.PARTY, when)],
        confidentiality=Confidentiality.PRIVACY,
    )


def photos(b: CaseBuild) -> None:
    when = b.at(INV, 0, 9, 45)
    data = {
        "description": f"{b.party.name}现场检查情况：{'、'.join(b.violation.scenes)}",
        "taken_at": when,
        "location": b.party.address,
        "photographer": b.second.full_name,
        "device_no": b.device(2),
        "scenario": "landmark",
        "consent": "not_applicable",
    }
    b.av("photo", data, b.photo_files(when, "现场检查照片"), document=b.last["site_inspection"])


def site_video(b: CaseBuild) -> None:
    start = b.at(INV, 0, 9, 28)
    privacy = b.has("privacy")
    data = {
        "description": "执法记录仪全程记录现场检查：表明身份、出示执法证件、告知权利义务、检查必查区域、"
        "通报检查情况及当事人签字确认。",
        "recorded_at": start,
        "ended_at": b.at(INV, 0, 11, 16),
        "location": b.party.address,
        "device_no": b.device(1),
        "recorded_by": b.lead.full_name,
        "continuous": True,
        "scenario": "must_check",
        "consent": "consented" if privacy else "not_applicable",
    }
    b.av(
        "video",
        data,
        [b.video_file(start, "执法记录仪现场检查原始录像")],
        document=b.last["site_inspection"],
        confidentiality=Confidentiality.PRIVACY if privacy else Confidentiality.NORMAL,
    )


def video_late(b: CaseBuild) -> None:
    """A recorder video stored in the system long after it was made (WD 第二十二条: 24 hours)."""
    start = b.at(INV, 0, 9, 29)
    data = {
        "description": "执法记录仪现场检查录像（执法人员检查后未及时导出，事后补传）。",
        "recorded_at": start,
        "ended_at": b.at(INV, 0, 11, 14),
        "location": b.party.address,
        "device_no": b.device(3),
        "recorded_by": b.second.full_name,
        "continuous": True,
        "scenario": "must_check",
        "consent": "not_applicable",
    }
    b.record("video", b.kept(data), [], files=[b.video_file(start, "执法记录仪原始录像（补传）")])


def preservation(b: CaseBuild) -> None:
    when = b.at(INV, 0, 10, 40)
    data = {
        "document_no": b.doc_no("先保"),
        "party": b.party.name,
        "reason": "上述物品及资料系证明当事人违法行为的重要证据，可能灭失或者以后难以取得。",
        "legal_basis": "《中华人民共和国行政处罚法》第五十六条",
        "items": list(b.violation.items),
        "storage_place": b.party.address,
        "storage_method": "on_site",
        "preserved_at": when,
        "handle_by": b.day(INV, 7),
        "av_recorded": True,
    }
    signers = [*b.officer_signers(when), b.party_signer(SignerRole.PARTY, when)]
    notice = b.record("evidence_preservation_notice", data, signers)
    start = b.at(INV, 0, 10, 35)
    video = {
        "description": "先行登记保存全过程录像：清点、登记、封存证据及当事人签字。",
        "recorded_at": start,
        "ended_at": b.at(INV, 0, 10, 58),
        "location": b.party.address,
        "device_no": b.device(1),
        "recorded_by": b.second.full_name,
        "continuous": True,
        "scenario": "preservation",
        "consent": "not_applicable",
    }
    b.av("video", video, [b.video_file(start, "先行登记保存过程录像")], document=notice)


def coercive(b: CaseBuild) -> None:
    data = {
        "document_no": b.doc_no("强决"),
        "party": b.party.name,
        "measure": "seize",
        "reason": "当事人涉嫌违法，为防止证据损毁、涉案物品继续流转，需扣押涉案物品。",
        "legal_basis": "《中华人民共和国行政强制法》第九条第（二）项、第十八条；《医疗保障基金使用监督管理条例》第二十七条",
        "property_list": list(b.violation.items),
        "place": b.party.address,
        "starts_on": b.day(INV, 2),
        "period_days": 30,
        "remedies": f"如不服本决定，可在收到本决定书之日起六十日内向{b.spec.reconsideration_body}申请行政复议，"
        f"或者在六个月内向{b.spec.court}提起行政诉讼。",
        "decided_on": b.day(INV, 2),
    }
    when = b.at(INV, 2, 15)
    signers = [
        *b.officer_signers(when),
        b.head_signer(when),
        b.party_signer(SignerRole.PARTY, when, refused=True, note="当事人拒绝签名，已全程录像并由见证人见证"),
        SignerInput(role=SignerRole.WITNESS, name=b.witness, signed_at=when, note="社区工作人员"),
    ]
    decision = b.record("coercive_measure_decision", data, signers)
    listed = b.at(INV, 2, 15, 30)
    b.record(
        "property_list",
        {
            "related_document_no": data["document_no"],
            "party": b.party.name,
            "items": list(b.violation.items),
            "place": b.party.address,
            "listed_at": listed,
            "party_signature": "refused",
        },
        [
            *b.officer_signers(listed),
            b.party_signer(SignerRole.PARTY, listed, refused=True, note="拒绝签名"),
            SignerInput(role=SignerRole.WITNESS, name=b.witness, signed_at=listed),
        ],
    )
    start = b.at(INV, 2, 14, 50)
    video = {
        "description": "实施扣押全过程录像：宣读决定、清点财物、当事人拒绝签名及见证人见证。",
        "recorded_at": start,
        "ended_at": b.at(INV, 2, 15, 40),
        "location": b.party.address,
        "device_no": b.device(1),
        "recorded_by": b.second.full_name,
        "continuous": True,
        "scenario": "coercive_measure",
        "consent": "consented" if b.has("privacy") else "not_applicable",
    }
    level = Confidentiality.PRIVACY if b.has("privacy") else Confidentiality.NORMAL
    b.av(
        "video",
        video,
        [b.video_file(start, "实施行政强制措施录像")],
        document=decision,
        confidentiality=level,
    )


def refusal_record(b: CaseBuild) -> None:
    when = b.at(INV, 0, 9, 40)
    data = {
        "occurred_at": when,
        "place": b.party.address,
        "officers": b.officers(),
        "party": b.party.name,
        "refused": ["inspection", "documents", "signing"],
        "details": f"执法人员表明身份、出示执法证件后，当事人负责人{b.party.representative}拒绝执法人员进入经营区域，"
        "拒绝提供相关资料，并拒绝在现场笔录上签名，经说服教育无效。",
        "witnesses": [{"name": b.witness, "number": "社区工作人员"}],
        "av_recorded": True,
        "av_reference": f"执法记录仪{b.device(1)}，{cn_date(when)}现场检查录像",
        "long_term_preservation": not b.has("no_long_term"),
    }
    signers = [
        *b.officer_signers(b.at(INV, 0, 11, 20)),
        SignerInput(role=SignerRole.WITNESS, name=b.witness, signed_at=b.at(INV, 0, 11, 21)),
    ]
    b.record("refusal_record", data, signers)


def sampling(b: CaseBuild) -> None:
    when = b.at(INV, 0, 10, 20)
    data = {
        "sampled_at": when,
        "place": b.party.address,
        "samplers": b.officers(),
        "party": b.party.name,
        "items": [f"{item}（抽样）" for item in b.violation.items[:2]],
        "method": "按照《医疗机构消毒技术规范》无菌采样，样品现场封存后送检。",
        "sealed": True,
        "original_unavailable": False,
        "testing_body": f"{b.spec.locality.city}疾病预防控制中心",
        "party_signature": "signed",
    }
    signers = [
        *b.officer_signers(b.at(INV, 0, 10, 45)),
        b.party_signer(SignerRole.PARTY, b.at(INV, 0, 10, 46)),
    ]
    record = b.record("sampling_record", data, signers)
    if b.spec.media_inline:
        b.attach(record, [b.video_file(when, "抽样过程录像")])
        return
    # PL 第十条: sampling is recorded on video as such (AV of its own scenario, not the site video).
    video = {
        "description": "抽样取证全过程录像：采样、封样及当事人签字。",
        "recorded_at": when,
        "ended_at": b.at(INV, 0, 10, 44),
        "location": b.party.address,
        "device_no": b.device(1),
        "recorded_by": b.second.full_name,
        "continuous": True,
        "scenario": "sampling",
        "consent": "not_applicable",
    }
    b.av("video", video, [b.video_file(when, "抽样过程录像")], document=record)


def inquiry_notice(b: CaseBuild) -> None:
    addressee = b.party.representative
    data = {
        "document_no": b.doc_no("询通"),
        "addressee": addressee if b.person_party else f"{b.party.name}（法定代表人{addressee}）",
        "matters": f"就你（单位）{b.violation.title.removeprefix('涉嫌').removesuffix('案')}有关问题接受询问。",
        "inquiry_at": b.at(INV, 3, 9),
        "place": f"{b.office}询问室",
        "materials": [
            "本人身份证原件及复印件",
            "营业执照（或执业许可证）副本复印件",
            f"{b.period}相关台账及票据",
        ],
        "officers": b.officers(),
        "contact_phone": b.spec.phone,
        "issued_on": b.day(INV, 1),
    }
    b.record("inquiry_notice", data, [b.lead_signer(b.at(INV, 1, 15))])


def _transcript(b: CaseBuild, address_hint: str) -> str:
    name = b.party.representative
    lines = [
        f"问：我们是{b.spec.name}执法人员{b.lead.full_name}、{b.second.full_name}，这是我们的执法证件，请你过目。"
        "你是否看清楚？",
        "答：看清楚了。",
        "问：根据法律规定，你有申请执法人员回避的权利，也有如实回答询问、协助调查的义务。你是否申请回避？",
        "答：不申请回避。",
        "问：请介绍一下你的基本情况。",
        f"答：我叫{name}，{address_hint}。",
        f"问：{b.period}期间，你（单位）是否存在{b.violation.conduct}的情况？",
        f"答：{b.violation.answer}",
    ]
    if b.violation.money == "fund":
        lines += [
            "问：涉及的医保基金金额是多少？",
            f"答：具体金额以你们调取的结算数据为准，我认可{b.amount}元这个数字。",
        ]
    elif b.violation.money == "income":
        lines += ["问：你从事上述活动共收取了多少费用？", f"答：大概{b.amount}元，有记账本可以核对。"]
    lines += ["问：你还有什么补充的吗？", "答：没有了，我愿意配合调查，尽快整改。"]
    return "\n".join(lines)


def inquiry(b: CaseBuild) -> None:
    start = b.at(INV, 3, 9, 5)
    interviewee = b.party.representative
    correction = b.has("correction")
    wrong, right = f"住所地址为{b.spec.locality.seat}永清路", f"住{b.party.address}"
    data: dict[str, Any] = {
        "started_at": start,
        "ended_at": b.at(INV, 3, 10, 20),
        "place": f"{b.office}询问室",
        "inquirers": b.officers(),
        "recorder": b.second.full_name,
        "interviewee": interviewee,
        "interviewee_id": b.party.representative_id,
        "interviewee_details": (wrong if correction else right) + f"，联系电话{b.party.phone}",
        "relation": "party" if b.person_party else "legal_representative",
        "certificate_shown": True,
        "rights_told": True,
        "transcript": _transcript(b, wrong if correction else right),
        "confirmation": "self_read",
        "interviewee_statement": "以上笔录我看过，与我说的相符。",
        "signature": "signed",
    }
    signers = [
        *b.officer_signers(b.at(INV, 3, 10, 22)),
        SignerInput(role=SignerRole.INTERVIEWEE, name=interviewee, signed_at=b.at(INV, 3, 10, 25)),
    ]
    level = Confidentiality.PRIVACY if b.has("privacy") else Confidentiality.NORMAL
    record = b.record("inquiry", data, signers, confidentiality=level)
    if correction:
        fixed = dict(
            data, interviewee_details=f"{right}，联系电话{b.party.phone}", transcript=_transcript(b, right)
        )
        b.last["inquiry"] = correct_record(
            actor=b.lead,
            record=record,
            data=fixed,
            reason="被询问人住址记录有误，经被询问人核对后更正为营业执照登记住所，被询问人已在更正处签名确认。",
            signers=[
                *b.officer_signers(b.at(INV, 4, 14)),
                SignerInput(
                    role=SignerRole.INTERVIEWEE,
                    name=interviewee,
                    signed_at=b.at(INV, 4, 14, 5),
                    note="核对更正内容后签名",
                ),
            ],
        )


def inquiry_av(b: CaseBuild) -> None:
    start = b.at(INV, 3, 9, 4)
    data = {
        "description": f"对{b.party.representative}询问过程的同步录音。",
        "recorded_at": start,
        "ended_at": b.at(INV, 3, 10, 21),
        "location": f"{b.office}询问室",
        "device_no": b.device(11),
        "recorded_by": b.second.full_name,
        "scenario": "inquiry",
        "consent": "not_applicable",
    }
    level = Confidentiality.PRIVACY if b.has("privacy") else Confidentiality.NORMAL
    b.av(
        "audio",
        data,
        [b.audio_file(start, "询问同步录音")],
        document=b.last["inquiry"],
        confidentiality=level,
    )


def photo_refused(b: CaseBuild) -> None:
    """A photo of the party taken although they refused on privacy grounds (YC 第六条 forbids it)."""
    when = b.at(INV, 3, 9, 10)
    data = {
        "description": "询问时拍摄的当事人正面照片。当事人以涉及个人隐私为由明确表示不同意拍照，执法人员仍进行了拍摄。",
        "taken_at": when,
        "location": f"{b.office}询问室",
        "photographer": b.second.full_name,
        "device_no": b.device(2),
        "scenario": "inquiry",
        "consent": "refused",
    }
    b.record(
        "photo",
        b.kept(data),
        [],
        confidentiality=Confidentiality.PRIVACY,
        files=b.photo_files(when, "询问现场照片")[:1],
    )


def scan(b: CaseBuild) -> None:
    scans = b.agency.media.scans[b.spec.pack]
    path = scans[b.index % len(scans)]
    data = {
        "description": f"{b.party.name}{b.period}相关台账及票据复印件，经当事人核对与原件一致。",
        "source": b.party.representative,
        "original_location": b.party.address,
        "pages": 3,
        "collected_on": b.day(INV, 1),
    }
    files = [
        FileInput(source=str(path), filename=f"SCAN_{b.case.sequence:03d}_01.jpg", caption="书证复印件扫描")
    ]
    level = Confidentiality.PRIVACY if b.person_party else Confidentiality.COMMERCIAL_SECRET
    b.record("document_scan", data, [], confidentiality=level, files=files)


__all__ = [
    "av_consent",
    "coercive",
    "inquiry",
    "inquiry_av",
    "inquiry_notice",
    "on_site",
    "photo_refused",
    "photos",
    "preservation",
    "refusal_record",
    "sampling",
    "scan",
    "site_inspection",
    "site_video",
    "video_late",
]
