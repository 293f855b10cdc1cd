"""Writes to the ledger. Every other app's services call :func:`append` inside their transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

from django.conf import settings
from django.db import connection, models, transaction
from django.utils import timezone

from liuhen.core.canonical import canonical_json
from liuhen.ledger import merkle, signing
from liuhen.ledger.hashing import GENESIS_PREV_HASH, entry_hash, payload_digest
from liuhen.ledger.models import Checkpoint, LedgerEntry

# Arbitrary constant naming the ledger's PostgreSQL advisory lock.
_PG_LOCK_KEY = 0x4C49_5548


class Actor(Protocol):
    pk: Any

    def ledger_label(self) -> str: ...


class LedgerError(RuntimeError):
    pass


def iso_utc(value: datetime) -> str:
    return value.astimezone(UTC).isoformat(timespec="microseconds")


def _lock_head() -> None:
    # SQLite: the IMMEDIATE transaction already holds the database write lock.
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_PG_LOCK_KEY])


def append(
    *,
    actor: Actor | None,
    action: str,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str = "",
    case_id: int | None = None,
    payload: dict[str, Any] | None = None,
) -> LedgerEntry:
    """Append one entry. Must run inside the caller's transaction so both commit or neither."""
    if not transaction.get_connection().in_atomic_block:
        raise LedgerError("ledger.append must be called inside transaction.atomic()")
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
    _lock_head()
    head = LedgerEntry.objects.order_by("-seq").values_list("seq", "entry_hash").first()
    seq, prev_hash = (head[0] + 1, head[1]) if head else (1, GENESIS_PREV_HASH)
    payload_json = canonical_json(payload or {}).decode("utf-8")
    now = timezone.now()
    header: dict[str, Any] = {
        "seq": seq,
        "recorded_at": iso_utc(now),
        "actor_id": int(actor.pk) if actor is not None else None,
        "actor_label": actor.ledger_label() if actor is not None else "system",
        "action": action,
        "object_type": object_type,
        "object_id": object_id,
        "case_id": case_id,
        "payload_digest": payload_digest(payload_json),
        "prev_hash": prev_hash,
    }
    entry = LedgerEntry(
        seq=seq,
        recorded_at=now,
        actor_id=header["actor_id"],
        actor_label=header["actor_label"],
        action=action,
        object_type=object_type,
        object_id=object_id,
        case_id=case_id,
        payload=payload_json,
        payload_digest=header["payload_digest"],
        prev_hash=prev_hash,
        entry_hash=entry_hash(header),
    )
    entry.save(force_insert=True)
    every = settings.LIUHEN_CHECKPOINT_EVERY
    if every > 0 and seq % every == 0:
        transaction.on_commit(make_checkpoint)
    return entry


def record_access(
    *, actor: Actor, action: str, obj: models.Model, case_id: int | None, detail: dict[str, Any] | None = None
) -> LedgerEntry:
    """A read of protected content (view, download, export) is a ledger event too (principle 2)."""
    with transaction.atomic():
        return append(actor=actor, action=action, obj=obj, case_id=case_id, payload=detail or {})


def agency_origin() -> str:
    return str(settings.LIUHEN_LEDGER_ORIGIN)


def header_of(entry: LedgerEntry) -> dict[str, Any]:
    return {
        "seq": entry.seq,
        "recorded_at": iso_utc(entry.recorded_at),
        "actor_id": entry.actor_id,
        "actor_label": entry.actor_label,
        "action": entry.action,
        "object_type": entry.object_type,
        "object_id": entry.object_id,
        "case_id": entry.case_id,
        "payload_digest": entry.payload_digest,
        "prev_hash": entry.prev_hash,
    }


@dataclass(frozen=True)
class CheckpointResult:
    checkpoint: Checkpoint | None
    created: bool


def make_checkpoint() -> CheckpointResult:
    """Sign the Merkle root over the whole ledger (no-op when nothing is new)."""
    key = signing.load_or_create_key(settings.LIUHEN_KEYS_DIR)
    with transaction.atomic():
        _lock_head()
        leaves = [
            bytes.fromhex(h) for h in LedgerEntry.objects.order_by("seq").values_list("entry_hash", flat=True)
        ]
        size = len(leaves)
        if size == 0:
            return CheckpointResult(None, False)
        existing = Checkpoint.objects.filter(tree_size=size).first()
        if existing is not None:
            return CheckpointResult(existing, False)
        root = merkle.root(leaves)
        created_at = timezone.now()
        origin = agency_origin()
        message = signing.checkpoint_message(origin, size, root, iso_utc(created_at))
        checkpoint = Checkpoint(
            tree_size=size,
            root_hash=root.hex(),
            created_at=created_at,
            origin=origin,
            algorithm=key.algorithm,
            key_id=key.key_id,
            public_key=key.public_key.hex(),
            signature=key.sign(message).hex(),
        )
        checkpoint.save(force_insert=True)
        return CheckpointResult(checkpoint, True)
