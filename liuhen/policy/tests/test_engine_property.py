"""Hypothesis: the engine never raises on arbitrary snapshots and is deterministic."""

from __future__ import annotations

import functools
import shutil
import tempfile
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from liuhen.policy.engine import (
    WeekendCalendar,
    blocking_for_branch,
    blocking_for_transition,
    deadline_outcomes,
    evaluate,
)
from liuhen.policy.schema import Pack, load_pack, load_packs, packs_for
from liuhen.policy.snapshot import (
    AttachmentSnap,
    CaseSnapshot,
    HandlerSnap,
    PartySnap,
    RecordSnap,
    SignerSnap,
    StageEvent,
)
from liuhen.workdays.calendar import WorkdayCalendar

STAGES = ["preparation", "initiation", "investigation", "review", "service", "closing", "followup", "??", ""]
BRANCHES = ["", "not_filed", "transferred", "referred_police", "revoked", "x"]
TYPES = [
    "filing_approval",
    "inquiry",
    "video",
    "audio",
    "photo",
    "advance_notice",
    "hearing_record",
    "penalty_decision",
    "service_receipt",
    "evidence_preservation_notice",
    "hearing_notice",
    "hearing_application",
    "legal_review_opinion",
    "investigation_report",
    "case_file_handover",
    "decision_filing",
    "refusal_record",
    "collective_discussion",
    "complaint_registration",
    "site_inspection",
    "coercive_measure_decision",
    "unknown",
]
FIELDS = [
    "decided_on",
    "served_at",
    "preserved_at",
    "handle_by",
    "issued_on",
    "started_at",
    "approved_on",
    "fine_amount",
    "method",
    "penalty_kinds",
    "recorded_at",
    "consent",
    # keys the newer rules read
    "party_absent",
    "complex_case",
    "notice_kind",
    "hearing_at",
    "applied_on",
    "servers",
    "attendees",
    "used_as_evidence",
    "retention",
    "returned_at",
    "upload_delay_reason",
    "late_fee_per_day",
    "handed_at_before",
    "filed_on",
    "received_on",
    # keys the AV rules read
    "scenario",
    "opening_statement",
    "gap_explanation",
    "recorder_no",
    "device_no",
    "ended_at",
    "taken_at",
]

zones = st.sampled_from([UTC, timezone(timedelta(hours=8)), timezone(timedelta(hours=-12))])
moments = st.datetimes(min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30), timezones=zones)
json_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True),
    st.text(max_size=12),
    st.dates().map(date.isoformat),
    moments.map(datetime.isoformat),
    st.sampled_from(
        [
            "200.00",
            "3000.01",
            "1e999",
            "-5",
            "lodged",
            "lodged_service",
            "inquiry",
            "preservation",
            "fine",
            "NaN",
            "right",
            "schedule",
            "case_file",
            "six_months",
        ]
    ),
)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=3),
    max_leaves=6,
)
records = st.builds(
    RecordSnap,
    id=st.integers(min_value=1, max_value=50),
    record_type=st.sampled_from(TYPES),
    stage=st.sampled_from(STAGES),
    created_at=moments,
    data=st.dictionaries(st.sampled_from(FIELDS), json_values, max_size=6),
    version=st.integers(min_value=1, max_value=3),
    signers=st.lists(
        st.builds(
            SignerSnap,
            role=st.sampled_from(["head", "party", "witness", "recipient", "attendee", "x"]),
            refused=st.booleans(),
        ),
        max_size=3,
    ).map(tuple),
    attachments=st.lists(
        st.builds(
            AttachmentSnap,
            media_type=st.sampled_from(["video/mp4", "audio/mpeg", "image/jpeg", ""]),
            size=st.integers(0, 9),
            created_at=moments,
            recorded_at=st.none() | moments,
            ended_at=st.none() | moments,
            recorder_no=st.sampled_from(["", "ZFJLY-01", "ZFJLY-02"]),
            field_work=st.sampled_from(["", "off_site", "x"]),
            returned_at=st.none() | moments,
            consent=st.sampled_from(["", "consented", "refused"]),
            secret=st.booleans(),
            privacy=st.booleans(),
            opening_statement=st.lists(st.sampled_from(["time", "recording_notice", "x"]), max_size=3).map(
                tuple
            ),
            gap_explanation=st.sampled_from(["", " ", "停电"]),
        ),
        max_size=2,
    ).map(tuple),
)
snapshots = st.builds(
    CaseSnapshot,
    id=st.integers(1, 9),
    number=st.text(max_size=5),
    pack=st.just("baseline"),
    case_type=st.sampled_from(["penalty", "inspection", "coercion", "x"]),
    procedure=st.sampled_from(["simple", "general", "x"]),
    source=st.sampled_from(["complaint", "ex_officio", "x"]),
    stage=st.sampled_from(STAGES),
    branch=st.sampled_from(BRANCHES),
    opened_at=moments,
    today=st.dates(),
    stage_history=st.lists(
        st.builds(
            StageEvent,
            from_stage=st.sampled_from(STAGES),
            to_stage=st.sampled_from(STAGES),
            branch=st.sampled_from(BRANCHES),
            at=moments,
        ),
        max_size=4,
    ).map(tuple),
    handlers=st.lists(
        st.builds(HandlerSnap, person_id=st.integers(1, 4), certificate_no=st.sampled_from(["", " ", "NX1"])),
        max_size=3,
    ).map(tuple),
    parties=st.lists(
        st.builds(PartySnap, kind=st.sampled_from(["person", "organisation", "x"])), max_size=2
    ).map(tuple),
    records=st.lists(records, max_size=8).map(tuple),
)


