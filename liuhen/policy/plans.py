"""Rules compiled for evaluation, and a case as the rules read it (pure: no Django, no I/O).

The engine's inner loop (semantics: see ``liuhen.policy.engine``). Each rule of a set of packs is
compiled once into a :class:`Plan`: its ``when`` field conditions into predicates, its
requirement into one closure (the group it uses chosen once, not re-tested per record), its
deadline anchors split once. Each snapshot becomes one :class:`CaseIndex`: its records grouped
by type, its stage position, the times anchors name (each computed once); deadlines are
``periods.Period``. So a case costs what its own records trigger, not rules × records.

Everything here accepts any snapshot content and never raises on it (the hypothesis test of
the engine covers this module).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any

from liuhen.policy.conditions import (
    Moment,
    count_items,
    is_empty,
    not_after,
    predicate,
    record_data,
    record_moment,
    to_local,
    to_number,
)
from liuhen.policy.findings import Finding, FindingStatus, Severity
from liuhen.policy.periods import DUE, LATE, MET, OVERDUE, Calendar, DeadlineState, Period
from liuhen.policy.rules import (
    COMPLEX_FLAG_FIELD,
    FieldCondition,
    MinCount,
    RecordCondition,
    Require,
    Rule,
)
from liuhen.policy.snapshot import CaseSnapshot, RecordSnap

# cases.models.STAGE_ORDER, repeated here so the engine needs no Django import (checked by a test).
STAGE_ORDER: tuple[str, ...] = (
    "preparation",
    "initiation",
    "investigation",
    "review",
    "service",
    "closing",
    "followup",
)
MEDIA_RECORD_TYPES: dict[str, str] = {"video/": "video", "audio/": "audio", "image/": "photo"}
_STAGE_INDEX = {stage: index for index, stage in enumerate(STAGE_ORDER)}
_NONE: tuple[RecordSnap, ...] = ()
_ANY_CASE: tuple[None] = (None,)


def stage_index(stage: str) -> int:
    return _STAGE_INDEX.get(stage, -1) if isinstance(stage, str) else -1


# --- the case as the rules read it ---------------------------------------------------------------


class CaseIndex:
    """One snapshot with the indexes evaluation needs, built once per evaluation. ``stage`` and
    ``branch`` may differ from the snapshot's: a transition or branch is checked as if taken."""

    __slots__ = (
        "_certified",
        "_complex",
        "_moments",
        "branch",
        "by_type",
        "here",
        "snap",
        "stage",
    )

    def __init__(self, snap: CaseSnapshot, *, stage: str | None = None, branch: str | None = None) -> None:
        self.snap = snap
        self.stage = snap.stage if stage is None else stage
        self.branch = snap.branch if branch is None else branch
        self.here = stage_index(self.stage)
        by_type: dict[str, list[RecordSnap]] = {}
        for record in snap.records:
            found = by_type.get(record.record_type)
            if found is None:
                by_type[record.record_type] = [record]
            else:
                found.append(record)
        self.by_type = by_type
        self._moments: dict[str, list[Moment]] = {}
        self._complex: bool | None = None
        self._certified: int | None = None

    def of_type(self, code: str) -> Sequence[RecordSnap]:
        return self.by_type.get(code, _NONE)

    @property
    def complex_case(self) -> bool:
        """A record marks the case complex/major (``complex_case = true``). Records whose stored
        content certainly lacks the field are not read (``RecordSnap.may_hold``)."""
        if self._complex is None:
            self._complex = any(
                r.may_hold(COMPLEX_FLAG_FIELD) and record_data(r).get(COMPLEX_FLAG_FIELD) is True
                for r in self.snap.records
            )
        return self._complex

    @property
    def certified_handlers(self) -> int:
        """How many distinct handlers hold an enforcement certificate."""
        if self._certified is None:
            self._certified = len({h.person_id for h in self.snap.handlers if h.certificate_no.strip()})
        return self._certified

    def moment_of(self, record: RecordSnap, field: str) -> Moment | None:
        """A record's date/datetime field (or, with no field, when it was made)."""
        return record_moment(record, field)

    def moments(self, spec: str) -> list[Moment]:
        """The times an anchor names, earliest first (computed once per case)."""
        cached = self._moments.get(spec)
        if cached is None:
            cached = self._moments[spec] = self._compute_moments(spec)
        return cached

    def _compute_moments(self, spec: str) -> list[Moment]:
        kind, _, rest = spec.partition(":")
        snap = self.snap
        if spec == "opened":
            opened = to_local(snap.opened_at) if isinstance(snap.opened_at, dt.datetime) else None
            return [(opened, False)] if opened is not None else []
        if kind in ("stage", "branch"):
            attr = "to_stage" if kind == "stage" else "branch"
            entered = [
                to_local(e.at)
                for e in snap.stage_history
                if getattr(e, attr) == rest and isinstance(e.at, dt.datetime)
            ]
            known = [moment for moment in entered if moment is not None]
            return [(max(known), False)] if known else []
        if kind == "record":
            code, _, field = rest.partition(".")
            found = (record_moment(r, field) for r in self.of_type(code))
            return sorted((m for m in found if m is not None), key=_first)
        return []


