"""The record-type catalogue: loading, checking the data file, and validating record content."""

from __future__ import annotations

import json
import re
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from liuhen.cases.models import Stage
from liuhen.records.catalogue import (
    FIELD_TYPES,
    CatalogueError,
    FieldSpec,
    RecordDataError,
    RecordType,
    UnknownRecordType,
    catalogue,
    load_catalogue,
    validate_record_data,
)
from liuhen.records.models import SignerRole

CODES = {
    "filing_approval",
    "site_inspection",
    "inquiry",
    "inquiry_notice",
    "evidence_preservation_notice",
    "coercive_measure_decision",
    "advance_notice",
    "statement_defence",
    "hearing_record",
    "collective_discussion",
    "legal_review_opinion",
    "penalty_decision",
    "service_receipt",
    "closing_report",
    "archive_registration",
    "photo",
    "audio",
    "video",
    "document_scan",
}
# Record types added for issue #3 (the complete catalogue), with the stage each belongs to.
NEW_CODES = {
    "annual_inspection_plan": Stage.PREPARATION,
    "inspection_notice": Stage.PREPARATION,
    "case_analysis_minutes": Stage.PREPARATION,
    "investigation_plan": Stage.PREPARATION,
    "expert_opinion": Stage.PREPARATION,
    "case_source_registration": Stage.INITIATION,
    "complaint_registration": Stage.INITIATION,
    "not_filing_approval": Stage.INITIATION,
    "complainant_notice": Stage.INITIATION,
    "transfer_letter": Stage.INITIATION,
    "criminal_referral": Stage.INITIATION,
    "sampling_record": Stage.INVESTIGATION,
    "property_list": Stage.INVESTIGATION,
    "assistance_letter": Stage.INVESTIGATION,
    "appraisal_commission": Stage.INVESTIGATION,
    "appraisal_opinion": Stage.INVESTIGATION,
    "refusal_record": Stage.INVESTIGATION,
    "av_consent": Stage.INVESTIGATION,
    "waiver_record": Stage.REVIEW,
    "hearing_notice": Stage.REVIEW,
    "hearing_application": Stage.REVIEW,
    "investigation_report": Stage.REVIEW,
    "no_penalty_decision": Stage.REVIEW,
    "mailing_receipt": Stage.SERVICE,
    "public_notice_service": Stage.SERVICE,
    "performance_record": Stage.SERVICE,
    "enforcement_application": Stage.SERVICE,
    "rectification_report": Stage.FOLLOWUP,
    "reinspection_record": Stage.FOLLOWUP,
    "file_index": Stage.CLOSING,
    "disclosure_record": Stage.SERVICE,  # added with the HY-GS policy-pack rules
    "case_file_handover": Stage.REVIEW,  # HY-FS annex (LR-2)
    "decision_filing": Stage.SERVICE,  # HY-FS art. 12 (LR-8)
}
CODES |= set(NEW_CODES)
REQUIREMENTS_MD = Path(__file__).resolve().parents[4] / "shared" / "REQUIREMENTS.md"


def _sample_value(rtype: RecordType, name: str) -> Any:
    spec = rtype.field(name)
    low = int(spec.min) if spec.min is not None else 1
    return {
        "text": "样例",
        "textarea": "样例内容\n第二行",
        "date": "2024-05-06",
        "datetime": "2024-05-06T09:30",
        "integer": max(low, 1),
        "decimal": "1.5",
        "money": "1000",
        "choice": spec.choices[0][0] if spec.choices else "",
        "multichoice": [spec.choices[0][0]] if spec.choices else [],
        "boolean": True,
        "person_list": [f"人员{i} 6400000000000{i}" for i in range(max(low, 1))],
        "list": [f"项目{i}" for i in range(max(low, 1))],
    }[spec.type]


def _minimal(rtype: RecordType) -> dict[str, Any]:
    """The required fields, plus the conditionally required ones whose condition the samples meet."""
    data = {spec.name: _sample_value(rtype, spec.name) for spec in rtype.fields if spec.required}
    for spec in rtype.fields:
        if spec.required_if:
            trigger, values = spec.required_if
            held = data.get(trigger)
            if any(item in values for item in (held if isinstance(held, list) else [held])):
                data[spec.name] = _sample_value(rtype, spec.name)
    return data


# --- the built-in catalogue ----------------------------------------------------------------------


def test_catalogue_has_every_code_and_is_cached() -> None:
    cat = catalogue()
    assert {rtype.code for rtype in cat.all()} == CODES
    assert len(cat) == len(CODES)  # codes are unique: one entry each
    assert catalogue() is cat
    assert "inquiry" in cat
    assert "nonexistent" not in cat
    assert cat.get("inquiry").name == "询问笔录"


def test_unknown_code_raises_keyerror_with_chinese_message() -> None:
    with pytest.raises(UnknownRecordType) as exc:
        catalogue().get("nonexistent")
    assert isinstance(exc.value, KeyError)
    assert isinstance(exc.value, CatalogueError)
    assert str(exc.value) == "未知的记录类型：nonexistent"


