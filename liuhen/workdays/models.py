"""Calendar overrides (工作日调整): days an agency — or every agency — treats differently from the
State Council schedule built into chinese-calendar, and whole schedules for years the package has
no data for (issue 3 point 5).

Rows are write-once (DB triggers, DESIGN principle 1). An override is withdrawn by a NEW row whose
``withdraws`` points at it, so the history of what the calendar was at any time is kept.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from liuhen.org.models import Agency


class ActiveOverrideQuerySet(models.QuerySet["CalendarOverride"]):
    def active(self) -> ActiveOverrideQuerySet:
        """Overrides in force: not withdrawal rows themselves and not withdrawn."""
        return self.filter(withdraws__isnull=True, withdrawn_by__isnull=True)


class CalendarOverride(models.Model):
    agency = models.ForeignKey(
        Agency,
        verbose_name="适用机关",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="calendar_overrides",
        help_text="空 = 全部机关",
    )
    day = models.DateField("日期")
    is_workday = models.BooleanField("工作日")
    note = models.CharField("说明", max_length=200)
    withdraws = models.OneToOneField(
        "self",
        verbose_name="撤销的调整",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="withdrawn_by",
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()

    SEALED_FIELDS = ("agency", "day", "is_workday", "note", "withdraws", "created_by", "created_at")

    objects = ActiveOverrideQuerySet.as_manager()

    class Meta:
        ordering = ["day", "pk"]
        indexes = [models.Index(fields=["day"], name="workdays_override_day")]
        verbose_name = "工作日调整"
        verbose_name_plural = "工作日调整"

    def __str__(self) -> str:
        kind = "撤销" if self.withdraws_id else ("工作日" if self.is_workday else "休息日")
        return f"{self.day:%Y-%m-%d} {kind}"
