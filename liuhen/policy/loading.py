"""Building case snapshots from the database in bulk (used by ``policy.selectors`` and
``policy.audit``).

Six queries per batch of cases (records, signatures, files, stage history, handlers, parties),
none per case, and as little per-row work as possible: a check of a year's cases reads hundreds of
thousands of rows, so

- the batch's case ids go to SQLite as one JSON parameter (``json_each``): the ORM would prepare
  an id list value by value, which costs about as much as reading the rows;
- current records, signatures and attachments are selected by case (an index scan); what a newer
  version superseded is dropped, and each case's records are put in order (created, pk), in
  Python — no correlated ``NOT EXISTS`` per row, no SQL sort of rows with their content;
- on SQLite, datetimes are read as their stored text (``CAST``: no declared type, so neither the
  driver's nor Django's per-value converters run) and a record's JSON as bytes (a ``BLOB``: not
  decoded unless it is parsed);
- a record's content is built only when first read (:class:`LoadedRecord`): its JSON parsed, its
  time converted, its signatures and files turned into snapshot objects. The engine reads the data
  of most records but the files of few and the signatures of fewer: signatures are fetched only
  for the record types whose signatures a rule of the cases' packs reads
  (``engine.signed_record_types``; others are fetched, one query each, if read anyway). Whatever
  is read equals what an eager load gives.

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
from django.db.models import BinaryField, F, QuerySet, TextField
from django.db.models.expressions import RawSQL
from django.db.models.functions import Cast

from liuhen.cases.models import Case, CaseHandler, Party, StageChange
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


# A LoadedRecord's stored columns, in its "_raw" tuple.
_CREATED, _DATA, _SIGNERS, _ATTACHMENTS = range(4)


def _parsed(raw: dict[str, Any]) -> dict[str, Any]:
    """``data``: the stored JSON as a dict ({} if it is not one). Text the scanner takes whole
    goes through it directly (half the cost of ``json.loads``); anything else (surrounding
    whitespace, extra data, not text) through ``json.loads`` — the same result either way."""
    text = raw["_raw"][_DATA]
    value: Any = None
    if isinstance(text, bytes):
        try:
            text = text.decode()
        except UnicodeDecodeError:
            return {}
    if isinstance(text, str):
        try:
            value, end = _SCAN(text, 0)
        except (StopIteration, ValueError):
            end = -1
        if end != len(text):
            value = _loads(text)
    else:
        value = _loads(text)
    return value if isinstance(value, dict) else {}


def _created(raw: dict[str, Any]) -> datetime:
    return aware(raw["_raw"][_CREATED])


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


class _NotFetched:
    """The signatures of a record type no rule of its case's packs reads (fetched if read)."""

    def __reduce__(self) -> str:
        return "_NOT_FETCHED"  # pickled as a reference to the one instance


_NOT_FETCHED = _NotFetched()


def _signer_rows(signers: QuerySet[RecordSigner]) -> list[tuple[Any, ...]]:
    return _fetch(
        signers.order_by("record_id", "pk").values_list("record_id", "role", "refused", _moment("signed_at"))
    )


def _signers(raw: dict[str, Any]) -> tuple[SignerSnap, ...]:
    rows = raw["_raw"][_SIGNERS]
    if rows is _NOT_FETCHED:  # read anyway (not by the engine): one query for this record
        rows = _signer_rows(RecordSigner.objects.filter(record_id=raw["id"]))
    if not rows:
        return ()
    return tuple(SignerSnap(role, bool(refused), aware(signed_at)) for _, role, refused, signed_at in rows)


def _attachments(raw: dict[str, Any]) -> tuple[AttachmentSnap, ...]:
    """Rows (record id, media type, size, the blob's vault time, blob id[, AV facts])."""
    rows = raw["_raw"][_ATTACHMENTS]
    if not rows:
        return ()
    return tuple(_attachment(row) for row in rows)


def _attachment(row: tuple[Any, ...]) -> AttachmentSnap:
    """An ``AttachmentSnap`` without running the frozen dataclass's ``__init__`` (a setattr per
    field): its instance dict holds what the row gives, the other fields read their class
    defaults — equal to ``AttachmentSnap(...)`` of the same values."""
    snap = object.__new__(AttachmentSnap)
    values = {"media_type": row[1], "size": row[2], "created_at": aware(row[3])}
    if len(row) > 5:
        values.update(row[5])
    object.__setattr__(snap, "__dict__", values)
    return snap


