"""Typed records (记录) with signers, attachments and a version chain."""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.db import models

from liuhen.cases.models import Case
from liuhen.vault.models import Blob


class Confidentiality(models.TextChoices):
    """AC-3 / AV-3."""

    NORMAL = "normal", "一般"
    COMMERCIAL_SECRET = "commercial_secret", "商业秘密"
    PRIVACY = "privacy", "个人隐私"
    STATE_SECRET = "state_secret", "国家秘密"


class Record(models.Model):
    """Write-once. A correction is a new Record with ``supersedes`` set; "current" is derived."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="records", null=True, blank=True)
    record_type = models.CharField("记录类型", max_length=64, db_index=True)
    series = models.UUIDField("版本链", db_index=True)
    version = models.PositiveIntegerField("版本", default=1)
    supersedes = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="superseded_by"
    )
    stage = models.CharField("记录阶段", max_length=16)
    title = models.CharField("标题", max_length=200)
    data = models.TextField("内容", help_text="canonical JSON of the validated fields")
    confidentiality = models.CharField(
        "密级", max_length=20, choices=Confidentiality.choices, default=Confidentiality.NORMAL
    )
    correction_reason = models.TextField("更正理由", blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()

    SEALED_FIELDS = (
        "case",
        "record_type",
        "series",
        "version",
        "supersedes",
        "stage",
        "title",
        "data",
        "confidentiality",
        "correction_reason",
        "created_by",
        "created_at",
    )

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["series", "version"], name="record_series_version")]
        verbose_name = "记录"
        verbose_name_plural = "记录"

    def __str__(self) -> str:
        return f"{self.title} v{self.version}"

    @property
    def fields(self) -> dict[str, Any]:
        value: dict[str, Any] = json.loads(self.data)
        return value

    @property
    def is_confidential(self) -> bool:
        return self.confidentiality != Confidentiality.NORMAL


class SignerRole(models.TextChoices):
    OFFICER = "officer", "执法人员"
    PARTY = "party", "当事人"
    WITNESS = "witness", "见证人"
    INTERVIEWEE = "interviewee", "被询问人"
    RECIPIENT = "recipient", "受送达人"
    HEAD = "head", "负责人"
    REVIEWER = "reviewer", "审核人"
    ATTENDEE = "attendee", "参加人"
    EXPERT = "expert", "专家"
    SERVER = "server", "送达人"


class RecordSigner(models.Model):
    """A signature on a record version (handwritten on paper and scanned, or confirmed in the system)."""

    record = models.ForeignKey(Record, on_delete=models.PROTECT, related_name="signers")
    role = models.CharField("签名身份", max_length=16, choices=SignerRole.choices)
    name = models.CharField("签名人", max_length=100)
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    signed_at = models.DateTimeField("签名时间")
    refused = models.BooleanField("拒绝签名", default=False)
    note = models.CharField("备注", max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()

    SEALED_FIELDS = (
        "record",
        "role",
        "name",
        "person",
        "signed_at",
        "refused",
        "note",
        "created_by",
        "created_at",
    )

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.get_role_display()} {self.name}"


class RecordAttachment(models.Model):
    """A blob attached to a record version (scan, photo, audio, video)."""

    record = models.ForeignKey(Record, on_delete=models.PROTECT, related_name="attachments")
    blob = models.ForeignKey(Blob, on_delete=models.PROTECT, related_name="attachments")
    filename = models.CharField("文件名", max_length=255)
    caption = models.CharField("说明", max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()

    SEALED_FIELDS = ("record", "blob", "filename", "caption", "created_by", "created_at")

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.filename