def _first(moment: Moment) -> dt.datetime:
    return moment[0]


def case_index(case: CaseIndex | CaseSnapshot) -> CaseIndex:
    return case if isinstance(case, CaseIndex) else CaseIndex(case)


def static_applies(rule: Rule, case: CaseIndex) -> bool:
    """The ``when`` conditions on the case's own attributes (the same for every case of a kind)."""
    when, snap = rule.when, case.snap
    if when.procedure and snap.procedure not in when.procedure:
        return False
    if when.case_type and snap.case_type not in when.case_type:
        return False
    if when.source and snap.source not in when.source:
        return False
    if when.party_kind and not any(p.kind in when.party_kind for p in snap.parties):
        return False
    if when.reached_stage:
        target = stage_index(when.reached_stage)
        if target < 0 or case.here < target:
            return False
    return not (when.branch and case.branch not in when.branch)


# --- compiled pieces -----------------------------------------------------------------------------

Check = Callable[[dict[str, Any]], bool]
Met = Callable[[CaseIndex, RecordSnap | None], bool]


def _all_checks(checks: tuple[Check, ...]) -> Check:
    """One predicate for a conjunction of field conditions."""
    if len(checks) == 1:
        return checks[0]
    return lambda data: all(check(data) for check in checks)


def _record_test(fields: tuple[FieldCondition, ...]) -> Callable[[RecordSnap], bool]:
    """Whether a record's data meets every one of ``fields`` (no fields: every record does)."""
    if not fields:
        return lambda record: True
    check = _all_checks(tuple(predicate(condition) for condition in fields))

    def test(record: RecordSnap) -> bool:
        data = record.data
        return check(data if isinstance(data, dict) else {})

    return test


def _has(condition: RecordCondition) -> Callable[[CaseIndex], bool]:
    test, code = _record_test(condition.fields), condition.record_type
    return lambda case: any(test(r) for r in case.of_type(code))


def _dynamic(rule: Rule) -> Callable[[CaseIndex], bool] | None:
    """The ``when`` conditions on the case's records (complex flag, case_has, case_lacks)."""
    when = rule.when
    if when.complex_case is None and not when.case_has and not when.case_lacks:
        return None
    flag = when.complex_case
    has = tuple(_has(condition) for condition in when.case_has)
    lacks = tuple(_has(condition) for condition in when.case_lacks)

    def applies(case: CaseIndex) -> bool:
        if flag is not None and case.complex_case is not flag:
            return False
        if not all(test(case) for test in has):
            return False
        return not any(test(case) for test in lacks)

    return applies


