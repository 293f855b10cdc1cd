"""PL pack (平罗县卫生监督所执法全过程记录制度): every rule broken and fixed, and PL's distinctive
findings (preparation-stage triggers, graded follow-up with a new case when not rectified)."""

from __future__ import annotations

from typing import Any

import pytest

from liuhen.policy.engine import evaluate
from liuhen.policy.findings import FindingStatus
from liuhen.policy.schema import packs_for
from liuhen.policy.snapshot import CaseSnapshot, RecordSnap
from liuhen.policy.tests.snapshots import (
    assert_broken_and_fixed,
    att,
    case,
    clip,
    failing,
    pair_maker,
    rec,
    rule_params,
    signed,
    swap_maker,
)
from liuhen.workdays.calendar import WorkdayCalendar

PACKS = packs_for("PL")
CAL = WorkdayCalendar()

PLAN = {
    "roles": [{"name": "张三", "number": "NX000001"}],
    "proven_facts": ["无证行医"],
    "unproven_facts": ["违法所得"],
    "evidence_held": ["病历"],
    "evidence_needed": ["收费票据"],
}
MINUTES = {"statements": "张三：…", "conclusion": "制定调查方案"}
PREP = (rec("case_analysis_minutes", "preparation", MINUTES), rec("investigation_plan", "preparation", PLAN))
COMPLEX = rec("complaint_registration", "initiation", complex_case=True)


pair = pair_maker("PL")
swap = swap_maker("PL")


def reinspection(grade: str, **data: Any) -> RecordSnap:
    return rec("reinspection_record", "followup", {"grade": grade, "rectified": True, **data})


SITE_WINDOW = {"started_at": "2026-03-02T09:00:00+08:00", "ended_at": "2026-03-02T10:00:00+08:00"}

