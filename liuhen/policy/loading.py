"""Building case snapshots from the database in bulk (used by ``policy.selectors``).

Seven queries per batch of cases, none per case, and as little per-row work as possible: a check
of a year's cases reads hundreds of thousands of rows, so

- current records, signatures and attachments are selected by case (an index scan), and what a
  newer version superseded is dropped in Python — no correlated ``NOT EXISTS`` per row;
- on SQLite, datetimes are read as their stored text (``CAST``: no declared type, so neither the
  driver's nor Django's per-value converters run) and parsed with ``datetime.fromisoformat``;
- a record's content is materialised only when the engine first reads it (:class:`LoadedRecord`):
  its JSON is parsed, its time converted and its signatures and files turned into snapshot objects
  on first access. The rules of a pack read the signatures of a few record types and the data of
  most, so most of that work is never done; what is read equals what an eager load would give.

These are system reads: the engine sees the whole case file whatever its confidentiality; the
callers scope the *cases* they pass in.
"""

from __future__ import annotations

import contextlib
import functools
import gc
import json
import re
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, date, datetime
from itertools import groupby
from json.scanner import make_scanner
from operator import itemgetter
from typing import Any, Generic, TypeVar, cast, overload

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import F, QuerySet, TextField
from django.db.models.expressions import RawSQL
from django.db.models.functions import Cast

from liuhen.cases.models import CaseHandler, Party, StageChange
from liuhen.policy.engine import signed_record_types
from liuhen.policy.schema import PackError, packs_for
from liuhen.policy.snapshot import (
    AttachmentSnap,
    CaseSnapshot,
    HandlerSnap,
    PartySnap,
    RecordSnap,
    SignerSnap,
    StageEvent,
)
from liuhen.records.models import Record, RecordAttachment, RecordSigner

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_T = TypeVar("_T")
_PLAIN_KEY = re.compile(r"[A-Za-z0-9_]+")


def _moment(field: str) -> Cast | F:
    """A datetime column, read without per-value converters where the backend has them (SQLite)."""
    if connection.vendor == "sqlite":
        return Cast(field, output_field=TextField())
    return F(field)


def aware(value: Any) -> datetime:
    """A datetime from the database: SQLite text is naive UTC; drivers' datetimes pass through."""
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value + "+00:00")
        except ValueError:
            return _EPOCH
    if not isinstance(value, datetime):
        return _EPOCH
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def _fetch(queryset: QuerySet[Any]) -> list[tuple[Any, ...]]:
    """All rows of a ``values_list`` query as the driver returns them (no per-row Django work)."""
    try:
        sql, params = queryset.query.get_compiler(using=queryset.db).as_sql()
    except EmptyResultSet:
        return []
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _by_record(rows: list[tuple[Any, ...]]) -> dict[int, list[tuple[Any, ...]]]:
    """Rows ordered by their first column (the record id), grouped by it."""
    return {record_id: list(group) for record_id, group in groupby(rows, itemgetter(0))}


# What json.loads runs, without its per-call wrapper (typeshed types the decoder argument as a
# scanner: a known gap, hence the cast).
_SCAN: Callable[[str, int], tuple[Any, int]] = make_scanner(cast(Any, json.JSONDecoder()))


def _loads(raw: Any) -> Any:
    try:
        return json.loads(raw)
    except (TypeError, ValueError):
        return None


def _data(raw: Any) -> dict[str, Any]:
    """A record's stored JSON as a dict ({} if it is not one). Text the scanner takes whole goes
    through it directly (half the cost of ``json.loads``); anything else (surrounding whitespace,
    extra data, not text) through ``json.loads`` — the same result either way."""
    value: Any = None
    if isinstance(raw, str):
        try:
            value, end = _SCAN(raw, 0)
        except (StopIteration, ValueError):
            end = -1
        if end != len(raw):
            value = _loads(raw)
    else:
        value = _loads(raw)
    return value if isinstance(value, dict) else {}


