"""The ledger: an append-only hash chain of every write and every read of protected content."""

from __future__ import annotations

from django.db import models


class LedgerEntry(models.Model):
    """One event. ``seq`` is gap-free from 1; ``entry_hash`` chains to ``prev_hash``.

    ``entry_hash`` is the RFC 6962 leaf hash (SM3 over 0x00 || canonical header), so the
    Merkle checkpoints are computed directly over the entry hashes.
    """

    seq = models.BigIntegerField(primary_key=True)
    recorded_at = models.DateTimeField()
    actor_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    actor_label = models.CharField(max_length=200, blank=True)
    action = models.CharField(max_length=64, db_index=True)
    object_type = models.CharField(max_length=64)
    object_id = models.CharField(max_length=64)
    case_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    payload = models.TextField(help_text="canonical JSON")
    payload_digest = models.CharField(max_length=80)
    prev_hash = models.CharField(max_length=64)
    entry_hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["seq"]
        indexes = [models.Index(fields=["object_type", "object_id"], name="ledger_object_idx")]
        verbose_name = "账本条目"
        verbose_name_plural = "账本条目"

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} {self.object_type}:{self.object_id}"


class Checkpoint(models.Model):
    """A signed statement of the Merkle root over the first ``tree_size`` entries."""

    tree_size = models.BigIntegerField(primary_key=True)
    root_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField()
    origin = models.CharField(max_length=200)
    algorithm = models.CharField(max_length=16, default="sm2")
    key_id = models.CharField(max_length=32)
    public_key = models.CharField(max_length=200)
    signature = models.CharField(max_length=200)

    class Meta:
        ordering = ["tree_size"]
        verbose_name = "签名检查点"
        verbose_name_plural = "签名检查点"

    def __str__(self) -> str:
        return f"checkpoint {self.tree_size} {self.root_hash[:12]}"
