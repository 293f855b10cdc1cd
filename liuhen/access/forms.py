"""Forms for access requests, decisions, party copy requests and the unusual-access report."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet

from liuhen.access.models import Action
from liuhen.access.services import max_days
from liuhen.cases.models import Party

ACTION_CHOICES = [(Action.COPY.value, "复制/下载原件"), (Action.EXPORT.value, "导出文书（PDF/Word）")]


class RequestForm(forms.Form):
    case_number = forms.CharField(label="案件编号", required=False, max_length=100)
    media_item = forms.IntegerField(label="音像资料编号", required=False, min_value=1)
    actions = forms.MultipleChoiceField(
        label="除查阅外，还需要",
        choices=ACTION_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="查阅总是包括在内。",
    )
    reason = forms.CharField(
        label="工作需要（调阅事由）",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=1000,
        error_messages={"required": "请说明工作需要（调阅事由）。"},
    )
    days = forms.IntegerField(label="申请期限（天）", min_value=1, initial=7)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["days"].widget.attrs["max"] = max_days()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not (data.get("case_number") or "").strip() and not data.get("media_item"):
            raise forms.ValidationError("请填写案件编号或音像资料编号。")
        if (data.get("case_number") or "").strip() and data.get("media_item"):
            raise forms.ValidationError("一次只能申请一个案卷或一项音像资料。")
        return data


class DecisionForm(forms.Form):
    approved = forms.TypedChoiceField(
        label="审批结果",
        choices=[("1", "批准"), ("0", "不予批准")],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
        error_messages={"required": "请选择审批结果。"},
    )
    days = forms.IntegerField(
        label="授权期限（天）", min_value=1, required=False, help_text="留空按申请期限。"
    )
    note = forms.CharField(
        label="审批意见", widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=1000
    )


class RevokeForm(forms.Form):
    reason = forms.CharField(
        label="撤销理由", max_length=500, error_messages={"required": "请说明撤销理由。"}
    )


class PartyRequestForm(forms.Form):
    party = forms.ModelChoiceField(label="当事人", queryset=Party.objects.none(), empty_label=None)
    applicant_name = forms.CharField(label="申请人（当事人或其代理人）姓名", max_length=100)
    applicant_id_doc = forms.CharField(label="身份证明/委托材料", max_length=200, required=False)
    reason = forms.CharField(
        label="申请复制的用途", widget=forms.Textarea(attrs={"rows": 2}), max_length=1000
    )
    days = forms.IntegerField(label="期限（天）", min_value=1, initial=15)

    def __init__(self, *args: Any, parties: QuerySet[Party], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        party_field = self.fields["party"]
        assert isinstance(party_field, forms.ModelChoiceField)
        party_field.queryset = parties
        self.fields["days"].widget.attrs["max"] = max_days()


class UnusualForm(forms.Form):
    start = forms.DateField(label="起始日期", widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label="截止日期", widget=forms.DateInput(attrs={"type": "date"}))
    factor = forms.FloatField(label="倍数", min_value=1, required=False, help_text="超过本人30日中位数的倍数")
    min_count = forms.IntegerField(label="最低次数", min_value=1, required=False)
