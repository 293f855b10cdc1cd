"""Pure calendar tests on the real 2026 State Council schedule (chinese-calendar data) — issue 3
point 5; 行政处罚法 art. 85 working days, 民法典 arts. 201/203 period rules."""

from __future__ import annotations

import time
from datetime import date, datetime, timedelta

import chinese_calendar
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from liuhen.workdays.calendar import Due, WorkdayCalendar, has_official_data, official_year_range

CAL = WorkdayCalendar()


def test_schedule_facts_the_tests_rely_on() -> None:
    """The 2026 dates below come from chinese_calendar itself, not from memory."""
    assert chinese_calendar.get_holiday_detail(date(2026, 10, 1)) == (True, "National Day")
    assert chinese_calendar.get_holiday_detail(date(2026, 10, 7)) == (True, "National Day")
    # Make-up working Saturday after National Day 2026.
    assert chinese_calendar.get_holiday_detail(date(2026, 10, 10)) == (False, "National Day")
    assert date(2026, 10, 10).weekday() == 5
    # Mid-Autumn 2026 (Fri 25 – Sun 27 September).
    assert chinese_calendar.get_holiday_detail(date(2026, 9, 25)) == (True, "Mid-autumn Festival")
    # Spring Festival 2026: 15–23 February off, Saturdays 14 and 28 February worked.
    assert chinese_calendar.get_holiday_detail(date(2026, 2, 23)) == (True, "Spring Festival")
    assert chinese_calendar.get_holiday_detail(date(2026, 2, 14)) == (False, "Spring Festival")
    assert chinese_calendar.get_holiday_detail(date(2026, 2, 28)) == (False, "Spring Festival")
    assert official_year_range() == (2004, 2026)
    assert has_official_data(2026) and not has_official_data(2027)


def test_is_workday_matches_official_schedule_for_all_of_2026() -> None:
    d = date(2026, 1, 1)
    while d.year == 2026:
        assert CAL.is_workday(d) == chinese_calendar.is_workday(d), d
        d += timedelta(days=1)


def test_five_working_days_from_29_september_2026_skip_national_day() -> None:
    # 30 Sep (1), 8 Oct (2), 9 Oct (3), Sat 10 Oct make-up (4), 12 Oct (5).
    assert CAL.add_working_days(date(2026, 9, 29), 5) == Due(date(2026, 10, 12), False)


def test_make_up_saturday_counts_as_a_working_day() -> None:
    assert CAL.add_working_days(date(2026, 9, 29), 4) == Due(date(2026, 10, 10), False)
    assert CAL.is_workday(date(2026, 10, 10))
    assert not CAL.is_workday(date(2026, 10, 11))


def test_counting_starts_the_day_after_start() -> None:
    # Start on a working Monday: the first working day is Tuesday, not Monday itself.
    assert CAL.add_working_days(date(2026, 6, 1), 1) == Due(date(2026, 6, 2), False)
    # Start on a holiday: the first working day after it.
    assert CAL.add_working_days(date(2026, 10, 3), 1) == Due(date(2026, 10, 8), False)
    assert CAL.add_working_days(date(2026, 6, 1), 0) == Due(date(2026, 6, 1), False)
    with pytest.raises(ValueError):
        CAL.add_working_days(date(2026, 6, 1), -1)


def test_spring_festival_2026() -> None:
    # Fri 13 Feb (1), make-up Sat 14 Feb (2), then the holiday 15–23 Feb; Tue 24 Feb (3).
    assert CAL.add_working_days(date(2026, 2, 12), 3) == Due(date(2026, 2, 24), False)
    # 7 working days from the eve: 13, 14, 24, 25, 26, 27, make-up Sat 28 Feb.
    assert CAL.add_working_days(date(2026, 2, 12), 7) == Due(date(2026, 2, 28), False)


def test_override_changes_the_result() -> None:
    closed = WorkdayCalendar({date(2026, 10, 12): False})
    assert closed.add_working_days(date(2026, 9, 29), 5) == Due(date(2026, 10, 13), False)
    opened = WorkdayCalendar({date(2026, 10, 11): True})
    assert opened.add_working_days(date(2026, 9, 29), 5) == Due(date(2026, 10, 11), False)
    assert not closed.is_workday(date(2026, 10, 12)) and CAL.is_workday(date(2026, 10, 12))


def test_2027_is_provisional_and_weekends_only() -> None:
    assert CAL.is_provisional_year(2027) and not CAL.is_provisional_year(2026)
    # Fri 1 Jan 2027 is New Year's Day in reality, but without data only weekends are rest days.
    assert CAL.is_workday(date(2027, 1, 1))
    assert not CAL.is_workday(date(2027, 1, 2))
    # Mon 1 Mar 2027 + 5 working days = Mon 8 Mar.
    assert CAL.add_working_days(date(2027, 3, 1), 5) == Due(date(2027, 3, 8), True)
    # Crossing into 2027 from 2026: 29, 30, 31 Dec, 1 Jan (weekends-only), Mon 4 Jan.
    assert CAL.add_working_days(date(2026, 12, 28), 5) == Due(date(2027, 1, 4), True)
    # Staying inside 2026 is not provisional.
    assert CAL.add_working_days(date(2026, 12, 25), 3) == Due(date(2026, 12, 30), False)