_AV_PREFIXES = ("video/", "audio/", "image/")


def _opening(text: Any) -> tuple[str, ...]:
    value = _loads(text) if isinstance(text, str | bytes) else None
    return tuple(str(item) for item in value) if isinstance(value, list) else ()


def _av_facts(blob_ids: set[int]) -> dict[tuple[Any, Any], dict[str, Any]]:
    """What the imported items (``av.MediaItem``) and the officers' current declarations
    (``av.MediaDeclaration``) say about these blobs, per (agency, blob): ``AttachmentSnap``
    keyword arguments. Two queries, whatever the number of blobs."""
    from datetime import timedelta

    from liuhen.av.models import MediaDeclaration, MediaItem

    facts: dict[tuple[Any, Any], dict[str, Any]] = {}
    if not blob_ids:
        return facts
    ordered = sorted(blob_ids)
    items = _fetch(
        MediaItem.objects.filter(blob_id__in=id_set(ordered))
        .order_by("pk")
        .values_list("agency_id", "blob_id", _moment("recorded_at"), "duration_ms", "recorder_no")
    )
    for agency_id, blob_id, recorded_at, duration_ms, recorder_no in items:
        entry = facts.setdefault((agency_id, blob_id), {})
        if recorded_at is not None:
            start = aware(recorded_at)
            entry["recorded_at"] = start
            if duration_ms:
                entry["ended_at"] = start + timedelta(milliseconds=int(duration_ms))
        if recorder_no:
            entry["recorder_no"] = recorder_no
    declared = _fetch(
        MediaDeclaration.objects.filter(blob_id__in=id_set(ordered), superseded_by__isnull=True)
        .order_by("pk")
        .values_list(
            "agency_id",
            "blob_id",
            "field_work",
            _moment("returned_at"),
            "consent",
            "secret",
            "privacy",
            "opening_statement",
            "gap_explanation",
        )
    )
    for agency_id, blob_id, field_work, returned_at, consent, secret, privacy, opening, gap in declared:
        entry = facts.setdefault((agency_id, blob_id), {})
        entry.update(
            field_work=field_work or "",
            returned_at=aware(returned_at) if returned_at is not None else None,
            consent=consent or "",
            secret=bool(secret),
            privacy=bool(privacy),
            opening_statement=_opening(opening),
            gap_explanation=gap or "",
        )
    return facts


class LoadedRecord(RecordSnap):
    """A :class:`RecordSnap` read from the database: ``data``, ``created_at``, ``signers`` and
    ``attachments`` are built from the stored columns when first read (equal to what an eager load
    gives; ``dataclasses.replace`` and equality work as for any RecordSnap of this class)."""

    data = _Lazy(_parsed)
    created_at = _Lazy(_created)
    signers = _Lazy(_signers)
    attachments = _Lazy(_attachments)

    def may_have_av(self) -> bool:
        """Answered from the stored file rows while the files are not built."""
        raw = self.__dict__
        if "attachments" in raw or "_raw" not in raw:
            return True
        rows = raw["_raw"][_ATTACHMENTS]
        return bool(rows) and any(isinstance(row[1], str) and row[1].startswith(_AV_PREFIXES) for row in rows)

    def may_hold(self, field: str) -> bool:
        """Answered from the stored JSON text while it is not parsed: a key that appears nowhere
        in it, not even \\u-escaped, is not there."""
        raw = self.__dict__
        if "data" in raw:  # parsed (or given)
            data = raw["data"]
            return field in data if isinstance(data, dict) else True
        text = raw["_raw"][_DATA] if "_raw" in raw else None
        if isinstance(text, bytes):
            return not _plain_key(field) or field.encode() in text or b"\\u00" in text
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


# What a snapshot needs of a case row (``Case.values(*CASE_FIELDS)``).
CASE_FIELDS = (
    "id",
    "number",
    "agency_id",
    "agency__policy_pack",
    "case_type",
    "procedure",
    "source",
    "stage",
    "branch",
    "created_at",
)


