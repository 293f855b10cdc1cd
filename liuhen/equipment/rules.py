"""Thresholds of the equipment rules. The regulations fix none of these numbers, so each has a
documented default and can be overridden by a Django setting of the same name (read at call
time, so an agency's deployment — or a test — can change them).

- EQ-2 (PL-10): "每个执法科室应按照执法人员比例配备…执法记录仪和现场移动执法终端" — a ratio to the
  officers, with no number. PL-10 goes on: officers doing on-site work "必须携带并使用执法记录仪", so
  the default is one recorder per officer; mobile terminals default to one per two officers (a
  field team has at least two officers, 《行政处罚法》第四十二条).
- EQ-3 (PL-18, HY-JL-22): battery and storage checked before use "保证执法记录设备正常使用". A
  recorder that dies or fills up mid-visit leaves a gap (AV-6), and one whose clock is wrong
  breaks attribution by time (issue 5), so the check must pass these minimums.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings

DEFAULTS: dict[str, int] = {
    "LIUHEN_EQ_OFFICERS_PER_RECORDER": 1,
    "LIUHEN_EQ_OFFICERS_PER_TERMINAL": 2,
    "LIUHEN_EQ_MIN_BATTERY_PERCENT": 50,
    "LIUHEN_EQ_MIN_FREE_STORAGE_MB": 8 * 1024,
    "LIUHEN_EQ_MAX_CLOCK_OFFSET_SECONDS": 60,
    "LIUHEN_EQ_CHECK_VALID_MINUTES": 120,
}


def setting(name: str) -> int:
    return int(getattr(settings, name, DEFAULTS[name]))


def officers_per_recorder() -> int:
    return max(1, setting("LIUHEN_EQ_OFFICERS_PER_RECORDER"))


def officers_per_terminal() -> int:
    return max(1, setting("LIUHEN_EQ_OFFICERS_PER_TERMINAL"))


def min_battery_percent() -> int:
    return setting("LIUHEN_EQ_MIN_BATTERY_PERCENT")


def min_free_storage_mb() -> int:
    return setting("LIUHEN_EQ_MIN_FREE_STORAGE_MB")


def max_clock_offset_seconds() -> int:
    return setting("LIUHEN_EQ_MAX_CLOCK_OFFSET_SECONDS")


def check_valid_for() -> timedelta:
    """How long before the checkout the pre-use check may have been made."""
    return timedelta(minutes=setting("LIUHEN_EQ_CHECK_VALID_MINUTES"))


def required_count(officers: int, per: int) -> int:
    """Devices a department needs for ``officers`` at one device per ``per`` officers (ceiling)."""
    return -(-officers // per) if officers > 0 else 0
