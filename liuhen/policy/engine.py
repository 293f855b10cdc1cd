"""The compliance engine: a case snapshot and its packs in, findings out. Pure: no Django, no I/O.

Semantics (see docs/policy-packs.md):

- A rule applies when all its ``when`` conditions hold. Per-record rules (``when.record_type``) are
  evaluated for each current record of that type whose data meets every ``when.field`` condition.
  ``when.case_has`` / ``case_lacks`` need a matching record anywhere in the case (or none);
  ``when.complex_case`` tests the case's complex/major flag (a record with ``complex_case = true``).
- A rule with ``stage``: before the case reaches the stage → nothing; in it and unmet → MISSING;
  after the case left it (a later stage, or a branch) and unmet → VIOLATED. Without ``stage`` an
  unmet rule is VIOLATED.
- Deadlines: due = anchor + days (calendar / working days via the calendar / hours). DUE while
  running, OVERDUE when passed unmet, LATE when met after the due date. A branched case stops its
  running deadlines (except those of rules made for that branch); an ``optional`` period (the
  party's right) lapses silently.
- Findings are sorted by stage order, severity (blocking first), rule id, record id.

Speed: the rules of a set of packs are compiled once (``liuhen.policy.plans``: predicates and
requirement closures; ``liuhen.policy.periods``: deadlines) and indexed per kind of case
(procedure, type, source, party kinds, stage, branch) by the record type that triggers them; each
snapshot is indexed once (records by type, anchor times computed once). So a case costs what its
own records trigger, not rules × records. Must never raise on arbitrary snapshots (hypothesis test).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from liuhen.policy.conditions import field_holds
from liuhen.policy.findings import Finding, Severity
from liuhen.policy.periods import DUE, LATE, MET, OVERDUE, Calendar
from liuhen.policy.plans import (
    STAGE_ORDER,
    CaseIndex,
    Plan,
    case_index,
    compile_require,
    stage_index,
    static_applies,
)
from liuhen.policy.rules import Pack, Require, Rule
from liuhen.policy.snapshot import CaseSnapshot, RecordSnap


@dataclass(frozen=True)
class SimpleDue:
    date: dt.date
    provisional: bool = False


class WeekendCalendar:
    """Weekends-only working days (the fallback when no official schedule is available).

    Every result is provisional: the State Council holiday schedule was not applied."""

    def is_workday(self, d: dt.date) -> bool:
        return d.weekday() < 5

    def add_working_days(self, start: dt.date, n: int) -> SimpleDue:
        day, left = start, n
        while left > 0:
            day += dt.timedelta(days=1)
            if self.is_workday(day):
                left -= 1
        return SimpleDue(day, n > 0)

    def add_calendar_days(self, start: dt.date, n: int) -> SimpleDue:
        day = start + dt.timedelta(days=n)
        while n > 0 and not self.is_workday(day):
            day += dt.timedelta(days=1)
        return SimpleDue(day, n > 0)


def requirement_met(
    rule: Rule, require: Require, snap: CaseSnapshot | CaseIndex, record: RecordSnap | None
) -> bool:
    """Whether ``require`` holds (``forbidden`` never does)."""
    return compile_require(rule, require)(case_index(snap), record)


@dataclass(frozen=True)
class DeadlineOutcome:
    """One deadline of a case: running (due / overdue), met on time (met) or met late (late)."""

    rule: Rule
    record_id: int | None  # the record a per-record rule is about
    state: str
    due: dt.date
    provisional: bool
    met_at: dt.datetime | None  # when the period was met (met / late)

    @property
    def key(self) -> tuple[str, int | None]:
        return (self.rule.id, self.record_id)


# --- the compiled packs --------------------------------------------------------------------------

_Profile = tuple[str, str, str, frozenset[str], str, str]
_Selection = tuple[tuple[Plan, ...], dict[str, tuple[Plan, ...]]]


class _Index:
    """The rules of a set of packs (first definition of an id wins), compiled, and per kind of case
    (procedure, type, source, party kinds, stage, branch) the rules whose case conditions hold,
    split into case-level rules and per-record rules by the record type that triggers them."""

    def __init__(self, packs: Sequence[Pack]) -> None:
        seen: dict[str, Rule] = {}
        for pack in packs:
            for rule in pack.rules:
                seen.setdefault(rule.id, rule)
        self.rules: tuple[Rule, ...] = tuple(seen.values())
        self.plans: tuple[Plan, ...] = tuple(Plan(rule) for rule in self.rules)
        self.signed_types = frozenset(p.record_type for p in self.plans if p.reads_signers and p.record_type)
        self._profiles: dict[_Profile, _Selection] = {}

    def select(self, case: CaseIndex) -> _Selection:
        snap = case.snap
        key: _Profile = (
            snap.procedure,
            snap.case_type,
            snap.source,
            frozenset(p.kind for p in snap.parties),
            case.stage,
            case.branch,
        )
        hit = self._profiles.get(key)
        if hit is None:
            fitting = [plan for plan in self.plans if static_applies(plan.rule, case)]
            by_type: dict[str, list[Plan]] = {}
            for plan in fitting:
                if plan.record_type:
                    by_type.setdefault(plan.record_type, []).append(plan)
            hit = (tuple(p for p in fitting if not p.record_type), {k: tuple(v) for k, v in by_type.items()})
            if len(self._profiles) >= 1024:
                self._profiles.clear()
            self._profiles[key] = hit
        return hit


_INDEXES: dict[tuple[int, ...], tuple[tuple[Pack, ...], _Index]] = {}


def _index(packs: Sequence[Pack]) -> _Index:
    """Built once per set of packs (the pack objects are kept, so their ids stay theirs)."""
    key = tuple(id(pack) for pack in packs)
    hit = _INDEXES.get(key)
    if hit is not None:
        return hit[1]
    index = _Index(packs)
    if len(_INDEXES) >= 64:
        _INDEXES.clear()
    _INDEXES[key] = (tuple(packs), index)
    return index


def signed_record_types(packs: Sequence[Pack]) -> frozenset[str]:
    """The record types whose signatures some rule of ``packs`` reads (on the record that
    triggers it); no rule reads any other record's signatures."""
    return _index(packs).signed_types