def _counted_exists(types: tuple[str, ...], stage: str | None) -> Callable[[CaseIndex], bool]:
    """Some record of one of ``types`` (made in ``stage``, unless None)."""
    if stage is None:
        return lambda case: any(case.of_type(code) for code in types)
    return lambda case: any(r.stage == stage for code in types for r in case.of_type(code))


def _counted_number(types: tuple[str, ...], stage: str | None) -> Callable[[CaseIndex], int]:
    if stage is None:
        return lambda case: sum(len(case.of_type(code)) for code in types)
    return lambda case: sum(1 for code in types for r in case.of_type(code) if r.stage == stage)


def _signed(record: RecordSnap, role: str) -> bool:
    return any(s.role == role and not s.refused for s in record.signers)


def _media(prefixes: tuple[str, ...]) -> Met:
    """A file of one of the media types on the record, or on another record made in the same
    stage — or another record of the matching AV type (video / audio / photo) there."""
    types = frozenset(MEDIA_RECORD_TYPES[p] for p in prefixes if p in MEDIA_RECORD_TYPES)

    def media_ok(case: CaseIndex, record: RecordSnap | None) -> bool:
        if record is None:
            return True
        if any(a.media_type.startswith(prefixes) for a in record.attachments):
            return True
        stage, own = record.stage, record.id
        for other in case.snap.records:
            if other.stage != stage or other.id == own:
                continue
            if other.record_type in types or any(
                a.media_type.startswith(prefixes) for a in other.attachments
            ):
                return True
        return False

    return media_ok


def _min_count(spec: MinCount, stage: str | None) -> Met:
    if spec.records:
        number, count = _counted_number(spec.records, stage), spec.count
        return lambda case, record: number(case) >= count
    if spec.items:
        items, count = spec.items, spec.count

        def enough_items(case: CaseIndex, record: RecordSnap | None) -> bool:
            return record is None or count_items(record_data(record).get(items)) >= count

        return enough_items
    role, count, count_of = spec.signers, spec.count, spec.count_of

    def enough_signers(case: CaseIndex, record: RecordSnap | None) -> bool:
        if record is None:
            return True
        wanted = count or max(1, count_items(record_data(record).get(count_of)))
        return sum(1 for s in record.signers if s.role == role and not s.refused) >= wanted

    return enough_signers


def _preceded(require: Require) -> Met:
    own_time, anchors = require.own_time, require.preceded_by

    def preceded(case: CaseIndex, record: RecordSnap | None) -> bool:
        if record is None:
            return True
        own = record_moment(record, own_time) if own_time else None
        own = own or record_moment(record, "")
        if own is None:
            return False
        for spec in anchors:
            moments = case.moments(spec)
            if moments:
                return not_after(moments[0], own)
        return False

    return preceded


def _signers(require: Require) -> Met:
    roles, witness = require.signers, require.refusal_with

    def signed(case: CaseIndex, record: RecordSnap | None) -> bool:
        if record is None:
            return True
        for role in roles:
            if _signed(record, role):
                continue
            refused = any(s.role == role and s.refused for s in record.signers)
            if not (witness and refused and _signed(record, witness)):
                return False
        return True

    return signed


def _never(case: CaseIndex, record: RecordSnap | None) -> bool:
    return False


def _always(case: CaseIndex, record: RecordSnap | None) -> bool:
    return True


def reads_signers(require: Require) -> bool:
    """Whether ``require`` may read the triggering record's signatures (the only signatures any
    requirement reads): the loader fetches signatures only for such record types."""
    if require.signers or (require.min_count is not None and require.min_count.signers):
        return True
    return any(reads_signers(group) for group in require.any_of)


