"""What the documents say (DC-6, SV-1..5): content built from records, tolerant of missing fields."""

from __future__ import annotations

import io

import docx
import pytest

from liuhen.cases.models import Case
from liuhen.conftest import Org
from liuhen.core.canonical import canonical_json, tagged
from liuhen.core.sealing import sealed_content
from liuhen.documents.content import build_document
from liuhen.documents.tests.conftest import DOCUMENT_NO, PENALTY_DATA
from liuhen.documents.verification import document_digest, parse_payload, qr_payload
from liuhen.records.models import Record
from liuhen.records.services import create_record


def test_digest_is_sm3_of_sealed_content(penalty: Record) -> None:
    digest = document_digest(penalty)
    assert digest == tagged("sm3", canonical_json(sealed_content(penalty)))
    assert digest.startswith("sm3:") and len(digest) == 68
    payload = qr_payload(penalty)
    assert payload == f"liuhen:record:{penalty.pk}:v1:{digest}"
    parsed = parse_payload(f"  {payload}\n")
    assert parsed is not None and (parsed.record_id, parsed.version, parsed.digest) == (penalty.pk, 1, digest)


@pytest.mark.parametrize(
    "code",
    ["", "liuhen:record:1:v1:sha256:" + "a" * 64, "liuhen:record:x:v1:sm3:" + "a" * 64, "sm3:" + "a" * 64],
)
def test_parse_payload_rejects_other_text(code: str) -> None:
    assert parse_payload(code) is None


def test_dc6_penalty_decision_content(penalty: Record) -> None:
    doc = build_document(penalty)
    assert doc.layout == "penalty_decision"
    assert (doc.agency_name, doc.title, doc.doc_no) == ("测试县医疗保障局", "行政处罚决定书", DOCUMENT_NO)
    assert doc.date_cn == "二〇二六年十一月二十五日"
    text = "\n".join(f"{p.label}：{p.text}" for p in doc.paragraphs)
    assert "罚款人民币24,691.20元（大写：贰万肆仟陆佰玖拾壹元贰角）" in text
    assert "百分之三加处罚款" in text  # art. 72 warning appears because a fine is imposed
    assert "60日内向测试县人民政府申请行政复议" in text and "6个月内直接向测试县人民法院" in text
    # Fields printed elsewhere (number line, signature date) are not repeated in the body.
    assert "决定书文号" not in text and "决定日期" not in text


def test_penalty_decision_without_optional_fields(org: Org, case_a: Case) -> None:
    data = {k: v for k, v in PENALTY_DATA.items() if k not in ("fine_amount", "discretion", "document_no")}
    data["document_no"] = "测医保罚〔2026〕13号"
    data["penalty_kinds"] = ["warning"]
    record = create_record(actor=org.officer_a1, case=case_a, record_type="penalty_decision", data=data)
    text = "\n".join(p.text for p in build_document(record).paragraphs)
    assert "（一）警告、通报批评。" in text
    assert "百分之三" not in text and "参照" not in text


def test_sv_service_receipt_rows(receipt: Record) -> None:
    doc = build_document(receipt)
    rows = {row.label: row.value for row in doc.rows}
    assert list(rows)[:9] == [
        "送达文书名称及文号",
        "受送达人",
        "送达地点",
        "送达方式",
        "收件人签名",
        "送达时间",
        "送达人",
        "见证人",
        "备注",
    ]
    assert rows["送达文书名称及文号"] == f"行政处罚决定书 {DOCUMENT_NO}"
    assert rows["送达方式"] == "留置送达"
    assert rows["收件人签名"] == "孙某（拒绝签名）"
    assert rows["送达时间"] == "2026年11月26日 10时30分"
    assert "拒收事由及日期" in rows["备注"]
    assert doc.doc_no == f"案号：{receipt.case.number}"  # type: ignore[union-attr]
    assert doc.date_cn == "二〇二六年十一月二十六日"


def test_generic_layout_lists_catalogue_fields_in_order(org: Org, case_a: Case) -> None:
    record = create_record(
        actor=org.officer_a1,
        case=case_a,
        record_type="closing_report",
        data=_required_data("closing_report"),
    )
    doc = build_document(record)
    assert doc.layout == "generic"
    from liuhen.records.catalogue import catalogue

    expected = [spec.label for spec in catalogue().get("closing_report").fields if spec.name in record.fields]
    assert [row.label for row in doc.rows] == ["案件名称", *expected]
    assert [line.label for line in doc.sign_lines] == ["执法人员", "负责人"]


def _required_data(code: str, *, everything: bool = False) -> dict[str, object]:
    """Plausible values for every required field of a catalogue type (or for every field)."""
    from liuhen.records.catalogue import catalogue

    values: dict[str, object] = {}
    for spec in catalogue().get(code).fields:
        if not spec.required and not everything:
            continue
        count = max(1, int(spec.min or 0)) if spec.type in ("person_list", "list", "multichoice") else 1
        number = int(spec.min) if spec.min is not None and spec.min > 0 else 1
        values[spec.name] = {
            "date": "2026-11-30",
            "datetime": "2026-11-30T09:00",
            "integer": number,
            "decimal": str(number),
            "money": f"{number}.00",
            "boolean": True,
            "choice": spec.choices[0][0] if spec.choices else "",
            "multichoice": [value for value, _ in spec.choices[:count]],
            "person_list": [{"name": f"张伟{i}", "number": f"6400000000000{i}"} for i in range(count)],
            "list": [f"第{i + 1}项" for i in range(count)],
        }.get(spec.type, f"{spec.label}内容")
    return values


def _catalogue_codes() -> list[str]:
    from liuhen.records.catalogue import catalogue

    return [rtype.code for rtype in catalogue() if not rtype.is_media]


@pytest.mark.parametrize("code", _catalogue_codes())
def test_every_text_record_type_has_a_document(org: Org, case_a: Case, code: str) -> None:
    """Whatever the catalogue holds, its document lays out every recorded field with its label."""
    from liuhen.documents.pdf import render_html
    from liuhen.documents.word import render_docx_content
    from liuhen.records.catalogue import catalogue

    # Every field filled, so fields required only under a condition are there too.
    data = _required_data(code, everything=True)
    record = create_record(actor=org.officer_a1, case=case_a, record_type=code, data=data)
    doc = build_document(record)
    html = render_html(doc)
    rtype = catalogue().get(code)
    assert rtype.name in html.replace(" ", "") and doc.digest in html
    word = docx.Document(io.BytesIO(render_docx_content(doc)))
    word_text = "\n".join(p.text for p in word.paragraphs)
    assert rtype.name in word_text and "{{" not in word_text and "{%" not in word_text
    names = [spec.name for spec in rtype.fields]
    if "document_no" in record.fields and "document_name" not in names:
        assert doc.doc_no == record.fields["document_no"]  # its own number heads the document
        names.remove("document_no")
    else:
        assert doc.doc_no == f"案号：{case_a.number}"
    if doc.layout == "generic":
        labels = [row.label for row in doc.rows]
        assert labels == ["案件名称", *[rtype.field(n).label for n in names if n in record.fields]]
