"""Chinese forms of dates and amounts as 执法文书 print them."""

from __future__ import annotations

from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

_DIGITS = "〇一二三四五六七八九"
_UPPER_DIGITS = "零壹贰叁肆伍陆柒捌玖"
_UPPER_UNITS = ("", "拾", "佰", "仟")
_UPPER_GROUPS = ("", "万", "亿", "万亿")


def _small_number(value: int) -> str:
    """1..31 as 一 … 三十一 (months and days)."""
    tens, ones = divmod(value, 10)
    if tens == 0:
        return _DIGITS[ones]
    head = "十" if tens == 1 else f"{_DIGITS[tens]}十"
    return head + (_DIGITS[ones] if ones else "")


def chinese_date(value: date) -> str:
    """``date(2026, 11, 25)`` -> ``二〇二六年十一月二十五日`` (the signature-date style)."""
    year = "".join(_DIGITS[int(d)] for d in f"{value.year:04d}")
    return f"{year}年{_small_number(value.month)}月{_small_number(value.day)}日"


def numeric_date(value: date) -> str:
    """``2026年11月25日`` (the style used inside the body)."""
    return f"{value.year}年{value.month}月{value.day}日"


def numeric_datetime(value: datetime) -> str:
    return f"{numeric_date(value)} {value.hour:02d}时{value.minute:02d}分"


def _group_upper(group: int) -> str:
    """0 < group < 10000 in capital numerals, with 零 between non-adjacent digits."""
    digits = f"{group:04d}"
    out: list[str] = []
    zero = False
    for index, char in enumerate(digits):
        digit = int(char)
        unit = _UPPER_UNITS[3 - index]
        if digit == 0:
            zero = bool(out)
            continue
        if zero:
            out.append("零")
            zero = False
        out.append(_UPPER_DIGITS[digit] + unit)
    return "".join(out)


def money_upper(amount: Decimal) -> str:
    """``Decimal("10500.50")`` -> ``壹万零伍佰元伍角`` ; whole amounts end in 整 (大写金额)."""
    amount = amount.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    if amount < 0:
        raise ValueError("amount must not be negative")
    cents = int(amount * 100)
    yuan, fraction = divmod(cents, 100)
    jiao, fen = divmod(fraction, 10)
    text = ""
    if yuan:
        groups: list[int] = []
        while yuan:
            yuan, group = divmod(yuan, 10000)
            groups.append(group)
        parts: list[str] = []
        need_zero = False
        for position in range(len(groups) - 1, -1, -1):
            group = groups[position]
            if group == 0:
                need_zero = bool(parts)
                continue
            if parts and (need_zero or group < 1000):
                parts.append("零")
            parts.append(_group_upper(group) + _UPPER_GROUPS[position])
            need_zero = False
        text = "".join(parts) + "元"
    if not jiao and not fen:
        return (text or "零元") + "整"
    if jiao:
        text += _UPPER_DIGITS[jiao] + "角"
    elif text:
        text += "零"
    if fen:
        text += _UPPER_DIGITS[fen] + "分"
    return text


def money(amount: Decimal) -> str:
    """``1,000.00元``."""
    return f"{amount:,.2f}元"
