"""Writes of the policy app: keeping the materialised deadlines (``Deadline``) in step with the
engine.

``refresh_deadlines`` is called, in the caller's transaction, at the end of every write that can
start or meet a deadline (opening a case, stage changes and branches, parties, records and their
files); ``refresh_after_calendar_change`` by the calendar-override services; ``refresh_open_cases``
by the daily ``liuhen deadlines --refresh`` that turns due into overdue. All of them go through
``refresh_deadlines_for``, which works in bulk: snapshots built per batch of cases
(``selectors.snapshots_for``), packs and calendar loaded once per agency, the existing rows of a
batch loaded with one query — the engine's ``deadline_outcomes`` is the single source of truth.

The rows are a projection (see ``policy.models``); the ledger gets one entry per deadline that is
created (``deadline.create``), whose due date or provisional flag changes (``deadline.reschedule``),
that is met (``deadline.met``, on time or late), re-opened (``deadline.reopen``, e.g. the meeting
record was corrected away) or dropped because its rule no longer applies (``deadline.drop``).
Nothing is written when nothing changed; due → overdue is time passing, and a period stopped by a
branch is marked ``stopped`` — neither is an event of its own.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, fields
from datetime import date, datetime
from typing import Any

from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from liuhen.cases.models import Case
from liuhen.ledger import services as ledger
from liuhen.org.models import Agency, Person
from liuhen.policy.engine import Calendar, DeadlineOutcome, deadline_outcomes
from liuhen.policy.models import OPEN_STATES, Deadline, DeadlineState
from liuhen.policy.selectors import calendar_of_agency, packs_of_agency, snapshots_for
from liuhen.policy.snapshot import CaseSnapshot
from liuhen.records.models import Record

CHUNK = 200  # cases whose rows are loaded and written together


@dataclass
class RefreshResult:
    cases: int = 0
    created: int = 0
    rescheduled: int = 0
    met: int = 0
    reopened: int = 0
    dropped: int = 0
    overdue: int = 0  # became overdue (no ledger entry)
    stopped: int = 0  # stopped by a branch (no ledger entry: the branch is one)
    updated: int = 0  # other silent changes (record version, wording, late ↔ met)

    def add(self, other: RefreshResult) -> None:
        for f in fields(self):
            setattr(self, f.name, getattr(self, f.name) + getattr(other, f.name))

    @property
    def ledgered(self) -> int:
        return self.created + self.rescheduled + self.met + self.reopened + self.dropped


def _iso(value: date | datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _entry(actor: Person | None, action: str, row: Deadline, **extra: Any) -> None:
    """One ledger entry about one deadline row (no ``content``: the row is not sealed)."""
    payload = {
        "rule_id": row.rule_id,
        "record_id": row.record_id,
        "due": _iso(row.due),
        "provisional": row.provisional,
        "state": row.state,
        "met_at": _iso(row.met_at),
        **extra,
    }
    ledger.append(actor=actor, action=action, obj=row, case_id=row.case_id, payload=payload)


class _Chunk:
    """Deadline rows and record series of a batch of cases, loaded with two queries."""

    def __init__(self, items: list[tuple[CaseSnapshot, list[DeadlineOutcome]]]) -> None:
        case_ids = [snap.id for snap, _ in items]
        self.rows: dict[int, dict[tuple[str, str], Deadline]] = defaultdict(dict)
        for row in Deadline.objects.filter(case_id__in=case_ids).order_by("pk"):
            self.rows[row.case_id][(row.rule_id, row.record_series)] = row
        record_ids = {o.record_id for _, outcomes in items for o in outcomes if o.record_id is not None}
        self.series: dict[int, str] = {
            pk: str(series)
            for pk, series in Record.objects.filter(pk__in=record_ids).values_list("pk", "series")
        }


def _sync_case(
    snapshot: CaseSnapshot, outcomes: list[DeadlineOutcome], chunk: _Chunk, actor: Person | None
) -> RefreshResult:
    result = RefreshResult(cases=1)
    existing = chunk.rows.get(snapshot.id, {})
    now = timezone.now()
    seen: set[tuple[str, str]] = set()
    for outcome in outcomes:
        series = chunk.series.get(outcome.record_id, "") if outcome.record_id is not None else ""
        key = (outcome.rule.id, series)
        if key in seen:  # two current records of one series cannot exist; be safe anyway
            continue
        seen.add(key)
        row = existing.get(key)
        if row is None:
            row = Deadline.objects.create(
                case_id=snapshot.id,
                rule_id=outcome.rule.id,
                record_id=outcome.record_id,
                record_series=series,
                citation=outcome.rule.citation[:200],
                message=outcome.rule.message[:500],
                due=outcome.due,
                provisional=outcome.provisional,
                state=outcome.state,
                met_at=outcome.met_at,
                created_at=now,
                updated=now,
            )
            _entry(actor, "deadline.create", row)
            result.created += 1
            continue
        _update(row, outcome, actor, now, result)
    for key, row in existing.items():
        if key in seen:
            continue
        if snapshot.branch and row.is_open:
            # The branch stopped it before it was met: kept as it was, marked stopped (the branch
            # is the ledgered event).
            if not row.stopped:
                row.stopped, row.updated = True, now
                row.save(update_fields=["stopped", "updated"])
                result.stopped += 1
            continue
        _entry(actor, "deadline.drop", row)
        row.delete()
        result.dropped += 1
    return result


def _update(
    row: Deadline, outcome: DeadlineOutcome, actor: Person | None, now: datetime, result: RefreshResult
) -> None:
    was_open = row.is_open
    previous_due, previous_provisional, previous_state = row.due, row.provisional, row.state
    new_values: dict[str, Any] = {
        "stopped": False,
        "record_id": outcome.record_id,
        "citation": outcome.rule.citation[:200],
        "message": outcome.rule.message[:500],
        "due": outcome.due,
        "provisional": outcome.provisional,
        "state": outcome.state,
        "met_at": outcome.met_at,
    }
    changed = [name for name, value in new_values.items() if getattr(row, name) != value]
    if not changed:
        return
    for name in changed:
        setattr(row, name, new_values[name])
    row.updated = now
    row.save(update_fields=[*changed, "updated"])
    now_open = row.is_open
    if "due" in changed or "provisional" in changed:
        _entry(
            actor,
            "deadline.reschedule",
            row,
            previous_due=_iso(previous_due),
            previous_provisional=previous_provisional,
        )
        result.rescheduled += 1
    if was_open and not now_open:
        _entry(actor, "deadline.met", row, previous_state=previous_state)
        result.met += 1
    elif now_open and not was_open:
        _entry(actor, "deadline.reopen", row, previous_state=previous_state)
        result.reopened += 1
    elif previous_state == DeadlineState.DUE and row.state == DeadlineState.OVERDUE:
        result.overdue += 1
    elif "due" not in changed and "provisional" not in changed:
        result.updated += 1


def _outcomes(
    snapshots: Iterable[CaseSnapshot], agencies: dict[int, Agency], case_agency: dict[int, int]
) -> Iterable[tuple[CaseSnapshot, list[DeadlineOutcome]]]:
    """The engine's deadline outcomes per snapshot; packs and calendar loaded once per agency."""
    calendars: dict[int, Calendar] = {}
    for snapshot in snapshots:
        agency_id = case_agency[snapshot.id]
        if agency_id not in calendars:
            calendars[agency_id] = calendar_of_agency(agencies[agency_id])
        packs = packs_of_agency(agencies[agency_id])
        yield snapshot, deadline_outcomes(snapshot, packs, calendars[agency_id])


