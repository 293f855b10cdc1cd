"""Chinese dates and amounts as printed on 执法文书."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from liuhen.documents.chinese import chinese_date, money_upper


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (date(2026, 11, 25), "二〇二六年十一月二十五日"),
        (date(2026, 10, 1), "二〇二六年十月一日"),
        (date(2030, 1, 10), "二〇三〇年一月十日"),
        (date(2026, 12, 31), "二〇二六年十二月三十一日"),
        (date(2026, 2, 20), "二〇二六年二月二十日"),
    ],
)
def test_chinese_date(value: date, expected: str) -> None:
    assert chinese_date(value) == expected


@pytest.mark.parametrize(
    ("amount", "expected"),
    [
        ("0", "零元整"),
        ("0.05", "伍分"),
        ("10", "壹拾元整"),
        ("1001", "壹仟零壹元整"),
        ("3000", "叁仟元整"),
        ("10500.50", "壹万零伍佰元伍角"),
        ("24691.20", "贰万肆仟陆佰玖拾壹元贰角"),
        ("100000", "壹拾万元整"),
        ("30005", "叁万零伍元整"),
        ("12.07", "壹拾贰元零柒分"),
        ("105000000.07", "壹亿零伍佰万元零柒分"),
    ],
)
def test_money_upper(amount: str, expected: str) -> None:
    assert money_upper(Decimal(amount)) == expected
