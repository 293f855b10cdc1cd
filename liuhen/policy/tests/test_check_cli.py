"""Against the database: bulk snapshots without N+1, the transition guard, ``liuhen check``."""

from __future__ import annotations

import io
import json
from datetime import date
from typing import Any

import pytest

from liuhen.cases.models import Case, Stage
from liuhen.cases.services import TransitionError, change_stage, take_branch
from liuhen.cli import main
from liuhen.conftest import Org, make_case
from liuhen.policy.findings import FindingStatus
from liuhen.policy.selectors import findings_for, snapshot_of, snapshots_for
from liuhen.records.models import SignerRole
from liuhen.records.services import FileInput, SignerInput, create_record

pytestmark = pytest.mark.django_db

DECISION: dict[str, Any] = {
    "document_no": "测医保罚〔2026〕1号",
    "party": "测试县康宁大药房有限公司",
    "party_details": "统一社会信用代码 91640000MA76XXXX0X",
    "facts": "串换药品。",
    "evidence": ["现场笔录"],
    "violated_provisions": "《医疗保障基金使用监督管理条例》第十五条",
    "penalty_basis": "《医疗保障基金使用监督管理条例》第三十八条",
    "penalty_kinds": ["fine"],
    "fine_amount": "5000",
    "payment": "银行缴款",
    "payment_days": 15,
    "reconsideration_body": "测试县人民政府",
    "reconsideration_days": 60,
    "court": "测试县人民法院",
    "litigation_months": 6,
    "decided_on": "2026-11-20",
}


def to_review(org: Org, case: Case) -> Case:
    for stage in (Stage.INVESTIGATION, Stage.REVIEW):
        case = change_stage(actor=org.officer_a1, case=case, to_stage=stage, reason="推进")
    return case


def add_decision(org: Org, case: Case, *, head: bool) -> None:
    signers = [SignerInput(role=SignerRole.HEAD, name="局长", person=org.agency_head)] if head else []
    create_record(
        actor=org.officer_a1, case=case, record_type="penalty_decision", data=DECISION, signers=signers
    )


def test_snapshot_reflects_the_case(org: Org, case_a: Case) -> None:
    case = to_review(org, case_a)
    add_decision(org, case, head=True)
    snap = snapshot_of(case, today=date(2026, 11, 25))
    assert snap.pack == "baseline" and snap.stage == Stage.REVIEW
    assert [e.to_stage for e in snap.stage_history] == ["initiation", "investigation", "review"]
    assert len(snap.handlers) == 2 and all(h.certificate_no for h in snap.handlers)
    assert [p.kind for p in snap.parties] == ["organisation"]
    (record,) = snap.records
    assert record.record_type == "penalty_decision" and record.data["fine_amount"] == "5000.00"
    assert [s.role for s in record.signers] == ["head"]


def test_snapshots_only_current_versions_with_attachments(org: Org, case_a: Case) -> None:
    from liuhen.records.services import correct_record

    photo = create_record(
        actor=org.officer_a1,
        case=case_a,
        record_type="photo",
        data={"description": "药房货架现场照片", "location": "药房一楼"},
        files=[FileInput(source=io.BytesIO(b"jpeg-bytes"), filename="shelf.jpg", media_type="image/jpeg")],
    )
    first = create_record(
        actor=org.officer_a1, case=case_a, record_type="penalty_decision", data=DECISION, signers=[]
    )
    second = correct_record(
        actor=org.officer_a1, record=first, data={**DECISION, "fine_amount": "6000"}, reason="更正"
    )
    media, record = snapshot_of(case_a).records
    assert media.id == photo.id and [(a.media_type, a.size) for a in media.attachments] == [
        ("image/jpeg", 10)
    ]
    assert record.id == second.id and record.version == 2 and record.data["fine_amount"] == "6000.00"


def test_snapshots_for_runs_a_constant_number_of_queries(
    org: Org, django_assert_max_num_queries: Any
) -> None:
    for index in range(6):
        case = make_case(org, title=f"案件{index}")
        add_decision(org, case, head=index % 2 == 0)
    cases = Case.objects.all()
    with django_assert_max_num_queries(8):  # 7 per batch + the empty last page
        snaps = list(snapshots_for(cases, today=date(2026, 11, 25)))
    assert len(snaps) == 6 and all(len(s.records) == 1 for s in snaps)
    with django_assert_max_num_queries(15):  # two batches
        assert len(list(snapshots_for(cases, batch_size=4))) == 6


def test_transition_refused_with_the_citation(org: Org, case_a: Case) -> None:
    """DC-1 / DC-3: a decision without advance notice and without the head's signature cannot be served."""
    case = to_review(org, case_a)
    add_decision(org, case, head=False)
    with pytest.raises(TransitionError) as excinfo:
        change_stage(actor=org.officer_a1, case=case, to_stage=Stage.SERVICE, reason="送达")
    message = excinfo.value.messages[0]
    assert message.startswith("不能进入“送达执行”：")
    assert "（依据：行政处罚法 第四十四条）" in message
    assert "（依据：行政处罚法 第五十七条）" in message
    case.refresh_from_db()
    assert case.stage == Stage.REVIEW
    # Going back to investigate further is allowed; branching off (撤销) too.
    case = change_stage(actor=org.officer_a1, case=case, to_stage=Stage.INVESTIGATION, reason="补充调查")
    assert take_branch(actor=org.officer_a1, case=case, branch="revoked", reason="撤销").branch == "revoked"


def test_findings_for_lists_the_checklist(org: Org, case_a: Case) -> None:
    case = to_review(org, case_a)
    add_decision(org, case, head=False)
    found = {(f.rule_id, f.status) for f in findings_for(case)}
    assert ("BL-44-advance-notice", FindingStatus.MISSING) in found
    assert ("BL-57-head-decides", FindingStatus.MISSING) in found


def test_check_cli_json_and_exit_status(org: Org, case_a: Case, capsys: pytest.CaptureFixture[str]) -> None:
    case = to_review(org, case_a)
    add_decision(org, case, head=False)
    assert main(["check", "--case", case.number, "--format", "json"]) == 1
    rows = json.loads(capsys.readouterr().out)
    by_rule = {row["rule_id"]: row for row in rows}
    notice = by_rule["BL-44-advance-notice"]
    assert notice == {
        "case": case.number,
        "rule_id": "BL-44-advance-notice",
        "pack": "baseline",
        "requirement_ids": ["DC-1"],
        "citation": "行政处罚法 第四十四条",
        "severity": "blocking",
        "status": "missing",
        "message": notice["message"],
        "stage": "review",
        "record_id": notice["record_id"],
        "due": None,
        "provisional": False,
    }
    assert isinstance(notice["record_id"], int)
    assert main(["check", "--all"]) == 1
    table = capsys.readouterr().out
    assert "案件编号\t阶段" in table and "行政处罚法 第五十七条" in table and "存在阻断项" in table


def test_check_cli_clean_case_exits_0(org: Org, case_a: Case, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "--case", case_a.number, "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out) == []
    assert main(["check", "--case", "没有这个案件"]) == 2
