"""Ledger queries of the JSON API: entries (the case trail, an object's trail) and checkpoints."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from django.http import Http404, HttpRequest
from ninja import Query, Router, Schema
from pydantic import Field

from liuhen.core.api_errors import ERROR_RESPONSES
from liuhen.ledger.models import Checkpoint, LedgerEntry
from liuhen.ledger.selectors import latest_checkpoint, search_entries, sees_whole_ledger
from liuhen.org.api import actor

router = Router(tags=["ledger"])

MAX_LIMIT = 1000


class LedgerFilter(Schema):
    case: int | None = None
    object_type: str = ""
    object_id: str = ""
    action: str = ""
    after: int = Field(0, ge=0, description="只返回序号大于此值的条目（翻页）")
    limit: int = Field(200, ge=1, le=MAX_LIMIT)


class EntryOut(Schema):
    seq: int
    recorded_at: datetime
    actor_id: int | None
    actor_label: str
    action: str
    object_type: str
    object_id: str
    case_id: int | None
    payload_digest: str
    prev_hash: str
    entry_hash: str
    payload: dict[str, Any] | None = Field(
        None, description="规范化 JSON 载荷；仅向稽查人员和系统管理员返回（其余人员凭摘要核对）"
    )


class EntryPageOut(Schema):
    items: list[EntryOut]
    next_after: int | None


class CheckpointOut(Schema):
    tree_size: int
    root_hash: str
    created_at: datetime
    origin: str
    algorithm: str
    key_id: str
    public_key: str
    signature: str


def entry_out(entry: LedgerEntry, *, with_payload: bool) -> EntryOut:
    return EntryOut(
        seq=entry.seq,
        recorded_at=entry.recorded_at,
        actor_id=entry.actor_id,
        actor_label=entry.actor_label,
        action=entry.action,
        object_type=entry.object_type,
        object_id=entry.object_id,
        case_id=entry.case_id,
        payload_digest=entry.payload_digest,
        prev_hash=entry.prev_hash,
        entry_hash=entry.entry_hash,
        payload=json.loads(entry.payload) if with_payload else None,
    )


def checkpoint_out(checkpoint: Checkpoint) -> CheckpointOut:
    return CheckpointOut(
        tree_size=checkpoint.tree_size,
        root_hash=checkpoint.root_hash,
        created_at=checkpoint.created_at,
        origin=checkpoint.origin,
        algorithm=checkpoint.algorithm,
        key_id=checkpoint.key_id,
        public_key=checkpoint.public_key,
        signature=checkpoint.signature,
    )


@router.get("/ledger", response={200: EntryPageOut, **ERROR_RESPONSES}, summary="账本条目")
def list_entries(request: HttpRequest, filters: Query[LedgerFilter]) -> EntryPageOut:
    """Entries in sequence order, ``limit`` at a time; pass ``next_after`` as ``after`` for the
    next page. ``case`` of a case the caller may not see is a 404."""
    person = actor(request)
    qs = search_entries(
        person,
        case_id=filters.case,
        object_type=filters.object_type,
        object_id=filters.object_id,
        action=filters.action,
        after_seq=filters.after,
    )
    rows = list(qs[: filters.limit + 1])
    more = len(rows) > filters.limit
    rows = rows[: filters.limit]
    with_payload = sees_whole_ledger(person)
    return EntryPageOut(
        items=[entry_out(e, with_payload=with_payload) for e in rows],
        next_after=rows[-1].seq if more and rows else None,
    )


@router.get(
    "/ledger/checkpoints/latest", response={200: CheckpointOut, **ERROR_RESPONSES}, summary="最新签名检查点"
)
def get_latest_checkpoint(request: HttpRequest) -> CheckpointOut:
    checkpoint = latest_checkpoint()
    if checkpoint is None:
        raise Http404("尚无签名检查点。")
    return checkpoint_out(checkpoint)
