"""Retention (保存期限, RT-1..5): long-term preservation holds, their offline copies, and disposal
(销毁) with two-person approval and a signed tombstone.

Every table is written once (database triggers, DESIGN principle 1) and sealed in its ledger
entry. "Current" is derived: a hold is current while no :class:`HoldRelease` points at it; a
disposal request is approved when two different authorised people (neither the requester) approved
it and nobody refused; it is executed when its items have tombstones.

A disposed blob keeps its :class:`~liuhen.vault.models.Blob` row (rows are facts); only the file
leaves the storage. Its :class:`Tombstone` keeps the digests, size, media type, what the item was
(metadata) and the approvals, signed with the agency key, and ``liuhen verify`` accepts the file's
absence only when such a tombstone is valid.
"""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.db import models

from liuhen.cases.models import Case
from liuhen.org.models import Agency
from liuhen.vault.models import Blob


class HoldReason(models.TextChoices):
    """RT-4: PL 第十五条, BX 第十八条 (items 1-4)."""

    OBJECTION = "objection", "当事人对现场执法、办案有异议"
    COMPLAINT = "complaint", "当事人投诉"
    PETITION = "petition", "当事人上访"
    OBSTRUCTION = "obstruction", "当事人逃避、拒绝、阻碍依法执行公务"
    ABUSE = "abuse", "当事人谩骂、侮辱执法人员"
    ASSAULT = "assault", "当事人殴打执法人员"
    MASS_INCIDENT = "mass_incident", "参与处置群体性事件"
    EMERGENCY = "emergency", "参与处置突发事件"
    DECISION = "decision", "其他需要长期保存的重要情况（经决定）"


HOLD_REASON_ITEMS: dict[str, str] = {
    HoldReason.OBJECTION: "第（一）项",
    HoldReason.COMPLAINT: "第（一）项",
    HoldReason.PETITION: "第（一）项",
    HoldReason.OBSTRUCTION: "第（二）项",
    HoldReason.ABUSE: "第（二）项",
    HoldReason.ASSAULT: "第（二）项",
    HoldReason.MASS_INCIDENT: "第（三）项",
    HoldReason.EMERGENCY: "第（三）项",
    HoldReason.DECISION: "第（四）项",
}


class LegalHold(models.Model):
    """Long-term preservation (长期保存) of a case's materials or of one stored item (RT-4)."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    case = models.ForeignKey(
        Case, verbose_name="案件", on_delete=models.PROTECT, null=True, blank=True, related_name="legal_holds"
    )
    blob = models.ForeignKey(
        Blob, verbose_name="文件", on_delete=models.PROTECT, null=True, blank=True, related_name="legal_holds"
    )
    reason_kind = models.CharField("情形", max_length=16, choices=HoldReason.choices)
    reason = models.TextField("事由")
    decision_ref = models.CharField("决定文号或记录", max_length=200, blank=True)
    placed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    placed_at = models.DateTimeField("采取时间")

    SEALED_FIELDS = (
        "agency",
        "case",
        "blob",
        "reason_kind",
        "reason",
        "decision_ref",
        "placed_by",
        "placed_at",
    )

    class Meta:
        ordering = ["-placed_at", "-pk"]
        verbose_name = "长期保存"
        verbose_name_plural = "长期保存"

    def __str__(self) -> str:
        return f"{self.get_reason_kind_display()}（{self.pk}）"


class HoldRelease(models.Model):
    """The decision that ends a hold (only by decision, with its reason)."""

    hold = models.OneToOneField(LegalHold, on_delete=models.PROTECT, related_name="release")
    decision_ref = models.CharField("解除决定文号", max_length=200)
    reason = models.TextField("解除理由")
    released_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    released_at = models.DateTimeField("解除时间")

    SEALED_FIELDS = ("hold", "decision_ref", "reason", "released_by", "released_at")

    class Meta:
        ordering = ["pk"]
        verbose_name = "解除长期保存"
        verbose_name_plural = "解除长期保存"

    def __str__(self) -> str:
        return f"{self.hold_id} {self.decision_ref}"


class OfflineMedium(models.TextChoices):
    OPTICAL_DISC = "optical_disc", "刻录光盘"
    REMOVABLE = "removable", "移动存储介质"
    OTHER = "other", "其他介质"


class OfflineCopy(models.Model):
    """The offline copy of a hold's materials (光盘 / 移动存储介质): that one was made, on what, with
    which label, by whom, and the digest of the package written to it."""

    hold = models.ForeignKey(LegalHold, on_delete=models.PROTECT, related_name="offline_copies")
    medium = models.CharField("介质", max_length=16, choices=OfflineMedium.choices)
    label = models.CharField("介质标签", max_length=200)
    package_name = models.CharField("包文件名", max_length=255, blank=True)
    package_digest = models.CharField("包摘要", max_length=80)
    package_size = models.BigIntegerField("包大小（字节）", null=True, blank=True)
    built_by_system = models.BooleanField("由系统生成", default=False)
    note = models.TextField("备注", blank=True)
    made_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    made_at = models.DateTimeField("制作时间")

    SEALED_FIELDS = (
        "hold",
        "medium",
        "label",
        "package_name",
        "package_digest",
        "package_size",
        "built_by_system",
        "note",
        "made_by",
        "made_at",
    )

    class Meta:
        ordering = ["pk"]
        verbose_name = "离线副本"
        verbose_name_plural = "离线副本"

    def __str__(self) -> str:
        return f"{self.get_medium_display()} {self.label}"


class DisposalRequest(models.Model):
    """A request to dispose of stored items whose retention has run out."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField("申请说明")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField("申请时间")

    SEALED_FIELDS = ("agency", "reason", "requested_by", "requested_at")

    class Meta:
        ordering = ["-requested_at", "-pk"]
        verbose_name = "销毁申请"
        verbose_name_plural = "销毁申请"

    def __str__(self) -> str:
        return f"销毁申请 {self.pk}"