@pytest.mark.parametrize("code", sorted(CODES))
def test_each_type_is_well_formed(code: str) -> None:
    rtype = catalogue().get(code)
    assert rtype.stage in Stage.values
    assert rtype.kind in ("text", "media")
    assert re.search(r"[\u4e00-\u9fff]", rtype.name)
    assert rtype.requirements and rtype.citations
    assert all(role in SignerRole.values for role in rtype.signers)
    for spec in rtype.fields:
        assert spec.type in FIELD_TYPES
        assert re.search(r"[\u4e00-\u9fff]", spec.label), spec.name
    # A record with only the required fields filled in is accepted and is JSON-serialisable.
    cleaned = validate_record_data(rtype, _minimal(rtype))
    json.dumps(cleaned, ensure_ascii=False)


def test_requirement_ids_exist_in_requirements_md() -> None:
    if not REQUIREMENTS_MD.exists():
        pytest.skip("shared/REQUIREMENTS.md is not beside the repository")
    known = set(re.findall(r"^- ([A-Z]{2}-\d+) ", REQUIREMENTS_MD.read_text("utf-8"), flags=re.MULTILINE))
    cited = {req for rtype in catalogue().all() for req in rtype.requirements}
    assert cited <= known, cited - known


@pytest.mark.parametrize(
    ("code", "requirement"),
    [
        ("filing_approval", "IN-4"),
        ("site_inspection", "IV-2"),
        ("inquiry", "IV-3"),
        ("advance_notice", "DC-1"),
        ("penalty_decision", "DC-6"),
        ("service_receipt", "SV-1"),
        ("closing_report", "AR-1"),
        ("archive_registration", "AR-2"),
        ("annual_inspection_plan", "ST-3"),
        ("inspection_notice", "ST-3"),
        ("case_analysis_minutes", "IN-5"),
        ("investigation_plan", "IN-5"),
        ("expert_opinion", "IN-5"),
        ("complaint_registration", "IN-3"),
        ("not_filing_approval", "IN-3"),
        ("complainant_notice", "IN-3"),
        ("transfer_letter", "IN-4"),
        ("criminal_referral", "IN-4"),
        ("sampling_record", "IV-6"),
        ("property_list", "IV-4"),
        ("assistance_letter", "IV-5"),
        ("appraisal_commission", "IV-5"),
        ("appraisal_opinion", "IV-5"),
        ("refusal_record", "IV-7"),
        ("av_consent", "AV-3"),
        ("waiver_record", "DC-1"),
        ("hearing_notice", "DC-2"),
        ("hearing_application", "DC-2"),
        ("investigation_report", "DC-4"),
        ("no_penalty_decision", "DC-6"),
        ("mailing_receipt", "SV-3"),
        ("public_notice_service", "SV-5"),
        ("performance_record", "SV-6"),
        ("enforcement_application", "SV-7"),
        ("rectification_report", "FU-1"),
        ("reinspection_record", "FU-1"),
        ("file_index", "AR-1"),
        ("case_file_handover", "LR-2"),
        ("decision_filing", "LR-8"),
        ("investigation_report", "LR-1"),
        ("video", "RT-2"),
    ],
)
def test_types_cite_their_requirement(code: str, requirement: str) -> None:
    assert requirement in catalogue().get(code).requirements


def test_media_types() -> None:
    cat = catalogue()
    expected = {
        "photo": ("image/",),
        "audio": ("audio/",),
        "video": ("video/",),
        "document_scan": ("image/", "application/pdf"),
    }
    for code, prefixes in expected.items():
        rtype = cat.get(code)
        assert rtype.is_media and rtype.media == prefixes
        assert rtype.field("description").type == "textarea"
        assert validate_record_data(rtype, {"description": "现场照片"}) == {"description": "现场照片"}
    for code in ("audio", "video"):
        fields = {spec.name: spec for spec in cat.get(code).fields}
        assert fields["recorded_at"].type == "datetime" and not fields["recorded_at"].required
        assert not fields["location"].required and not fields["device_no"].required
    assert cat.get("document_scan").accepts("application/pdf")
    assert not cat.get("photo").accepts("video/mp4")
    assert all(not rtype.media for rtype in cat.all() if rtype.kind == "text")


def test_for_stage_partitions_the_catalogue() -> None:
    cat = catalogue()
    by_stage = [rtype for stage in Stage.values for rtype in cat.for_stage(stage)]
    assert sorted(rtype.code for rtype in by_stage) == sorted(CODES)
    assert {rtype.code for rtype in cat.for_stage(Stage.SERVICE)} == {
        "service_receipt",
        "mailing_receipt",
        "public_notice_service",
        "performance_record",
        "enforcement_application",
        "disclosure_record",
        "decision_filing",
    }
    assert {rtype.code for rtype in cat.for_stage(Stage.FOLLOWUP)} == {
        "rectification_report",
        "reinspection_record",
    }
    assert "penalty_decision" in {rtype.code for rtype in cat.for_stage(Stage.REVIEW)}


