"""The pure retention computation (RT-1..5): which term applies, the longest wins, holds and open
cases keep everything, and the explanation names the deciding rule."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from liuhen.retention.terms import (
    CaseFacts,
    CaseFileTerm,
    Decision,
    ItemFacts,
    RetentionConfig,
    Status,
    Use,
    add_months,
    compute_retention,
)

CONFIG = RetentionConfig(
    routine_av_citation="PL 第十四条第二款",
    evidence_citation="PL 第十四条第三款",
    litigation_citation="行政诉讼法 第四十六条",
    long_term_citation="PL 第十五条",
)
BX = RetentionConfig(evidence_case_types=("penalty",), evidence_procedures=("general",))
STORED = date(2026, 1, 15)


def closed_case(
    *,
    case_type: str = "penalty",
    procedure: str = "general",
    until: date | None = date(2056, 12, 31),
    archived: bool = True,
    decisions: tuple[Decision, ...] = (),
    is_open: bool = False,
) -> CaseFacts:
    return CaseFacts(
        case_id=1,
        number="测医保罚〔2026〕1号",
        case_type=case_type,
        procedure=procedure,
        is_open=is_open,
        case_file=CaseFileTerm(until, "30年") if archived else None,
        decisions=decisions,
    )


def video(case: CaseFacts | None = None, *, evidence: bool | None = None, declared: str = "") -> Use:
    return Use(label="录像“a.mp4”", av=True, case=case, used_as_evidence=evidence, declared=declared)


def test_rt_1_routine_av_kept_six_months_then_due() -> None:
    result = compute_retention(ItemFacts(stored_on=STORED, av=True, uses=(video(),)), CONFIG)
    assert result.status == Status.EXPIRING
    assert result.expires_on == date(2026, 7, 15)
    assert result.rule == "RT-1"
    assert "RT-1" in result.explanation and "PL 第十四条第二款" in result.explanation
    assert not result.due(date(2026, 7, 15))
    assert result.due(date(2026, 7, 16))


def test_rt_1_month_without_the_corresponding_day_ends_on_its_last_day() -> None:
    assert add_months(date(2026, 8, 31), 6) == date(2027, 2, 28)
    assert add_months(date(2027, 8, 31), 6) == date(2028, 2, 29)
    assert add_months(date(2026, 12, 31), 12) == date(2027, 12, 31)


def test_rt_1_unattributed_av_without_any_use() -> None:
    result = compute_retention(ItemFacts(stored_on=STORED, av=True), CONFIG)
    assert (result.rule, result.expires_on) == ("RT-1", date(2026, 7, 15))


def test_rt_2_evidence_in_a_penalty_case_keeps_the_case_file_term() -> None:
    result = compute_retention(ItemFacts(stored_on=STORED, av=True, uses=(video(closed_case()),)), CONFIG)
    assert (result.rule, result.expires_on) == ("RT-2", date(2056, 12, 31))
    assert "案卷保管期限" in result.explanation and "RT-1" in result.explanation  # the others too


def test_rt_2_case_file_not_archived_yet_does_not_expire() -> None:
    result = compute_retention(
        ItemFacts(stored_on=STORED, av=True, uses=(video(closed_case(archived=False)),)), CONFIG
    )
    assert result.status == Status.INDEFINITE
    assert result.expires_on is None and not result.due(date(2100, 1, 1))
    assert "尚未确定" in result.explanation


def test_rt_2_permanent_case_file_never_expires() -> None:
    result = compute_retention(
        ItemFacts(stored_on=STORED, av=True, uses=(video(closed_case(until=None)),)), CONFIG
    )
    assert result.status == Status.INDEFINITE and result.rule == "RT-2"


def test_rt_2_bx_applies_to_general_procedure_penalties_only() -> None:
    decided = (Decision("penalty_decision", date(2026, 3, 2), True),)
    simple = closed_case(procedure="simple", decisions=decided)
    result = compute_retention(ItemFacts(stored_on=STORED, av=True, uses=(video(simple),)), BX)
    # Not RT-2 under BX: the litigation period (RT-3) is the longest.
    assert result.rule == "RT-3"
    assert result.expires_on == date(2026, 9, 2) + timedelta(days=15)
    general = compute_retention(ItemFacts(stored_on=STORED, av=True, uses=(video(closed_case()),)), BX)
    assert general.rule == "RT-2"


def test_rt_3_not_evidence_until_litigation_period_told_six_months() -> None:
    case = closed_case(decisions=(Decision("penalty_decision", date(2026, 5, 10), True),))
    result = compute_retention(
        ItemFacts(stored_on=STORED, av=True, uses=(video(case, evidence=False),)), CONFIG
    )
    assert result.rule == "RT-3"
    assert result.expires_on == date(2026, 11, 10) + timedelta(days=CONFIG.litigation_grace_days)
    assert "已告知救济途径" in result.explanation and "行政诉讼法 第四十六条" in result.explanation


def test_rt_3_not_told_the_remedies_one_year() -> None:
    case = closed_case(decisions=(Decision("coercive_measure_decision", date(2026, 5, 10), False),))
    result = compute_retention(
        ItemFacts(stored_on=STORED, av=True, uses=(video(case, evidence=False),)), CONFIG
    )
    assert result.expires_on == date(2027, 5, 10) + timedelta(days=CONFIG.litigation_grace_days)
    assert "未告知救济途径" in result.explanation


def test_rt_3_periods_are_configurable() -> None:
    config = RetentionConfig(litigation_months_told=3, litigation_months_not_told=24, litigation_grace_days=0)
    case = closed_case(decisions=(Decision("penalty_decision", date(2026, 5, 10), False),))
    result = compute_retention(
        ItemFacts(stored_on=STORED, av=True, uses=(video(case, evidence=False),)), config
    )
    assert result.expires_on == date(2028, 5, 10)


def test_rt_3_latest_decision_counts_and_without_a_decision_routine_applies() -> None:
    case = closed_case(
        decisions=(
            Decision("penalty_decision", date(2026, 2, 1), True),
            Decision("penalty_decision", date(2026, 4, 1), True),
        )
    )
    result = compute_retention(
        ItemFacts(stored_on=STORED, av=True, uses=(video(case, evidence=False),)), CONFIG
    )
    assert result.expires_on == date(2026, 10, 1) + timedelta(days=15)
    bare = compute_retention(
        ItemFacts(stored_on=STORED, av=True, uses=(video(closed_case(), evidence=False),)), CONFIG
    )
    assert bare.rule == "RT-1" and bare.expires_on == date(2026, 7, 15)


def test_rt_4_hold_keeps_everything() -> None:
    result = compute_retention(
        ItemFacts(stored_on=STORED, av=True, uses=(video(),), holds=("案件因“当事人投诉”长期保存",)), CONFIG
    )
    assert result.status == Status.HELD and result.rule == "RT-4"
    assert not result.due(date(2200, 1, 1))
    assert "当事人投诉" in result.explanation and "RT-1" in result.explanation


def test_rt_4_record_declared_long_term_keeps_it() -> None:
    result = compute_retention(
        ItemFacts(stored_on=STORED, av=True, uses=(video(declared="long_term"),)), CONFIG
    )
    assert result.status == Status.INDEFINITE and result.rule == "RT-4"
    assert "PL 第十五条" in result.explanation


def test_nothing_in_an_open_case_expires() -> None:
    result = compute_retention(
        ItemFacts(stored_on=STORED, av=True, uses=(video(closed_case(is_open=True), evidence=False),)), CONFIG
    )
    assert result.status == Status.OPEN_CASE and not result.due(date(2200, 1, 1))
    assert "尚未办结" in result.explanation


def test_rt_5_documents_follow_the_case_file_or_ten_years() -> None:
    scan = Use(label="书证扫描件“a.pdf”", av=False, case=closed_case())
    assert compute_retention(ItemFacts(stored_on=STORED, av=False, uses=(scan,)), CONFIG).rule == "RT-5"
    loose = Use(label="年度检查计划“p.pdf”", av=False)
    result = compute_retention(ItemFacts(stored_on=STORED, av=False, uses=(loose,)), CONFIG)
    assert result.expires_on == date(2036, 1, 15)


def test_unknown_use_never_expires() -> None:
    result = compute_retention(ItemFacts(stored_on=STORED, av=True, other_uses=("某个新表",)), CONFIG)
    assert result.status == Status.INDEFINITE and "某个新表" in result.explanation


# --- properties ---------------------------------------------------------------------------------

days = st.dates(min_value=date(2000, 1, 1), max_value=date(2090, 12, 31))


@st.composite
def cases(draw: st.DrawFn) -> CaseFacts:
    archived = draw(st.booleans())
    until = draw(st.one_of(st.none(), days))
    decisions = tuple(
        Decision("penalty_decision", d, told)
        for d, told in draw(st.lists(st.tuples(days, st.booleans()), max_size=3))
    )
    return closed_case(
        case_type=draw(st.sampled_from(["penalty", "coercion", "inspection"])),
        procedure=draw(st.sampled_from(["general", "simple"])),
        until=until,
        archived=archived,
        decisions=decisions,
        is_open=draw(st.booleans()),
    )


@st.composite
def uses(draw: st.DrawFn) -> Use:
    return Use(
        label="x",
        av=draw(st.booleans()),
        case=draw(st.one_of(st.none(), cases())),
        used_as_evidence=draw(st.sampled_from([None, True, False])),
        declared=draw(st.sampled_from(["", "six_months", "litigation", "case_file", "long_term"])),
    )


items = st.builds(
    ItemFacts,
    stored_on=days,
    av=st.booleans(),
    uses=st.lists(uses(), max_size=4).map(tuple),
    holds=st.lists(st.just("hold"), max_size=1).map(tuple),
    other_uses=st.lists(st.just("other"), max_size=1).map(tuple),
)


@given(item=items, config=st.sampled_from([CONFIG, BX]))
def test_longest_term_wins_and_every_term_is_named(item: ItemFacts, config: RetentionConfig) -> None:
    result = compute_retention(item, config)
    dated = [t.until for t in result.terms if t.until is not None]
    if result.status == Status.EXPIRING:
        assert result.expires_on == max(dated)
        assert all(t.until is not None for t in result.terms)
        assert result.rule in result.explanation
    else:
        assert result.expires_on is None
    for term in result.terms:
        assert term.rule in result.explanation


@given(item=items, extra=uses(), config=st.sampled_from([CONFIG, BX]), today=days)
def test_another_use_never_makes_an_item_due_sooner(
    item: ItemFacts, extra: Use, config: RetentionConfig, today: date
) -> None:
    before = compute_retention(item, config)
    after = compute_retention(
        ItemFacts(item.stored_on, item.av, (*item.uses, extra), item.holds, item.other_uses), config
    )
    if after.due(today):
        assert before.due(today)


@given(item=items, config=st.sampled_from([CONFIG, BX]), today=days)
def test_held_open_or_unknown_items_are_never_due(
    item: ItemFacts, config: RetentionConfig, today: date
) -> None:
    result = compute_retention(item, config)
    if item.holds or item.other_uses or any(u.case is not None and u.case.is_open for u in item.uses):
        assert not result.due(today)
    if result.due(today):
        assert result.expires_on is not None and today > result.expires_on
        assert result.expires_on >= add_months(item.stored_on, 6) or not any(u.av for u in item.uses)


@given(day=days, months=st.integers(min_value=0, max_value=600))
def test_add_months_lands_in_the_right_month(day: date, months: int) -> None:
    result = add_months(day, months)
    assert (result.year * 12 + result.month) - (day.year * 12 + day.month) == months
    assert result.day <= day.day
    assert result.day == day.day or (result + timedelta(days=1)).day == 1
