"""Working-day calendar for statutory periods (pure: no Django, no database).

Built on ``chinese_calendar`` (the State Council holiday schedule, data for 2004–2026 in 1.11)
plus explicit overrides (``Mapping[date, bool]``, True = working day). For a year the package has
no data for and that has no loaded overrides, only Saturdays and Sundays are rest days and every
result touching that year is marked *provisional* (issue 3 point 5).

Counting conventions
--------------------
* 《民法典》第二百零一条: a period counted in days starts the day AFTER the starting day; a
  period counted in hours starts at the given moment.
* 《行政处罚法》(2021) 第八十五条: the "二日、三日、五日、七日" of that law are working days
  (法定节假日 excluded). ``add_working_days(start, n)`` therefore returns the n-th working day
  strictly after ``start`` — exactly n working days lie in the half-open interval (start, due].
  ``n == 0`` returns ``start`` itself.
* 《民法典》第二百零三条: when the last day of a period is a 法定休假日 (a statutory holiday or a
  weekend rest day), the period ends on the next working day. ``add_calendar_days`` applies this;
  a make-up Saturday (调休上班日) is a working day, so a period ending on one is not extended.

Speed: each calendar year is turned once into a sorted list of working-day ordinals (the
official data cached per process, overrides applied per calendar instance); a deadline is then a
``bisect`` and an index, so 100,000 deadlines take a few tens of milliseconds.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
from types import MappingProxyType

import chinese_calendar

_NO_OVERRIDES: Mapping[date, bool] = MappingProxyType({})


@dataclass(frozen=True)
class Due:
    """A computed due date; ``provisional`` when it depends on a year without official data."""

    date: date
    provisional: bool


@lru_cache(maxsize=1)
def official_year_range() -> tuple[int, int]:
    """First and last year the installed chinese_calendar has the State Council schedule for."""
    years = [d.year for d in chinese_calendar.holidays]
    return min(years), max(years)


_FIRST_YEAR, _LAST_YEAR = official_year_range()


def has_official_data(year: int) -> bool:
    return _FIRST_YEAR <= year <= _LAST_YEAR


@lru_cache(maxsize=256)
def _official_flags(year: int) -> bytes:
    """One byte per day of ``year`` (index = day of year - 1): 1 = working day.

    Years without data fall back to weekends-only."""
    start = date(year, 1, 1)
    days = date(year, 12, 31).timetuple().tm_yday
    flags = bytearray(days)
    official = has_official_data(year)
    for i in range(days):
        d = start + timedelta(days=i)
        flags[i] = chinese_calendar.is_workday(d) if official else d.weekday() < 5
    return bytes(flags)


@dataclass(frozen=True)
class _Year:
    base: int  # ordinal of 1 January
    flags: bytes
    workdays: list[int]  # sorted ordinals of the working days
    provisional: bool


class WorkdayCalendar:
    """Working days = official schedule, overridden day by day by ``overrides``.

    ``loaded_years``: years whose schedule counts as loaded even without official data (so their
    results are not provisional). Default: every year that has at least one override.
    """

    def __init__(
        self, overrides: Mapping[date, bool] = _NO_OVERRIDES, *, loaded_years: Iterable[int] | None = None
    ) -> None:
        by_year: dict[int, dict[int, bool]] = {}
        for day, working in overrides.items():
            by_year.setdefault(day.year, {})[day.timetuple().tm_yday - 1] = bool(working)
        self._overrides = by_year
        self._loaded = frozenset(by_year if loaded_years is None else loaded_years)
        self._years: dict[int, _Year] = {}
        # Working-day ordinals of the contiguous years _first.._last, for O(log n) counting.
        self._ords: list[int] = []
        self._first = self._last = 0
        self._lo, self._hi = 1, 0  # ordinal range covered by _ords (empty at first)

    def _year(self, year: int) -> _Year:
        cached = self._years.get(year)
        if cached is not None:
            return cached
        flags = _official_flags(year)
        changes = self._overrides.get(year)
        if changes:
            mutable = bytearray(flags)
            for index, working in changes.items():
                mutable[index] = working
            flags = bytes(mutable)
        base = date(year, 1, 1).toordinal()
        workdays = [base + i for i, flag in enumerate(flags) if flag]
        built = _Year(base, flags, workdays, self.is_provisional_year(year))
        self._years[year] = built
        return built

    def _cover(self, first: int, last: int) -> None:
        """Make the flat working-day list span the years ``first``..``last`` (and what it had)."""
        if self._ords or self._hi >= self._lo:
            first, last = min(first, self._first), max(last, self._last)
        last = min(last, date.max.year)
        ords: list[int] = []
        for year in range(first, last + 1):
            ords.extend(self._year(year).workdays)
        self._ords, self._first, self._last = ords, first, last
        self._lo, self._hi = date(first, 1, 1).toordinal(), date(last, 12, 31).toordinal()

    def is_provisional_year(self, year: int) -> bool:
        """True when ``year`` has neither official data nor a loaded schedule (weekends-only)."""
        return not (_FIRST_YEAR <= year <= _LAST_YEAR) and year not in self._loaded

    def _any_provisional(self, first_year: int, last_year: int) -> bool:
        if first_year == last_year:
            return self.is_provisional_year(first_year)
        return any(self.is_provisional_year(y) for y in range(first_year, last_year + 1))

    def is_workday(self, d: date) -> bool:
        if isinstance(d, datetime):
            d = d.date()
        info = self._years.get(d.year) or self._year(d.year)
        return bool(info.flags[d.toordinal() - info.base])

    def add_working_days(self, start: date, n: int) -> Due:
        """The n-th working day after ``start`` (start itself not counted; 行政处罚法 art. 85).

        Provisional when any year of the interval (start, due] is provisional."""
        if n <= 0:
            if n < 0:
                raise ValueError("n must be >= 0")
            return Due(start, False)
        s = start.toordinal()
        if not self._lo <= s <= self._hi:
            self._cover(start.year, start.year + 1)
        ords = self._ords
        i = bisect_right(ords, s) + n - 1
        while i >= len(ords):
            if self._last >= date.max.year:
                raise OverflowError("working-day period runs past the last representable date")
            self._cover(self._first, self._last + 1 + (i - len(ords)) // 200)
            ords = self._ords
        due = date.fromordinal(ords[i])
        first_year = start.year + 1 if start.month == 12 and start.day == 31 else start.year
        return Due(due, self._any_provisional(first_year, due.year))

    def add_calendar_days(self, start: date, n: int) -> Due:
        """start + n days; a last day that is a rest day moves to the next working day (民法典 art. 203).

        Provisional when deciding that used a provisional year."""
        if n <= 0:
            if n < 0:
                raise ValueError("n must be >= 0")
            return Due(start, False)
        end = start + timedelta(days=n)
        if self.is_workday(end):
            return Due(end, self.is_provisional_year(end.year))
        moved = self.add_working_days(end, 1).date
        return Due(moved, self._any_provisional(end.year, moved.year))

    def add_hours(self, start: datetime, n: int) -> datetime:
        """start + n hours, counted continuously from ``start`` (民法典 art. 201 para. 2)."""
        return start + timedelta(hours=n)