def compile_require(rule: Rule, require: Require) -> Met:
    """``require`` as one closure: whether it holds for the case (and the triggering record).
    The first group set counts, in this order (a pack sets exactly one per group):
    forbidden, any_of, records, all_records, min_handlers, min_count, preceded_by, fields, media,
    signers, max_field. Groups about the triggering record hold when there is none."""
    stage = rule.stage if rule.stage and not require.any_stage else None
    if require.forbidden:
        return _never
    if require.any_of:
        groups = tuple(compile_require(rule, group) for group in require.any_of)
        return lambda case, record: any(group(case, record) for group in groups)
    if require.records:
        exists = _counted_exists(require.records, stage)
        return lambda case, record: exists(case)
    if require.all_records:
        each = tuple(_counted_exists((code,), stage) for code in require.all_records)
        return lambda case, record: all(exists(case) for exists in each)
    if require.min_handlers is not None:
        wanted = require.min_handlers
        return lambda case, record: case.certified_handlers >= wanted
    if require.min_count is not None:
        return _min_count(require.min_count, stage)
    if require.preceded_by:
        return _preceded(require)
    if require.fields:
        names = require.fields

        def filled(case: CaseIndex, record: RecordSnap | None) -> bool:
            if record is None:
                return True
            data = record_data(record)
            for name in names:
                value = data.get(name)
                if isinstance(value, str):  # is_empty, inlined for the common case
                    if not value.strip():
                        return False
                elif is_empty(value):
                    return False
            return True

        return filled
    if require.media:
        return _media(require.media)
    if require.signers:
        return _signers(require)
    if require.max_field is not None:
        name, top = require.max_field.name, require.max_field.max

        def capped(case: CaseIndex, record: RecordSnap | None) -> bool:
            if record is None:
                return True
            number = to_number(record_data(record).get(name))
            return number is None or number <= top

        return capped
    return _always


# --- plans ---------------------------------------------------------------------------------------

_SEVERITY = {severity.value: severity for severity in Severity}
_DEADLINE_STATUS = {DUE: FindingStatus.DUE, OVERDUE: FindingStatus.OVERDUE, LATE: FindingStatus.LATE}
_PROVISIONAL_NOTE = "（期限暂按周末计算，待导入国务院节假日安排）"
_MISSING, _VIOLATED = FindingStatus.MISSING, FindingStatus.VIOLATED
Targets = Callable[[CaseIndex], Sequence[RecordSnap | None]]
Runner = Callable[[CaseIndex, Calendar, list[Finding]], None]


def _targets(code: str, fields: tuple[FieldCondition, ...]) -> Targets:
    """The records a rule is about: (None,) for a case-level rule (the case itself), else the
    records of its type whose data meets every ``when.field`` condition."""
    if not code:
        return lambda case: _ANY_CASE
    if not fields:
        return lambda case: case.by_type.get(code, _NONE)
    test = _record_test(fields)
    return lambda case: [r for r in case.by_type.get(code, _NONE) if test(r)]


def _checks(fields: tuple[FieldCondition, ...]) -> Check | None:
    """One predicate on a record's data for its ``when.field`` conditions (None: no condition)."""
    return _all_checks(tuple(predicate(condition) for condition in fields)) if fields else None


def _deadline_runner(rule: Rule, period: Period, dynamic: Callable[[CaseIndex], bool] | None) -> Runner:
    state, code, check = period.state, rule.when.record_type, _checks(rule.when.fields)

    def run(case: CaseIndex, calendar: Calendar, out: list[Finding]) -> None:
        records = case.by_type.get(code) if code else _ANY_CASE
        if not records or (dynamic is not None and not dynamic(case)):
            return
        for record in records:
            if check is not None and record is not None:
                data = record.data
                if not check(data if isinstance(data, dict) else {}):
                    continue
            found = state(case, record, calendar)
            if found is not None and found[0] != MET:
                out.append(deadline_finding(rule, found, record))

    return run


