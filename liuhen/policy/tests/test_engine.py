"""Engine semantics on hand-built snapshots and small packs (no database)."""

from __future__ import annotations

import ast
from datetime import date, timedelta
from pathlib import Path
from types import ModuleType

import pytest

from liuhen.cases.models import STAGE_ORDER
from liuhen.policy import conditions, engine, findings, periods, plans, rules, snapshot
from liuhen.policy.engine import (
    WeekendCalendar,
    blocking_for_branch,
    blocking_for_transition,
    evaluate,
    explain,
)
from liuhen.policy.findings import FindingStatus
from liuhen.policy.schema import Pack
from liuhen.policy.tests.engine_snaps import T0, at, pack_from, rec, sign, snap
from liuhen.workdays.calendar import WorkdayCalendar

CAL = WorkdayCalendar()

STAGE_RULE = """
[[rule]]
id = "YC-1-filing"
requirements = ["IN-1"]
citation = "YC 第七条"
severity = "blocking"
message = "立案须有立案审批表。"
stage = "initiation"
[rule.require]
records = ["filing_approval"]
"""


@pytest.mark.parametrize("module", [engine, plans, periods, conditions, rules, snapshot, findings])
def test_engine_has_no_django_imports(module: ModuleType) -> None:
    """The engine and what it is made of are pure: nothing from Django, nothing from the app's
    Django modules."""
    tree = ast.parse(Path(str(module.__file__)).read_text(encoding="utf-8"))
    names = [n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)]
    names += [a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names]
    assert not [n for n in names if n.startswith("django")]
    allowed = {
        "liuhen.policy." + m for m in ("conditions", "findings", "periods", "plans", "rules", "snapshot")
    }
    assert not [n for n in names if n.startswith("liuhen.") and n not in allowed]
    assert engine.STAGE_ORDER == STAGE_ORDER


def test_stage_scoping_not_yet_missing_violated(tmp_path: Path) -> None:
    pack = pack_from(tmp_path, STAGE_RULE)
    assert evaluate(snap(stage="preparation"), [pack], CAL) == []
    (missing,) = evaluate(snap(stage="initiation"), [pack], CAL)
    assert missing.status is FindingStatus.MISSING and missing.stage == "initiation" and missing.blocking
    (violated,) = evaluate(snap(stage="review"), [pack], CAL)
    assert violated.status is FindingStatus.VIOLATED
    # A branch taken in the rule's stage ends that stage's flow: what it still asked for lapses.
    assert evaluate(snap(stage="initiation", branch="not_filed"), [pack], CAL) == []
    # A branch taken later does not excuse what the stage left behind.
    (left,) = evaluate(snap(stage="review", branch="revoked"), [pack], CAL)
    assert left.status is FindingStatus.VIOLATED
    # Only a record made in the rule's stage counts (unless any_stage).
    wrong_stage = snap(stage="initiation", records=(rec("filing_approval", "investigation"),))
    assert len(evaluate(wrong_stage, [pack], CAL)) == 1
    assert (
        evaluate(snap(stage="initiation", records=(rec("filing_approval", "initiation"),)), [pack], CAL) == []
    )


def test_explain_carries_the_citation(tmp_path: Path) -> None:
    (finding,) = evaluate(snap(stage="initiation"), [pack_from(tmp_path, STAGE_RULE)], CAL)
    assert explain(finding) == "立案须有立案审批表。（依据：YC 第七条）"


def test_blocking_for_transition(tmp_path: Path) -> None:
    rules = (
        STAGE_RULE
        + """
[[rule]]
id = "YC-2-officers"
requirements = ["IV-1"]
citation = "YC 第八条"
severity = "blocking"
message = "两名执法人员。"
[rule.when]
reached_stage = "investigation"
[rule.require]
min_handlers = 2

[[rule]]
id = "YC-3-warn"
requirements = ["IN-1"]
citation = "YC 第九条"
severity = "warning"
message = "提示。"
stage = "initiation"
[rule.require]
records = ["inquiry"]
"""
    )
    pack = pack_from(tmp_path, rules)
    case = snap(stage="initiation", handlers=1)
    blockers = blocking_for_transition(case, [pack], CAL, "investigation")
    assert [f.rule_id for f in blockers] == ["YC-1-filing", "YC-2-officers"]  # warnings never block
    ok = snap(stage="initiation", handlers=2, records=(rec("filing_approval", "initiation"),))
    assert blocking_for_transition(ok, [pack], CAL, "investigation") == []
    # Going back (review → investigation) is not held up by what earlier stages lack…
    assert blocking_for_transition(snap(stage="review", handlers=2), [pack], CAL, "investigation") == []
    # …but moving forward is, by every blocking VIOLATED finding.
    forward = blocking_for_transition(snap(stage="review", handlers=2), [pack], CAL, "service")
    assert [(f.rule_id, f.status) for f in forward] == [("YC-1-filing", FindingStatus.VIOLATED)]


