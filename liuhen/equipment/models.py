"""Recording equipment (执法记录设备, EQ-1..5): the device registry and its write-once event log.

``Device`` is the registry row. Its creation fields are sealed in the ledger; ``department`` and
``status`` are derived state kept for queries, changed only by :mod:`liuhen.equipment.services`
(``QuerySet.update`` on a locked row) next to the write-once event that causes the change, and
re-derivable from those events (:func:`liuhen.equipment.selectors.replay_device`).

Every other model here is an event: written once (database triggers, DESIGN principle 1), sealed
in its ledger entry. A checkout is never edited; its return is a separate row pointing at it. A
fault is closed by a repair row pointing at it; a scrap request by a decision row.

No ``DateField`` and no check constraints on the event tables: the write-once property test
mutates every stored column and needs each to round-trip (see ``ledger/tests``).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from liuhen.cases.models import Case
from liuhen.org.models import Agency, Department


class DeviceKind(models.TextChoices):
    """EQ-1: the recording devices the regulations name (PL-10, PL-17, HY-JL-22)."""

    BODY_CAMERA = "body_camera", "执法记录仪"
    CAMERA = "camera", "照相机"
    VIDEO_CAMERA = "video_camera", "摄像机"
    AUDIO_RECORDER = "audio_recorder", "录音笔"
    MOBILE_TERMINAL = "mobile_terminal", "移动执法终端"


class DeviceStatus(models.TextChoices):
    """EQ-3/EQ-4. Changed only by the services."""

    IN_SERVICE = "in_service", "在库可用"
    CHECKED_OUT = "checked_out", "已领用"
    FAULTY = "faulty", "故障停用"
    UNDER_REPAIR = "under_repair", "送修中"
    SCRAPPED = "scrapped", "已报废"


class Device(models.Model):
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="devices")
    kind = models.CharField("设备类别", max_length=20, choices=DeviceKind.choices)
    serial_no = models.CharField(
        "设备编号", max_length=64, help_text="设备序列号或执法记录仪编号，本机关内唯一"
    )
    model_name = models.CharField("品牌型号", max_length=100)
    purchase_date = models.DateField("购置日期")
    asset_no = models.CharField("固定资产编号", max_length=64, blank=True)
    # Derived state (see module docstring): the latest Allocation, the latest status event.
    department = models.ForeignKey(
        Department,
        verbose_name="配备科室",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="devices",
    )
    status = models.CharField(
        "状态", max_length=16, choices=DeviceStatus.choices, default=DeviceStatus.IN_SERVICE, db_index=True
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField("登记时间")

    # Fixed at registration; department/status are re-derived from the event rows instead.
    SEALED_FIELDS = (
        "agency",
        "kind",
        "serial_no",
        "model_name",
        "purchase_date",
        "asset_no",
        "created_by",
        "created_at",
    )

    class Meta:
        ordering = ["kind", "serial_no"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "serial_no"], name="device_unique_serial"),
        ]
        indexes = [models.Index(fields=["agency", "department", "kind"], name="device_dept_kind_idx")]
        verbose_name = "执法记录设备"
        verbose_name_plural = "执法记录设备"

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.serial_no}"


class Allocation(models.Model):
    """EQ-1/EQ-2: the device is allocated to a department (``None`` = back in the equipment office)."""

    device = models.ForeignKey(Device, on_delete=models.PROTECT, related_name="allocations")
    department = models.ForeignKey(
        Department, verbose_name="配备科室", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    note = models.CharField("说明", max_length=200, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    allocated_at = models.DateTimeField("分配时间")

    SEALED_FIELDS = ("device", "department", "note", "actor", "allocated_at")

    class Meta:
        ordering = ["allocated_at", "pk"]
        verbose_name = "设备分配"
        verbose_name_plural = "设备分配"

    def __str__(self) -> str:
        return f"{self.device_id} → {self.department_id or '装备库'}"


class PreUseCheck(models.Model):
    """EQ-3: battery, storage and clock checked before use (PL-18, HY-JL-22). Recorded before the
    checkout it enables; a failed check is kept too."""

    device = models.ForeignKey(Device, on_delete=models.PROTECT, related_name="checks")
    battery_percent = models.PositiveSmallIntegerField("电池电量（%）")
    free_storage_mb = models.PositiveIntegerField("剩余存储空间（MB）")
    clock_ok = models.BooleanField("时钟准确")
    clock_offset_seconds = models.IntegerField("时钟偏差（秒）", null=True, blank=True)
    passed = models.BooleanField("检查合格")
    note = models.CharField("备注", max_length=200, blank=True)
    checked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    checked_at = models.DateTimeField("检查时间")

    SEALED_FIELDS = (
        "device",
        "battery_percent",
        "free_storage_mb",
        "clock_ok",
        "clock_offset_seconds",
        "passed",
        "note",
        "checked_by",
        "checked_at",
    )

    class Meta:
        ordering = ["checked_at", "pk"]
        verbose_name = "使用前检查"
        verbose_name_plural = "使用前检查"

    def __str__(self) -> str:
        return f"{self.device_id} {'合格' if self.passed else '不合格'} {self.checked_at:%Y-%m-%d %H:%M}"


class Checkout(models.Model):
    """EQ-3: a device handed to an officer. Written once; the return is its own row."""

    device = models.ForeignKey(Device, on_delete=models.PROTECT, related_name="checkouts")
    holder = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="领用人",
        on_delete=models.PROTECT,
        related_name="device_checkouts",
    )
    pre_use_check = models.OneToOneField(
        PreUseCheck, verbose_name="使用前检查", on_delete=models.PROTECT, related_name="checkout"
    )
    checked_out_at = models.DateTimeField("领用时间")
    purpose = models.CharField("用途", max_length=200, blank=True)
    case = models.ForeignKey(
        Case, verbose_name="关联案件", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField("登记时间")

    SEALED_FIELDS = (
        "device",
        "holder",
        "pre_use_check",
        "checked_out_at",
        "purpose",
        "case",
        "recorded_by",
        "recorded_at",
    )

    class Meta:
        ordering = ["checked_out_at", "pk"]
        indexes = [models.Index(fields=["device", "checked_out_at"], name="checkout_device_time_idx")]
        verbose_name = "设备领用"
        verbose_name_plural = "设备领用"

    def __str__(self) -> str:
        return f"{self.device_id} → {self.holder_id} {self.checked_out_at:%Y-%m-%d %H:%M}"


class ReturnCondition(models.TextChoices):
    GOOD = "good", "完好"
    FAULTY = "faulty", "故障"


class DeviceReturn(models.Model):
    """EQ-3: the write-once completion of a checkout (at most one per checkout)."""

    checkout = models.OneToOneField(Checkout, on_delete=models.PROTECT, related_name="device_return")
    returned_at = models.DateTimeField("归还时间")
    condition = models.CharField("归还状况", max_length=16, choices=ReturnCondition.choices)
    note = models.CharField("说明", max_length=200, blank=True)
    received_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField("登记时间")

    SEALED_FIELDS = ("checkout", "returned_at", "condition", "note", "received_by", "recorded_at")

    class Meta:
        ordering = ["returned_at", "pk"]
        verbose_name = "设备归还"
        verbose_name_plural = "设备归还"

    def __str__(self) -> str:
        return f"{self.checkout_id} 归还 {self.returned_at:%Y-%m-%d %H:%M}"


class MaintenanceKind(models.TextChoices):
    ROUTINE = "routine", "日常维护保养"
    CLEANING = "cleaning", "清洁"
    CLOCK_SYNC = "clock_sync", "校准时钟"
    FIRMWARE = "firmware", "固件升级"
    INSPECTION = "inspection", "定期检查"


class Maintenance(models.Model):
    """EQ-3: maintenance kept (PL-18, HY-JL-22). Repairs of faults are :class:`RepairRecord`."""

    device = models.ForeignKey(Device, on_delete=models.PROTECT, related_name="maintenance")
    kind = models.CharField("维护类别", max_length=16, choices=MaintenanceKind.choices)
    description = models.CharField("内容", max_length=500)
    performed_at = models.DateTimeField("维护时间")
    performed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField("登记时间")

    SEALED_FIELDS = ("device", "kind", "description", "performed_at", "performed_by", "recorded_at")

    class Meta:
        ordering = ["performed_at", "pk"]
        verbose_name = "维护保养"
        verbose_name_plural = "维护保养"

    def __str__(self) -> str:
        return f"{self.device_id} {self.get_kind_display()}"


class FaultReport(models.Model):
    """EQ-4: a fault stops use of the device (PL-19, HY-JL-23) until a repair row closes it."""

    device = models.ForeignKey(Device, on_delete=models.PROTECT, related_name="faults")
    description = models.CharField("故障情况", max_length=500)
    checkout = models.ForeignKey(
        Checkout,
        verbose_name="发现时的领用",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reported_at = models.DateTimeField("报告时间")

    SEALED_FIELDS = ("device", "description", "checkout", "reported_by", "reported_at")

    class Meta:
        ordering = ["reported_at", "pk"]
        verbose_name = "故障报告"
        verbose_name_plural = "故障报告"

    def __str__(self) -> str:
        return f"{self.device_id} 故障 {self.reported_at:%Y-%m-%d %H:%M}"


class RepairAction(models.TextChoices):
    SENT = "sent", "送专业维修"
    REPAIRED = "repaired", "修复完成"
    UNREPAIRABLE = "unrepairable", "无法修复"


class RepairRecord(models.Model):
    """EQ-4: professional repair of a reported fault; ``repaired`` closes the fault."""

    fault = models.ForeignKey(FaultReport, on_delete=models.PROTECT, related_name="repairs")
    action = models.CharField("维修结果", max_length=16, choices=RepairAction.choices)
    repairer = models.CharField("维修单位", max_length=200)
    description = models.CharField("维修情况", max_length=500, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField("登记时间")

    SEALED_FIELDS = ("fault", "action", "repairer", "description", "recorded_by", "recorded_at")

    class Meta:
        ordering = ["recorded_at", "pk"]
        verbose_name = "维修记录"
        verbose_name_plural = "维修记录"

    def __str__(self) -> str:
        return f"{self.fault_id} {self.get_action_display()}"


class ScrapRequest(models.Model):
    """EQ-4: scrapping per the fixed-asset rules (PL-19) — requested by the equipment office."""

    device = models.ForeignKey(Device, on_delete=models.PROTECT, related_name="scrap_requests")
    reason = models.CharField("报废理由", max_length=500)
    disposal_ref = models.CharField("固定资产处置审批文号", max_length=100, blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField("申请时间")

    SEALED_FIELDS = ("device", "reason", "disposal_ref", "requested_by", "requested_at")

    class Meta:
        ordering = ["requested_at", "pk"]
        verbose_name = "报废申请"
        verbose_name_plural = "报废申请"

    def __str__(self) -> str:
        return f"{self.device_id} 报废申请"


class ScrapDecision(models.Model):
    """EQ-4: a second person (agency head or equipment admin) approves or rejects the request."""

    request = models.OneToOneField(ScrapRequest, on_delete=models.PROTECT, related_name="decision")
    approved = models.BooleanField("批准")
    note = models.CharField("审批意见", max_length=500, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField("审批时间")

    SEALED_FIELDS = ("request", "approved", "note", "decided_by", "decided_at")

    class Meta:
        ordering = ["decided_at", "pk"]
        verbose_name = "报废审批"
        verbose_name_plural = "报废审批"

    def __str__(self) -> str:
        return f"{self.request_id} {'批准' if self.approved else '不予批准'}"
