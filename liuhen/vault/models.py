"""Blobs: content-addressed, write-once files in the vault."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Blob(models.Model):
    """One stored content. Keyed by SM3; SHA-256 kept alongside for tools that only know it."""

    sm3 = models.CharField(max_length=80, unique=True)
    sha256 = models.CharField(max_length=80, db_index=True)
    size = models.BigIntegerField()
    media_type = models.CharField(max_length=100)
    storage_key = models.CharField(max_length=200)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField()

    SEALED_FIELDS = ("sm3", "sha256", "size", "media_type", "storage_key", "created_by", "created_at")

    class Meta:
        verbose_name = "证据文件"
        verbose_name_plural = "证据文件"

    def __str__(self) -> str:
        return self.sm3

    @property
    def short_digest(self) -> str:
        return self.sm3.split(":", 1)[1][:16]
