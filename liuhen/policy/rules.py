"""The policy-pack data model: what a loaded, validated pack is (pure data, no Django, no I/O).

``liuhen.policy.schema`` reads the TOML files into these; ``liuhen.policy.engine`` evaluates
them. The file format is described in docs/policy-packs.md.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

SEVERITIES = ("blocking", "warning")
FIELD_OPS = ("eq", "ne", "in", "not_in", "gt", "ge", "lt", "le", "present", "absent")
UNITS = ("calendar", "working", "hours")
# [rule.require] groups: exactly one per rule (refusal_with goes with signers, any_stage with the
# record-counting groups, own_time with preceded_by).
REQUIRE_GROUPS = (
    "records",
    "all_records",
    "fields",
    "media",
    "signers",
    "min_handlers",
    "max_field",
    "min_count",
    "preceded_by",
    "any_of",
    "forbidden",
    "opening_statement",
    "av_gaps",
)
# A record whose data has this boolean field set to true marks its case as complex/major
# (案情复杂、重大、疑难; PL 第六条, HY-FS 第二条第（四）项): ``when.complex_case`` tests it.
COMPLEX_FLAG_FIELD = "complex_case"
# Deadline anchor: the upload time of the triggering record's own attachment (optionally only
# files whose media type starts with a prefix, "uploaded:video/").
UPLOADED = "uploaded"
# Per-file rules (``when.media``) are evaluated for each audio-visual file of a case, wherever it is
# attached; their ``when.field`` conditions, ``fields`` requirements and ``file:<fact>`` deadline
# anchors read these facts of the file (name → catalogue-like type). For a file of a photo / audio /
# video record the record's own fields come first (recorded_at, taken_at, ended_at, returned_at,
# upload_delay_reason → field_work, recorder_no / device_no, scenario, consent, opening_statement,
# gap_explanation), then the imported item and the officer's declarations about the file.
FILE_FACTS: dict[str, str] = {
    "recorded_at": "datetime",
    "ended_at": "datetime",
    "returned_at": "datetime",
    "uploaded_at": "datetime",
    "field_work": "choice",
    "recorder_no": "text",
    "scenario": "choice",
    "consent": "choice",
    "secret": "boolean",
    "privacy": "boolean",
    "opening_statement": "multichoice",
    "gap_explanation": "text",
}
FILE_ANCHOR = "file"
_AV_TYPE_OF = {"video/": "video", "audio/": "audio", "image/": "photo"}
# AV-4: what the officer states at the start of a recording (YC 第十二条, HY-JL 第二十一条); the
# values of the ``opening_statement`` fields and declarations.
OPENING_ITEMS: dict[str, str] = {
    "time": "执法时间",
    "place": "执法地点",
    "officers": "执法人员姓名及执法证号",
    "certificate": "出示执法证件",
    "action": "执法行为（事项）",
    "recording_notice": "告知当事人及在场人员正在音像记录",
}


@dataclass(frozen=True)
class FieldCondition:
    name: str
    op: str
    value: Any = None


@dataclass(frozen=True)
class RecordCondition:
    """The case has a current record of ``record_type`` whose data meets every ``fields`` condition."""

    record_type: str
    fields: tuple[FieldCondition, ...] = ()


@dataclass(frozen=True)
class When:
    procedure: tuple[str, ...] = ()
    case_type: tuple[str, ...] = ()
    source: tuple[str, ...] = ()
    party_kind: tuple[str, ...] = ()
    record_type: str = ""
    fields: tuple[FieldCondition, ...] = ()  # on the triggering record; all must hold
    reached_stage: str = ""
    branch: tuple[str, ...] = ()
    case_has: tuple[RecordCondition, ...] = ()  # all must hold
    case_lacks: tuple[RecordCondition, ...] = ()  # none may hold
    complex_case: bool | None = None
    # A per-file rule: evaluated for each audio-visual file of the case whose media type starts
    # with one of these (its ``fields`` then read the file's facts, FILE_FACTS).
    media: tuple[str, ...] = ()

    @property
    def field(self) -> FieldCondition | None:
        """The first field condition (packs written before several were allowed have one)."""
        return self.fields[0] if self.fields else None


@dataclass(frozen=True)
class MaxField:
    name: str
    max: Decimal


@dataclass(frozen=True)
class MinCount:
    """At least ``count`` (or, with ``count_of``, as many as the items of that list field of the
    triggering record) of exactly one of: ``records`` of these types, ``items`` of this list field
    of the triggering record, ``signers`` of this role on it (refused signatures do not count)."""

    count: int = 0
    count_of: str = ""
    records: tuple[str, ...] = ()
    items: str = ""
    signers: str = ""


@dataclass(frozen=True)
class AvGaps:
    """AV-6: during the triggering record's activity (``start`` to ``end``, datetime fields of it)
    consecutive video/audio clips from the same recorder may be apart by at most
    ``tolerance_minutes``; a longer gap needs an explanation on the later clip."""

    start: str
    end: str
    tolerance_minutes: int


@dataclass(frozen=True)
class Require:
    records: tuple[str, ...] = ()
    all_records: tuple[str, ...] = ()
    fields: tuple[str, ...] = ()
    media: tuple[str, ...] = ()
    signers: tuple[str, ...] = ()
    refusal_with: str = ""
    min_handlers: int | None = None
    max_field: MaxField | None = None
    min_count: MinCount | None = None
    # Record anchors ("record:<type>[.<date field>]", the first that exists counts): some record
    # there must be at or before the triggering record's ``own_time`` field (default: when the
    # triggering record was made).
    preceded_by: tuple[str, ...] = ()
    own_time: str = ""
    any_of: tuple[Require, ...] = ()  # met when one of the groups is
    forbidden: bool = False
    any_stage: bool = False
    # With ``media``: AV of the triggering record itself, or AV of one of these scenarios anywhere
    # in the case (a photo / audio / video record whose ``scenario`` is one of them).
    scenario: tuple[str, ...] = ()
    opening_statement: tuple[str, ...] = ()  # per-file: the file's opening statement covers these
    av_gaps: AvGaps | None = None

    @functools.cached_property
    def record_types(self) -> tuple[str, ...]:
        """The record types that would satisfy this requirement."""
        found: list[str] = [*self.records, *self.all_records]
        if self.min_count is not None:
            found += self.min_count.records
        found += [anchor_record_type(a) for a in self.preceded_by]
        if self.scenario:  # a photo / audio / video record of the scenario would do
            found += [_AV_TYPE_OF[p] for p in self.media if p in _AV_TYPE_OF]
        for group in self.any_of:
            found += group.record_types
        return tuple(dict.fromkeys(t for t in found if t))


@dataclass(frozen=True)
class Deadline:
    """``start`` / ``until``: anchors tried in order, the first that exists counts.

    Anchors: ``opened`` | ``stage:<stage>`` | ``branch:<branch>`` | ``record:<type>`` |
    ``record:<type>.<date field>`` | ``uploaded[:<media prefix>]`` (until only). ``days`` may be
    negative (e.g. a notice due 7 days *before* a hearing). ``optional``: a period the party may
    let lapse (nothing is reported once it has passed unmet). A branch stops running deadlines,
    except those of rules made for that branch (``when.branch``)."""

    start: tuple[str, ...]
    days: int
    unit: str
    until: tuple[str, ...]
    optional: bool = False


@dataclass(frozen=True)
class Rule:
    id: str
    pack: str
    requirements: tuple[str, ...]
    citation: str
    severity: str
    message: str
    stage: str = ""
    when: When = When()
    require: Require | None = None
    deadline: Deadline | None = None

    @property
    def per_record(self) -> bool:
        return bool(self.when.record_type)

    @property
    def per_file(self) -> bool:
        return bool(self.when.media)

    @functools.cached_property
    def record_types(self) -> tuple[str, ...]:
        """What would satisfy the rule (for the checklist)."""
        if self.require is not None:
            return self.require.record_types
        if self.deadline is not None:
            return tuple(
                dict.fromkeys(anchor_record_type(a) for a in self.deadline.until if a.startswith("record:"))
            )
        return ()


@dataclass(frozen=True)
class Pack:
    code: str
    name: str
    regulation: str
    extends: tuple[str, ...]
    version: str
    rules: tuple[Rule, ...]
    path: str = ""


def anchor_record_type(anchor: str) -> str:
    """``record:<type>[.<field>]`` → ``<type>`` ("" for other anchors)."""
    kind, _, rest = anchor.partition(":")
    return rest.split(".", 1)[0] if kind == "record" else ""


__all__ = [
    "COMPLEX_FLAG_FIELD",
    "FIELD_OPS",
    "FILE_ANCHOR",
    "FILE_FACTS",
    "OPENING_ITEMS",
    "REQUIRE_GROUPS",
    "SEVERITIES",
    "UNITS",
    "UPLOADED",
    "AvGaps",
    "Deadline",
    "FieldCondition",
    "MaxField",
    "MinCount",
    "Pack",
    "RecordCondition",
    "Require",
    "Rule",
    "When",
    "anchor_record_type",
]
