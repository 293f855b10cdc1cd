"""Deadlines as the engine computes them (pure: no Django, no I/O).

A rule's ``[rule.deadline]`` becomes a :class:`Period` once per set of packs (its anchors split
once); for a case (a ``plans.CaseIndex``) and the record a per-record rule is about, ``state``
says whether the period has started, when it is due, and whether it is running, met or late.
Due dates are remembered per calendar object: a year's cases share a few hundred start days.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any, Protocol

from liuhen.policy.conditions import LOCAL_TZ, parse_moment, record_moment, to_local
from liuhen.policy.rules import FILE_ANCHOR, UPLOADED, Deadline, Rule
from liuhen.policy.snapshot import RecordSnap

if TYPE_CHECKING:
    from liuhen.policy.plans import CaseIndex


class DueLike(Protocol):
    @property
    def date(self) -> dt.date: ...

    @property
    def provisional(self) -> bool: ...


class Calendar(Protocol):
    """What the engine needs of ``liuhen.workdays.calendar.WorkdayCalendar``. Its answers must
    depend only on the arguments for as long as the object lives (the engine remembers them)."""

    def add_working_days(self, start: dt.date, n: int) -> DueLike: ...

    def add_calendar_days(self, start: dt.date, n: int) -> DueLike: ...

    def is_workday(self, d: dt.date) -> bool: ...


DUE, OVERDUE, MET, LATE = "due", "overdue", "met", "late"
# (state, due date, provisional, when it was met)
DeadlineState = tuple[str, dt.date, bool, dt.datetime | None]


def _uploaded(record: RecordSnap, prefix: str) -> dt.datetime | None:
    times = [
        to_local(a.created_at)
        for a in record.attachments
        if isinstance(a.created_at, dt.datetime) and a.media_type.startswith(prefix)
    ]
    known = [t for t in times if t is not None]
    return min(known) if known else None


# Per calendar (by identity, the object kept so its id is not reused): (start day, days, unit) →
# due. A year's cases share a few hundred start days.
_DUE_MEMO: dict[int, tuple[Calendar, dict[tuple[dt.date, int, str], tuple[dt.datetime, bool]]]] = {}


def due_at(deadline: Deadline, start: dt.datetime, calendar: Calendar) -> tuple[dt.datetime, bool]:
    """The last moment that still meets the deadline, and whether it is provisional."""
    if deadline.unit == "hours":
        return start + dt.timedelta(hours=deadline.days), False
    entry = _DUE_MEMO.get(id(calendar))
    if entry is None or entry[0] is not calendar:
        if len(_DUE_MEMO) >= 32:
            _DUE_MEMO.clear()
        entry = _DUE_MEMO[id(calendar)] = (calendar, {})
    memo = entry[1]
    key = (start.date(), deadline.days, deadline.unit)
    found = memo.get(key)
    if found is None:
        if len(memo) >= 8192:
            memo.clear()
        found = memo[key] = _due_day(deadline, key[0], calendar)
    return found


def _due_day(deadline: Deadline, day: dt.date, calendar: Calendar) -> tuple[dt.datetime, bool]:
    if deadline.days >= 0:
        if deadline.unit == "working":
            due = calendar.add_working_days(day, deadline.days)
        else:
            due = calendar.add_calendar_days(day, deadline.days)
        last, provisional = due.date, due.provisional
    else:  # before the anchor: step back (days before the anchor day, start day not counted)
        last, left = day, -deadline.days
        while left > 0:
            last -= dt.timedelta(days=1)
            if deadline.unit != "working" or calendar.is_workday(last):
                left -= 1
        provisional = calendar.add_working_days(last, -deadline.days).provisional
    return dt.datetime.combine(last, dt.time.max, LOCAL_TZ), provisional


class Period:
    """A rule's deadline with its anchors split once: ``start`` / ``until`` entries are (anchor,
    kind, field or upload prefix); kinds: a case anchor, a field of the triggering record's own
    type, (until only) the triggering record's own upload."""

    __slots__ = ("deadline", "forward", "optional", "own_branch", "start", "until")

    def __init__(self, rule: Rule, deadline: Deadline) -> None:
        self.deadline = deadline
        self.forward = deadline.days > 0
        self.optional = deadline.optional
        self.own_branch = rule.when.branch
        own_type = rule.when.record_type
        self.start: list[tuple[str, int, str]] = []
        for spec in deadline.start:
            kind, _, rest = spec.partition(":")
            if kind == FILE_ANCHOR:
                self.start.append((spec, _FILE, rest))
                continue
            code, _, field = rest.partition(".")
            self.start.append((spec, _OWN if kind == "record" and code == own_type else _CASE, field))
        self.until: list[tuple[str, int, str]] = []
        for spec in deadline.until:
            kind, _, rest = spec.partition(":")
            if kind == UPLOADED:
                self.until.append((spec, _UPLOAD, rest))
                continue
            code, _, field = rest.partition(".")
            self.until.append((spec, _OWN if kind == "record" and code == own_type else _CASE, field))

    def state(
        self,
        case: CaseIndex,
        record: RecordSnap | None,
        calendar: Calendar,
        facts: dict[str, Any] | None = None,
    ) -> DeadlineState | None:
        """None: not started, stopped by a branch, or an optional period that lapsed. ``facts``:
        the file a per-file rule is about (``file:<fact>`` anchors, ``uploaded``)."""
        start: dt.datetime | None = None
        try:
            for spec, kind, field in self.start:
                if kind == _FILE:
                    moment = parse_moment(facts.get(field)) if facts is not None else None
                    if moment is not None:
                        start = moment[0]
                        break
                    continue
                if kind == _OWN and record is not None:
                    mine = record_moment(record, field)
                    if mine is not None:
                        start = mine[0]
                        break
                    continue
                moments = case.moments(spec)
                if moments:
                    start = moments[0][0]
                    break
            if start is None:
                return None
            last, provisional = due_at(self.deadline, start, calendar)
        except (OverflowError, ValueError):
            return None
        met = self._met_at(case, record, start, facts)
        if met is not None:
            return (MET if met <= last else LATE), last.date(), provisional, met
        if case.branch and case.branch not in self.own_branch:
            return None
        if case.snap.today <= last.date():
            return DUE, last.date(), provisional, None
        if self.optional:
            return None
        return OVERDUE, last.date(), provisional, None

    def _met_at(
        self,
        case: CaseIndex,
        record: RecordSnap | None,
        start: dt.datetime,
        facts: dict[str, Any] | None = None,
    ) -> dt.datetime | None:
        """When the deadline was met: the first meeting event (at or after the start for a forward
        period, so each record of a per-record rule is matched by its own answer). For a per-file
        rule ``uploaded`` is the file's own upload."""
        for spec, kind, arg in self.until:
            if kind == _UPLOAD and facts is not None:
                uploaded = facts.get("uploaded_at")
                own = to_local(uploaded) if isinstance(uploaded, dt.datetime) else None
                if own is not None:
                    return own
                continue
            if kind == _UPLOAD:
                own = _uploaded(record, arg) if record is not None else None
                if own is not None:
                    return own
                continue
            if kind == _OWN and record is not None:
                mine = record_moment(record, arg)
                if mine is not None:
                    return mine[0]
                continue
            moments = case.moments(spec)
            if not moments:
                continue
            if self.forward:
                first_day = start.date()
                for moment, _ in moments:
                    if moment.date() >= first_day:
                        return moment
            return moments[0][0]
        return None


_CASE, _OWN, _UPLOAD, _FILE = 0, 1, 2, 3


__all__ = ["DUE", "LATE", "MET", "OVERDUE", "Calendar", "DeadlineState", "DueLike", "Period", "due_at"]
