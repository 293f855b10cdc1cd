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
    parse_moment,
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
    AvGaps,
    FieldCondition,
    MinCount,
    RecordCondition,
    Require,
    Rule,
)
from liuhen.policy.snapshot import AttachmentSnap, CaseSnapshot, RecordSnap

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
AV_PREFIXES: tuple[str, ...] = tuple(MEDIA_RECORD_TYPES)
AV_RECORD_TYPES = frozenset(MEDIA_RECORD_TYPES.values())
_AV_MEDIA_OF = {code: prefix for prefix, code in MEDIA_RECORD_TYPES.items()}
# A file's fact → the fields of a photo / audio / video record that give it (first filled wins;
# the imported item and the officer's declarations about the file fill what they leave empty).
_RECORD_FACTS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("recorded_at", ("recorded_at", "taken_at")),
    ("ended_at", ("ended_at",)),
    ("returned_at", ("returned_at",)),
    ("field_work", ("upload_delay_reason",)),
    ("recorder_no", ("recorder_no", "device_no")),
    ("scenario", ("scenario",)),
    ("consent", ("consent",)),
    ("opening_statement", ("opening_statement",)),
    ("gap_explanation", ("gap_explanation",)),
)
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
        "_clips",
        "_complex",
        "_files",
        "_grouped",
        "_moments",
        "_scenarios",
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
        self._files: list[AvFile] | None = None
        self._grouped: dict[tuple[str, ...], list[tuple[RecordSnap, list[dict[str, Any]]]]] = {}
        self._scenarios: dict[str, list[str]] | None = None
        self._clips: dict[str, list[Clip]] | None = None

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

    def av_files(self) -> list[AvFile]:
        """Every audio-visual file (video / audio / image) of the case's records with its facts
        (``rules.FILE_FACTS``), in record order — and, for a photo / audio / video record that has
        no such file yet, one pending file (no ``uploaded_at``) standing for the file it should
        have. Computed once per case."""
        if self._files is None:
            found: list[AvFile] = []
            for record in self.snap.records:
                own = _AV_MEDIA_OF.get(record.record_type)
                if own is None and not record.may_have_av():
                    continue
                attachments = record.attachments
                has_file = False
                for attachment in attachments or ():
                    media = attachment.media_type
                    if isinstance(media, str) and media.startswith(AV_PREFIXES):
                        found.append((record, media, file_facts(record, attachment)))
                        has_file = True
                if own is not None and not has_file:
                    found.append((record, own, file_facts(record, None)))
            self._files = found
        return self._files

    def scenario_media(self) -> dict[str, list[str]]:
        """Per AV scenario, the media types of the uploaded files of photo / audio / video records
        of that scenario (computed once per case)."""
        if self._scenarios is None:
            found: dict[str, list[str]] = {}
            for code in AV_RECORD_TYPES:  # only photo / audio / video records have a scenario
                for record in self.by_type.get(code, _NONE):
                    if not record.may_hold("scenario"):
                        continue
                    scenario = record_data(record).get("scenario")
                    if not isinstance(scenario, str) or not scenario:
                        continue
                    for attachment in record.attachments:
                        media = attachment.media_type
                        if isinstance(media, str) and media.startswith(AV_PREFIXES):
                            found.setdefault(scenario, []).append(media)
            self._scenarios = found
        return self._scenarios

    def clips(self) -> dict[str, list[Clip]]:
        """AV-6: the video / audio clips with a recorder number and both ends, per recorder, in
        recording order (computed once per case)."""
        if self._clips is None:
            found: dict[str, list[Clip]] = {}
            for _, media, facts in self.av_files():
                if not media.startswith(("video/", "audio/")):
                    continue
                recorder = facts["recorder_no"]
                if not isinstance(recorder, str) or not recorder.strip():
                    continue
                first, last = _fact_moment(facts, "recorded_at"), _fact_moment(facts, "ended_at")
                if first is None or last is None or last < first:
                    continue
                found.setdefault(recorder.strip(), []).append((first, last, facts))
            for group in found.values():
                group.sort(key=_clip_order)
            self._clips = found
        return self._clips

    def files_grouped(self, prefixes: tuple[str, ...]) -> list[tuple[RecordSnap, list[dict[str, Any]]]]:
        """The AV files of these media types, grouped by the record they are attached to, in record
        order (computed once per case and set of prefixes)."""
        found = self._grouped.get(prefixes)
        if found is None:
            grouped: dict[int, tuple[RecordSnap, list[dict[str, Any]]]] = {}
            for record, media, facts in self.av_files():
                if not media.startswith(prefixes):
                    continue
                entry = grouped.get(id(record))
                if entry is None:
                    grouped[id(record)] = (record, [facts])
                else:
                    entry[1].append(facts)
            found = self._grouped[prefixes] = list(grouped.values())
        return found

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


