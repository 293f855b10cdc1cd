"""Engine semantics of the pack keys added for the regulations' finer rules: several field
conditions, case_has / case_lacks, complex_case, any_of, min_count, preceded_by, the ``uploaded``
and ``branch:`` anchors, and ``deadline_outcomes`` (no database)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

import pytest

from liuhen.policy.engine import DeadlineOutcome, deadline_outcomes, evaluate, signed_record_types
from liuhen.policy.findings import FindingStatus
from liuhen.policy.snapshot import AttachmentSnap, RecordSnap, StageEvent
from liuhen.policy.tests.engine_snaps import T0, at, pack_from, rec, sign, snap
from liuhen.workdays.calendar import WorkdayCalendar

CAL = WorkdayCalendar()
HEAD = """
[[rule]]
id = "YC-1-{name}"
requirements = ["SV-2"]
citation = "YC 第五条"
severity = "{severity}"
message = "测试规则。"
"""


def rule(name: str, body: str, *, severity: str = "blocking") -> str:
    return HEAD.format(name=name, severity=severity) + body


def ids(found: list) -> list[tuple[str, int | None]]:
    return [(f.rule_id, f.record_id) for f in found]


def test_several_field_conditions_must_all_hold(tmp_path: Path) -> None:
    pack = pack_from(
        tmp_path,
        rule(
            "lodged-absent",
            """
[rule.when]
record_type = "service_receipt"
field = [
  { name = "method", op = "eq", value = "lodged" },
  { name = "party_absent", op = "eq", value = true },
]
[rule.require]
fields = ["refusal_note"]
""",
        ),
    )
    (only,) = pack.rules
    assert len(only.when.fields) == 2 and only.when.field == only.when.fields[0]
    both = rec("service_receipt", "service", data={"method": "lodged", "party_absent": True})
    one = rec("service_receipt", "service", data={"method": "lodged", "party_absent": False})
    other = rec("service_receipt", "service", data={"method": "direct", "party_absent": True})
    assert ids(evaluate(snap(stage="service", records=(both, one, other)), [pack], CAL)) == [
        ("YC-1-lodged-absent", both.id)
    ]


def test_case_has_and_case_lacks(tmp_path: Path) -> None:
    pack = pack_from(
        tmp_path,
        rule(
            "has",
            """
[rule.when]
record_type = "video"
case_has = { record_type = "refusal_record" }
[rule.require]
fields = ["retention"]
""",
        )
        + rule(
            "lacks",
            """
[rule.when]
record_type = "hearing_record"
case_lacks = [
  { record_type = "hearing_notice", field = { name = "notice_kind", op = "eq", value = "schedule" } },
]
[rule.require]
forbidden = true
""",
        ),
    )
    video, hearing = rec("video"), rec("hearing_record", "review")
    assert ids(evaluate(snap(records=(video, hearing)), [pack], CAL)) == [("YC-1-lacks", hearing.id)]
    refused = snap(records=(video, rec("refusal_record"), hearing))
    assert set(ids(evaluate(refused, [pack], CAL))) == {("YC-1-has", video.id), ("YC-1-lacks", hearing.id)}
    right = rec("hearing_notice", "review", data={"notice_kind": "right"})
    schedule = rec("hearing_notice", "review", data={"notice_kind": "schedule"})
    assert ids(evaluate(snap(records=(hearing, right)), [pack], CAL)) == [("YC-1-lacks", hearing.id)]
    assert evaluate(snap(records=(hearing, schedule)), [pack], CAL) == []


def test_complex_case_flag_comes_from_any_record(tmp_path: Path) -> None:
    pack = pack_from(
        tmp_path,
        rule(
            "complex",
            """
stage = "investigation"
[rule.when]
complex_case = true
[rule.require]
records = ["investigation_plan"]
any_stage = true
""",
        )
        + rule(
            "plain",
            """
