"""Forms of the audio-visual pages (Chinese labels; the services validate again)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone

from liuhen.av import flags
from liuhen.av.models import Consent, FieldWork, MediaDeclaration, MediaKind
from liuhen.av.selectors import FLAG_LABELS, STATUS_LABELS
from liuhen.cases.models import Case
from liuhen.org.models import Department, Person
from liuhen.policy.rules import OPENING_ITEMS
from liuhen.records.catalogue import catalogue
from liuhen.records.models import Confidentiality


def _blank(choices: Any, label: str = "全部") -> list[tuple[str, str]]:
    return [("", label), *((str(k), str(v)) for k, v in choices)]


class ItemFilterForm(forms.Form):
    """AV-8: unit, recorder number, officer, time of use, party, case."""

    department = forms.TypedChoiceField(label="单位（科室）", required=False, coerce=int, empty_value=None)
    recorder = forms.CharField(label="记录仪编号", required=False, max_length=64)
    officer = forms.TypedChoiceField(label="执法人员", required=False, coerce=int, empty_value=None)
    start = forms.DateField(
        label="录制日期自", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(label="至", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    party = forms.CharField(label="当事人", required=False, max_length=100)
    case = forms.CharField(label="案件编号/名称", required=False, max_length=100)
    status = forms.ChoiceField(label="状态", required=False, choices=_blank(STATUS_LABELS.items()))
    flag = forms.ChoiceField(label="提示", required=False, choices=_blank(FLAG_LABELS.items()))
    kind = forms.ChoiceField(label="类别", required=False, choices=_blank(MediaKind.choices))

    def __init__(
        self, *args: Any, departments: QuerySet[Department], officers: QuerySet[Person], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["department"].choices = _blank((d.pk, d.name) for d in departments)  # type: ignore[attr-defined]
        self.fields["officer"].choices = _blank(  # type: ignore[attr-defined]
            (p.pk, f"{p.full_name}（{p.department.name if p.department else '—'}）") for p in officers
        )


def _scenario_choices() -> list[tuple[str, str]]:
    spec = next((f for f in catalogue().get("video").fields if f.name == "scenario"), None)
    return [("", "（不选）"), *(spec.choices if spec is not None else ())]


class ConfirmForm(forms.Form):
    case = forms.ModelChoiceField(label="归入案件", queryset=Case.objects.none(), empty_label="请选择案件")
    record = forms.IntegerField(label="附加到已有记录（记录编号，可不填）", required=False, min_value=1)
    activity = forms.IntegerField(required=False, widget=forms.HiddenInput, min_value=1)
    description = forms.CharField(
        label="内容说明（不填则自动生成）",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    scenario = forms.ChoiceField(label="音像记录情形", required=False, choices=())
    confidentiality = forms.ChoiceField(
        label="密级", choices=Confidentiality.choices, initial=Confidentiality.NORMAL
    )

    def __init__(self, *args: Any, cases: QuerySet[Case], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["case"].queryset = cases  # type: ignore[attr-defined]
        self.fields["scenario"].choices = _scenario_choices()  # type: ignore[attr-defined]


class ReassignForm(forms.Form):
    officer = forms.ModelChoiceField(
        label="改派给", queryset=Person.objects.none(), empty_label="请选择执法人员"
    )
    reason = forms.CharField(label="改派理由", max_length=500, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, officers: QuerySet[Person], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["officer"]
        field.queryset = officers  # type: ignore[attr-defined]
        field.label_from_instance = lambda p: (  # type: ignore[attr-defined]
            f"{p.full_name}（{p.department.name if p.department else '—'}）"
        )


class NoCaseForm(forms.Form):
    reason = forms.CharField(
        label="与案件无关的原因", max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )


class DeclarationForm(forms.Form):
    """音像资料说明 (``liuhen.av.flags.declare``): every fact is stated again; the service validates
    (and its Chinese messages are shown on these fields)."""

    field_work = forms.ChoiceField(
        label="未能在24小时内储存的原因",
        required=False,
        choices=[("", "（无：已按时储存）"), *FieldWork.choices],
        help_text="连续执法、异地执法或在边远、水上、交通不便地区执法的，24小时自返回机关时起算（AV-7）。",
    )
    returned_at = forms.DateTimeField(
        label="返回机关时间",
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    secret = forms.BooleanField(label="涉及商业秘密、技术秘密", required=False)
    privacy = forms.BooleanField(label="涉及个人隐私", required=False)
    consent = forms.ChoiceField(
        label="当事人意见",
        required=False,
        choices=[("", "（未填写）"), *Consent.choices],
        help_text="涉及秘密或隐私的，应征得当事人同意；当事人不同意的，应停止记录（AV-3）。",
    )
    opening_statement = forms.MultipleChoiceField(
        label="开始录制时已说明的事项",
        required=False,
        choices=list(OPENING_ITEMS.items()),
        widget=forms.CheckboxSelectMultiple,
        help_text="录制开始时应说明执法时间、地点、执法人员、执法行为，并告知正在音像记录（AV-4）。",
    )
    gap_explanation = forms.CharField(
        label="与上一段之间中断的原因",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="同一记录仪前后两段间隔超过规定时间的，请说明中断原因（AV-6）。",
    )
    note = forms.CharField(
        label="其他说明", required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )

    @classmethod
    def initial_from(cls, declaration: MediaDeclaration | None) -> dict[str, Any]:
        """The current declaration as the form's initial values (the new one restates it)."""
        if declaration is None:
            return {}
        return {
            "field_work": declaration.field_work,
            "returned_at": timezone.localtime(declaration.returned_at) if declaration.returned_at else None,
            "secret": declaration.secret,
            "privacy": declaration.privacy,
            "consent": declaration.consent,
            "opening_statement": flags.opening_items(declaration),
            "gap_explanation": declaration.gap_explanation,
            "note": declaration.note,
        }