def test_key_field_lists() -> None:
    """The fields the regulations name are there (IV-2, IV-3, DC-1, DC-6, SV-1, AR-2)."""
    cat = catalogue()

    def names(code: str) -> set[str]:
        return {spec.name for spec in cat.get(code).fields}

    assert {"started_at", "ended_at", "place", "inspectors", "party", "findings", "witnesses"} <= names(
        "site_inspection"
    )
    assert {"inquirers", "interviewee", "relation", "transcript", "confirmation"} <= names("inquiry")
    assert {"proposed_decision", "facts", "evidence", "legal_basis", "rights", "deadline_days"} <= names(
        "advance_notice"
    )
    assert {"penalty_kinds", "fine_amount", "payment", "reconsideration_body", "court"} <= names(
        "penalty_decision"
    )
    assert {"document_name", "method", "recipient", "served_at", "servers", "refusal_note"} <= names(
        "service_receipt"
    )
    methods = cat.get("service_receipt").field("method").choice_labels
    assert list(methods.values()) == [
        "直接送达",
        "留置送达",
        "邮寄送达",
        "委托送达",
        "转交送达",
        "公告送达",
        "电子送达",
    ]
    assert {"volume_no", "page_count", "retention", "archivist", "archived_on"} <= names(
        "archive_registration"
    )


@pytest.mark.parametrize(("code", "stage"), sorted(NEW_CODES.items()))
def test_st1_new_types_sit_in_their_stage(code: str, stage: str) -> None:
    rtype = catalogue().get(code)
    assert rtype.stage == stage
    assert rtype.kind == "text" and rtype.signers
    # Every citation names a regulation of shared/regulations/README.md and an article.
    for citation in rtype.citations:
        assert re.fullmatch(r"(YC|HY-GS|HY-JL|HY-FS|PL|WD|BX) 第[一二三四五六七八九十]+条.*", citation), (
            citation
        )


def test_new_type_field_lists() -> None:
    """The fields the articles name (IN-3, IN-5, IV-7, AV-3, DC-4, SV-3, SV-5, SV-6, SV-7, FU-1, AR-1)."""
    cat = catalogue()

    def specs(code: str) -> dict[str, FieldSpec]:
        return {spec.name: spec for spec in cat.get(code).fields}

    analysis = specs("case_analysis_minutes")
    assert {"attendees", "statements", "conclusion"} <= set(analysis)
    plan = specs("investigation_plan")
    assert plan["roles"].type == "person_list" and plan["roles"].required
    assert {"proven_facts", "unproven_facts", "evidence_held", "evidence_needed"} <= set(plan)
    complaint = specs("complaint_registration")
    assert {"complainant", "contact", "content", "received_at", "channel"} <= set(complaint)
    assert complaint["identity"].choice_labels == {"named": "具名", "anonymous": "匿名"}
    assert specs("not_filing_approval")["reasons"].required
    assert {"receiving_agency", "reason"} <= set(specs("transfer_letter"))
    assert specs("property_list")["items"].type == "list"
    refusal = specs("refusal_record")
    assert {"refused", "witnesses", "av_recorded", "av_reference"} <= set(refusal)
    consent = specs("av_consent")
    assert consent["party_told"].type == "boolean" and consent["party_told"].required
    assert set(consent["consent"].choice_labels) == {"not_applicable", "consented", "refused"}
    assert {"military", "commercial", "technical", "privacy"} <= set(consent["secrets"].choice_labels)
    report = specs("investigation_report")
    assert {"facts", "evidence", "penalty_basis", "discretion_benchmark", "proposed_penalty_kinds"} <= set(
        report
    )
    assert report["fine_amount"].type == report["confiscation_amount"].type == "money"
    assert report["party_kind"].choice_labels == {"person": "自然人", "organisation": "法人或其他组织"}
    assert specs("hearing_application")["applied_on"].type == "date"
    mail = specs("mailing_receipt")
    assert mail["tracking_no"].required and mail["returned"].type == "boolean"
    assert {"posted_at", "delivered_at", "return_reason"} <= set(mail)
    notice = specs("public_notice_service")
    assert {"reason", "medium", "published_on", "period_days", "evidence_items"} <= set(notice)
    assert notice["evidence_items"].min == 1
    performance = specs("performance_record")
    assert performance["paid_amount"].type == "money" and {"paid_on", "voucher"} <= set(performance)
    assert {"court", "applied_on"} <= set(specs("enforcement_application"))
    reinspection = specs("reinspection_record")
    assert list(reinspection["grade"].choice_labels) == ["light", "general", "serious"]
    assert reinspection["rectified"].type == reinspection["new_case_needed"].type == "boolean"
    assert specs("file_index")["entries"].type == "list"