def test_blocking_for_branch_only_uses_the_branch_rules(tmp_path: Path) -> None:
    pack = pack_from(
        tmp_path,
        STAGE_RULE
        + """
[[rule]]
id = "YC-4-not-filed"
requirements = ["IN-3"]
citation = "YC 第四条第（三）项"
severity = "blocking"
message = "不予立案须告知举报人。"
stage = "initiation"
[rule.when]
branch = ["not_filed"]
source = ["complaint"]
[rule.require]
records = ["document_scan"]
""",
    )
    blocked = blocking_for_branch(snap(stage="initiation", source="complaint"), [pack], CAL, "not_filed")
    assert [f.rule_id for f in blocked] == ["YC-4-not-filed"]
    assert blocking_for_branch(snap(stage="initiation", source="ex_officio"), [pack], CAL, "not_filed") == []
    assert blocking_for_branch(snap(stage="initiation", source="complaint"), [pack], CAL, "revoked") == []


PER_RECORD = """
[[rule]]
id = "YC-5-lodged"
requirements = ["SV-2"]
citation = "YC 第五条第（十一）项"
severity = "blocking"
message = "留置送达须记明拒收事由。"
[rule.when]
record_type = "service_receipt"
field = { name = "method", op = "eq", value = "lodged" }
[rule.require]
fields = ["refusal_note", "witnesses"]

[[rule]]
id = "YC-6-signed"
requirements = ["SV-2"]
citation = "BX 第十二条"
severity = "warning"
message = "受送达人签收，拒签的由见证人签名。"
[rule.when]
record_type = "service_receipt"
[rule.require]
signers = ["recipient"]
refusal_with = "witness"

[[rule]]
id = "YC-7-av"
requirements = ["AV-1"]
citation = "YC 第五条第（六）项"
severity = "blocking"
message = "询问应当同步录音录像。"
stage = "investigation"
[rule.when]
record_type = "inquiry"
[rule.require]
media = ["video/", "audio/"]
scenario = ["inquiry"]
"""


def test_per_record_fields_and_field_condition(tmp_path: Path) -> None:
    pack = pack_from(tmp_path, PER_RECORD)
    lodged = rec("service_receipt", "service", data={"method": "lodged"}, signers=(sign("recipient"),))
    direct = rec("service_receipt", "service", data={"method": "direct"}, signers=(sign("recipient"),))
    found = evaluate(snap(stage="service", records=(lodged, direct)), [pack], CAL)
    assert [(f.rule_id, f.record_id, f.status) for f in found] == [
        ("YC-5-lodged", lodged.id, FindingStatus.VIOLATED)
    ]
    complete = rec(
        "service_receipt",
        "service",
        data={"method": "lodged", "refusal_note": "拒收", "witnesses": [{"name": "张三"}]},
        signers=(sign("recipient"),),
    )
    assert evaluate(snap(stage="service", records=(complete,)), [pack], CAL) == []


def test_signers_with_refusal(tmp_path: Path) -> None:
    pack = pack_from(tmp_path, PER_RECORD)
    refused_alone = rec(
        "service_receipt", "service", data={"method": "direct"}, signers=(sign("recipient", refused=True),)
    )
    refused_witnessed = rec(
        "service_receipt",
        "service",
        data={"method": "direct"},
        signers=(sign("recipient", refused=True), sign("witness")),
    )
    found = evaluate(snap(stage="service", records=(refused_alone, refused_witnessed)), [pack], CAL)
    assert [(f.rule_id, f.record_id) for f in found] == [("YC-6-signed", refused_alone.id)]


def test_media_by_own_attachment_or_av_of_the_scenario(tmp_path: Path) -> None:
    """AV-1: the activity's own file, or a photo / audio / video record of the rule's scenario
    (anywhere in the case) — not any AV of the same stage, not AV of another scenario, not an AV
    record without its file."""
    pack = pack_from(tmp_path, PER_RECORD)
    bare = rec("inquiry")
    (missing,) = evaluate(snap(records=(bare,)), [pack], CAL)
    assert missing.status is FindingStatus.MISSING and missing.record_id == bare.id
    assert evaluate(snap(records=(rec("inquiry", media=("audio/mpeg",)),)), [pack], CAL) == []
    inquiry_video = rec("video", data={"scenario": "inquiry"}, media=("video/mp4",))
    assert evaluate(snap(records=(bare, inquiry_video)), [pack], CAL) == []
    later = rec("video", "review", data={"scenario": "inquiry"}, media=("video/mp4",))
    assert evaluate(snap(records=(bare, later)), [pack], CAL) == []
    other = rec("video", data={"scenario": "landmark"}, media=("video/mp4",))
    assert len(evaluate(snap(records=(bare, other)), [pack], CAL)) == 1
    no_file = rec("video", data={"scenario": "inquiry"})
    assert len(evaluate(snap(records=(bare, no_file)), [pack], CAL)) == 1
    assert len(evaluate(snap(records=(bare, rec("video", media=("video/mp4",)))), [pack], CAL)) == 1
    assert len(evaluate(snap(records=(rec("inquiry", media=("image/jpeg",)),)), [pack], CAL)) == 1


