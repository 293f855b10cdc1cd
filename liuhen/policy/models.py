"""Materialised deadlines (期限): the deadline findings of the policy engine, kept as rows so the
dashboard can list every visible case's overdue and soon-due periods with one query.

``Deadline`` is a *projection*, mutable by design — unlike records, evidence and the ledger it is
not a fact but a cache of what the engine derives from facts (the case's records and stage
history, the agency's packs and its working-day calendar). Its rows change when those change
(``policy.services.refresh_deadlines``) and when time passes (due → overdue, by the daily
``liuhen deadlines --refresh``). It therefore has no write-once triggers and no ``SEALED_FIELDS``;
what is worth keeping is kept in the ledger instead: an entry whenever a deadline is created, its
due date (or its provisional flag) changes, it is met, re-opened or dropped. The engine can
recompute every row at any time from the sealed facts.

When a case takes a branch (不予立案, 移送, 撤销) its running periods stop (the engine no longer
reports them); their rows are kept, in the state they had, with ``stopped`` set — the branch itself
is the ledgered event. Periods of rules made for that branch keep running.
"""

from __future__ import annotations

from django.db import models

from liuhen.cases.models import Case
from liuhen.records.models import Record


class DeadlineState(models.TextChoices):
    """DS-3, LR-3, AR-1, … (whatever the pack's deadline rules say)."""

    DUE = "due", "期限中"
    OVERDUE = "overdue", "已逾期"
    MET = "met", "按期完成"
    LATE = "late", "逾期完成"


OPEN_STATES = (DeadlineState.DUE, DeadlineState.OVERDUE)


class Deadline(models.Model):
    """One running or finished statutory period of a case (a projection, see the module docstring).

    Identified by (case, rule, record series): a per-record rule keeps the same row when its record
    is corrected (a correction is a new version of the same series); ``record`` follows the
    current version."""

    case = models.ForeignKey(Case, verbose_name="案件", on_delete=models.CASCADE, related_name="deadlines")
    rule_id = models.CharField("规则", max_length=100)
    record = models.ForeignKey(
        Record,
        verbose_name="触发记录",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    record_series = models.CharField("记录版本链", max_length=36, blank=True, default="")
    citation = models.CharField("依据", max_length=200)
    message = models.CharField("要求", max_length=500)
    due = models.DateField("期限")
    provisional = models.BooleanField("暂定", default=False, help_text="按仅排除周末临时计算")
    state = models.CharField("状态", max_length=10, choices=DeadlineState.choices)
    met_at = models.DateTimeField("完成时间", null=True, blank=True)
    stopped = models.BooleanField(
        "已停止计算", default=False, help_text="案件已终止（不予立案、移送、撤销），期限未届满即停止计算"
    )
    created_at = models.DateTimeField("生成时间")
    updated = models.DateTimeField("更新时间")

    class Meta:
        ordering = ["due", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "rule_id", "record_series"], name="deadline_case_rule_series"
            )
        ]
        indexes = [models.Index(fields=["state", "due"], name="deadline_state_due")]
        verbose_name = "期限"
        verbose_name_plural = "期限"

    def __str__(self) -> str:
        return f"{self.rule_id} {self.due:%Y-%m-%d} {self.get_state_display()}"

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    @property
    def is_running(self) -> bool:
        """Open and still counting (not stopped by a branch)."""
        return self.is_open and not self.stopped
