"""Case-file archiving (案卷归档, AR-1..4): archive submissions, the archivist's decisions, the
named custodians per unit, and the per-agency, per-year archive-number counter.

Submissions, decisions and designations are write-once facts: a returned file is resubmitted as a
new ``ArchiveRecord`` that supersedes the returned one (``attempt`` + 1, same archive number); a new
custodian is a new designation row. "Current" is derived (the latest row), never a stored flag.
"""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.db import models

from liuhen.cases.models import Case
from liuhen.org.models import Agency, Department


class Retention(models.TextChoices):
    """AR-2 保管期限 (the catalogue's archive_registration.retention codes)."""

    PERMANENT = "permanent", "永久"
    Y30 = "30y", "30年"
    Y10 = "10y", "10年"


class Outcome(models.TextChoices):
    """The archivist's decision on a submission (AR-1)."""

    ACCEPTED = "accepted", "接收归档"
    RETURNED = "returned", "退回补正"


class ArchiveRecord(models.Model):
    """One submission of a compiled case file (案卷) to the archive (AR-1, AR-2). Write-once."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="archive_records")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    attempt = models.PositiveIntegerField("报送次数", default=1)
    supersedes = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="resubmission"
    )
    archive_no = models.CharField("档号", max_length=100)
    archive_year = models.PositiveIntegerField("归档年度")
    archive_seq = models.PositiveIntegerField("年度序号")
    category = models.CharField("类别代码", max_length=32)
    category_name = models.CharField("类别", max_length=50)
    retention = models.CharField("保管期限", max_length=16, choices=Retention.choices)
    action_started_on = models.DateField("执法行为开始日期")
    action_ended_on = models.DateField("执法行为终结日期")
    action_end_event = models.CharField("终结方式", max_length=32)
    due_on = models.DateField("立卷归档期限")
    deadline_citation = models.CharField("期限依据", max_length=200, blank=True)
    file_index = models.TextField("卷内目录", help_text="canonical JSON list of the index entries")
    page_count = models.PositiveIntegerField("总页数")
    custodian = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    note = models.TextField("备注", blank=True)
    compiled_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField("报送时间")

    SEALED_FIELDS = (
        "case",
        "agency",
        "attempt",
        "supersedes",
        "archive_no",
        "archive_year",
        "archive_seq",
        "category",
        "category_name",
        "retention",
        "action_started_on",
        "action_ended_on",
        "action_end_event",
        "due_on",
        "deadline_citation",
        "file_index",
        "page_count",
        "custodian",
        "note",
        "compiled_by",
        "submitted_at",
    )

    class Meta:
        ordering = ["case_id", "attempt"]
        constraints = [
            models.UniqueConstraint(fields=["case", "attempt"], name="archive_record_case_attempt"),
            models.UniqueConstraint(
                fields=["agency", "archive_year", "archive_seq", "attempt"], name="archive_record_number"
            ),
        ]
        verbose_name = "案卷归档报送"
        verbose_name_plural = "案卷归档报送"

    def __str__(self) -> str:
        return f"{self.archive_no}（第{self.attempt}次报送）"

    @property
    def entries(self) -> list[dict[str, Any]]:
        value: list[dict[str, Any]] = json.loads(self.file_index)
        return value

    @property
    def retention_label(self) -> str:
        return Retention(self.retention).label


class ArchiveDecision(models.Model):
    """The archivist accepts a submission or returns it with reasons (AR-1). Write-once; at most
    one per submission."""

    submission = models.OneToOneField(ArchiveRecord, on_delete=models.PROTECT, related_name="decision")
    outcome = models.CharField("审核结果", max_length=16, choices=Outcome.choices)
    reasons = models.TextField("理由", blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField("审核时间")

    SEALED_FIELDS = ("submission", "outcome", "reasons", "decided_by", "decided_at")

    class Meta:
        ordering = ["decided_at", "pk"]
        verbose_name = "归档审核"
        verbose_name_plural = "归档审核"

    def __str__(self) -> str:
        return f"{self.submission_id}: {self.get_outcome_display()}"


class CustodianDesignation(models.Model):
    """The named custodian (专人) of a unit's case files (AR-4): of a department, or of the whole
    agency when ``department`` is empty. Write-once; the latest designation of a unit is current."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    note = models.TextField("说明", blank=True)
    designated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    designated_at = models.DateTimeField("指定时间")

    SEALED_FIELDS = ("agency", "department", "person", "note", "designated_by", "designated_at")

    class Meta:
        ordering = ["designated_at", "pk"]
        verbose_name = "归档责任人"
        verbose_name_plural = "归档责任人"

    def __str__(self) -> str:
        return f"{self.department_id or self.agency_id}: {self.person_id}"


class ArchiveNumberCounter(models.Model):
    """Per-agency, per-year sequence of archive numbers (a counter, not a record)."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["agency", "year"], name="archive_counter_unique")]

    def __str__(self) -> str:
        return f"{self.agency_id}/{self.year}: {self.last}"
