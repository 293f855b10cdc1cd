"""BX pack (本溪市卫生健康委执法记录信息管理办法): every rule broken and fixed, and BX's distinctive
findings (refusal records, service refused → witness, retention and long-term preservation)."""

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
    failing,
    pair_maker,
    rec,
    rule_params,
    signed,
    swap_maker,
)
from liuhen.workdays.calendar import WorkdayCalendar

PACKS = packs_for("BX")
CAL = WorkdayCalendar()

DECISION = {
    "facts": "…",
    "evidence": ["现场笔录"],
    "violated_provisions": "医疗机构管理条例第十四条",
    "penalty_basis": "医疗机构管理条例第四十四条",
    "statement_handling": "当事人放弃陈述申辩",
    "reconsideration_body": "本溪市人民政府",
    "reconsideration_days": 60,
    "court": "本溪市平山区人民法院",
    "litigation_months": 6,
}
NO_PENALTY = {
    "reasons": "初次违法且危害后果轻微并及时改正",
    "legal_basis": "行政处罚法第三十三条",
    "reconsideration_body": "本溪市人民政府",
    "court": "平山区人民法院",
}
REFUSAL = {
    "occurred_at": "2026-03-02T10:00",
    "place": "某诊所",
    "officers": ["张三"],
    "refused": ["inspection"],
    "details": "拒绝开门",
}


pair = pair_maker("BX")
swap = swap_maker("BX")


def receipt(method: str, *, signers: tuple[Any, ...] = (), **data: Any) -> RecordSnap:
    return rec(
        "service_receipt", "service", {"method": method, "servers": ["张三", "李四"], **data}, signers=signers
    )


def in_service(*records: RecordSnap) -> CaseSnapshot:
    return case("BX", *records, stage="service")


TABLE = {
    "BX-5-1-inquiry": pair(fixed=(rec("site_inspection"),)),
    "BX-5-4-appraisal-opinion": pair(rec("appraisal_commission"), fixed=(rec("appraisal_opinion"),)),
    "BX-5-5-refusal-site": pair(
        rec("site_inspection", party_present="refused"), fixed=(rec("refusal_record", data=REFUSAL),)
    ),
    "BX-5-5-refusal-sampling": pair(
        rec("sampling_record", party_signature="refused"), fixed=(rec("refusal_record", data=REFUSAL),)
    ),
    "BX-5-5-refusal-details": swap("refusal_record", "investigation", {**REFUSAL, "details": ""}, REFUSAL),
    "BX-6-preservation-av": pair(
        rec("evidence_preservation_notice"),
        rec("video", scenario="sampling"),
        fixed=(rec("photo", scenario="preservation"),),
    ),
    "BX-8-head-approval": (
        case("BX", rec("penalty_decision", "review", DECISION), stage="review"),
        case("BX", rec("penalty_decision", "review", DECISION, signers=signed("head")), stage="review"),
    ),
    "BX-8-no-penalty-head": (
        case("BX", rec("no_penalty_decision", "review", NO_PENALTY), stage="review"),
        case("BX", rec("no_penalty_decision", "review", NO_PENALTY, signers=signed("head")), stage="review"),
    ),
    "BX-8-legal-review": swap(
        "legal_review_opinion",
        "review",
        {"opinion_type": "agree"},
        {"opinion_type": "agree", "opinion": "同意"},
    ),
    "BX-9-reasons-remedies": swap("penalty_decision", "review", {**DECISION, "court": ""}, DECISION),
    "BX-9-no-penalty-reasons": swap(
        "no_penalty_decision", "review", {**NO_PENALTY, "legal_basis": ""}, NO_PENALTY
    ),
    "BX-10-direct-signed": (
        in_service(receipt("direct", signers=signed("server"))),
        in_service(receipt("direct", signers=signed("server", "recipient"))),
    ),
    "BX-11-mail-receipt": pair(receipt("mail"), fixed=(rec("mailing_receipt", "service"),), stage="service"),
    "BX-11-returned-mail": swap(
        "mailing_receipt",
        "service",
        {"returned": True, "returned_at": "2026-03-09T10:00"},
        {"returned": True, "returned_at": "2026-03-09T10:00", "return_reason": "查无此人"},
    ),
    "BX-12-refusal-reason": (
        in_service(receipt("lodged", served_at="2026-03-10T10:00")),
        in_service(
            receipt("lodged", served_at="2026-03-10T10:00", refusal_note="当事人拒收，理由：不服处罚")
        ),
    ),
    "BX-12-refusal-witness": (
        in_service(receipt("lodged", signers=signed("server", refused=["recipient"]))),
        in_service(receipt("lodged", signers=signed("server", "witness", refused=["recipient"]))),
    ),
    "BX-13-other-service": (
        in_service(receipt("entrusted")),
        in_service(receipt("entrusted", reason="委托受送达人所在单位转交")),
    ),
    "BX-14-performance": pair(fixed=(rec("performance_record", "service"),), stage="service"),
    "BX-15-enforcement": swap(
        "enforcement_application",
        "closing",
        {"result": "enforced"},
        {"result": "enforced", "result_note": "已执行到位"},
    ),
    "BX-16-archive": pair(fixed=(rec("archive_registration", "closing"),), stage="closing"),
    "BX-17-av-retention": swap("archive_registration", "closing", {"retention": ""}, {"retention": "30y"}),
    **{
        f"BX-17-{kind}-evidence-retention": swap(
            kind,
            "investigation",
            {"used_as_evidence": True},
            {"used_as_evidence": True, "retention": "case_file"},
        )
        for kind in ("video", "photo")
    },
    **{
        f"BX-18-{kind}-long-term": (
            case("BX", rec("refusal_record", data=REFUSAL), rec(kind, retention="case_file")),
            case("BX", rec("refusal_record", data=REFUSAL), rec(kind, retention="long_term")),
        )
        for kind in ("video", "photo")
    },
    "BX-18-long-term": swap(
        "refusal_record",
        "investigation",
        {**REFUSAL, "long_term_preservation": False},
        {**REFUSAL, "long_term_preservation": True},
    ),
}