stage = "investigation"
[rule.when]
complex_case = false
[rule.require]
records = ["inquiry"]
""",
        ),
    )
    plain = snap(records=(rec("filing_approval", "initiation", data={"complex_case": False}),))
    assert ids(evaluate(plain, [pack], CAL)) == [("YC-1-plain", None)]
    flagged = snap(records=(rec("complaint_registration", "initiation", data={"complex_case": True}),))
    assert ids(evaluate(flagged, [pack], CAL)) == [("YC-1-complex", None)]
    # Only a real boolean true counts ("true" as text does not).
    text = snap(records=(rec("filing_approval", "initiation", data={"complex_case": "true"}),))
    assert ids(evaluate(text, [pack], CAL)) == [("YC-1-plain", None)]


def test_any_of_is_met_by_one_group(tmp_path: Path) -> None:
    pack = pack_from(
        tmp_path,
        rule(
            "either",
            """
[rule.when]
record_type = "service_receipt"
[rule.require]
any_of = [
  { signers = ["recipient"], refusal_with = "witness" },
  { media = ["image/", "video/"] },
  { records = ["public_notice_service"], any_stage = true },
]
""",
        )
        .replace('severity = "blocking"', 'severity = "warning"')
        .replace('message = "测试规则。"', 'message = "测试规则。"\nstage = "service"'),
    )
    (only,) = pack.rules
    assert only.record_types == ("public_notice_service",)
    refused = (sign("recipient", refused=True),)
    bare = rec("service_receipt", "service", signers=refused)
    (missing,) = evaluate(snap(stage="service", records=(bare,)), [pack], CAL)
    assert missing.status is FindingStatus.MISSING
    witnessed = rec("service_receipt", "service", signers=(*refused, sign("witness")))
    filmed = rec("service_receipt", "service", signers=refused, media=("video/mp4",))
    for met in (witnessed, filmed):
        assert evaluate(snap(stage="service", records=(met,)), [pack], CAL) == []
    noticed = snap(stage="service", records=(bare, rec("public_notice_service", "closing")))
    assert evaluate(noticed, [pack], CAL) == []


def test_min_count_records_items_and_signers(tmp_path: Path) -> None:
    pack = pack_from(
        tmp_path,
        rule(
            "two-inquiries",
            """
stage = "investigation"
[rule.require]
min_count = { records = ["inquiry"], count = 2 }
""",
        )
        + rule(
            "two-servers",
            """
[rule.when]
record_type = "service_receipt"
[rule.require]
min_count = { items = "servers", count = 2 }
""",
        )
        + rule(
            "all-signed",
            """
[rule.when]
record_type = "collective_discussion"
[rule.require]
min_count = { signers = "attendee", count_of = "attendees" }
""",
        ),
    )
    one = snap(records=(rec("inquiry"),))
    assert ids(evaluate(one, [pack], CAL)) == [("YC-1-two-inquiries", None)]
    # Records of another stage do not count (no any_stage).
    assert len(evaluate(snap(records=(rec("inquiry"), rec("inquiry", "review"))), [pack], CAL)) == 1
    assert evaluate(snap(records=(rec("inquiry"), rec("inquiry"))), [pack], CAL) == []
    lone = rec("service_receipt", "service", data={"servers": [{"name": "张三"}, ""]})
    pair = rec("service_receipt", "service", data={"servers": [{"name": "张三"}, {"name": "李四"}]})
    base = (rec("inquiry"), rec("inquiry"))
    assert ids(evaluate(snap(stage="service", records=(*base, lone, pair)), [pack], CAL)) == [
        ("YC-1-two-servers", lone.id)
    ]
    attendees = {"attendees": [{"name": "甲"}, {"name": "乙"}, {"name": "丙"}]}
    two = (sign("attendee"), sign("attendee"), sign("attendee", refused=True))
    short = rec("collective_discussion", "review", data=attendees, signers=two)
    full = rec("collective_discussion", "review", data=attendees, signers=(*two[:2], sign("attendee")))
    found = evaluate(snap(stage="review", records=(*base, short, full)), [pack], CAL)
    assert ids(found) == [("YC-1-all-signed", short.id)]


def test_preceded_by_compares_dates_by_day_and_falls_back_to_recording_time(tmp_path: Path) -> None:
    pack = pack_from(
        tmp_path,
        rule(
            "review-first",
            """
