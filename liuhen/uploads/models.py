"""Resumable uploads (tus 1.0): one row per upload, from creation to completion or its end.

An upload is working state, not a record: its row changes as bytes arrive (``offset``) and when it
ends (``state``). Every state change is a ledger entry written by :mod:`liuhen.uploads.services`
(``upload.create``, ``upload.complete``, ``upload.terminate``, ``upload.expire``, ``upload.fail``);
progress (``offset``) is not, or one 300 MB file would leave dozens of entries. What is kept for
good is the blob and the attachment the completion creates, which are write-once as always.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models

from liuhen.cases.models import Case
from liuhen.records.models import Record, RecordAttachment


class UploadState(models.TextChoices):
    RECEIVING = "receiving", "上传中"
    COMPLETED = "completed", "已完成"
    TERMINATED = "terminated", "已取消"
    EXPIRED = "expired", "已过期"
    FAILED = "failed", "校验失败"


class Upload(models.Model):
    """A file arriving in chunks. Its bytes live in ``<vault>/uploads/<id>.part`` until completion,
    when they are hard-linked into the vault and attached to the target record in one transaction."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="+")
    # The target: an existing record version, or (record None) a new record of ``record_type``.
    record = models.ForeignKey(Record, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    record_type = models.CharField("记录类型", max_length=64)
    filename = models.CharField("文件名", max_length=255)
    media_type = models.CharField("文件类型", max_length=100)
    caption = models.CharField("说明", max_length=200, blank=True)
    description = models.TextField(
        "内容说明", blank=True, help_text="for a new record: its description field"
    )
    confidentiality = models.CharField("密级", max_length=20, blank=True)
    length = models.BigIntegerField("文件大小")
    offset = models.BigIntegerField("已接收", default=0)
    # The client's digests of the whole file ("sm3:<hex>", "sha256:<hex>"), checked at completion.
    expected_sm3 = models.CharField(max_length=80, blank=True)
    expected_sha256 = models.CharField(max_length=80, blank=True)
    state = models.CharField(
        "状态", max_length=16, choices=UploadState.choices, default=UploadState.RECEIVING
    )
    error = models.TextField("错误", blank=True)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    expires_at = models.DateTimeField(db_index=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # Set on completion.
    sm3 = models.CharField(max_length=80, blank=True)
    sha256 = models.CharField(max_length=80, blank=True)
    result_record = models.ForeignKey(
        Record, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    attachment = models.ForeignKey(
        RecordAttachment, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["state", "expires_at"], name="upload_state_expiry_idx")]
        verbose_name = "上传"
        verbose_name_plural = "上传"

    def __str__(self) -> str:
        return f"{self.filename} ({self.offset}/{self.length})"

    @property
    def is_receiving(self) -> bool:
        return self.state == UploadState.RECEIVING