@pytest.mark.parametrize(("rule_id", "broken", "fixed"), rule_params(PACKS, "BX", TABLE))
def test_bx_rule_broken_then_fixed(rule_id: str, broken: CaseSnapshot, fixed: CaseSnapshot) -> None:
    assert_broken_and_fixed(PACKS, CAL, rule_id, broken, fixed)


def test_iv7_bx_refusal_to_be_investigated_needs_a_refusal_record() -> None:
    """IV-7 (BX 第五条第（五）项): a site inspection the party refused, without the refusal record,
    blocks with BX's citation; WD has no such rule."""
    snap = case("BX", rec("site_inspection", party_present="refused"))
    [finding] = failing(evaluate(snap, PACKS, CAL), "BX-5-5-refusal-site")
    assert finding.citation == "BX 第五条第（五）项"
    assert finding.status is FindingStatus.MISSING and finding.blocking
    assert finding.record_types == ("refusal_record",)
    wd = case("WD", rec("site_inspection", party_present="refused"))
    assert not [f for f in evaluate(wd, packs_for("WD"), CAL) if "refusal_record" in f.record_types]


def test_sv2_bx_service_refused_without_witness_or_reason() -> None:
    """SV-2 (BX 第十二条): refused service records the reason and date and a witness signs."""
    snap = in_service(receipt("lodged", signers=signed("server", refused=["recipient"])))
    found = {f.rule_id: f for f in evaluate(snap, PACKS, CAL)}
    assert found["BX-12-refusal-reason"].citation == "BX 第十二条"
    assert found["BX-12-refusal-witness"].status is FindingStatus.MISSING


def test_rt4_bx_obstruction_av_kept_long_term() -> None:
    """RT-4 (BX 第十八条第（二）项): AV of an obstructed inspection must be preserved long-term."""
    snap = case("BX", rec("refusal_record", data=REFUSAL))
    [finding] = failing(evaluate(snap, PACKS, CAL), "BX-18-long-term")
    assert finding.citation == "BX 第十八条第（二）项" and finding.status is FindingStatus.VIOLATED


def test_sv2_bx_refused_service_photographed_instead_of_witnessed() -> None:
    """SV-2 (BX 第十二条): "也可以…采用拍照、录像等方式记录送达过程" — a photo of the lodged service
    meets the rule as a witness's signature does; a bare refusal meets neither."""
    refused = receipt("lodged", signers=signed("server", refused=["recipient"]))
    photographed = in_service(refused, rec("photo", "service", scenario="lodged_service"))
    # A photo of another scenario (the direct service of another document) does not count.
    assert failing(
        evaluate(in_service(refused, rec("photo", "service", scenario="service")), PACKS, CAL),
        "BX-12-refusal-witness",
    )
    assert not failing(evaluate(photographed, PACKS, CAL), "BX-12-refusal-witness")
    filmed = rec(
        "service_receipt",
        "service",
        {"method": "lodged", "servers": ["张三", "李四"]},
        signers=signed("server", refused=["recipient"]),
        attachments=(att("video/mp4"),),
    )
    assert not failing(evaluate(in_service(filmed), PACKS, CAL), "BX-12-refusal-witness")
    assert failing(evaluate(in_service(refused), PACKS, CAL), "BX-12-refusal-witness")
    assert "BX-12-refusal-witness" in {r.id for p in PACKS for r in p.rules if r.require and r.require.any_of}


def test_rt2_bx_evidence_av_kept_as_long_as_the_case_file() -> None:
    """RT-2 (BX 第十七条): AV used as evidence in a general-procedure penalty case keeps the case-file
    term; in the simple procedure (or not evidence) six months suffice."""
    general = case("BX", rec("video", used_as_evidence=True, retention="six_months"))
    [finding] = failing(evaluate(general, PACKS, CAL), "BX-17-video-evidence-retention")
    assert finding.citation == "BX 第十七条" and not finding.blocking
    simple = case("BX", rec("video", used_as_evidence=True, retention="six_months"), procedure="simple")
    assert not failing(evaluate(simple, PACKS, CAL), "BX-17-video-evidence-retention")
    routine = case("BX", rec("video", used_as_evidence=False, retention="six_months"))
    assert not failing(evaluate(routine, PACKS, CAL), "BX-17-video-evidence-retention")