def test_extended_existing_types_stay_backward_compatible() -> None:
    """SV-1..5 and art. 61 on 送达回证, party kind on 决定书, AV-1/AV-3/AV-8 on media; nothing newly required."""
    cat = catalogue()
    receipt = {spec.name: spec for spec in cat.get("service_receipt").fields}
    assert receipt["served_at"].type == "datetime" and receipt["party_absent"].type == "boolean"
    assert {"recipient_signed", "refusal_note", "witnesses", "av_reference", "tracking_no"} <= set(receipt)
    assert {"entrusted_agency", "public_notice_ref"} <= set(receipt)
    decision = {spec.name: spec for spec in cat.get("penalty_decision").fields}
    assert decision["party_kind"].type == "choice" and not decision["party_kind"].required
    for code in ("photo", "audio", "video"):
        fields = {spec.name: spec for spec in cat.get(code).fields}
        assert fields["recorded_at"].type == "datetime"
        # YC art. 5, items (1)-(14) ("other" last), plus the full-AV activities of the other packs
        # (先行登记保存, 强制措施, 陈述申辩, 听证, 送达, 合议: issue 5 AV rules) — codes never removed.
        codes = [value for value, _ in fields["scenario"].choices]
        assert len(codes) == 20 and codes[0] == "landmark" and codes[-1] == "other"
        added = {"preservation", "coercive_measure", "hearing", "service", "deliberation", "statement"}
        assert added <= set(codes)
        assert {"lodged_service", "public_notice_service", "reinspection"} <= set(
            fields["scenario"].choice_labels
        )
        assert fields["recorder_no"].type == "text"
        assert fields["consent"].type == "choice"
        assert not any(
            fields[name].required for name in ("recorded_at", "scenario", "recorder_no", "consent")
        )
    # The previous catalogue's types accept the same minimal content as before (no new required fields).
    before = {
        "service_receipt": {"document_name", "method", "recipient", "served_at", "servers"},
        "penalty_decision": {
            "document_no", "party", "party_details", "facts", "evidence", "violated_provisions",
            "penalty_basis", "penalty_kinds", "payment", "payment_days", "reconsideration_body",
            "reconsideration_days", "court", "litigation_months", "decided_on",
        },
        "photo": {"description"},
        "audio": {"description"},
        "video": {"description"},
    }  # fmt: skip
    for code, required in before.items():
        assert {spec.name for spec in cat.get(code).fields if spec.required} == required, code


# --- validate_record_data -------------------------------------------------------------------------


def _errors(code: str, data: dict[str, Any]) -> dict[str, list[str]]:
    with pytest.raises(RecordDataError) as exc:
        validate_record_data(catalogue().get(code), data)
    return exc.value.errors


def test_missing_required_field() -> None:
    rtype = catalogue().get("site_inspection")
    data = _minimal(rtype)
    del data["findings"]
    data["place"] = "   "
    errors = _errors("site_inspection", data)
    assert errors == {"findings": ["此项为必填项。"], "place": ["此项为必填项。"]}


def test_wrong_date_and_datetime() -> None:
    rtype = catalogue().get("archive_registration")
    data = _minimal(rtype) | {"archived_on": "2024/05/06"}
    assert _errors("archive_registration", data) == {"archived_on": ["日期格式应为 YYYY-MM-DD。"]}
    data = _minimal(rtype) | {"archived_on": "2024-02-30"}
    assert _errors("archive_registration", data) == {"archived_on": ["日期不存在。"]}
    site = catalogue().get("site_inspection")
    data = _minimal(site) | {"started_at": "明天上午"}
    assert _errors("site_inspection", data)["started_at"] == ["时间格式应为 YYYY-MM-DD HH:MM。"]


def test_unknown_key_rejected() -> None:
    errors = _errors("photo", {"description": "照片", "colour": "红"})
    assert errors == {"colour": ["“现场照片”没有此字段。"]}


def test_choice_outside_rejected() -> None:
    rtype = catalogue().get("service_receipt")
    errors = _errors("service_receipt", _minimal(rtype) | {"method": "carrier_pigeon"})
    assert errors == {"method": ["选项无效：carrier_pigeon。"]}
    advance = catalogue().get("advance_notice")
    errors = _errors("advance_notice", _minimal(advance) | {"rights": ["statement", "veto"]})
    assert errors == {"rights": ["选项无效：veto。"]}


def test_numbers_money_and_ranges() -> None:
    rtype = catalogue().get("penalty_decision")
    cleaned = validate_record_data(
        rtype, _minimal(rtype) | {"fine_amount": "1,500.5", "confiscation_amount": Decimal("20")}
    )
    assert cleaned["fine_amount"] == "1500.50"
    assert cleaned["confiscation_amount"] == "20.00"
    assert cleaned["payment_days"] == 1
    errors = _errors("penalty_decision", _minimal(rtype) | {"fine_amount": "12.345", "payment_days": "0"})
    assert errors == {"fine_amount": ["金额最多保留两位小数。"], "payment_days": ["不能小于 1。"]}
    assert _errors("penalty_decision", _minimal(rtype) | {"fine_amount": "-5"}) == {
        "fine_amount": ["金额不能为负数。"]
    }
    assert _errors("penalty_decision", _minimal(rtype) | {"payment_days": "3.5"}) == {
        "payment_days": ["应为整数。"]
    }
    assert _errors("penalty_decision", _minimal(rtype) | {"payment_days": True}) == {
        "payment_days": ["应为数字。"]
    }