def refresh_deadlines_for(
    *, cases: QuerySet[Case], actor: Person | None, today: date | None = None
) -> RefreshResult:
    """Bring the deadline rows of ``cases`` in line with the engine (bulk: a constant number of
    queries per batch of cases, plus one write per changed row)."""
    result = RefreshResult()
    with transaction.atomic():
        case_agency = dict(cases.order_by().values_list("pk", "agency_id"))
        if not case_agency:
            return result
        agencies = {a.pk: a for a in Agency.objects.filter(pk__in=set(case_agency.values()))}
        pending: list[tuple[CaseSnapshot, list[DeadlineOutcome]]] = []
        selected = Case.objects.filter(pk__in=cases.order_by().values("pk"))
        for item in _outcomes(snapshots_for(selected, today), agencies, case_agency):
            pending.append(item)
            if len(pending) >= CHUNK:
                result.add(_flush(pending, actor))
                pending = []
        if pending:
            result.add(_flush(pending, actor))
    return result


def _flush(items: list[tuple[CaseSnapshot, list[DeadlineOutcome]]], actor: Person | None) -> RefreshResult:
    chunk = _Chunk(items)
    result = RefreshResult()
    for snapshot, outcomes in items:
        result.add(_sync_case(snapshot, outcomes, chunk, actor))
    return result