class _Lazy(Generic[_T]):
    """An attribute computed from the instance's raw columns on first read, then stored in the
    instance ``__dict__`` (a non-data descriptor: later reads are plain attribute reads)."""

    def __init__(self, build: Callable[[Any], _T]) -> None:
        self.build = build
        self.name = ""

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    @overload
    def __get__(self, instance: None, owner: type | None = None) -> _Lazy[_T]: ...

    @overload
    def __get__(self, instance: object, owner: type | None = None) -> _T: ...

    def __get__(self, instance: object, owner: type | None = None) -> _T | _Lazy[_T]:
        if instance is None:
            return self
        value = self.build(instance.__dict__)
        instance.__dict__[self.name] = value
        return value


_NOT_FETCHED = object()  # signatures of a record type no rule of its case's packs reads


def _signer_rows(signers: QuerySet[RecordSigner]) -> list[tuple[Any, ...]]:
    return _fetch(
        signers.order_by("record_id", "pk").values_list("record_id", "role", "refused", _moment("signed_at"))
    )


def _signers(raw: dict[str, Any]) -> tuple[SignerSnap, ...]:
    rows = raw["_signer_rows"]
    if rows is _NOT_FETCHED:  # read anyway (not by the engine): one query for this record
        rows = _signer_rows(RecordSigner.objects.filter(record_id=raw["id"]))
    if not rows:
        return ()
    return tuple(SignerSnap(role, bool(refused), aware(signed_at)) for _, role, refused, signed_at in rows)


def _attachments(raw: dict[str, Any]) -> tuple[AttachmentSnap, ...]:
    rows = raw["_attachment_rows"]
    if not rows:
        return ()
    return tuple(AttachmentSnap(media, size, aware(created_at)) for _, media, size, created_at in rows)


class LoadedRecord(RecordSnap):
    """A :class:`RecordSnap` read from the database: ``data``, ``created_at``, ``signers`` and
    ``attachments`` are built from the stored columns when first read (equal to what an eager load
    gives; ``dataclasses.replace`` and equality work as for any RecordSnap of this class)."""

    data = _Lazy(lambda raw: _data(raw["_raw_data"]))
    created_at = _Lazy(lambda raw: aware(raw["_raw_created"]))
    signers = _Lazy(_signers)
    attachments = _Lazy(_attachments)

    def may_hold(self, field: str) -> bool:
        """Answered from the stored JSON text while it is not parsed: a key that appears nowhere
        in it, not even \\u-escaped, is not there."""
        raw = self.__dict__
        if "data" in raw:  # parsed (or given)
            data = raw["data"]
            return field in data if isinstance(data, dict) else True
        text = raw.get("_raw_data")
        if not isinstance(text, str) or not _plain_key(field):
            return True
        return field in text or "\\u00" in text