def test_dates_normalised_to_iso_strings() -> None:
    rtype = catalogue().get("site_inspection")
    cleaned = validate_record_data(
        rtype,
        _minimal(rtype) | {"started_at": datetime(2024, 5, 6, 9, 0), "ended_at": "2024-05-06 10:15:30"},
    )
    assert cleaned["started_at"] == "2024-05-06T09:00:00+08:00"
    assert cleaned["ended_at"] == "2024-05-06T10:15:30+08:00"
    utc = validate_record_data(rtype, _minimal(rtype) | {"started_at": "2024-05-06T01:00:00Z"})
    assert utc["started_at"] == "2024-05-06T09:00:00+08:00"
    archive = catalogue().get("archive_registration")
    cleaned = validate_record_data(archive, _minimal(archive) | {"archived_on": date(2024, 6, 1)})
    assert cleaned["archived_on"] == "2024-06-01"


def test_end_before_start_rejected() -> None:
    rtype = catalogue().get("inquiry")
    data = _minimal(rtype) | {"started_at": "2024-05-06T10:00", "ended_at": "2024-05-06T09:00"}
    assert _errors("inquiry", data) == {"ended_at": ["不能早于“询问开始时间”。"]}


def test_person_lists_and_minimum_count() -> None:
    rtype = catalogue().get("site_inspection")
    cleaned = validate_record_data(
        rtype, _minimal(rtype) | {"inspectors": "张伟 64000000000001\n\n王芳，64000000000002\n"}
    )
    assert cleaned["inspectors"] == [
        {"name": "张伟", "number": "64000000000001"},
        {"name": "王芳", "number": "64000000000002"},
    ]
    errors = _errors("site_inspection", _minimal(rtype) | {"inspectors": ["张伟 64000000000001"]})
    assert errors == {"inspectors": ["项数不能小于 2。"]}
    dicts = [{"name": "张伟", "number": "1"}, {"name": "王芳"}]
    assert validate_record_data(rtype, _minimal(rtype) | {"inspectors": dicts})["inspectors"] == dicts


def test_text_field_limits() -> None:
    rtype = catalogue().get("photo")
    assert _errors("photo", {"description": "说明", "location": "一\n二"}) == {"location": ["此项不能换行。"]}
    assert _errors("photo", {"description": "说明", "location": "长" * 201}) == {
        "location": ["不能超过 200 个字（现有 201 个）。"]
    }
    assert _errors("photo", {"description": 42}) == {"description": ["应为文本。"]}
    cleaned = validate_record_data(rtype, {"description": "  说明  ", "location": ""})
    assert cleaned == {"description": "说明"}


def test_boolean_and_non_mapping() -> None:
    rtype = catalogue().get("video")
    assert validate_record_data(rtype, {"description": "录像", "continuous": "是"})["continuous"] is True
    assert validate_record_data(rtype, {"description": "录像", "continuous": False})["continuous"] is False
    assert _errors("video", {"description": "录像", "continuous": "maybe"}) == {
        "continuous": ["应为“是”或“否”。"]
    }
    with pytest.raises(RecordDataError) as exc:
        validate_record_data(rtype, ["description"])  # type: ignore[arg-type]
    assert exc.value.errors == {"__all__": ["记录内容应为键值对。"]}


def test_in3_complainant_required_only_when_named() -> None:
    rtype = catalogue().get("complaint_registration")
    anonymous = _minimal(rtype) | {"identity": "anonymous"}
    del anonymous["complainant"]
    assert "complainant" not in validate_record_data(rtype, anonymous)
    named = anonymous | {"identity": "named"}
    assert _errors("complaint_registration", named) == {
        "complainant": ["“具名或匿名”为“具名”时此项为必填项。"]
    }
    cleaned = validate_record_data(rtype, named | {"complainant": "李明", "contact": "13900000000"})
    assert cleaned["complainant"] == "李明"
    not_accepted = named | {"complainant": "李明", "acceptance": "not_accepted"}
    assert _errors("complaint_registration", not_accepted) == {
        "acceptance_note": ["“受理情况”为“不予受理”时此项为必填项。"]
    }