def _require_runner(rule: Rule, met: Met, dynamic: Callable[[CaseIndex], bool] | None) -> Runner:
    """Stage scoping: before the rule's stage nothing; in it (no branch) MISSING; after it, or
    without a stage, VIOLATED. A forbidden condition is VIOLATED from its stage on. The records
    a per-record rule is about are those of its type whose data meets its ``when.field``."""
    stage = stage_index(rule.stage) if rule.stage else -1
    forbidden = rule.require is not None and rule.require.forbidden
    message, code, check = rule.message, rule.when.record_type, _checks(rule.when.fields)

    def run(case: CaseIndex, calendar: Calendar, out: list[Finding]) -> None:
        here = case.here
        if stage < 0:
            status = _VIOLATED
        elif here < stage:
            return
        elif here == stage and not case.branch and not forbidden:
            status = _MISSING
        else:
            status = _VIOLATED
        records = case.by_type.get(code) if code else _ANY_CASE
        if not records or (dynamic is not None and not dynamic(case)):
            return
        for record in records:
            if check is not None and record is not None:
                data = record.data
                if not check(data if isinstance(data, dict) else {}):
                    continue
            if not met(case, record):
                out.append(finding(rule, status, message, record))

    return run


def _idle(case: CaseIndex, calendar: Calendar, out: list[Finding]) -> None:
    """A rule with neither a requirement nor a deadline finds nothing."""


class Plan:
    """A rule made ready to evaluate: ``run(case, calendar, out)`` appends its findings for a
    case whose ``when`` conditions on the case's attributes hold; ``outcomes`` gives its
    deadline states."""

    __slots__ = ("dynamic", "period", "reads_signers", "record_type", "rule", "run", "targets")

    def __init__(self, rule: Rule) -> None:
        self.rule = rule
        self.record_type = rule.when.record_type
        self.reads_signers = rule.require is not None and reads_signers(rule.require)
        self.dynamic = _dynamic(rule)
        self.targets = _targets(rule.when.record_type, rule.when.fields)
        self.period = Period(rule, rule.deadline) if rule.deadline is not None else None
        self.run: Runner
        if self.period is not None:
            self.run = _deadline_runner(rule, self.period, self.dynamic)
        elif rule.require is not None:
            self.run = _require_runner(rule, compile_require(rule, rule.require), self.dynamic)
        else:
            self.run = _idle

    def outcomes(self, case: CaseIndex, calendar: Calendar) -> list[tuple[RecordSnap | None, DeadlineState]]:
        """The deadline states of the rule for ``case`` (none for a rule without a deadline)."""
        period = self.period
        if period is None or (self.dynamic is not None and not self.dynamic(case)):
            return []
        found = ((record, period.state(case, record, calendar)) for record in self.targets(case))
        return [(record, state) for record, state in found if state is not None]


def deadline_finding(rule: Rule, state: DeadlineState, record: RecordSnap | None) -> Finding:
    kind, due, provisional, met = state
    day = due.isoformat()
    note = _PROVISIONAL_NOTE if provisional else ""
    if kind == LATE and met is not None:
        text = f"{rule.message}（期限 {day}，实际 {met.date().isoformat()}，已逾期完成）{note}"
    elif kind == DUE:
        text = f"{rule.message}（期限：{day}）{note}"
    else:
        text = f"{rule.message}（已于 {day} 到期）{note}"
    return finding(rule, _DEADLINE_STATUS[kind], text, record, due=due, provisional=provisional)


def finding(
    rule: Rule,
    status: FindingStatus,
    message: str,
    record: RecordSnap | None,
    *,
    due: dt.date | None = None,
    provisional: bool = False,
) -> Finding:
    return Finding(  # positional: rule_id, pack, requirement_ids, citation, severity, status,
        # message, stage, record_id, record_types, due, provisional (a few µs less per finding)
        rule.id,
        rule.pack,
        rule.requirements,
        rule.citation,
        _SEVERITY[rule.severity],
        status,
        message,
        rule.stage or (record.stage if record is not None else ""),
        record.id if record is not None else None,
        rule.record_types,
        due,
        provisional,
    )


__all__ = [
    "STAGE_ORDER",
    "CaseIndex",
    "Plan",
    "case_index",
    "compile_require",
    "deadline_finding",
    "finding",
    "reads_signers",
    "stage_index",
    "static_applies",
]
