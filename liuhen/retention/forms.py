"""Forms of the retention pages (Chinese labels; the services' messages land on the same fields)."""

from __future__ import annotations

from django import forms

from liuhen.retention.models import ApprovalDecision, HoldReason, OfflineMedium


class HoldForm(forms.Form):
    reason_kind = forms.ChoiceField(label="长期保存情形", choices=HoldReason.choices)
    reason = forms.CharField(label="事由", widget=forms.Textarea(attrs={"rows": 2}))
    decision_ref = forms.CharField(
        label="决定文号或记录", required=False, help_text="“其他需要长期保存的重要情况”须经决定，请填写。"
    )


class ReleaseForm(forms.Form):
    decision_ref = forms.CharField(label="解除决定文号")
    reason = forms.CharField(label="解除理由", widget=forms.Textarea(attrs={"rows": 2}))


class OfflineCopyForm(forms.Form):
    medium = forms.ChoiceField(label="介质", choices=OfflineMedium.choices)
    label = forms.CharField(label="介质标签", help_text="如光盘编号、移动硬盘资产编号。")
    build = forms.BooleanField(
        label="由系统生成案卷包（可离线校验）", required=False, help_text="仅适用于案件的长期保存。"
    )
    package_digest = forms.CharField(
        label="包摘要",
        required=False,
        help_text="未由系统生成时填写写入介质的包的摘要（sm3:… 或 sha256:…）。",
    )
    package_name = forms.CharField(label="包文件名", required=False)
    note = forms.CharField(label="备注", required=False, widget=forms.Textarea(attrs={"rows": 2}))


class DisposalRequestForm(forms.Form):
    reason = forms.CharField(label="申请说明", widget=forms.Textarea(attrs={"rows": 2}))


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(label="审批意见", choices=ApprovalDecision.choices, widget=forms.RadioSelect)
    note = forms.CharField(label="说明", required=False, widget=forms.Textarea(attrs={"rows": 2}))