def test_sv3_returned_mail_needs_reason_and_time() -> None:
    rtype = catalogue().get("mailing_receipt")
    data = _minimal(rtype) | {"tracking_no": "EA123456789CN", "posted_at": "2026-03-02 10:00"}
    assert validate_record_data(rtype, data)["tracking_no"] == "EA123456789CN"
    errors = _errors("mailing_receipt", data | {"returned": True})
    assert errors == {
        "returned_at": ["“邮件被退回”为“是”时此项为必填项。"],
        "return_reason": ["“邮件被退回”为“是”时此项为必填项。"],
    }
    returned = data | {"returned": "是", "returned_at": "2026-03-06 15:00", "return_reason": "查无此人"}
    assert validate_record_data(rtype, returned)["returned"] is True
    assert _errors("mailing_receipt", returned | {"returned_at": "2026-03-01 15:00"}) == {
        "returned_at": ["不能早于“交寄时间”。"]
    }
    # Not returned: no reason is needed.
    assert "return_reason" not in validate_record_data(rtype, data | {"returned": False})


def test_sv5_public_notice_needs_evidence_items() -> None:
    rtype = catalogue().get("public_notice_service")
    data = _minimal(rtype)
    assert _errors("public_notice_service", data | {"evidence_items": []}) == {
        "evidence_items": ["此项为必填项。"]
    }
    cleaned = validate_record_data(
        rtype,
        data
        | {
            "channels": ["website", "notice_board"],
            "period_days": "30",
            "published_on": "2026-04-01",
            "deemed_served_on": "2026-05-01",
            "evidence_items": "网站截图\n公告栏照片",
        },
    )
    assert cleaned["channels"] == ["website", "notice_board"]
    assert cleaned["period_days"] == 30 and cleaned["evidence_items"] == ["网站截图", "公告栏照片"]
    assert _errors("public_notice_service", data | {"deemed_served_on": "2024-01-01"}) == {
        "deemed_served_on": ["不能早于“公告发布日期”。"]
    }


def test_sv4_entrusted_service_names_the_agency() -> None:
    rtype = catalogue().get("service_receipt")
    data = _minimal(rtype) | {"method": "entrusted"}
    assert _errors("service_receipt", data) == {
        "entrusted_agency": ["“送达方式”为“委托送达”时此项为必填项。"]
    }
    cleaned = validate_record_data(rtype, data | {"entrusted_agency": "某街道办事处", "party_absent": True})
    assert cleaned["party_absent"] is True and cleaned["served_at"] == "2024-05-06T09:30:00+08:00"
    assert "entrusted_agency" not in validate_record_data(rtype, _minimal(rtype) | {"method": "direct"})


def test_dc4_investigation_report_amounts_and_penalty_kinds() -> None:
    rtype = catalogue().get("investigation_report")
    data = _minimal(rtype) | {"recommendation": "penalty", "party_kind": "organisation"}
    del data["proposed_penalty_kinds"]
    assert _errors("investigation_report", data) == {
        "proposed_penalty_kinds": ["“处理意见类型”为“给予行政处罚”时此项为必填项。"]
    }
    cleaned = validate_record_data(
        rtype,
        data | {"proposed_penalty_kinds": ["fine"], "fine_amount": "25000", "confiscation_amount": "1,200.5"},
    )
    assert cleaned["fine_amount"] == "25000.00" and cleaned["confiscation_amount"] == "1200.50"
    no_penalty = data | {"recommendation": "no_penalty"}
    assert "proposed_penalty_kinds" not in validate_record_data(rtype, no_penalty)
    assert _errors(
        "investigation_report", data | {"proposed_penalty_kinds": ["fine"], "party_kind": "robot"}
    ) == {"party_kind": ["选项无效：robot。"]}


def test_fu1_reinspection_grade_and_rectified() -> None:
    rtype = catalogue().get("reinspection_record")
    data = _minimal(rtype) | {
        "grade": "serious",
        "method": "on_site",
        "rectified": "否",
        "new_case_needed": "是",
    }
    cleaned = validate_record_data(rtype, data)
    assert cleaned["rectified"] is False and cleaned["new_case_needed"] is True
    assert _errors("reinspection_record", data | {"grade": "medium"}) == {"grade": ["选项无效：medium。"]}
    # A required boolean accepts "no"; leaving it out is an error.
    del data["rectified"]
    assert _errors("reinspection_record", data) == {"rectified": ["此项为必填项。"]}


def test_av3_refused_consent_needs_the_alternative() -> None:
    rtype = catalogue().get("av_consent")
    data = _minimal(rtype) | {"secrets": ["privacy"], "consent": "refused"}
    assert _errors("av_consent", data) == {
        "alternative": ["“当事人意见”为“当事人不同意（不予记录）”时此项为必填项。"]
    }
    assert validate_record_data(rtype, data | {"alternative": "改用文字记录"})["consent"] == "refused"


def test_av1_media_scenario_and_recorder() -> None:
    rtype = catalogue().get("video")
    cleaned = validate_record_data(
        rtype,
        {
            "description": "留置送达全过程",
            "scenario": "lodged_service",
            "recorder_no": "DSJ-0001",
            "recorded_at": "2026-03-02 10:00",
            "consent": "not_applicable",
        },
    )
    assert cleaned["scenario"] == "lodged_service" and cleaned["recorder_no"] == "DSJ-0001"
    assert _errors("video", {"description": "录像", "scenario": "party"}) == {
        "scenario": ["选项无效：party。"]
    }