@pytest.mark.parametrize(
    ("op", "value", "data", "holds"),
    [
        ("eq", "fine", {"k": ["fine", "warning"]}, True),
        ("ne", "fine", {"k": ["warning"]}, True),
        ("in", ["a", "b"], {"k": "b"}, True),
        ("not_in", ["a", "b"], {"k": "c"}, True),
        ("gt", 500, {"k": "500.01"}, True),
        ("ge", 500, {"k": "499.99"}, False),
        ("lt", "2026-10-01", {"k": "2026-09-30"}, True),
        ("le", 3, {"k": 4}, False),
        ("present", None, {"k": ""}, False),
        ("absent", None, {}, True),
        ("eq", True, {"k": 1}, False),
        ("gt", 5, {"k": ["x"]}, False),
    ],
)
def test_field_ops(op: str, value: object, data: dict[str, object], holds: bool) -> None:
    from liuhen.policy.schema import FieldCondition

    condition = FieldCondition("k", op, tuple(value) if isinstance(value, list) else value)
    assert engine.field_holds(condition, data) is holds
    # The compiled predicate (fast paths) agrees with the reference.
    assert conditions.predicate(condition)(data) is holds


def test_forbidden_and_max_field(tmp_path: Path) -> None:
    pack = pack_from(
        tmp_path,
        """
[[rule]]
id = "YC-8-no-av-privacy"
requirements = ["AV-3"]
citation = "YC 第六条"
severity = "blocking"
message = "涉及个人隐私的，未经同意不得录像。"
[rule.when]
record_type = "video"
field = { name = "consent", op = "ne", value = "given" }
[rule.require]
forbidden = true

[[rule]]
id = "YC-9-cap"
requirements = ["LR-1"]
citation = "YC 第九条"
severity = "warning"
message = "罚款超过五百元。"
[rule.when]
record_type = "penalty_decision"
[rule.require]
max_field = { name = "fine_amount", max = 500 }
""",
    )
    video = rec("video", data={"consent": "refused"})
    high = rec("penalty_decision", "review", data={"fine_amount": "500.01"})
    ok = rec("penalty_decision", "review", data={"fine_amount": "500.00"})
    found = evaluate(snap(stage="review", records=(video, high, ok)), [pack], CAL)
    assert {(f.rule_id, f.record_id) for f in found} == {
        ("YC-8-no-av-privacy", video.id),
        ("YC-9-cap", high.id),
    }


DEADLINES = """
[[rule]]
id = "YC-10-hours"
requirements = ["AV-7"]
citation = "WD 第二十二条"
severity = "warning"
message = "音像资料应当在24小时内上传。"
[rule.when]
record_type = "video"
[rule.deadline]
from = "record:video.recorded_at"
days = 24
unit = "hours"
until = "record:video"

[[rule]]
id = "YC-11-notice"
requirements = ["DC-2"]
citation = "行政处罚法 第六十四条"
severity = "warning"
message = "应当在举行听证的七日前通知当事人。"
[rule.deadline]
from = "record:hearing_record.started_at"
days = -7
unit = "working"
until = "record:advance_notice.issued_on"

[[rule]]
id = "YC-12-optional"
requirements = ["DC-2"]
citation = "行政处罚法 第六十四条"
severity = "warning"
message = "当事人可在告知后五日内要求听证。"
[rule.deadline]
from = "record:advance_notice.issued_on"
days = 5
unit = "working"
until = "record:hearing_record"
optional = true
"""


def test_deadline_in_hours(tmp_path: Path) -> None:
    pack = pack_from(tmp_path, DEADLINES)
    recorded = T0 - timedelta(hours=30)
    video = rec("video", data={"recorded_at": recorded.isoformat()}, created=T0)
    (late,) = [f for f in evaluate(snap(records=(video,)), [pack], CAL) if f.rule_id == "YC-10-hours"]
    assert late.status is FindingStatus.LATE and late.record_id == video.id
    quick = rec("video", data={"recorded_at": (T0 - timedelta(hours=23)).isoformat()}, created=T0)
    assert [f for f in evaluate(snap(records=(quick,)), [pack], CAL) if f.rule_id == "YC-10-hours"] == []


