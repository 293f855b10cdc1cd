"""Forms of the equipment pages. They collect input; the rules are the services'."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.db.models import QuerySet

from liuhen.equipment.models import (
    DeviceKind,
    DeviceStatus,
    MaintenanceKind,
    RepairAction,
    ReturnCondition,
)
from liuhen.org.models import Department, Person

EMPTY = [("", "全部")]
DATETIME_INPUT = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"]


class _ChineseForm(forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for f in self.fields.values():
            f.error_messages["required"] = "请填写此项。"
            f.error_messages.setdefault("invalid", "格式不正确。")
            if isinstance(f, forms.DateTimeField):
                f.error_messages["invalid"] = "请输入有效的日期时间。"
            if isinstance(f, forms.DateField):
                f.error_messages["invalid"] = "请输入有效日期。"
            if isinstance(f, forms.ChoiceField | forms.ModelChoiceField):
                f.error_messages["invalid_choice"] = "请选择有效的选项。"


class _PersonChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        dept = f"（{obj.department.name}）" if getattr(obj, "department", None) else ""
        return f"{obj.full_name}{dept} 证号{obj.certificate_no}"


class DeviceFilterForm(_ChineseForm):
    q = forms.CharField(label="编号/型号", required=False, max_length=64)
    kind = forms.ChoiceField(label="类别", required=False, choices=EMPTY + list(DeviceKind.choices))
    status = forms.ChoiceField(label="状态", required=False, choices=EMPTY + list(DeviceStatus.choices))
    department = forms.TypedChoiceField(label="科室", required=False, coerce=int, empty_value=None)

    def __init__(self, *args: Any, departments: QuerySet[Department], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["department"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = EMPTY + [(d.pk, d.name) for d in departments]


class DeviceForm(_ChineseForm):
    kind = forms.ChoiceField(label="设备类别", choices=DeviceKind.choices)
    serial_no = forms.CharField(
        label="设备编号", max_length=64, help_text="设备序列号或执法记录仪编号，本机关内唯一"
    )
    model_name = forms.CharField(label="品牌型号", max_length=100)
    purchase_date = forms.DateField(label="购置日期", widget=forms.DateInput(attrs={"type": "date"}))
    asset_no = forms.CharField(label="固定资产编号", max_length=64, required=False)
    department = forms.ModelChoiceField(
        label="配备科室", queryset=Department.objects.none(), required=False, empty_label="暂不分配（装备库）"
    )

    def __init__(self, *args: Any, departments: QuerySet[Department], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["department"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = departments


class AllocateForm(_ChineseForm):
    department = forms.ModelChoiceField(
        label="配备科室", queryset=Department.objects.none(), required=False, empty_label="收回装备库"
    )
    note = forms.CharField(label="说明", max_length=200, required=False)

    def __init__(self, *args: Any, departments: QuerySet[Department], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["department"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = departments


class CheckoutForm(_ChineseForm):
    """The pre-use check comes first on the form, as it does at the desk (EQ-3)."""

    battery_percent = forms.IntegerField(label="电池电量（%）", min_value=0, max_value=100)
    free_storage_gb = forms.DecimalField(
        label="剩余存储空间（GB）", min_value=Decimal(0), max_digits=8, decimal_places=1
    )
    clock_ok = forms.TypedChoiceField(
        label="设备时钟",
        choices=[("", "请选择"), ("1", "准确（与系统时间一致）"), ("0", "不准确")],
        coerce=lambda v: v == "1",
        empty_value=None,
    )
    clock_offset_seconds = forms.IntegerField(
        label="时钟偏差（秒）", required=False, help_text="设备时间减系统时间，可不填"
    )
    check_note = forms.CharField(label="检查备注", max_length=200, required=False)
    holder = _PersonChoice(label="领用人", queryset=Person.objects.none(), empty_label="请选择执法人员")
    purpose = forms.CharField(
        label="用途",
        max_length=200,
        required=False,
        help_text="仅限执法活动使用，不得记录与执法无关的活动（EQ-5）",
    )
    case_number = forms.CharField(label="关联案件编号", max_length=64, required=False)
    checked_out_at = forms.DateTimeField(
        label="领用时间",
        required=False,
        widget=DATETIME_INPUT,
        input_formats=DATETIME_FORMATS,
        help_text="不填为现在；补录时填写实际交接时间",
    )

    def __init__(self, *args: Any, holders: QuerySet[Person], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["holder"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = holders
        self.fields["clock_ok"].error_messages["required"] = "请确认设备时钟是否准确。"

    def free_storage_mb(self) -> int:
        return int(self.cleaned_data["free_storage_gb"] * 1024)


class ReturnForm(_ChineseForm):
    condition = forms.ChoiceField(label="归还状况", choices=ReturnCondition.choices)
    note = forms.CharField(label="说明", max_length=200, required=False, help_text="有故障的须说明故障情况")
    returned_at = forms.DateTimeField(
        label="归还时间",
        required=False,
        widget=DATETIME_INPUT,
        input_formats=DATETIME_FORMATS,
        help_text="不填为现在",
    )


class MaintenanceForm(_ChineseForm):
    kind = forms.ChoiceField(label="维护类别", choices=MaintenanceKind.choices)
    description = forms.CharField(label="内容", max_length=500, widget=forms.Textarea(attrs={"rows": 2}))
    performed_at = forms.DateTimeField(
        label="维护时间",
        required=False,
        widget=DATETIME_INPUT,
        input_formats=DATETIME_FORMATS,
        help_text="不填为现在",
    )


class FaultForm(_ChineseForm):
    description = forms.CharField(
        label="故障情况",
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="发现故障应立即停止使用并报告，不得私自拆装和更换（PL-19、HY-JL-23）",
    )


class RepairForm(_ChineseForm):
    action = forms.ChoiceField(label="维修结果", choices=RepairAction.choices)
    repairer = forms.CharField(label="维修单位", max_length=200, help_text="须由专业部门维修")
    description = forms.CharField(label="维修情况", max_length=500, required=False)


class ScrapRequestForm(_ChineseForm):
    reason = forms.CharField(label="报废理由", max_length=500, widget=forms.Textarea(attrs={"rows": 2}))
    disposal_ref = forms.CharField(label="固定资产处置审批文号", max_length=100, required=False)


class ScrapDecisionForm(_ChineseForm):
    approved = forms.TypedChoiceField(
        label="审批结果", choices=[("1", "批准报废"), ("0", "不予批准")], coerce=lambda v: v == "1"
    )
    note = forms.CharField(label="审批意见", max_length=500, required=False)


class HolderLookupForm(_ChineseForm):
    serial = forms.CharField(label="设备编号", max_length=64)
    at = forms.DateTimeField(label="时间", widget=DATETIME_INPUT, input_formats=DATETIME_FORMATS)
