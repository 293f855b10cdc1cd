"""LR-1: which draft decisions are major (HY-FS 第二条, thresholds from the pack's [review] table),
disagreement about it settled by consultation (HY-FS 第四条第二款), and the pack format."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client

from liuhen.cases.models import Case, PartyKind
from liuhen.ledger.verify import verify
from liuhen.policy.schema import Pack, PackError, load_pack, review_config_for
from liuhen.review import selectors, services
from liuhen.review.testing import Bureau, case_in_review, make_bureau


def test_lr1_the_acceptance_case_is_major_with_its_reason(hy: Bureau, major_case: Case) -> None:
    assessment = selectors.assess(major_case)
    assert assessment.major
    (reason,) = assessment.reasons
    assert reason.kind == "fine_organisation"
    assert reason.citation == "HY-FS 第二条第（一）项"
    assert "对法人或者其他组织处以20000元以上罚款" in reason.label and "25000.00" in reason.label


@pytest.mark.parametrize(
    ("party_kind", "report", "kind"),
    [
        (PartyKind.PERSON, {"fine_amount": "500"}, "fine_person"),
        (PartyKind.ORGANISATION, {"fine_amount": "20000"}, "fine_organisation"),
        (PartyKind.ORGANISATION, {"confiscation_amount": "20000"}, "confiscation"),
        (PartyKind.ORGANISATION, {"late_fee_per_day": "300"}, "late_fee_per_day"),
        (PartyKind.ORGANISATION, {"transfer_amount": "100000"}, "arrears_transfer"),
        (PartyKind.ORGANISATION, {"circumstances_conflict": True}, "circumstances_conflict"),
        (PartyKind.ORGANISATION, {"opinions_differ": True}, "opinions_differ"),
        (PartyKind.ORGANISATION, {"complex_case": True}, "complex_case"),
    ],
)
def test_lr1_each_hy_fs_2_criterion_at_its_threshold(
    hy: Bureau, party_kind: str, report: dict[str, object], kind: str
) -> None:
    case = case_in_review(hy, party_kind=party_kind, **report)
    assert [r.kind for r in selectors.assess(case).reasons] == [kind]


@pytest.mark.parametrize(
    ("party_kind", "report"),
    [
        (PartyKind.PERSON, {"fine_amount": "499.99"}),
        (PartyKind.ORGANISATION, {"fine_amount": "19999.99"}),
        # 600 yuan is major for a person, not for a company
        (PartyKind.ORGANISATION, {"fine_amount": "600"}),
        (
            PartyKind.ORGANISATION,
            {"confiscation_amount": "19999", "late_fee_per_day": "299", "transfer_amount": "99999"},
        ),
    ],
)
def test_lr1_below_the_thresholds_is_not_major(
    hy: Bureau, party_kind: str, report: dict[str, object]
) -> None:
    case = case_in_review(hy, party_kind=party_kind, **report)
    assessment = selectors.assess(case)
    assert not assessment.major and assessment.draft.exists


def test_lr1_the_advance_notice_and_the_decision_amounts_count_too(hy: Bureau) -> None:
    from liuhen.core.testing import record_data
    from liuhen.records.services import create_record

    case = case_in_review(hy, fine_amount="8000")
    assert not selectors.assess(case).major
    assert selectors.assess(case, {"fine_amount": "21000.00"}).major  # the decision being made
    create_record(
        actor=hy.officer,
        case=case,
        record_type="advance_notice",
        data=record_data("advance_notice", proposed_amount="20000"),
    )
    assert [r.kind for r in selectors.assess(case).reasons] == ["fine_organisation"]


def test_lr1_thresholds_are_per_agency_configuration() -> None:
    hy = review_config_for("HY")
    assert hy is not None
    threshold = hy.threshold("fine_person")
    assert threshold is not None and threshold.min == 500
    assert hy.review_days == 3 and hy.max_extension_days == 3
    # The baseline (行政处罚法 第五十八条) has no amounts: only the complex-case item.
    for code in ("baseline", "YC", "WD", "BX", "PL"):
        config = review_config_for(code)
        assert config is not None and config.thresholds == () and config.review_days is None
        assert [f.kind for f in config.flags] == ["complex_case"]
        assert config.block_citation == "行政处罚法 第五十八条"
    wd = review_config_for("WD")
    assert wd is not None and "WD 第十七条" in wd.citation


@pytest.mark.django_db
def test_lr1_a_baseline_agency_finds_only_the_complex_case_major() -> None:
    yc = make_bureau("baseline", suffix="Y")
    big = case_in_review(yc, fine_amount="90000")
    assert not selectors.assess(big).major
    complex_case = case_in_review(yc, fine_amount="100", complex_case=True)
    (reason,) = selectors.assess(complex_case).reasons
    assert reason.citation == "行政处罚法 第五十八条第一款第（三）项"


def test_lr1_hy_fs_4_dispute_is_settled_by_consultation(hy: Bureau) -> None:
    case = case_in_review(hy, fine_amount="3000")
    assert not selectors.assess(case).major
    dispute = services.raise_dispute(
        actor=hy.reviewer, case=case, position="major", reason="涉及多家定点机构，案情复杂。"
    )
    assert dispute.side == "legal_office"
    assessment = selectors.assess(case)
    assert assessment.disputed and not assessment.major
    gate = selectors.decision_gate(case)
    assert not gate.allowed and "协商确定" in gate.message and "HY-FS 第四条第二款" in gate.message
    with pytest.raises(PermissionDenied):
        services.resolve_dispute(
            actor=hy.outsider, dispute=dispute, major=True, participants="x", conclusion="y"
        )
    services.resolve_dispute(
        actor=hy.dept_head,
        dispute=dispute,
        major=True,
        participants="孙凯、于法",
        conclusion="属于重大执法决定。",
    )
    assessment = selectors.assess(case)
    assert assessment.major and not assessment.disputed
    assert [r.kind for r in assessment.reasons] == ["consultation"]
    assert assessment.reasons[0].citation == "HY-FS 第四条第二款"
    assert verify(blobs=False).ok


def test_lr1_consultation_can_set_aside_a_judgement_but_not_an_amount(hy: Bureau) -> None:
    complex_only = case_in_review(hy, fine_amount="3000", complex_case=True)
    dispute = services.raise_dispute(
        actor=hy.officer, case=complex_only, position="not_major", reason="案情并不复杂。"
    )
    assert dispute.side == "department"
    services.resolve_dispute(
        actor=hy.reviewer,
        dispute=dispute,
        major=False,
        participants="王军、于法",
        conclusion="不属于复杂案件。",
    )
    assessment = selectors.assess(complex_only)
    assert not assessment.major and [r.kind for r in assessment.set_aside] == ["complex_case"]

    big = case_in_review(hy, fine_amount="30000", title="另一案")
    dispute = services.raise_dispute(
        actor=hy.officer, case=big, position="not_major", reason="当事人已退回。"
    )
    services.resolve_dispute(
        actor=hy.reviewer, dispute=dispute, major=False, participants="王军、于法", conclusion="协商"
    )
    assert [r.kind for r in selectors.assess(big).reasons] == ["fine_organisation"]


def test_lr1_the_case_page_says_whether_major_and_why(hy: Bureau, major_case: Case, client: Client) -> None:
    client.force_login(hy.officer)
    page = client.get(f"/cases/{major_case.pk}/").content.decode()
    assert 'data-testid="review-panel"' in page and 'data-major="yes"' in page
    assert "对法人或者其他组织处以20000元以上罚款" in page and "HY-FS 第二条第（一）项" in page
    assert 'data-allowed="no"' in page and "送法制审核" in page
    small = case_in_review(hy, fine_amount="100", title="小额案")
    page = client.get(f"/cases/{small.pk}/").content.decode()
    assert 'data-major="no"' in page and "不属于重大执法决定" in page


def test_lr1_the_dispute_form_on_the_case_page(hy: Bureau, client: Client) -> None:
    case = case_in_review(hy, fine_amount="3000")
    client.force_login(hy.officer)
    response = client.post(
        f"/review/cases/{case.pk}/dispute/", {"position": "major", "reason": "社会影响较大。"}, follow=True
    )
    assert "异议已记录" in response.content.decode()
    dispute = case.major_disputes.get()
    client.force_login(hy.reviewer)
    client.post(
        f"/review/disputes/{dispute.pk}/resolve/",
        {"major": "1", "participants": "王军、于法", "conclusion": "重大。"},
    )
    assert selectors.assess(case).major


# --- the pack format ---------------------------------------------------------------------------

HEADER = '[pack]\ncode = "HY"\nname = "测试"\nregulation = "测试制度"\nextends = ["baseline"]\n\n'
RULE = """
[[rule]]
id = "HY-1-ok"
requirements = ["LR-1"]
citation = "HY-FS 第二条"
severity = "warning"
message = "测试。"
[rule.require]
records = ["legal_review_opinion"]
"""
REVIEW = """
[review]
citation = "HY-FS 第二条"
block_citation = "HY-FS 第十四条"
review_days = 3
max_extension_days = 3
period_citation = "HY-FS 第六条"
benchmark_name = "裁量基准"