def test_loaded_2027_schedule_is_not_provisional() -> None:
    loaded = WorkdayCalendar({date(2027, 1, 1): False})
    assert not loaded.is_provisional_year(2027)
    assert loaded.add_working_days(date(2026, 12, 28), 5) == Due(date(2027, 1, 5), False)
    # Explicit loaded_years: an agency-only override does not load the year.
    partial = WorkdayCalendar({date(2027, 1, 1): False}, loaded_years=())
    assert partial.add_working_days(date(2026, 12, 28), 5) == Due(date(2027, 1, 5), True)


def test_calendar_day_period_ending_on_a_holiday_extends() -> None:
    # 24 Sep + 7 days = 1 Oct (National Day) → extends to Thu 8 Oct (民法典 art. 203).
    assert CAL.add_calendar_days(date(2026, 9, 24), 7) == Due(date(2026, 10, 8), False)
    # Ending on an ordinary Saturday → Monday.
    assert CAL.add_calendar_days(date(2026, 10, 10), 7) == Due(date(2026, 10, 19), False)
    # Ending on a make-up working Saturday → not extended.
    assert CAL.add_calendar_days(date(2026, 10, 3), 7) == Due(date(2026, 10, 10), False)
    # Ending on a working day.
    assert CAL.add_calendar_days(date(2026, 6, 1), 90) == Due(date(2026, 8, 31), False)


def test_calendar_day_period_touching_2027_is_provisional() -> None:
    # Ends Fri 1 Jan 2027: a working day by weekends-only, but that check used no real data.
    assert CAL.add_calendar_days(date(2026, 12, 25), 7) == Due(date(2027, 1, 1), True)
    # Ends Sat 2 Jan 2027 → Mon 4 Jan, provisional.
    assert CAL.add_calendar_days(date(2026, 12, 26), 7) == Due(date(2027, 1, 4), True)
    # A 90-day period from 2026 ending inside 2026 is not.
    assert CAL.add_calendar_days(date(2026, 9, 1), 90).provisional is False


def test_add_hours_runs_through_holidays() -> None:
    start = datetime(2026, 9, 30, 18, 0)
    assert CAL.add_hours(start, 24) == datetime(2026, 10, 1, 18, 0)


def test_hundred_thousand_deadlines_well_under_a_second() -> None:
    cal = WorkdayCalendar({date(2026, 5, 6): False})
    starts = [date(2025, 1, 1) + timedelta(days=i % 700) for i in range(100_000)]
    periods = [(2, 3, 5, 7, 15)[i % 5] for i in range(len(starts))]
    cal.add_working_days(starts[0], 5)  # first use builds the year tables

    def run() -> float:
        began = time.perf_counter()
        for start, n in zip(starts, periods, strict=True):
            cal.add_working_days(start, n)
        return time.perf_counter() - began

    elapsed = min(run() for _ in range(3))  # best of three: robust against a busy machine
    assert elapsed < 0.5, elapsed
    # Calendar-day periods (民法典 art. 203 extension included) are as cheap.
    began = time.perf_counter()
    for start in starts:
        cal.add_calendar_days(start, 90)
    assert time.perf_counter() - began < 1.0


def _working_days_between(cal: WorkdayCalendar, start: date, end: date) -> int:
    """Working days in (start, end], by brute force."""
    count, d = 0, start + timedelta(days=1)
    while d <= end:
        count += cal.is_workday(d)
        d += timedelta(days=1)
    return count


@settings(max_examples=300, deadline=None)
@given(
    start=st.dates(min_value=date(2003, 6, 1), max_value=date(2028, 12, 31)),
    n=st.integers(min_value=0, max_value=400),
    overrides=st.dictionaries(
        st.dates(min_value=date(2025, 1, 1), max_value=date(2027, 12, 31)), st.booleans(), max_size=20
    ),
)
def test_property_exactly_n_working_days_up_to_due(start: date, n: int, overrides: dict[date, bool]) -> None:
    cal = WorkdayCalendar(overrides)
    due = cal.add_working_days(start, n)
    assert due.date >= start
    if n > 0:
        assert cal.is_workday(due.date)
        assert due.date > start
    assert _working_days_between(cal, start, due.date) == n
    touched = range((start + timedelta(days=1)).year, due.date.year + 1) if n else range(0)
    assert due.provisional == any(cal.is_provisional_year(y) for y in touched)


@settings(max_examples=200, deadline=None)
@given(
    start=st.dates(min_value=date(2004, 1, 1), max_value=date(2028, 6, 30)),
    n=st.integers(min_value=1, max_value=120),
)
def test_property_calendar_days_end_on_a_working_day_no_earlier_than_plain_sum(start: date, n: int) -> None:
    due = CAL.add_calendar_days(start, n)
    plain = start + timedelta(days=n)
    assert due.date >= plain and CAL.is_workday(due.date)
    # Only rest days lie between the plain end and the extended one.
    d = plain
    while d < due.date:
        assert not CAL.is_workday(d)
        d += timedelta(days=1)