def case_rows(ids: Sequence[int]) -> list[dict[str, Any]]:
    """``Case.objects.filter(pk__in=ids).order_by("pk").values(*CASE_FIELDS)``, read as a batch
    query (see ``fetch_batch``)."""
    columns = CASE_FIELDS[:-1]
    rows = fetch_batch(
        ("cases",),
        ids,
        lambda in_ids: (
            Case.objects.filter(pk__in=in_ids).order_by("pk").values_list(*columns, _moment("created_at"))
        ),
    )
    return [dict(zip(CASE_FIELDS, (*row[:-1], aware(row[-1])), strict=True)) for row in rows]


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


def _ids_json(ids: Sequence[int]) -> RawSQL:
    return RawSQL("SELECT value FROM json_each(%s)", (json.dumps([int(pk) for pk in ids]),))


def id_set(ids: Sequence[int]) -> Sequence[int] | RawSQL:
    """``ids`` as the right-hand side of an ``__in`` filter. On SQLite one JSON parameter read by
    ``json_each``: the ORM prepares a literal list value by value, twice per query, which for a
    batch of 500 cases costs about as much as reading the rows."""
    return _ids_json(ids) if connection.vendor == "sqlite" else ids


# On SQLite a batch query's text does not depend on the batch (its ids are one JSON parameter):
# compiled once per process and kind, then run with each batch's ids — the ORM's work to build
# and compile a query costs a few milliseconds, as much as a small batch's rows.
_IDS_MARK = "\x00liuhen:batch-ids\x00"
_COMPILED: dict[tuple[Any, ...], tuple[str, tuple[Any, ...]]] = {}


def fetch_batch(
    key: tuple[Any, ...], ids: Sequence[int], build: Callable[[Sequence[int] | RawSQL], QuerySet[Any]]
) -> list[tuple[Any, ...]]:
    """The rows of ``build(<the ids>)`` (a ``values_list`` query filtered by ``__in`` the ids);
    ``key`` names the query (and whatever else its text depends on)."""
    if connection.vendor != "sqlite":
        return _fetch(build(ids))
    key = (connection.alias, *key)
    compiled = _COMPILED.get(key)
    if compiled is None:
        queryset = build(RawSQL("SELECT value FROM json_each(%s)", (_IDS_MARK,)))
        sql, params = queryset.query.get_compiler(using=queryset.db).as_sql()
        compiled = _COMPILED[key] = (sql, tuple(params))
    sql, template = compiled
    payload = json.dumps([int(pk) for pk in ids])
    with connection.cursor() as cursor:
        cursor.execute(sql, [payload if param == _IDS_MARK else param for param in template])
        return cursor.fetchall()


_CREATED_THEN_ID = itemgetter(4, 0)


def _content() -> Cast | F:
    """The record's JSON column; on SQLite as bytes (a BLOB: not decoded until it is parsed)."""
    if connection.vendor == "sqlite":
        return Cast("data", output_field=BinaryField())
    return F("data")


def _signers_query(signed: frozenset[str] | None) -> Callable[[Sequence[int] | RawSQL], QuerySet[Any]]:
    def build(in_ids: Sequence[int] | RawSQL) -> QuerySet[Any]:
        query = RecordSigner.objects.filter(record__case_id__in=in_ids)
        if signed is not None:
            # Through a cast, so that SQLite does not pick the record-type index (every record of
            # those types in the table) over the case index.
            kind = Cast("record__record_type", output_field=TextField())
            query = query.alias(kind=kind).filter(kind__in=sorted(signed))
        return query.order_by("record_id", "pk").values_list(
            "record_id", "role", "refused", _moment("signed_at")
        )

    return build