# A pack that uses every key of the format at least once, so the property holds for all of them
# whatever the shipped packs happen to use.
EVERY_KEY = """
[pack]
code = "YC"
name = "测试"
regulation = "测试"
extends = ["baseline"]

[[rule]]
id = "YC-1-all-when"
requirements = ["SV-2"]
citation = "YC 第一条"
severity = "blocking"
message = "测试。"
stage = "service"
[rule.when]
procedure = ["general"]
case_type = ["penalty"]
source = ["complaint"]
party_kind = ["person"]
record_type = "service_receipt"
field = [{ name = "method", op = "in", value = ["lodged"] }, { name = "party_absent", op = "ne", value = true }]
reached_stage = "review"
case_has = { record_type = "penalty_decision", field = { name = "fine_amount", op = "ge", value = 500 } }
case_lacks = { record_type = "hearing_notice", field = { name = "notice_kind", op = "eq", value = "schedule" } }
complex_case = true
[rule.require]
any_of = [
  { min_count = { items = "servers", count = 2 } },
  { min_count = { records = ["inquiry", "video"], count = 3 }, any_stage = true },
  { preceded_by = ["record:penalty_decision.decided_on", "record:penalty_decision"], own_time = "served_at" },
  { signers = ["recipient"], refusal_with = "witness" },
  { media = ["video/", "image/"], scenario = ["lodged_service", "inquiry"] },
  { fields = ["reason"] },
  { records = ["mailing_receipt"] },
  { all_records = ["mailing_receipt", "video"] },
  { min_handlers = 3 },
]

[[rule]]
id = "YC-6-cap"
requirements = ["ST-2"]
citation = "YC 第六条"
severity = "blocking"
message = "测试。"
[rule.when]
record_type = "penalty_decision"
[rule.require]
any_of = [{ max_field = { name = "fine_amount", max = 1 } }, { fields = ["party_absent"] }]

[[rule]]
id = "YC-7-forbidden"
requirements = ["AV-3"]
citation = "YC 第七条"
severity = "blocking"
message = "测试。"
stage = "investigation"
[rule.when]
record_type = "video"
field = { name = "retention", op = "absent" }
[rule.require]
forbidden = true

[[rule]]
id = "YC-2-signers"
requirements = ["DC-3"]
citation = "YC 第二条"
severity = "warning"
message = "测试。"
[rule.when]
record_type = "collective_discussion"
complex_case = false
[rule.require]
min_count = { signers = "attendee", count_of = "attendees" }

[[rule]]
id = "YC-3-upload"
requirements = ["AV-7"]
citation = "YC 第三条"
severity = "warning"
message = "测试。"
[rule.when]
record_type = "video"
[rule.deadline]
from = ["record:video.returned_at", "record:video.recorded_at", "opened"]
days = 24
unit = "hours"
until = ["uploaded:video/", "uploaded", "record:hearing_notice.issued_on"]

[[rule]]
id = "YC-4-branch"
requirements = ["LR-8"]
citation = "YC 第四条"
severity = "warning"
message = "测试。"
[rule.when]
branch = ["revoked", "transferred"]
[rule.deadline]
from = ["branch:revoked", "stage:review"]
days = 10
until = "record:decision_filing.filed_on"

[[rule]]
id = "YC-5-before"
requirements = ["DC-2"]
citation = "YC 第五条"
severity = "warning"
message = "测试。"
[rule.when]
record_type = "hearing_notice"
[rule.deadline]
from = ["record:hearing_notice.hearing_at", "record:hearing_record.started_at"]
days = -7
unit = "working"
until = "record:hearing_notice.issued_on"
optional = true

[[rule]]
id = "YC-8-file"
requirements = ["AV-4"]
citation = "YC 第八条"
severity = "warning"
message = "测试。"
stage = "investigation"
[rule.when]
media = ["video/", "audio/"]
field = [{ name = "secret", op = "eq", value = true }, { name = "recorded_at", op = "present" }]
[rule.require]
any_of = [{ opening_statement = ["time", "recording_notice"] }, { fields = ["gap_explanation"] }]

[[rule]]
id = "YC-9-file-upload"
requirements = ["AV-7"]
citation = "YC 第九条"
severity = "warning"
message = "测试。"
[rule.when]
media = ["image/", "video/"]
field = { name = "field_work", op = "in", value = ["off_site"] }
[rule.deadline]
from = ["file:returned_at", "file:recorded_at", "record:video.recorded_at"]
days = 24
unit = "hours"
until = ["uploaded", "record:hearing_notice.issued_on"]

[[rule]]
id = "YC-10-gaps"
requirements = ["AV-6"]
citation = "YC 第十条"
severity = "warning"
message = "测试。"
[rule.when]
record_type = "site_inspection"
[rule.require]
av_gaps = { start = "started_at", end = "ended_at", tolerance_minutes = 1 }
"""