# One audio-visual file: the record it is attached to, its media type, its facts.
AvFile = tuple[RecordSnap, str, dict[str, Any]]
# A clip of a recorder: start, end, the file's facts.
Clip = tuple[dt.datetime, dt.datetime, dict[str, Any]]


_FACT_NAMES = frozenset(("uploaded_at", "secret", "privacy", *(fact for fact, _ in _RECORD_FACTS)))
_RECORD_FIELDS_OF = dict(_RECORD_FACTS)
_UNSET: Any = object()


class FileFacts(dict[str, Any]):
    """What per-file rules read of a file (``rules.FILE_FACTS``), each fact computed when first
    read: a photo / audio / video record's own fields first, then the imported item's and the
    officer's declarations (``AttachmentSnap``). A plain dict to the predicates (``get``, ``in``,
    ``[]``); a file typically has a few of its facts read."""

    __slots__ = ("_attachment", "_fields", "_record")

    def __init__(self, record: RecordSnap, attachment: AttachmentSnap | None) -> None:
        super().__init__()
        self._record = record
        self._attachment = attachment
        self._fields: dict[str, Any] | None = None

    def _compute(self, key: str) -> Any:
        record = self._record
        if key in _RECORD_FIELDS_OF and record.record_type in AV_RECORD_TYPES:
            fields = self._fields
            if fields is None:
                fields = self._fields = record_data(record)
            for name in _RECORD_FIELDS_OF.get(key, ()):
                value = fields.get(name)
                if value is not None and value != "" and not is_empty(value):
                    return value
        a = self._attachment
        if key == "scenario":
            return ""
        if a is None:
            return False if key in ("secret", "privacy") else None
        if key == "uploaded_at":
            return a.created_at
        if key == "opening_statement":
            said = a.opening_statement
            return list(said) if isinstance(said, tuple | list) else []
        return getattr(a, key, None)

    def __getitem__(self, key: str) -> Any:
        value = dict.get(self, key, _UNSET)
        if value is _UNSET:
            if key not in _FACT_NAMES:
                raise KeyError(key)
            value = self._compute(key)
            dict.__setitem__(self, key, value)
        return value

    def get(self, key: str, default: Any = None, /) -> Any:
        value = dict.get(self, key, _UNSET)
        if value is _UNSET:
            if key not in _FACT_NAMES:
                return default
            value = self._compute(key)
            dict.__setitem__(self, key, value)
        return default if value is None else value

    def __contains__(self, key: object) -> bool:
        return key in _FACT_NAMES or dict.__contains__(self, key)


def file_facts(record: RecordSnap, attachment: AttachmentSnap | None) -> dict[str, Any]:
    """The facts of ``attachment`` on ``record`` (``FileFacts``); ``attachment`` None: the pending
    file of an AV record that has none yet (not uploaded)."""
    return FileFacts(record, attachment)


def _fact_moment(facts: dict[str, Any], name: str) -> dt.datetime | None:
    found = parse_moment(facts.get(name))
    return found[0] if found is not None else None


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
    if len(checks) == 2:
        first, second = checks
        return lambda data: first(data) and second(data)
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


def _media(prefixes: tuple[str, ...], scenarios: tuple[str, ...]) -> Met:
    """A file of one of the media types on the record itself (the activity's own AV) — or, with
    ``scenarios``, such a file anywhere in the case whose scenario is one of them (a photo / audio
    / video record of that scenario). AV of another scenario, or merely of the same stage, does not
    count."""
    wanted = frozenset(scenarios)

    def media_ok(case: CaseIndex, record: RecordSnap | None) -> bool:
        if record is None:
            return True
        if any(
            isinstance(a.media_type, str) and a.media_type.startswith(prefixes) for a in record.attachments
        ):
            return True
        if not wanted:
            return False
        by_scenario = case.scenario_media()
        return any(
            media.startswith(prefixes) for scenario in wanted for media in by_scenario.get(scenario, ())
        )

    return media_ok