stage = "review"
[rule.when]
record_type = "penalty_decision"
[rule.require]
preceded_by = ["record:legal_review_opinion.issued_on", "record:legal_review_opinion"]
own_time = "decided_on"
""",
        ),
    )
    (only,) = pack.rules
    assert only.record_types == ("legal_review_opinion",)

    def check(review_data: dict | None, decision_data: dict, *, review_at=T0, decision_at=T0) -> bool:
        records = [rec("penalty_decision", "review", data=decision_data, created=decision_at)]
        if review_data is not None:
            records.append(rec("legal_review_opinion", "review", data=review_data, created=review_at))
        return not evaluate(snap(stage="review", records=tuple(records)), [pack], CAL)

    assert not check(None, {"decided_on": "2026-03-10"})  # no review at all
    assert check({"issued_on": "2026-03-10"}, {"decided_on": "2026-03-10"})  # same day
    assert not check({"issued_on": "2026-03-11"}, {"decided_on": "2026-03-10"})  # review after
    # Without a decision date: when the decision was recorded (2026-03-02 09:00) counts, by day.
    assert check({"issued_on": "2026-03-02"}, {})
    assert not check({"issued_on": "2026-03-03"}, {})
    # Without the review's date, when the review was recorded (second anchor), to the minute.
    assert check({}, {}, review_at=T0 - timedelta(minutes=1))
    assert not check({}, {}, review_at=T0 + timedelta(minutes=1))


UPLOAD = """
[rule.when]
record_type = "video"
[rule.deadline]
from = ["record:video.returned_at", "record:video.recorded_at"]
days = 24
unit = "hours"
until = "uploaded:video/"
"""


def test_uploaded_anchor_is_the_records_own_file(tmp_path: Path) -> None:
    pack = pack_from(tmp_path, rule("upload", UPLOAD, severity="warning"))
    data = {"recorded_at": T0.isoformat()}

    def video(*files: AttachmentSnap, **extra: str) -> RecordSnap:
        return RecordSnap(99, "video", "investigation", T0, {**data, **extra}, attachments=files)

    late = video(AttachmentSnap("video/mp4", 9, T0 + timedelta(hours=25)))
    (finding,) = evaluate(snap(records=(late,)), [pack], CAL)
    assert finding.status is FindingStatus.LATE
    on_time = video(AttachmentSnap("video/mp4", 9, T0 + timedelta(hours=23)))
    assert evaluate(snap(records=(on_time,)), [pack], CAL) == []
    # Only files of the prefix count; the return to the office restarts the clock.
    wrong_kind = video(AttachmentSnap("image/jpeg", 9, T0 + timedelta(hours=1)))
    (running,) = evaluate(snap(records=(wrong_kind,), today=T0.date()), [pack], CAL)
    assert running.status is FindingStatus.DUE
    away = video(
        AttachmentSnap("video/mp4", 9, T0 + timedelta(hours=50)),
        returned_at=(T0 + timedelta(hours=30)).isoformat(),
    )
    assert evaluate(snap(records=(away,)), [pack], CAL) == []


def test_branch_anchor_deadline_runs_in_its_branch(tmp_path: Path) -> None:
    pack = pack_from(
        tmp_path,
        rule(
            "revoked-filing",
            """
[rule.when]
branch = ["revoked"]
[rule.deadline]
from = "branch:revoked"
days = 10
until = "record:decision_filing.filed_on"
""",
            severity="warning",
        )
        + rule(
            "ordinary",
            """