_deferred = threading.local()


@contextmanager
def deferred_deadline_refresh() -> Iterator[None]:
    """For bulk writers (the demo, a dock import): inside the block, ``refresh_deadlines`` only
    notes the case; each noted case is refreshed once, in bulk, when the block ends normally (use
    it inside the writer's transaction, so the rows still commit with the writes). Nested blocks
    join the outermost one."""
    if getattr(_deferred, "cases", None) is not None:
        yield
        return
    noted: dict[int, Person | None] = {}
    _deferred.cases = noted
    try:
        yield
    finally:
        _deferred.cases = None
    by_actor: dict[int | None, list[int]] = defaultdict(list)
    actors: dict[int | None, Person | None] = {}
    for case_id, actor in noted.items():
        key = actor.pk if actor is not None else None
        by_actor[key].append(case_id)
        actors[key] = actor
    for key, case_ids in by_actor.items():
        refresh_deadlines_for(cases=Case.objects.filter(pk__in=case_ids), actor=actors[key])


def refresh_deadlines(*, case: Case, actor: Person | None, today: date | None = None) -> RefreshResult:
    """Bring ``case``'s deadline rows in line with the engine; call it in the same transaction as
    the write that may have started, met or moved a deadline (inside
    :func:`deferred_deadline_refresh`, the case is only noted and refreshed at the block's end)."""
    noted: dict[int, Person | None] | None = getattr(_deferred, "cases", None)
    if noted is not None and today is None:
        noted[case.pk] = actor
        return RefreshResult()
    return refresh_deadlines_for(cases=Case.objects.filter(pk=case.pk), actor=actor, today=today)


def refresh_after_calendar_change(*, actor: Person | None, agency: Agency | None) -> RefreshResult:
    """After a working-day override for ``agency`` (None = every agency) was set or withdrawn:
    recompute the deadlines of the affected cases that have any. A case without deadline rows has
    none to move — when a period starts and whether it applies never depends on the calendar."""
    cases = Case.objects.filter(Exists(Deadline.objects.filter(case_id=OuterRef("pk"), stopped=False)))
    if agency is not None:
        cases = cases.filter(agency=agency)
    return refresh_deadlines_for(cases=cases, actor=actor)


def cases_to_refresh() -> QuerySet[Case]:
    """What the daily job looks at: every case that took no branch (closed ones too: their
    archiving periods run), and branched cases with a period still running (rules made for the
    branch, e.g. telling the complainant after 不予立案)."""
    running = Deadline.objects.filter(case_id=OuterRef("pk"), state__in=OPEN_STATES, stopped=False)
    return Case.objects.filter(Q(branch="") | Exists(running))


def refresh_open_cases(*, actor: Person | None = None, today: date | None = None) -> RefreshResult:
    """The daily job (``liuhen deadlines --refresh``): turns due into overdue, and catches anything
    a write did not."""
    return refresh_deadlines_for(cases=cases_to_refresh(), actor=actor, today=today)


__all__ = [
    "RefreshResult",
    "cases_to_refresh",
    "deferred_deadline_refresh",
    "refresh_after_calendar_change",
    "refresh_deadlines",
    "refresh_deadlines_for",
    "refresh_open_cases",
]