def _gaps(spec: AvGaps) -> Met:
    """AV-6: the video/audio clips recorded during the triggering record's activity, per recorder
    (clips without a recorder number or without both ends are not compared), each no more than the
    tolerance after the end of what that recorder recorded before it — or explained."""
    tolerance = dt.timedelta(minutes=spec.tolerance_minutes)
    start_field, end_field = spec.start, spec.end

    def explained(case: CaseIndex, record: RecordSnap | None) -> bool:
        if record is None:
            return True
        begin, end = record_moment(record, start_field), record_moment(record, end_field)
        if begin is None or end is None:
            return True
        window_start, window_end = begin[0], end[0]
        for group in case.clips().values():
            reach: dt.datetime | None = None
            for first, last, facts in group:
                if last < window_start or first > window_end:
                    continue
                if reach is not None and first - reach > tolerance and is_empty(facts["gap_explanation"]):
                    return False
                reach = last if reach is None else max(reach, last)
        return True

    return explained


def _clip_order(clip: Clip) -> tuple[dt.datetime, dt.datetime]:
    return clip[0], clip[1]


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
        return _media(require.media, require.scenario)
    if require.av_gaps is not None:
        return _gaps(require.av_gaps)
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


FileMet = Callable[[CaseIndex, RecordSnap, dict[str, Any]], bool]


def compile_file_require(require: Require) -> FileMet:
    """A per-file rule's requirement on one file's facts: ``fields`` filled, ``opening_statement``
    covering the listed items, ``forbidden`` (never met); ``any_of`` of these."""
    if require.forbidden:
        return lambda case, record, facts: False
    if require.any_of:
        groups = tuple(compile_file_require(group) for group in require.any_of)
        return lambda case, record, facts: any(group(case, record, facts) for group in groups)
    if require.fields:
        names = require.fields
        return lambda case, record, facts: not any(is_empty(facts.get(name)) for name in names)
    if require.opening_statement:
        items = require.opening_statement

        def stated(case: CaseIndex, record: RecordSnap, facts: dict[str, Any]) -> bool:
            said = facts.get("opening_statement")
            said = said if isinstance(said, list | tuple) else [said]
            return all(item in said for item in items)

        return stated
    return lambda case, record, facts: True


def about_the_record(require: Require) -> bool:
    """Whether ``require`` is about what the triggering record (or file) itself holds — fields,
    files, signatures, counts on it, the order of what happened, a forbidden condition — rather
    than asking for further acts (other records, more handlers). After a branch, the further acts
    of the stage the case was in no longer apply (docs/policy-packs.md §2.2)."""
    if require.any_of:
        return all(about_the_record(group) for group in require.any_of)
    if require.records or require.all_records or require.min_handlers is not None:
        return False
    return not (require.min_count is not None and require.min_count.records)


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


def _status(rule: Rule) -> Callable[[CaseIndex], FindingStatus | None]:
    """The status an unmet requirement of ``rule`` has for a case (None: not reported).

    Before the rule's stage nothing; in it MISSING (a forbidden condition: VIOLATED); after it, or
    without a stage, VIOLATED. A case that took a branch in the rule's stage ended that stage's
    ordinary flow: the further acts the stage as a whole still asked for (a case-level rule asking
    for records or handlers) no longer apply and are not reported, unless the rule is made for that
    branch (``when.branch``). Per-record and per-file rules keep applying (VIOLATED): the record or
    file that triggers them was made, and what the law attaches to it still holds (a complainant
    told of the decision not to file, the video of a lodged service that took place)."""
    stage = stage_index(rule.stage) if rule.stage else -1
    require = rule.require
    forbidden = require is not None and require.forbidden
    lapses = (
        require is not None
        and not rule.when.record_type
        and not rule.when.media
        and not about_the_record(require)
    )
    own_branches = rule.when.branch

    def status(case: CaseIndex) -> FindingStatus | None:
        here = case.here
        if stage < 0:
            return _VIOLATED
        if here < stage:
            return None
        if here == stage:
            if not case.branch:
                return _VIOLATED if forbidden else _MISSING
            if lapses and case.branch not in own_branches:
                return None
        return _VIOLATED

    return status


