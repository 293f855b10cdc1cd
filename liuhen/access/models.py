"""Access to case files and audio-visual items (AC-1..4): requests, the unit head's decision (an
approval is a time-limited grant), and the end of a grant (revoked, or recorded as expired).

AC-1 (HY-JL-18): no viewing, copying or exporting of case files and AV without a work need and
the unit head's approval — outside a person's own work scope (their department's cases, the cases
they handle, the items they recorded) a grant is the only way in. AC-2 (YC-14, BX-19): a party's
application to copy records is registered by an officer and approved by the head; what must stay
confidential is left out of the copy.

Every model here is an event: written once (database triggers, DESIGN principle 1) and sealed in
its ledger entry. Whether a grant is active is derived at read time (``valid_from <= now <
valid_until`` and no end row at or before ``now``), never a stored flag.

No ``DateField`` and no check constraints: the write-once property test mutates every stored
column and needs each to round-trip (see ``ledger/tests``).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from liuhen.av.models import MediaItem
from liuhen.cases.models import Case, Party
from liuhen.org.models import Agency


class Action(models.TextChoices):
    """AC-1: what a grant allows. Copying and exporting include viewing."""

    VIEW = "view", "查阅"
    COPY = "copy", "复制/下载"
    EXPORT = "export", "导出"


class RequestKind(models.TextChoices):
    WORK = "work", "因工作需要调阅（AC-1）"
    PARTY = "party", "当事人申请复制（AC-2）"


class EndKind(models.TextChoices):
    REVOKED = "revoked", "撤销"
    EXPIRED = "expired", "到期"


def actions_text(actions: set[str] | list[str] | tuple[str, ...]) -> str:
    """Canonical stored form: the distinct actions in the order of :class:`Action`, view always in."""
    wanted = {*actions, Action.VIEW}
    return ",".join(a.value for a in Action if a.value in wanted)


class AccessRequest(models.Model):
    """A request to view / copy / export one case file or one AV item, with its reason."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField("类型", max_length=8, choices=RequestKind.choices, default=RequestKind.WORK)
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="申请人", on_delete=models.PROTECT, related_name="+"
    )
    case = models.ForeignKey(
        Case, verbose_name="案件", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    media_item = models.ForeignKey(
        MediaItem, verbose_name="音像资料", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    actions = models.CharField("申请事项", max_length=32, help_text="view,copy,export 的子集（逗号分隔）")
    reason = models.TextField("事由（工作需要/用途）")
    days = models.IntegerField("申请期限（天）")
    party = models.ForeignKey(
        Party, verbose_name="当事人", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    applicant_name = models.CharField("申请人（当事人或其代理人）", max_length=100, blank=True)
    applicant_id_doc = models.CharField("身份证明/委托材料", max_length=200, blank=True)
    requested_at = models.DateTimeField("申请时间")

    SEALED_FIELDS = (
        "agency",
        "kind",
        "requester",
        "case",
        "media_item",
        "actions",
        "reason",
        "days",
        "party",
        "applicant_name",
        "applicant_id_doc",
        "requested_at",
    )

    class Meta:
        ordering = ["-requested_at", "-pk"]
        verbose_name = "调阅/复制申请"
        verbose_name_plural = "调阅/复制申请"

    def __str__(self) -> str:
        return f"{self.pk} {self.get_kind_display()}"

    @property
    def action_set(self) -> frozenset[str]:
        return frozenset(a for a in self.actions.split(",") if a)

    @property
    def action_labels(self) -> list[str]:
        return [Action(a).label for a in Action.values if a in self.action_set]

    @property
    def target_label(self) -> str:
        if self.case is not None:
            return f"案卷 {self.case.number} {self.case.title}"
        if self.media_item is not None:
            return f"音像资料 #{self.media_item.pk} {self.media_item.filename}"
        return ""


class Decision(models.Model):
    """The unit head's decision. An approval is the grant: valid from ``valid_from`` until
    ``valid_until`` (exclusive) unless ended earlier."""

    request = models.OneToOneField(AccessRequest, on_delete=models.PROTECT, related_name="decision")
    approved = models.BooleanField("批准")
    note = models.TextField("审批意见", blank=True)
    valid_from = models.DateTimeField("生效时间", null=True, blank=True)
    valid_until = models.DateTimeField("截止时间", null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="审批人", on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField("审批时间")

    SEALED_FIELDS = ("request", "approved", "note", "valid_from", "valid_until", "decided_by", "decided_at")

    class Meta:
        ordering = ["-decided_at", "-pk"]
        verbose_name = "调阅审批"
        verbose_name_plural = "调阅审批"

    def __str__(self) -> str:
        return f"{self.request_id} {'批准' if self.approved else '不予批准'}"


class GrantEnd(models.Model):
    """A grant ended before (revoked) or at (expired, recorded by the daily job) its end time."""

    decision = models.OneToOneField(Decision, on_delete=models.PROTECT, related_name="end")
    kind = models.CharField("类型", max_length=8, choices=EndKind.choices)
    reason = models.TextField("理由", blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    ended_at = models.DateTimeField("时间")

    SEALED_FIELDS = ("decision", "kind", "reason", "ended_by", "ended_at")

    class Meta:
        ordering = ["-ended_at", "-pk"]
        verbose_name = "授权终止"
        verbose_name_plural = "授权终止"

    def __str__(self) -> str:
        return f"{self.decision_id} {self.get_kind_display()}"
