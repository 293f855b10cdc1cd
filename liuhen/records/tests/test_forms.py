"""Record forms generated from the catalogue: Chinese labels, widgets, and server-side errors per field."""

from __future__ import annotations

from typing import Any

import pytest
from django import forms

from liuhen.records.catalogue import catalogue, validate_record_data
from liuhen.records.forms import RecordForm, form_class_for, form_to_data, initial_from_data
from liuhen.records.models import Confidentiality

SITE_POST: dict[str, Any] = {
    "started_at": "2024-05-06T09:00",
    "ended_at": "2024-05-06T10:30",
    "place": "测试县康宁大药房营业场所",
    "inspectors": "张伟 64000000000001\n王芳 64000000000002",
    "party": "测试县康宁大药房有限公司",
    "party_present": "present",
    "certificate_shown": "on",
    "findings": "药品进销存记录与医保结算记录不符。",
    "party_signature": "signed",
    "confidentiality": "normal",
}


def _form(code: str, data: dict[str, Any], *, correction: bool = False) -> RecordForm:
    return form_class_for(catalogue().get(code), correction=correction)(data=data)


def test_form_fields_follow_the_schema() -> None:
    rtype = catalogue().get("site_inspection")
    form = form_class_for(rtype)()
    assert list(form.fields)[: len(rtype.fields)] == [spec.name for spec in rtype.fields]
    assert form.fields["started_at"].label == "检查开始时间"
    assert form.fields["started_at"].widget.input_type == "datetime-local"  # type: ignore[attr-defined]
    assert isinstance(form.fields["findings"].widget, forms.Textarea)
    assert isinstance(form.fields["inspectors"].widget, forms.Textarea)
    assert isinstance(form.fields["party_present"], forms.ChoiceField)
    assert isinstance(form.fields["certificate_shown"], forms.BooleanField)
    assert form.fields["findings"].required and not form.fields["witnesses"].required
    assert form.fields["confidentiality"].choices == list(Confidentiality.choices)  # type: ignore[attr-defined]
    assert form.fields["confidentiality"].initial == Confidentiality.NORMAL
    assert "correction_reason" not in form.fields
    assert form_class_for(rtype) is form_class_for(rtype)
    assert form_class_for(rtype, correction=True) is not form_class_for(rtype)


def test_form_renders_chinese_labels_and_html5_inputs() -> None:
    html = str(form_class_for(catalogue().get("archive_registration"))())
    assert "归档日期" in html and "保管期限" in html and "密级" in html
    assert 'type="date"' in html
    assert 'type="number"' in html and 'min="1"' in html
    assert "——请选择——" in html
    penalty = str(form_class_for(catalogue().get("penalty_decision"))())
    assert 'type="checkbox"' in penalty and "罚款" in penalty and 'step="0.01"' in penalty


def test_valid_form_gives_the_catalogue_data() -> None:
    form = _form("site_inspection", SITE_POST)
    assert form.is_valid(), form.errors
    data = form_to_data(form)
    assert data["inspectors"] == [
        {"name": "张伟", "number": "64000000000001"},
        {"name": "王芳", "number": "64000000000002"},
    ]
    assert data["started_at"] == "2024-05-06T09:00:00+08:00"
    assert data["certificate_shown"] is True and data["rights_told"] is False
    assert "witnesses" not in data
    expected = validate_record_data(
        catalogue().get("site_inspection"),
        {
            key: value
            for key, value in SITE_POST.items()
            if key not in ("confidentiality", "certificate_shown")
        }
        | {"certificate_shown": True, "rights_told": False},
    )
    assert data == expected
    assert form.cleaned_data["confidentiality"] == "normal"


def test_required_missing_reported_once_in_chinese() -> None:
    form = _form("site_inspection", {**SITE_POST, "findings": "", "place": "  "})
    assert not form.is_valid()
    assert form.errors["findings"] == ["此项为必填项。"]
    assert form.errors["place"] == ["此项为必填项。"]
    with pytest.raises(ValueError):
        form_to_data(form)