# --- loading a catalogue file ---------------------------------------------------------------------

_GOOD = """
[[record_type]]
code = "note"
name = "工作记录"
stage = "investigation"
kind = "text"
requirements = ["IV-2"]
citations = ["WD 第十二条"]
signers = ["officer"]

[[record_type.fields]]
name = "body"
label = "内容"
type = "textarea"
required = true
"""


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "catalogue.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_load_catalogue_from_file(tmp_path: Path) -> None:
    cat = load_catalogue(_write(tmp_path, _GOOD))
    assert [rtype.code for rtype in cat.all()] == ["note"]
    assert cat.get("note").fields[0].required


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ('stage = "investigation"', 'stage = "lunch"', "阶段 'lunch' 无效"),
        ('kind = "text"', 'kind = "hologram"', "kind 'hologram' 无效"),
        ('type = "textarea"', 'type = "blob"', "字段类型 'blob' 无效"),
        ('signers = ["officer"]', 'signers = ["dog"]', "签名身份 dog 无效"),
        ('requirements = ["IV-2"]', 'requirements = ["iv2"]', "要求编号 'iv2' 格式应如 IV-2"),
        ('name = "工作记录"', 'name = ""', "缺少 name"),
        ('label = "内容"', 'label = "内容"\ncolour = "red"', "未知的键 colour"),
        ("required = true", 'required = "yes"', "required 应为 true 或 false"),
        ('code = "note"', 'code = "Note!"', "code 只能由小写字母"),
        ('name = "body"', 'name = "confidentiality"', "保留字"),
        ('type = "textarea"', 'type = "choice"', "choices 只能且必须用于 choice/multichoice 字段"),
        ('kind = "text"', 'kind = "media"', "必须且只有它可以列出 media"),
        ("required = true", "required = true\nmin = 3", "min/max 只能用于数字或列表字段"),
    ],
)
def test_bad_catalogue_gives_clear_error(tmp_path: Path, old: str, new: str, message: str) -> None:
    assert old in _GOOD
    with pytest.raises(CatalogueError) as exc:
        load_catalogue(_write(tmp_path, _GOOD.replace(old, new, 1)))
    text = str(exc.value)
    assert message in text
    assert "record_type[0]" in text and str(tmp_path) in text


_CONDITIONAL = (
    _GOOD
    + """
[[record_type.fields]]
name = "refused"
label = "拒绝"
type = "boolean"

[[record_type.fields]]
name = "note"
label = "说明"
type = "text"
required_if = { field = "refused", values = [true] }
"""
)


def test_required_if_loads(tmp_path: Path) -> None:
    rtype = load_catalogue(_write(tmp_path, _CONDITIONAL)).get("note")
    assert rtype.field("note").required_if == ("refused", (True,))
    assert validate_record_data(rtype, {"body": "x", "refused": False}) == {"body": "x", "refused": False}
    with pytest.raises(RecordDataError) as exc:
        validate_record_data(rtype, {"body": "x", "refused": True})
    assert exc.value.errors == {"note": ["“拒绝”为“是”时此项为必填项。"]}


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ('field = "refused"', 'field = "nothing"', "required_if 指向不存在的字段 'nothing'"),
        ('field = "refused"', 'field = "body"', "required_if 指向的字段应为 choice、multichoice 或 boolean"),
        ("values = [true]", 'values = ["yes"]', "required_if 的取值不是字段 refused 的有效选项"),
        ("values = [true]", "values = []", "required_if 应为"),
        (
            'required_if = { field = "refused", values = [true] }',
            'required_if = "refused"',
            "required_if 应为",
        ),
        ('type = "text"\nrequired_if', 'type = "text"\nrequired = true\nrequired_if', "不能同时使用"),
    ],
)
def test_bad_required_if(tmp_path: Path, old: str, new: str, message: str) -> None:
    assert old in _CONDITIONAL
    with pytest.raises(CatalogueError) as exc:
        load_catalogue(_write(tmp_path, _CONDITIONAL.replace(old, new, 1)))
    assert message in str(exc.value)


def test_duplicate_codes_and_fields(tmp_path: Path) -> None:
    with pytest.raises(CatalogueError, match="代码 note 重复"):
        load_catalogue(_write(tmp_path, _GOOD + _GOOD))
    field = _GOOD[_GOOD.index("[[record_type.fields]]") :]
    with pytest.raises(CatalogueError, match="字段名重复：body"):
        load_catalogue(_write(tmp_path, _GOOD + field))


def test_media_type_needs_description(tmp_path: Path) -> None:
    text = _GOOD.replace('kind = "text"', 'kind = "media"\nmedia = ["image/"]')
    with pytest.raises(CatalogueError, match="必须有 description 字段"):
        load_catalogue(_write(tmp_path, text))
    assert load_catalogue(_write(tmp_path, text.replace('name = "body"', 'name = "description"')))