TABLE = {
    "PL-6-1-complaint-prep": pair(COMPLEX, fixed=PREP, source="complaint"),
    "PL-6-2-assigned-prep": pair(COMPLEX, fixed=PREP, source="assigned"),
    "PL-6-3-expert-opinion": pair(
        rec("appraisal_commission", commission_kind="expert_review"),
        fixed=(rec("expert_opinion", "preparation", signers=signed("expert")),),
    ),
    "PL-7-2-plan-content": swap("investigation_plan", "preparation", {**PLAN, "evidence_needed": []}, PLAN),
    "PL-8-1-meeting-minutes": swap("case_analysis_minutes", "preparation", {"statements": "…"}, MINUTES),
    "PL-8-2-expert-signed": (
        case("PL", rec("expert_opinion", "preparation")),
        case("PL", rec("expert_opinion", "preparation", signers=signed("expert"))),
    ),
    "PL-9-coercion-av": pair(
        rec("coercive_measure_decision"), fixed=(rec("video", scenario="coercive_measure"),)
    ),
    "PL-10-site-av": pair(
        rec("site_inspection"),
        rec("photo", scenario="must_check"),
        rec("video", scenario="inquiry"),
        fixed=(rec("video", scenario="must_check"),),
    ),
    "PL-10-site-gaps": (
        case("PL", rec("site_inspection", data=SITE_WINDOW), clip(0, 20), clip(30, 60)),
        case(
            "PL",
            rec("site_inspection", data=SITE_WINDOW),
            clip(0, 20),
            clip(30, 60, explanation="转移至库房检查"),
        ),
    ),
    "PL-10-inquiry-av": (
        case("PL", rec("inquiry")),
        case("PL", rec("inquiry", attachments=(att("video/mp4"),))),
    ),
    "PL-10-sampling-av": pair(rec("sampling_record"), fixed=(rec("video", scenario="sampling"),)),
    "PL-11-disclosure": pair(
        rec("penalty_decision", "review"), fixed=(rec("disclosure_record", "service"),), stage="service"
    ),
    "PL-12-notice-av": pair(
        rec("advance_notice", "review"), fixed=(rec("audio", "review", scenario="rights"),), stage="review"
    ),
    "PL-12-statement-av": pair(
        rec("statement_defence", "review", form="oral"),
        fixed=(rec("video", "review", scenario="statement"),),
        stage="review",
    ),
    "PL-12-hearing-av": pair(
        rec("hearing_record", "review"), fixed=(rec("video", "review", scenario="hearing"),), stage="review"
    ),
    "PL-12-service-av": pair(
        rec("service_receipt", "service", method="direct"),
        fixed=(rec("video", "service", scenario="service"),),
        stage="service",
    ),
    "PL-13-deliberation-av": pair(
        rec("collective_discussion", "review"),
        fixed=(rec("audio", "review", scenario="deliberation"),),
        stage="review",
    ),
    "PL-13-deliberation-room": swap(
        "collective_discussion", "review", {"designated_room": False}, {"designated_room": True}
    ),
    "PL-14-av-retention": swap("archive_registration", "closing", {}, {"retention": "30y"}),
    **{
        f"PL-14-{kind}-evidence-retention": swap(
            kind,
            "investigation",
            {"used_as_evidence": True, "retention": "litigation"},
            {"used_as_evidence": True, "retention": "case_file"},
        )
        for kind in ("video", "audio", "photo")
    },
    **{
        f"PL-14-{kind}-litigation-retention": swap(
            kind, "investigation", {"retention": "six_months"}, {"retention": "litigation"}
        )
        for kind in ("video", "audio", "photo")
    },
    **{
        f"PL-15-{kind}-long-term": (
            case("PL", rec("refusal_record"), rec(kind, retention="case_file")),
            case("PL", rec("refusal_record"), rec(kind, retention="long_term")),
        )
        for kind in ("video", "audio")
    },
    "PL-15-long-term": swap("refusal_record", "investigation", {}, {"long_term_preservation": True}),
    "PL-16-1-light": pair(
        reinspection("light", method="paper"),
        fixed=(rec("rectification_report", "followup"),),
        stage="followup",
    ),
    "PL-16-2-general": swap(
        "reinspection_record",
        "followup",
        {"grade": "general", "rectified": True, "findings": "已整改", "inspectors": ["张三"]},
        {
            "grade": "general",
            "rectified": True,
            "findings": "已整改",
            "inspectors": ["张三"],
            "next_steps": "备案",
        },
    ),
    "PL-16-2-new-case": swap(
        "reinspection_record",
        "followup",
        {"grade": "general", "rectified": False},
        {
            "grade": "general",
            "rectified": False,
            "new_case_needed": True,
            "next_steps": "已立案 平卫罚〔2026〕9号",
        },
    ),
    "PL-16-3-serious": pair(
        reinspection("serious", method="on_site"),
        fixed=(rec("video", "followup", scenario="reinspection"),),
        stage="followup",
    ),
}


@pytest.mark.parametrize(("rule_id", "broken", "fixed"), rule_params(PACKS, "PL", TABLE))
def test_pl_rule_broken_then_fixed(rule_id: str, broken: CaseSnapshot, fixed: CaseSnapshot) -> None:
    assert_broken_and_fixed(PACKS, CAL, rule_id, broken, fixed)


def test_in5_pl_assigned_case_needs_preparation_records() -> None:
    """IN-5 (PL 第六条第（二）项): an assigned complex case started without the 事前 records is
    flagged with the citation; other packs ask nothing of the kind."""
    snap = case("PL", COMPLEX, source="assigned")
    [finding] = failing(evaluate(snap, PACKS, CAL), "PL-6-2-assigned-prep")
    assert finding.citation == "PL 第六条第（二）项"
    assert finding.status is FindingStatus.VIOLATED and finding.blocking
    assert set(finding.record_types) == {"case_analysis_minutes", "investigation_plan"}
    # While the case is still in preparation, it is a checklist line.
    early = case("PL", COMPLEX, source="assigned", start="preparation", stage="preparation")
    assert failing(evaluate(early, PACKS, CAL), "PL-6-2-assigned-prep")[0].status is FindingStatus.MISSING
    yc = case("YC", source="assigned")
    assert not [f for f in evaluate(yc, packs_for("YC"), CAL) if "investigation_plan" in f.record_types]


