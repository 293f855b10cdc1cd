"""Validators for identifiers that appear on parties and officers.

Pure functions: each returns the normalised value or raises ``ValidationError`` with a Chinese
message. Used by ``cases.services`` (party data, IV-2/IV-3 identity of parties and interviewees),
``org.services`` (officers' 执法证号, IV-1) and the record forms.
"""

from __future__ import annotations

import re
from datetime import date

from django.core.exceptions import ValidationError
from django.utils import timezone

# GB 11643-1999: weights of the first 17 digits and the ISO 7064 MOD 11-2 check characters.
_RESIDENT_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_RESIDENT_ID_CHECK = "10X98765432"
_RESIDENT_ID_RE = re.compile(r"^\d{17}[\dX]$")

# GB 32100-2015: 31 characters (digits and capitals without I, O, Z, S, V) and the check weights.
USCC_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_VALUES = {char: index for index, char in enumerate(USCC_CHARSET)}
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
# Registration authority (1 char), entity type (1 char), 6-digit administrative division code,
# 9-char organisation code, check char.
_USCC_RE = re.compile(rf"^[{USCC_CHARSET}]{{2}}\d{{6}}[{USCC_CHARSET}]{{10}}$")

_MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")
_LANDLINE_RE = re.compile(
    r"^(?:(?P<area>0\d{2,3})-?)?(?P<number>[2-9]\d{6,7})(?:(?:-|转|#|ext\.?)(?P<ext>\d{1,6}))?$"
)
_CERTIFICATE_RE = re.compile(r"^[0-9A-Z]{8,20}$")


def resident_id_check_char(first17: str) -> str:
    """The GB 11643 check character ('0'-'9' or 'X') for the first 17 digits of an ID number."""
    if len(first17) != 17 or not first17.isascii() or not first17.isdigit():
        raise ValueError("first17 must be 17 ASCII digits")
    total = sum(int(digit) * weight for digit, weight in zip(first17, _RESIDENT_ID_WEIGHTS, strict=True))
    return _RESIDENT_ID_CHECK[total % 11]


def validate_resident_id(value: str) -> str:
    """An 18-digit 居民身份证号码 (GB 11643): format, real birth date not in the future, check char.

    Returns the number with a lower-case check 'x' normalised to 'X'.
    """
    number = (value or "").strip().upper()
    if not _RESIDENT_ID_RE.match(number) or not number.isascii():
        raise ValidationError("身份证号码应为18位，前17位为数字，最后一位为数字或X。", code="format")
    try:
        birth = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise ValidationError("身份证号码中的出生日期无效。", code="birth_date") from None
    if birth > timezone.localdate() or birth.year < 1800:
        raise ValidationError("身份证号码中的出生日期无效。", code="birth_date")
    if resident_id_check_char(number[:17]) != number[17]:
        raise ValidationError("身份证号码校验位不正确，请核对。", code="checksum")
    return number


def uscc_check_char(first17: str) -> str:
    """The GB 32100 check character for the first 17 characters of a 统一社会信用代码."""
    if len(first17) != 17 or any(char not in _USCC_VALUES for char in first17):
        raise ValueError("first17 must be 17 characters of the GB 32100 charset")
    total = sum(_USCC_VALUES[char] * weight for char, weight in zip(first17, _USCC_WEIGHTS, strict=True))
    return USCC_CHARSET[(31 - total % 31) % 31]


def validate_uscc(value: str) -> str:
    """An 18-character 统一社会信用代码 (GB 32100-2015): charset, structure and check char."""
    code = (value or "").strip().upper()
    if len(code) != 18:
        raise ValidationError("统一社会信用代码应为18位。", code="length")
    bad = sorted({char for char in code if char not in _USCC_VALUES})
    if bad:
        raise ValidationError(
            f"统一社会信用代码含有无效字符：{'、'.join(bad)}（不使用I、O、Z、S、V）。", code="charset"
        )
    if not _USCC_RE.match(code):
        raise ValidationError("统一社会信用代码第3至8位应为行政区划代码（数字）。", code="format")
    if uscc_check_char(code[:17]) != code[17]:
        raise ValidationError("统一社会信用代码校验位不正确，请核对。", code="checksum")
    return code


def validate_phone(value: str) -> str:
    """A mobile number (1[3-9] + 9 digits, optional +86) or a landline such as 0591-87654321,
    87654321 or 0591-87654321-123 (extension).

    Returns a mobile number as its 11 digits and a landline with blanks and brackets removed.
    """
    raw = (value or "").strip()
    compact = re.sub(r"[\s()（）]", "", raw)
    mobile = re.sub(r"^(?:\+?86)", "", compact).replace("-", "")
    if _MOBILE_RE.match(mobile):
        return mobile
    match = _LANDLINE_RE.match(compact)
    if match:
        return compact
    raise ValidationError(
        "电话号码格式不正确：手机号码为11位（如13912345678），固定电话如0591-87654321。", code="phone"
    )


def validate_certificate_number(value: str) -> str:
    """An officer's 执法证号 (IV-1): 8-20 digits or Latin letters, normalised to upper case."""
    number = re.sub(r"\s+", "", value or "").upper()
    if not number:
        raise ValidationError("请填写执法证号。", code="required")
    if not number.isascii() or not _CERTIFICATE_RE.match(number):
        raise ValidationError("执法证号应为8至20位数字或字母。", code="format")
    return number