def _require_runner(rule: Rule, met: Met, dynamic: Callable[[CaseIndex], bool] | None) -> Runner:
    """Stage scoping: see ``_status``. The records a per-record rule is about are those of its
    type whose data meets its ``when.field``."""
    status_of = _status(rule)
    message, code, check = rule.message, rule.when.record_type, _checks(rule.when.fields)

    def run(case: CaseIndex, calendar: Calendar, out: list[Finding]) -> None:
        status = status_of(case)
        if status is None:
            return
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


def _files_of(
    case: CaseIndex, prefixes: tuple[str, ...], check: Check | None
) -> list[tuple[RecordSnap, list[dict[str, Any]]]]:
    """The case's AV files a per-file rule is about (media prefix, ``when.field`` on the facts),
    grouped by the record they are attached to, in record order."""
    groups = case.files_grouped(prefixes)
    if check is None:
        return groups
    out: list[tuple[RecordSnap, list[dict[str, Any]]]] = []
    for record, files in groups:
        kept = [facts for facts in files if check(facts)]
        if kept:
            out.append((record, kept))
    return out


def _file_runner(rule: Rule, met: FileMet, dynamic: Callable[[CaseIndex], bool] | None) -> Runner:
    """A per-file requirement: one finding per record holding a file that does not meet it."""
    status_of = _status(rule)
    message, prefixes, check = rule.message, rule.when.media, _checks(rule.when.fields)

    def run(case: CaseIndex, calendar: Calendar, out: list[Finding]) -> None:
        status = status_of(case)
        if status is None or (dynamic is not None and not dynamic(case)):
            return
        for record, files in _files_of(case, prefixes, check):
            if not all(met(case, record, facts) for facts in files):
                out.append(finding(rule, status, message, record))

    return run


# Which of a record's files' deadline states stands for the record: the worst.
_STATE_RANK = {OVERDUE: 0, LATE: 1, DUE: 2, MET: 3}


def _worst(states: list[DeadlineState]) -> DeadlineState | None:
    if not states:
        return None
    return min(states, key=lambda state: (_STATE_RANK.get(state[0], 9), state[1]))


def _file_states(
    period: Period, case: CaseIndex, calendar: Calendar, prefixes: tuple[str, ...], check: Check | None
) -> list[tuple[RecordSnap, DeadlineState]]:
    out: list[tuple[RecordSnap, DeadlineState]] = []
    for record, files in _files_of(case, prefixes, check):
        states = [period.state(case, record, calendar, facts) for facts in files]
        worst = _worst([state for state in states if state is not None])
        if worst is not None:
            out.append((record, worst))
    return out


def _file_deadline_runner(rule: Rule, period: Period, dynamic: Callable[[CaseIndex], bool] | None) -> Runner:
    prefixes, check = rule.when.media, _checks(rule.when.fields)

    def run(case: CaseIndex, calendar: Calendar, out: list[Finding]) -> None:
        if dynamic is not None and not dynamic(case):
            return
        for record, found in _file_states(period, case, calendar, prefixes, check):
            if found[0] != MET:
                out.append(deadline_finding(rule, found, record))

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
        if rule.when.media:
            if self.period is not None:
                self.run = _file_deadline_runner(rule, self.period, self.dynamic)
            elif rule.require is not None:
                self.run = _file_runner(rule, compile_file_require(rule.require), self.dynamic)
            else:
                self.run = _idle
        elif self.period is not None:
            self.run = _deadline_runner(rule, self.period, self.dynamic)
        elif rule.require is not None:
            self.run = _require_runner(rule, compile_require(rule, rule.require), self.dynamic)
        else:
            self.run = _idle

    def outcomes(self, case: CaseIndex, calendar: Calendar) -> list[tuple[RecordSnap | None, DeadlineState]]:
        """The deadline states of the rule for ``case`` (none for a rule without a deadline); a
        per-file rule gives one per record: the worst of its files'."""
        period = self.period
        if period is None or (self.dynamic is not None and not self.dynamic(case)):
            return []
        if self.rule.when.media:
            found_files = _file_states(
                period, case, calendar, self.rule.when.media, _checks(self.rule.when.fields)
            )
            return [(record, state) for record, state in found_files]
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
    "AV_PREFIXES",
    "AV_RECORD_TYPES",
    "STAGE_ORDER",
    "AvFile",
    "CaseIndex",
    "Plan",
    "about_the_record",
    "case_index",
    "compile_file_require",
    "compile_require",
    "deadline_finding",
    "file_facts",
    "finding",
    "reads_signers",
    "stage_index",
    "static_applies",
]