@functools.cache
def _every_key_pack() -> Pack:
    directory = Path(tempfile.mkdtemp(prefix="liuhen-every-key-"))
    path = directory / "yc.toml"
    path.write_text(EVERY_KEY, encoding="utf-8")
    pack = load_pack(path)
    shutil.rmtree(directory)
    return pack


def _all_packs() -> list[Pack]:
    return [*load_packs().values(), _every_key_pack()]


@pytest.mark.slow
@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    snapshot=snapshots, to_stage=st.sampled_from(STAGES), branch=st.sampled_from(BRANCHES), real=st.booleans()
)
def test_engine_never_raises_and_is_deterministic(
    snapshot: CaseSnapshot, to_stage: str, branch: str, real: bool
) -> None:
    packs = _all_packs()
    calendar: Any = WorkdayCalendar() if real else WeekendCalendar()
    first = evaluate(snapshot, packs, calendar)
    assert evaluate(snapshot, packs, calendar) == first
    assert evaluate(snapshot, packs[::-1], calendar) == first or len(
        {r.id for p in packs for r in p.rules}
    ) < sum(len(p.rules) for p in packs)
    for finding in first:
        assert finding.message and "\n" not in finding.message
    blocking_for_transition(snapshot, packs, calendar, to_stage)
    blocking_for_branch(snapshot, packs, calendar, branch)
    # deadline_outcomes never raises and agrees with the deadline findings.
    outcomes = deadline_outcomes(snapshot, packs, calendar)
    assert deadline_outcomes(snapshot, packs, calendar) == outcomes
    running = {(o.rule.id, o.record_id): (o.state, o.due) for o in outcomes if o.state != "met"}
    reported = {
        (f.rule_id, f.record_id): (f.status.value, f.due)
        for f in first
        if f.status.value in ("due", "overdue", "late")
    }
    assert running == reported


@settings(max_examples=60, deadline=None)
@given(snapshot=snapshots)
def test_baseline_is_deterministic_quick(snapshot: CaseSnapshot) -> None:
    packs = list(packs_for("baseline"))
    assert evaluate(snapshot, packs, WeekendCalendar()) == evaluate(snapshot, packs, WeekendCalendar())


def test_the_every_key_pack_uses_every_key() -> None:
    """The synthetic pack above loads, and really uses each when / require / deadline key."""
    from liuhen.policy.schema import _REQUIRE_KEYS, _WHEN_KEYS

    text = EVERY_KEY
    pack = _every_key_pack()
    assert len(pack.rules) == 10
    for key in (
        *_WHEN_KEYS,
        *_REQUIRE_KEYS,
        "uploaded:",
        "branch:",
        "file:",
        "optional",
        "count_of",
        "days = -",
    ):
        assert key in text, key