def _applicable(index: _Index, case: CaseIndex) -> Iterable[Plan]:
    """The rules worth evaluating for ``case``: those whose case conditions hold, case-level
    ones and those its records trigger."""
    case_plans, by_type = index.select(case)
    yield from case_plans
    for code in case.by_type:
        yield from by_type.get(code, ())


def _sort_key(finding: Finding) -> tuple[int, int, str, int, str]:
    index = stage_index(finding.stage)
    return (
        index if index >= 0 else len(STAGE_ORDER),
        0 if finding.severity is Severity.BLOCKING else 1,
        finding.rule_id,
        finding.record_id if finding.record_id is not None else -1,
        finding.status,  # a StrEnum: orders as its value
    )


# --- evaluation ----------------------------------------------------------------------------------


def evaluate(snapshot: CaseSnapshot, packs: Sequence[Pack], calendar: Calendar) -> list[Finding]:
    """Every finding for ``snapshot`` under ``packs`` (deterministic order)."""
    case = CaseIndex(snapshot)
    findings: list[Finding] = []
    case_plans, by_type = _index(packs).select(case)
    for plan in case_plans:
        plan.run(case, calendar, findings)
    for code in case.by_type:
        for plan in by_type.get(code, ()):
            plan.run(case, calendar, findings)
    findings.sort(key=_sort_key)
    return findings


def deadline_outcomes(
    snapshot: CaseSnapshot, packs: Sequence[Pack], calendar: Calendar
) -> list[DeadlineOutcome]:
    """Every deadline of ``snapshot`` the packs define, including those met on time (which
    ``evaluate`` reports as nothing): for materialising deadlines. Not listed: periods whose start
    has not happened, periods a branch stopped before they were met, optional periods that lapsed.
    The states agree with ``evaluate``'s DUE / OVERDUE / LATE findings by construction."""
    case = CaseIndex(snapshot)
    out: list[DeadlineOutcome] = []
    for plan in _applicable(_index(packs), case):
        for record, (state, due, provisional, met) in plan.outcomes(case, calendar):
            record_id = record.id if record is not None else None
            out.append(DeadlineOutcome(plan.rule, record_id, state, due, provisional, met))
    return sorted(out, key=lambda o: (o.rule.id, o.record_id if o.record_id is not None else -1))


def _blocking_of(plans: Iterable[Plan], case: CaseIndex, calendar: Calendar) -> list[Finding]:
    """The blocking findings of ``plans`` whose case conditions hold for ``case``."""
    found: list[Finding] = []
    for plan in plans:
        if static_applies(plan.rule, case):
            plan.run(case, calendar, found)
    return [finding for finding in found if finding.blocking]


def blocking_for_transition(
    snapshot: CaseSnapshot, packs: Sequence[Pack], calendar: Calendar, to_stage: str
) -> list[Finding]:
    """Why moving the case to ``to_stage`` is not allowed (empty: allowed).

    Moving forward: the blocking MISSING findings of the current stage and every blocking VIOLATED
    one. Either way: the blocking findings of rules with ``when.reached_stage == to_stage``,
    evaluated as if the case were already there. Moving back (e.g. review → investigation, to
    investigate further) is not held up by what the current stage still lacks."""
    result: dict[tuple[str, int | None], Finding] = {}
    if stage_index(to_stage) > stage_index(snapshot.stage):
        for finding in evaluate(snapshot, packs, calendar):
            if finding.blocking:
                result.setdefault((finding.rule_id, finding.record_id), finding)
    there = CaseIndex(snapshot, stage=to_stage)
    reaching = (
        p for p in _index(packs).plans if p.rule.when.reached_stage and p.rule.when.reached_stage == to_stage
    )
    for finding in _blocking_of(reaching, there, calendar):
        result.setdefault((finding.rule_id, finding.record_id), finding)
    return sorted(result.values(), key=_sort_key)


def blocking_for_branch(
    snapshot: CaseSnapshot, packs: Sequence[Pack], calendar: Calendar, branch: str
) -> list[Finding]:
    """Why taking ``branch`` (不予立案, 移送…) is not allowed: the blocking findings of the rules made
    for that branch (``when.branch``), evaluated as if it were taken. Other findings do not hold
    a branch up: ending the ordinary flow is often the remedy."""
    there = CaseIndex(snapshot, branch=branch)
    made_for = (p for p in _index(packs).plans if branch in p.rule.when.branch)
    return sorted(_blocking_of(made_for, there, calendar), key=_sort_key)


def explain(finding: Finding) -> str:
    """One line for the officer: what is wrong and on what basis."""
    return f"{finding.message}（依据：{finding.citation}）"


__all__ = [
    "DUE",
    "LATE",
    "MET",
    "OVERDUE",
    "STAGE_ORDER",
    "Calendar",
    "DeadlineOutcome",
    "SimpleDue",
    "WeekendCalendar",
    "blocking_for_branch",
    "blocking_for_transition",
    "deadline_outcomes",
    "evaluate",
    "explain",
    "field_holds",
    "requirement_met",
    "signed_record_types",
    "stage_index",
]