@functools.lru_cache(maxsize=256)
def _plain_key(field: str) -> bool:
    """A key written the same way in any JSON text (an escape of one of its characters would
    start "\\u00")."""
    return _PLAIN_KEY.fullmatch(field) is not None


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """Building tens of thousands of long-lived objects makes the cyclic GC rescan them again and
    again; nothing built here forms a cycle, so pause it (and restore what it was)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def load_batch(cases: Sequence[dict[str, Any]], today: date) -> list[CaseSnapshot]:
    """Snapshots of ``cases`` (rows of ``Case.values(id, number, agency__policy_pack, case_type,
    procedure, source, stage, branch, created_at)``), in their order."""
    with gc_paused():
        return _load(cases, today)


def _signed_types(cases: Sequence[dict[str, Any]]) -> frozenset[str] | None:
    """The record types whose signatures the packs of ``cases`` read (None: every type — a case
    row without its pack code, or a pack that does not load)."""
    types: set[str] = set()
    for code in {c.get("agency__policy_pack") for c in cases}:
        if not isinstance(code, str):
            return None
        try:
            types |= signed_record_types(packs_for(code))
        except PackError:
            return None
    return frozenset(types)


def id_set(ids: Sequence[int]) -> Sequence[int] | RawSQL:
    """``ids`` as the right-hand side of an ``__in`` filter. On SQLite one JSON parameter read by
    ``json_each``: the ORM prepares a literal list value by value, twice per query, which for a
    batch of 500 cases costs about as much as reading the rows."""
    if connection.vendor == "sqlite":
        return RawSQL("SELECT value FROM json_each(%s)", (json.dumps([int(pk) for pk in ids]),))
    return ids


def _records(ids: Sequence[int], signed: frozenset[str] | None) -> dict[int, list[RecordSnap]]:
    """The current records of the cases ``ids``, per case, oldest first (content not yet built).
    Signatures are fetched only for the record types in ``signed`` (None: all)."""
    in_ids = id_set(ids)
    rows = _fetch(
        Record.objects.filter(case_id__in=in_ids)
        .order_by("created_at", "pk")
        .values_list(
            "id", "case_id", "record_type", "stage", _moment("created_at"), "data", "version", "supersedes_id"
        )
    )
    signer_rows = RecordSigner.objects.filter(record__case_id__in=in_ids)
    if signed is not None:
        # Through a cast, so that SQLite does not pick the record-type index (every record of
        # those types in the table) over the case index.
        kind = Cast("record__record_type", output_field=TextField())
        signer_rows = signer_rows.alias(kind=kind).filter(kind__in=sorted(signed))
    signers = _by_record(_signer_rows(signer_rows)) if signed is None or signed else {}
    attachments = _by_record(
        _fetch(
            RecordAttachment.objects.filter(record__case_id__in=in_ids)
            .order_by("record_id", "pk")
            .values_list("record_id", "blob__media_type", "blob__size", _moment("created_at"))
        )
    )
    superseded = {row[7] for row in rows if row[7] is not None}
    new, set_attr = object.__new__, object.__setattr__
    by_case: dict[int, list[RecordSnap]] = defaultdict(list)
    for record_id, case_id, record_type, stage, created_at, data, version, _ in rows:
        if record_id in superseded:
            continue
        record = new(LoadedRecord)
        # The frozen dataclass refuses attribute writes; its instance dict is set whole instead.
        set_attr(
            record,
            "__dict__",
            {
                "id": record_id,
                "record_type": record_type,
                "stage": stage,
                "version": version,
                "_raw_created": created_at,
                "_raw_data": data,
                "_signer_rows": (
                    signers.get(record_id) if signed is None or record_type in signed else _NOT_FETCHED
                ),
                "_attachment_rows": attachments.get(record_id),
            },
        )
        by_case[case_id].append(record)
    return by_case


def _load(cases: Sequence[dict[str, Any]], today: date) -> list[CaseSnapshot]:
    ids = [c["id"] for c in cases]
    by_case = _records(ids, _signed_types(cases))
    in_ids = id_set(ids)
    history: dict[int, list[StageEvent]] = defaultdict(list)
    for case_id, from_stage, to_stage, branch, at, reason in _fetch(
        StageChange.objects.filter(case_id__in=in_ids)
        .order_by("changed_at", "pk")
        .values_list("case_id", "from_stage", "to_stage", "branch", _moment("changed_at"), "reason")
    ):
        history[case_id].append(StageEvent(from_stage, to_stage, branch, aware(at), reason))
    handlers: dict[int, list[HandlerSnap]] = defaultdict(list)
    for case_id, person_id, certificate_no, is_lead in _fetch(
        CaseHandler.objects.filter(case_id__in=in_ids)
        .order_by("-is_lead", "pk")
        .values_list("case_id", "person_id", "certificate_no", "is_lead")
    ):
        handlers[case_id].append(HandlerSnap(person_id, certificate_no or "", bool(is_lead)))
    party_rows = _fetch(
        Party.objects.filter(case_id__in=in_ids)
        .order_by("pk")
        .values_list("pk", "case_id", "kind", "name", "supersedes_id")
    )
    replaced = {row[4] for row in party_rows if row[4] is not None}
    parties: dict[int, list[PartySnap]] = defaultdict(list)
    for party_id, case_id, kind, name, _ in party_rows:
        if party_id not in replaced:
            parties[case_id].append(PartySnap(kind, name))
    return [
        CaseSnapshot(
            id=c["id"],
            number=c["number"],
            pack=c["agency__policy_pack"],
            case_type=c["case_type"],
            procedure=c["procedure"],
            source=c["source"],
            stage=c["stage"],
            branch=c["branch"],
            opened_at=c["created_at"],
            today=today,
            stage_history=tuple(history.get(c["id"], ())),
            handlers=tuple(handlers.get(c["id"], ())),
            parties=tuple(parties.get(c["id"], ())),
            records=tuple(by_case.get(c["id"], ())),
        )
        for c in cases
    ]


__all__ = ["LoadedRecord", "aware", "gc_paused", "id_set", "load_batch"]