def test_negative_deadline_before_an_event_on_the_2026_schedule(tmp_path: Path) -> None:
    pack = pack_from(tmp_path, DEADLINES)
    hearing = rec("hearing_record", "review", data={"started_at": "2026-10-14T09:00:00+08:00"})
    # 7 working days before 10-14: 10-13, 10-12, 10-10 (make-up), 10-09, 10-08, 09-30, 09-29.
    late_notice = rec("advance_notice", "review", data={"issued_on": "2026-09-30"})
    found = [
        f
        for f in evaluate(snap(stage="review", records=(hearing, late_notice)), [pack], CAL)
        if f.rule_id == "YC-11-notice"
    ]
    assert [(f.status, f.due) for f in found] == [(FindingStatus.LATE, date(2026, 9, 29))]
    on_time = rec("advance_notice", "review", data={"issued_on": "2026-09-29"})
    assert not [
        f
        for f in evaluate(snap(stage="review", records=(hearing, on_time)), [pack], CAL)
        if f.rule_id == "YC-11-notice"
    ]


def test_optional_period_lapses_silently(tmp_path: Path) -> None:
    pack = pack_from(tmp_path, DEADLINES)
    notice = rec("advance_notice", "review", data={"issued_on": "2026-09-29"})

    def statuses(today: date) -> list[tuple[FindingStatus, date | None]]:
        found = evaluate(snap(stage="review", records=(notice,), today=today), [pack], CAL)
        return [(f.status, f.due) for f in found if f.rule_id == "YC-12-optional"]

    assert statuses(date(2026, 10, 9)) == [(FindingStatus.DUE, date(2026, 10, 12))]
    assert statuses(date(2026, 10, 13)) == []


def test_provisional_2027_deadline_and_weekend_fallback(tmp_path: Path) -> None:
    pack = pack_from(tmp_path, DEADLINES)
    notice = rec("advance_notice", "review", data={"issued_on": "2027-03-01"})
    case = snap(stage="review", records=(notice,), today=date(2027, 3, 2))
    (due,) = [f for f in evaluate(case, [pack], CAL) if f.rule_id == "YC-12-optional"]
    assert due.provisional and due.due == date(2027, 3, 8)
    assert "暂按周末计算" in due.message
    (weekend,) = [f for f in evaluate(case, [pack], WeekendCalendar()) if f.rule_id == "YC-12-optional"]
    assert weekend.due == date(2027, 3, 8)


def test_order_is_stage_severity_rule_record(tmp_path: Path) -> None:
    pack = pack_from(tmp_path, STAGE_RULE + PER_RECORD)
    records = (
        rec("inquiry", record_id=3),
        rec("inquiry", record_id=2),
        rec("service_receipt", "service", data={"method": "lodged"}, record_id=1),
    )
    found = evaluate(snap(stage="service", records=records), [pack], CAL)
    assert [(f.stage, f.rule_id, f.record_id) for f in found] == [
        ("initiation", "YC-1-filing", None),
        ("investigation", "YC-7-av", 2),
        ("investigation", "YC-7-av", 3),
        ("service", "YC-5-lodged", 1),
        ("service", "YC-6-signed", 1),
    ]
    reversed_packs: list[Pack] = [pack]
    assert evaluate(snap(stage="service", records=records[::-1]), reversed_packs, CAL) == found


def test_at_helper_is_beijing_time() -> None:
    assert at("2026-10-01").isoformat() == "2026-10-01T01:00:00+00:00"


def test_due_dates_follow_each_calendar_object(tmp_path: Path) -> None:
    """The engine remembers due dates per calendar object: a calendar with other overrides (a new
    object, as ``calendar_for`` builds after an override changes) gets its own answer."""
    pack = pack_from(tmp_path, DEADLINES)
    notice = rec("advance_notice", "review", data={"issued_on": "2026-09-29"})
    case = snap(stage="review", records=(notice,), today=date(2026, 10, 9))

    def due(calendar: WorkdayCalendar) -> date | None:
        (found,) = [f for f in evaluate(case, [pack], calendar) if f.rule_id == "YC-12-optional"]
        return found.due

    assert due(CAL) == date(2026, 10, 12) == due(CAL)
    # 10-12 made a rest day for this agency: five working days end a day later.
    assert due(WorkdayCalendar({date(2026, 10, 12): False})) == date(2026, 10, 13)
    assert due(CAL) == date(2026, 10, 12)


def test_blocking_checks_do_not_change_the_snapshot(tmp_path: Path) -> None:
    """A transition or branch is checked as if taken, without copying the snapshot."""
    pack = pack_from(tmp_path, STAGE_RULE)
    case = snap(stage="initiation")
    before = evaluate(case, [pack], CAL)
    assert blocking_for_transition(case, [pack], CAL, "investigation")
    assert blocking_for_branch(case, [pack], CAL, "not_filed") == []
    assert case.stage == "initiation" and case.branch == "" and evaluate(case, [pack], CAL) == before
