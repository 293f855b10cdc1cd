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
    return {spec.name: _sample_value(rtype, spec.name) for spec in rtype.fields if spec.required}


# --- the built-in catalogue ----------------------------------------------------------------------


def test_catalogue_has_every_code_and_is_cached() -> None:
    cat = catalogue()
    assert {rtype.code for rtype in cat.all()} == CODES
    assert len(cat) == 19
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
    assert {rtype.code for rtype in cat.for_stage(Stage.SERVICE)} == {"service_receipt"}
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