class DisposalItem(models.Model):
    """One blob of a request, with the retention that made it due when requested."""

    request = models.ForeignKey(DisposalRequest, on_delete=models.PROTECT, related_name="items")
    blob = models.ForeignKey(Blob, on_delete=models.PROTECT, related_name="+")
    expires_on = models.DateField("保存期限届满日")
    rule = models.CharField("适用规则", max_length=16)
    explanation = models.TextField("期限说明")

    SEALED_FIELDS = ("request", "blob", "expires_on", "rule", "explanation")

    class Meta:
        ordering = ["pk"]
        constraints = [models.UniqueConstraint(fields=["request", "blob"], name="disposal_item_unique")]
        verbose_name = "销毁清单项"
        verbose_name_plural = "销毁清单项"

    def __str__(self) -> str:
        return f"{self.request_id}/{self.blob_id}"


class ApprovalDecision(models.TextChoices):
    APPROVE = "approve", "同意销毁"
    REJECT = "reject", "不同意"


class DisposalApproval(models.Model):
    """One authorised person's decision on a request (two approvals needed, neither the requester)."""

    request = models.ForeignKey(DisposalRequest, on_delete=models.PROTECT, related_name="approvals")
    approver = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decision = models.CharField("意见", max_length=8, choices=ApprovalDecision.choices)
    note = models.TextField("说明", blank=True)
    decided_at = models.DateTimeField("时间")

    SEALED_FIELDS = ("request", "approver", "decision", "note", "decided_at")

    class Meta:
        ordering = ["decided_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["request", "approver"], name="disposal_approval_once")]
        verbose_name = "销毁审批"
        verbose_name_plural = "销毁审批"

    def __str__(self) -> str:
        return f"{self.request_id} {self.get_decision_display()}"


class Tombstone(models.Model):
    """What remains of a disposed blob: its digests, size, media type, what it was and who approved,
    signed with the agency key (``signature`` over :func:`liuhen.retention.tombstones.statement`)."""

    blob = models.OneToOneField(Blob, on_delete=models.PROTECT, related_name="tombstone")
    request = models.ForeignKey(DisposalRequest, on_delete=models.PROTECT, related_name="tombstones")
    sm3 = models.CharField(max_length=80)
    sha256 = models.CharField(max_length=80)
    size = models.BigIntegerField()
    media_type = models.CharField(max_length=100)
    storage_key = models.CharField(max_length=200)
    metadata = models.TextField("元数据", help_text="canonical JSON: the item's uses and its retention")
    approvals = models.TextField("审批", help_text="canonical JSON list of the approvals")
    disposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    disposed_at = models.DateTimeField("销毁时间")
    algorithm = models.CharField(max_length=16)
    key_id = models.CharField(max_length=32)
    public_key = models.CharField(max_length=200)
    signature = models.CharField(max_length=200)

    SEALED_FIELDS = (
        "blob",
        "request",
        "sm3",
        "sha256",
        "size",
        "media_type",
        "storage_key",
        "metadata",
        "approvals",
        "disposed_by",
        "disposed_at",
        "algorithm",
        "key_id",
        "public_key",
        "signature",
    )

    class Meta:
        ordering = ["-disposed_at", "-pk"]
        verbose_name = "销毁凭证"
        verbose_name_plural = "销毁凭证"

    def __str__(self) -> str:
        return f"销毁凭证 {self.sm3}"

    @property
    def approval_list(self) -> list[dict[str, Any]]:
        value: list[dict[str, Any]] = json.loads(self.approvals)
        return value

    @property
    def meta(self) -> dict[str, Any]:
        value: dict[str, Any] = json.loads(self.metadata)
        return value