[rule.deadline]
from = "opened"
days = 5
until = "record:inquiry"
""",
            severity="warning",
        ),
    )
    history = (
        StageEvent("", "initiation", "", T0),
        StageEvent("initiation", "initiation", "revoked", at("2026-03-04")),
    )
    revoked = replace(
        snap(stage="initiation", branch="revoked", today=date(2026, 3, 20)), stage_history=history
    )
    (overdue,) = evaluate(revoked, [pack], CAL)
    assert (overdue.rule_id, overdue.status, overdue.due) == (
        "YC-1-revoked-filing",
        FindingStatus.OVERDUE,
        date(2026, 3, 16),  # 03-14 is a Saturday: the period ends on the next working day
    )


def test_deadline_outcomes_include_met_periods_and_agree_with_evaluate(tmp_path: Path) -> None:
    pack = pack_from(tmp_path, rule("upload", UPLOAD, severity="warning"))
    data = {"recorded_at": T0.isoformat()}
    met = rec("video", data=data, media=("video/mp4",), record_id=1)
    waiting = rec("video", data=data, record_id=2)
    case = snap(records=(met, waiting), today=T0.date())
    outcomes = deadline_outcomes(case, [pack], CAL)
    assert [(o.record_id, o.state) for o in outcomes] == [(1, "met"), (2, "due")]
    assert all(isinstance(o, DeadlineOutcome) and o.key == ("YC-1-upload", o.record_id) for o in outcomes)
    assert outcomes[0].met_at is not None and outcomes[1].met_at is None
    findings = evaluate(case, [pack], CAL)
    assert [(f.record_id, f.status, f.due) for f in findings] == [(2, FindingStatus.DUE, outcomes[1].due)]


@pytest.mark.parametrize("real", [True, False])
def test_evaluate_is_order_independent_with_the_index(tmp_path: Path, real: bool) -> None:
    """The per-type rule index gives the same findings whatever the order of records and packs."""
    from liuhen.policy.engine import WeekendCalendar
    from liuhen.policy.schema import load_packs

    packs = list(load_packs().values())
    calendar = CAL if real else WeekendCalendar()
    records = (
        rec("penalty_decision", "review", data={"decided_on": "2026-03-10", "party_absent": True}),
        rec("video", data={"recorded_at": T0.isoformat(), "used_as_evidence": True}),
        rec("service_receipt", "service", data={"method": "lodged", "servers": [{"name": "甲"}]}),
        rec("hearing_notice", "review", data={"notice_kind": "right", "issued_on": "2026-03-05"}),
    )
    case = snap(stage="service", records=records)
    first = evaluate(case, packs, calendar)
    assert first
    assert evaluate(snap(stage="service", records=records[::-1]), packs[::-1], calendar) == first


def test_signed_record_types_are_those_whose_own_signatures_a_rule_reads(tmp_path: Path) -> None:
    """What the bulk loader fetches signatures for: the triggering record types of rules that
    check signers, directly, through min_count or inside any_of — no other record's signatures
    are ever read."""
    pack = pack_from(
        tmp_path,
        rule(
            "signed",
            """
[rule.when]
record_type = "penalty_decision"
[rule.require]
signers = ["head"]
""",
        )
        + rule(
            "counted",
            """
[rule.when]
record_type = "collective_discussion"
[rule.require]
min_count = { signers = "attendee", count_of = "attendees" }
""",
        )
        + rule(
            "either",
            """
[rule.when]
record_type = "service_receipt"
[rule.require]
any_of = [{ fields = ["reason"] }, { signers = ["recipient"], refusal_with = "witness" }]
""",
        )
        + rule(
            "fields-only",
            """
[rule.when]
record_type = "inquiry"
[rule.require]
fields = ["transcript"]
""",
        )
        + rule(
            "records",
            """
[rule.require]
records = ["video"]
""",
        ),
    )
    assert signed_record_types([pack]) == {"penalty_decision", "collective_discussion", "service_receipt"}