def test_invalid_toml_and_missing_file(tmp_path: Path) -> None:
    with pytest.raises(CatalogueError, match="不是有效的 TOML"):
        load_catalogue(_write(tmp_path, "[[record_type]\ncode = "))
    with pytest.raises(CatalogueError, match="无法读取"):
        load_catalogue(tmp_path / "missing.toml")
    with pytest.raises(CatalogueError, match="没有任何"):
        load_catalogue(_write(tmp_path, ""))


# --- fields the policy packs test (issue #3, points 2-3) ------------------------------------------


def test_lr_2_case_file_handover_has_the_annex_columns() -> None:
    """LR-2 (HY-FS 附件《重大行政执法决定案卷移交清单》): number, case-file name, and before/after
    review: handed by, received by, time, place, materials; the after-review columns come later."""
    rtype = catalogue().get("case_file_handover")
    names = {spec.name for spec in rtype.fields}
    assert {"register_no", "case_file_name", "materials"} <= names
    for side in ("before", "after"):
        assert {f"handed_by_{side}", f"received_by_{side}", f"handed_at_{side}", f"place_{side}"} <= names
    assert all(
        rtype.field(f"{key}_before").required for key in ("handed_by", "received_by", "handed_at", "place")
    )
    assert not any(rtype.field(f"{key}_after").required for key in ("handed_by", "received_by", "handed_at"))
    data = {
        "register_no": "法审〔2026〕3号",
        "case_file_name": "某药店串换药品案",
        "materials": "立案审批表 2页\n询问笔录 6页",
        "handed_by_before": "王敏",
        "received_by_before": "周律",
        "handed_at_before": "2026-03-09 09:00",
        "place_before": "法制科",
    }
    cleaned = validate_record_data(rtype, data)
    assert cleaned["materials"] == ["立案审批表 2页", "询问笔录 6页"]
    with pytest.raises(RecordDataError) as exc:
        validate_record_data(rtype, data | {"handed_at_after": "2026-03-08 09:00"})
    assert exc.value.errors == {"handed_at_after": ["不能早于“审核前移交时间”。"]}


def test_lr_8_decision_filing_record() -> None:
    """LR-8 (HY-FS 第十二条): decision documents (and revocations) filed with the legal office."""
    rtype = catalogue().get("decision_filing")
    assert rtype.field("filing_kind").choice_labels == {
        "decision": "重大行政执法决定",
        "revocation": "撤销立案或者受理决定",
    }
    data = {
        "filing_kind": "decision",
        "document_name": "行政处罚决定书",
        "document_no": "海医保罚〔2026〕7号",
        "decided_on": "2026-03-10",
        "filed_on": "2026-03-09",
        "filed_by": "基金监管科 王敏",
        "received_by": "周律",
        "documents": ["行政处罚决定书"],
    }
    with pytest.raises(RecordDataError) as exc:
        validate_record_data(rtype, data)
    assert exc.value.errors == {"filed_on": ["不能早于“决定（撤销）日期”。"]}
    assert validate_record_data(rtype, data | {"filed_on": "2026-03-18"})["filed_on"] == "2026-03-18"


@pytest.mark.parametrize("code", ["video", "audio", "photo"])
def test_av_7_and_rt_av_items_carry_return_time_evidence_flag_and_retention(code: str) -> None:
    """AV-7 (WD 第二十二条: 24 hours from the return to the agency when working away) and RT-1..3
    (PL 第十四条, BX 第十七条: six months, until the litigation period ends, the case-file term)."""
    rtype = catalogue().get(code)
    assert rtype.field("returned_at").type == "datetime" and rtype.field("returned_at").after == "recorded_at"
    assert set(rtype.field("upload_delay_reason").choice_labels) == {"continuous", "off_site", "remote"}
    assert rtype.field("used_as_evidence").type == "boolean"
    assert list(rtype.field("retention").choice_labels) == [
        "six_months",
        "litigation",
        "case_file",
        "long_term",
    ]
    with pytest.raises(RecordDataError) as exc:
        validate_record_data(
            rtype,
            {"description": "x", "recorded_at": "2026-03-02 09:00", "returned_at": "2026-03-01 18:00"},
        )
    assert exc.value.errors == {"returned_at": [f"不能早于“{rtype.field('recorded_at').label}”。"]}


def test_lr_1_hy_fs_2_thresholds_and_complex_flag_fields() -> None:
    """LR-1 (HY-FS 第二条) on the draft decision; IN-5 (PL 第六条) complex/major flag at intake."""
    cat = catalogue()
    report = cat.get("investigation_report")
    assert report.field("late_fee_per_day").type == report.field("transfer_amount").type == "money"
    for name in ("circumstances_conflict", "opinions_differ", "complex_case"):
        assert report.field(name).type == "boolean"
    for code in ("case_source_registration", "complaint_registration", "filing_approval"):
        assert cat.get(code).field("complex_case").type == "boolean"
    assert cat.get("penalty_decision").field("party_absent").type == "boolean"