def _records(
    ids: Sequence[int], signed: frozenset[str] | None, agency_of: dict[int, Any] | None = None
) -> dict[int, list[RecordSnap]]:
    """The current records of the cases ``ids``, per case, oldest first (content not yet built).
    Signatures are fetched only for the record types in ``signed`` (None: all). A file's upload
    time is its blob's vault time (an item imported from a dock reached the vault when imported,
    not when it was attached); audio-visual files get what their imported item and the officers'
    declarations say (per the case's agency, ``agency_of``)."""
    rows = fetch_batch(
        ("records",),
        ids,
        lambda in_ids: (
            Record.objects.filter(case_id__in=in_ids)
            .order_by()
            .values_list(
                "id",
                "case_id",
                "record_type",
                "stage",
                _moment("created_at"),
                _content(),
                "version",
                "supersedes_id",
            )
        ),
    )
    signers = (
        _by_record(fetch_batch(("signers", signed), ids, _signers_query(signed)))
        if signed != frozenset()
        else {}
    )
    attachments = _by_record(
        fetch_batch(
            ("attachments",),
            ids,
            lambda in_ids: (
                RecordAttachment.objects.filter(record__case_id__in=in_ids)
                .order_by("record_id", "pk")
                .values_list(
                    "record_id", "blob__media_type", "blob__size", _moment("blob__created_at"), "blob_id"
                )
            ),
        )
    )
    av_blobs = {
        row[4]
        for rows in attachments.values()
        for row in rows
        if isinstance(row[1], str) and row[1].startswith(_AV_PREFIXES)
    }
    av_facts = _av_facts(av_blobs) if av_blobs else {}
    superseded = {row[7] for row in rows if row[7] is not None}
    rows_of: dict[int, list[tuple[Any, ...]]] = defaultdict(list)
    for row in rows:
        rows_of[row[1]].append(row)
    new, set_attr = object.__new__, object.__setattr__
    by_case: dict[int, list[RecordSnap]] = {}
    if av_facts:
        agencies: dict[Any, Any] = agency_of or {}
        case_of = {row[0]: row[1] for row in rows}
        for record_id, files in attachments.items():
            agency_id = agencies.get(case_of.get(record_id))
            if any((agency_id, f[4]) in av_facts for f in files):
                attachments[record_id] = [
                    (*f, av_facts[(agency_id, f[4])]) if (agency_id, f[4]) in av_facts else f for f in files
                ]
    for case_id, case_rows in rows_of.items():
        # Oldest first, (created_at, pk), as an ORDER BY would give (the stored times are ISO text
        # on SQLite, datetimes elsewhere): sorting a case's few rows here costs a fraction of
        # sorting the batch's rows, content and all, in SQL.
        case_rows.sort(key=_CREATED_THEN_ID)
        records: list[RecordSnap] = []
        for record_id, _, record_type, stage, created_at, data, version, _ in case_rows:
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
                    # At most five keys: the dict stays in its smallest, cheapest size.
                    "_raw": (
                        created_at,
                        data,
                        signers.get(record_id) if signed is None or record_type in signed else _NOT_FETCHED,
                        attachments.get(record_id),
                    ),
                },
            )
            records.append(record)
        by_case[case_id] = records
    return by_case


def _load(cases: Sequence[dict[str, Any]], today: date) -> list[CaseSnapshot]:
    ids = [c["id"] for c in cases]
    by_case = _records(ids, _signed_types(cases), {c["id"]: c.get("agency_id") for c in cases})
    history: dict[int, list[StageEvent]] = defaultdict(list)
    for case_id, from_stage, to_stage, branch, at, reason in fetch_batch(
        ("history",),
        ids,
        lambda in_ids: (
            StageChange.objects.filter(case_id__in=in_ids)
            .order_by("changed_at", "pk")
            .values_list("case_id", "from_stage", "to_stage", "branch", _moment("changed_at"), "reason")
        ),
    ):
        history[case_id].append(StageEvent(from_stage, to_stage, branch, aware(at), reason))
    handlers: dict[int, list[HandlerSnap]] = defaultdict(list)
    for case_id, person_id, certificate_no, is_lead in fetch_batch(
        ("handlers",),
        ids,
        lambda in_ids: (
            CaseHandler.objects.filter(case_id__in=in_ids)
            .order_by("-is_lead", "pk")
            .values_list("case_id", "person_id", "certificate_no", "is_lead")
        ),
    ):
        handlers[case_id].append(HandlerSnap(person_id, certificate_no or "", bool(is_lead)))
    party_rows = fetch_batch(
        ("parties",),
        ids,
        lambda in_ids: (
            Party.objects.filter(case_id__in=in_ids)
            .order_by("pk")
            .values_list("pk", "case_id", "kind", "name", "supersedes_id")
        ),
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


__all__ = [
    "CASE_FIELDS",
    "LoadedRecord",
    "aware",
    "case_rows",
    "fetch_batch",
    "gc_paused",
    "id_set",
    "load_batch",
]