[[review.threshold]]
kind = "fine_person"
min = 500
citation = "HY-FS 第二条第（一）项"

[[review.flag]]
kind = "complex_case"
citation = "HY-FS 第二条第（四）项"

[[review.benchmark]]
code = "FJ-1"
violation = "串换药品"
basis = "条例第三十八条"
citation = "条例第三十八条"
multiple_min = 1
multiple_max = 2
"""


def _load(tmp_path: Path, review: str) -> Pack:
    path = tmp_path / "hy.toml"
    path.write_text(HEADER + review + RULE, encoding="utf-8")
    return load_pack(path)


def test_lr1_the_review_table_loads(tmp_path: Path) -> None:
    review = _load(tmp_path, REVIEW).review
    assert review is not None
    threshold, entry = review.threshold("fine_person"), review.benchmark("FJ-1")
    assert threshold is not None and threshold.min == 500
    assert entry is not None and entry.allowed_range(Decimal(1000)) == (1000, 2000)
    assert _load(tmp_path, "").review is None


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (('kind = "fine_person"', 'kind = "fine_dog"'), "kind 'fine_dog' 无效"),
        (("min = 500", "min = -1"), "min 应为正数"),
        (("min = 500", 'min = "many"'), "min 应为数字"),
        (('citation = "HY-FS 第二条"\n', ""), r"\[review\]：缺少 citation"),
        (("review_days = 3", "review_days = 0"), "review_days 应为正整数"),
        (("review_days = 3\n", ""), "须与 review_days 一起使用"),
        (("multiple_max = 2", "multiple_max = 2\nfine_max = 3"), "须有且只有 fine_min/fine_max"),
        (("multiple_min = 1", "multiple_min = 3"), "multiple_min 不能大于 multiple_max"),
        (('benchmark_name = "裁量基准"\n', 'colour = "red"\n'), r"\[review\]：未知的键 colour"),
        (('code = "FJ-1"', 'code = "FJ 1"'), "只能由字母、数字"),
    ],
)
def test_lr1_review_table_errors_name_the_key(tmp_path: Path, change: tuple[str, str], expected: str) -> None:
    with pytest.raises(PackError, match=expected):
        _load(tmp_path, REVIEW.replace(*change))