def test_wrong_date_and_time_order_reported_per_field() -> None:
    form = _form("site_inspection", {**SITE_POST, "started_at": "2024-05-06 上午"})
    assert not form.is_valid()
    assert form.errors["started_at"] == ["时间格式应为 YYYY-MM-DD HH:MM。"]
    form = _form("site_inspection", {**SITE_POST, "ended_at": "2024-05-06T08:00"})
    assert not form.is_valid()
    assert form.errors["ended_at"] == ["不能早于“检查开始时间”。"]
    archive = catalogue().get("archive_registration")
    post = {spec.name: "1" for spec in archive.fields if spec.type in ("text", "integer")}
    post |= {
        "retention": "permanent",
        "action_started_on": "2024-01-01",
        "action_ended_on": "2024-03-01",
        "archived_on": "2024/03/05",
        "confidentiality": "normal",
    }
    form = form_class_for(archive)(data=post)
    assert not form.is_valid()
    assert form.errors == {"archived_on": ["日期格式应为 YYYY-MM-DD。"]}


def test_choice_and_list_errors() -> None:
    form = _form("site_inspection", {**SITE_POST, "party_present": "maybe", "inspectors": "张伟 1"})
    assert not form.is_valid()
    assert form.errors["party_present"] == ["选项无效：maybe。"]
    assert form.errors["inspectors"] == ["项数不能小于 2。"]
    form = _form("site_inspection", {**SITE_POST, "confidentiality": "top"})
    assert not form.is_valid()
    assert form.errors["confidentiality"] == ["密级无效。"]


def test_money_error_in_form() -> None:
    rtype = catalogue().get("penalty_decision")
    form = form_class_for(rtype)(data={"fine_amount": "abc", "confidentiality": "normal"})
    assert not form.is_valid()
    assert form.errors["fine_amount"] == ["应为数字。"]
    assert form.errors["penalty_kinds"] == ["此项为必填项。"]


def test_correction_form_requires_reason() -> None:
    form = _form("site_inspection", SITE_POST, correction=True)
    assert not form.is_valid()
    assert form.errors == {"correction_reason": ["请填写更正理由。"]}
    form = _form("site_inspection", {**SITE_POST, "correction_reason": "检查结束时间记错。"}, correction=True)
    assert form.is_valid(), form.errors
    assert form.cleaned_data["correction_reason"] == "检查结束时间记错。"
    assert "correction_reason" not in form_to_data(form)


def test_media_form_with_description_only() -> None:
    form = _form("video", {"description": "现场执法记录仪录像", "confidentiality": "privacy"})
    assert form.is_valid(), form.errors
    # Unticked boxes are stored as “否” (the catalogue's boolean fields of a video).
    assert form_to_data(form) == {
        "description": "现场执法记录仪录像",
        "continuous": False,
        "used_as_evidence": False,
    }
    assert form.fields["recorded_at"].widget.input_type == "datetime-local"  # type: ignore[attr-defined]


def test_initial_from_stored_data_round_trips() -> None:
    rtype = catalogue().get("site_inspection")
    first = _form("site_inspection", {**SITE_POST, "witnesses": "李四 社区工作人员"})
    assert first.is_valid(), first.errors
    stored = form_to_data(first)
    initial = initial_from_data(rtype, stored)
    assert initial["started_at"] == "2024-05-06T09:00"
    assert initial["inspectors"] == "张伟 64000000000001\n王芳 64000000000002"
    post = {key: ("on" if value is True else value) for key, value in initial.items() if value is not False}
    again = form_class_for(rtype, correction=True)(
        data={**post, "correction_reason": "补充", "confidentiality": "normal"}
    )
    assert again.is_valid(), again.errors
    assert form_to_data(again) == stored
    # The correction form shows the stored values.
    html = str(form_class_for(rtype, correction=True)(initial=initial))
    assert 'value="2024-05-06T09:00"' in html and "更正理由" in html
