"""Forms of the calendar-override page."""

from __future__ import annotations

from typing import Any

from django import forms

SCOPE_ALL = "all"
SCOPE_AGENCY = "agency"


class OverrideForm(forms.Form):
    day = forms.DateField(label="日期", widget=forms.DateInput(attrs={"type": "date"}))
    kind = forms.TypedChoiceField(
        label="调整为",
        choices=[("1", "工作日（如调休上班）"), ("0", "休息日（如法定节假日）")],
        coerce=lambda v: v == "1",
    )
    scope = forms.ChoiceField(label="适用范围", choices=[(SCOPE_ALL, "全部机关")])
    note = forms.CharField(
        label="依据/说明",
        max_length=200,
        help_text="如：国务院办公厅关于2027年部分节假日安排的通知",
    )

    def __init__(self, *args: Any, agency_name: str | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        scope = self.fields["scope"]
        assert isinstance(scope, forms.ChoiceField)
        if agency_name:
            scope.choices = [(SCOPE_ALL, "全部机关"), (SCOPE_AGENCY, f"仅本机关（{agency_name}）")]
        for field in self.fields.values():
            field.error_messages["required"] = "请填写此项。"
        self.fields["day"].error_messages["invalid"] = "请输入有效日期。"


class WithdrawForm(forms.Form):
    note = forms.CharField(label="撤销理由", max_length=200, required=False)