@pytest.mark.parametrize(
    ("grade", "records", "rule_id"),
    [
        ("light", (), "PL-16-1-light"),  # light: the party's rectification report, reviewed on paper
        ("serious", (), "PL-16-3-serious"),  # serious: on-site re-inspection with full AV
    ],
)
def test_fu1_pl_graded_follow_up(grade: str, records: tuple[RecordSnap, ...], rule_id: str) -> None:
    """FU-1 (PL 第十六条): each grade has its own requirement."""
    snap = case("PL", reinspection(grade), *records, stage="followup")
    found = failing(evaluate(snap, PACKS, CAL), rule_id)
    assert found and found[0].citation.startswith("PL 第十六条")
    others = {"PL-16-1-light", "PL-16-3-serious"} - {rule_id}
    assert not [f for f in evaluate(snap, PACKS, CAL) if f.rule_id in others]


def test_fu1_pl_not_rectified_needs_a_new_case() -> None:
    """FU-1 (PL 第十六条第（二）项): not rectified → a new case is recorded."""
    snap = case("PL", reinspection("general", rectified=False, next_steps=""), stage="followup")
    [finding] = failing(evaluate(snap, PACKS, CAL), "PL-16-2-new-case")
    assert finding.citation == "PL 第十六条第（二）项"
    assert "立案查处" in finding.message


@pytest.mark.parametrize("source", ["complaint", "assigned", "transferred"])
def test_in5_pl_only_complex_or_major_cases_need_the_preparation_stage(source: str) -> None:
    """IN-5 (PL 第六条第（一）（二）项): "案情复杂或影响重大的" — a plain complaint or assigned case
    needs no 事前 records; flagged complex (on any intake record) it does."""
    plain = case("PL", rec("filing_approval", "initiation", complex_case=False), source=source)
    assert not [f for f in evaluate(plain, PACKS, CAL) if f.rule_id.startswith("PL-6-")]
    flagged = case("PL", rec("filing_approval", "initiation", complex_case=True), source=source)
    rule_id = "PL-6-1-complaint-prep" if source == "complaint" else "PL-6-2-assigned-prep"
    [finding] = failing(evaluate(flagged, PACKS, CAL), rule_id)
    assert finding.blocking and finding.citation.startswith("PL 第六条")


def test_rt2_rt4_pl_av_retention_follows_its_use() -> None:
    """RT-2 / RT-3 / RT-4 (PL 第十四条、第十五条): evidence AV kept as long as the case file; other AV
    in a penalty case at least until the litigation period ends; obstruction → long-term."""
    evidence = case("PL", rec("video", used_as_evidence=True, retention="six_months"))
    found = {f.rule_id for f in evaluate(evidence, PACKS, CAL)}
    assert {"PL-14-video-evidence-retention", "PL-14-video-litigation-retention"} <= found
    # Not stated at all: evidence AV without a retention is reported, plain AV is not.
    assert failing(
        evaluate(case("PL", rec("video", used_as_evidence=True)), PACKS, CAL),
        "PL-14-video-evidence-retention",
    )
    assert not [f for f in evaluate(case("PL", rec("video")), PACKS, CAL) if f.rule_id.startswith("PL-14-")]
    # Routine inspections (not penalty / coercion) keep six months.
    routine = case("PL", rec("video", retention="six_months"), case_type="inspection")
    assert not [f for f in evaluate(routine, PACKS, CAL) if f.rule_id.startswith("PL-14-")]
    refusal = case("PL", rec("refusal_record"), rec("audio", retention="case_file"))
    [finding] = failing(evaluate(refusal, PACKS, CAL), "PL-15-audio-long-term")
    assert finding.citation == "PL 第十五条第（二）项" and not finding.blocking
