"""Field conditions and record times as the engine reads them (pure: no Django, no I/O).

A record's data is validated JSON (see ``records/catalogue.toml``), but a snapshot may hold
anything (old versions, hand-made or generated test data): every function here accepts any value
and never raises.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from liuhen.policy.rules import FieldCondition
from liuhen.policy.snapshot import RecordSnap

# Legal time is Beijing time (Asia/Shanghai), which has been a constant UTC+08:00 since 1991; a
# fixed offset converts about twice as fast as the zoneinfo rules and gives the same results for
# every date an enforcement record can carry.
LOCAL_TZ = dt.timezone(dt.timedelta(hours=8), "Asia/Shanghai")


def is_empty(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, list | tuple | set | frozenset | dict):
        return not value
    return False


def to_number(value: Any) -> Decimal | None:
    if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
        return None
    try:
        number = Decimal(str(value).strip().replace(",", ""))
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


def compare(left: Any, right: Any) -> int | None:
    """-1/0/1 for numbers (or same-kind strings such as ISO dates); None when not comparable."""
    a, b = to_number(left), to_number(right)
    if a is not None and b is not None:
        return (a > b) - (a < b)
    if isinstance(left, str) and isinstance(right, str):
        return (left > right) - (left < right)
    return None


def equal(left: Any, right: Any) -> bool:
    if isinstance(left, bool) or isinstance(right, bool):
        return isinstance(left, bool) and isinstance(right, bool) and left == right
    a, b = to_number(left), to_number(right)
    if a is not None and b is not None:
        return a == b
    return type(left) is type(right) and bool(left == right)


def record_data(record: RecordSnap) -> dict[str, Any]:
    return record.data if isinstance(record.data, dict) else {}


def count_items(value: Any) -> int:
    """How many entries a list field holds (a non-empty scalar counts as one)."""
    if isinstance(value, list | tuple):
        return sum(1 for item in value if not is_empty(item))
    return 0 if is_empty(value) else 1


def field_holds(condition: FieldCondition, data: dict[str, Any]) -> bool:
    """``when.field`` on a record's data. A list value (multichoice) matches ``eq`` when it contains
    the value, ``in`` when it shares an item with the list."""
    present = condition.name in data and not is_empty(data[condition.name])
    op = condition.op
    if op == "present":
        return present
    if op == "absent":
        return not present
    if not present:
        return op in ("ne", "not_in")
    value = data[condition.name]
    wanted = condition.value
    items = list(value) if isinstance(value, list | tuple) else [value]
    if op in ("eq", "ne"):
        hit = any(equal(item, wanted) for item in items)
        return hit if op == "eq" else not hit
    if op in ("in", "not_in"):
        choices = wanted if isinstance(wanted, tuple | list) else (wanted,)
        hit = any(equal(item, choice) for item in items for choice in choices)
        return hit if op == "in" else not hit
    if isinstance(value, list | tuple | dict):
        return False
    order = compare(value, wanted)
    if order is None:
        return False
    return {"gt": order > 0, "ge": order >= 0, "lt": order < 0, "le": order <= 0}.get(op, False)


@functools.lru_cache(maxsize=4096)
def predicate(condition: FieldCondition) -> Callable[[dict[str, Any]], bool]:
    """``field_holds`` for one condition, with a fast path for the common case: eq / ne / in /
    not_in against plain (non-numeric) strings or booleans — same results, no per-call parsing."""
    name, op, wanted = condition.name, condition.op, condition.value
    if op in ("present", "absent"):  # as field_holds: filled / empty (a missing key is empty)
        filled_wanted = op == "present"

        def filled(data: dict[str, Any]) -> bool:
            return (not is_empty(data.get(name))) is filled_wanted

        return filled
    if op in ("eq", "ne", "in", "not_in"):
        choices = wanted if op in ("in", "not_in") and isinstance(wanted, tuple | list) else (wanted,)
        positive = op in ("eq", "in")
        texts = all(isinstance(c, str) and to_number(c) is None for c in choices)
        flags = all(isinstance(c, bool) for c in choices)
        if texts or flags:
            kind = str if texts else bool
            wanted_set = frozenset(choices)
            # A scalar of the wanted kind is looked up at once (a blank string only when a choice
            # could equal one: blank counts as empty).
            direct = flags or all(c.strip() for c in choices)

            def check(data: dict[str, Any]) -> bool:
                value = data.get(name)
                if direct and value.__class__ is kind:
                    return (value in wanted_set) is positive
                if is_empty(value):
                    return not positive
                items = value if isinstance(value, list | tuple) else (value,)
                hit = any(type(item) is kind and item in wanted_set for item in items)
                return hit if positive else not hit

            return check
    return functools.partial(field_holds, condition)


def all_hold(conditions: Sequence[FieldCondition], record: RecordSnap) -> bool:
    data = record_data(record)
    return all(predicate(condition)(data) for condition in conditions)


# A moment and whether it is only a date (a date field): dates compare by day.
Moment = tuple[dt.datetime, bool]


def to_local(moment: dt.datetime) -> dt.datetime | None:
    try:
        if moment.tzinfo is None:
            return moment.replace(tzinfo=LOCAL_TZ)
        return moment.astimezone(LOCAL_TZ)
    except (OverflowError, ValueError):
        return None


def parse_moment(value: Any) -> Moment | None:
    """A record field value (ISO date or datetime string) as a local datetime."""
    if isinstance(value, str):
        return _parse_text(value)
    if isinstance(value, dt.datetime):
        local = to_local(value)
        return (local, False) if local is not None else None
    if isinstance(value, dt.date):
        return dt.datetime.combine(value, dt.time(), LOCAL_TZ), True
    return None


@functools.lru_cache(maxsize=16384)
def _parse_text(value: str) -> Moment | None:
    """``parse_moment`` of a string, remembered: the same dates recur across a year's cases."""
    text = value.strip()
    if not text:
        return None
    try:
        if len(text) == 10:
            return dt.datetime.combine(dt.date.fromisoformat(text), dt.time(), LOCAL_TZ), True
        local = to_local(dt.datetime.fromisoformat(text))
    except (ValueError, OverflowError):
        return None
    return (local, False) if local is not None else None


def record_moment(record: RecordSnap, field: str) -> Moment | None:
    if not field:
        if not isinstance(record.created_at, dt.datetime):
            return None
        local = to_local(record.created_at)
        return (local, False) if local is not None else None
    return parse_moment(record_data(record).get(field))


def not_after(first: Moment, second: Moment) -> bool:
    """``first`` is at or before ``second`` (by day when either is only a date)."""
    if first[1] or second[1]:
        return first[0].date() <= second[0].date()
    return first[0] <= second[0]


__all__ = [
    "LOCAL_TZ",
    "Moment",
    "all_hold",
    "compare",
    "count_items",
    "equal",
    "field_holds",
    "is_empty",
    "not_after",
    "parse_moment",
    "predicate",
    "record_data",
    "record_moment",
    "to_local",
    "to_number",
]
