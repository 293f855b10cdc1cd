"""Identifier validators: 居民身份证号码 (GB 11643), 统一社会信用代码 (GB 32100), phones, 执法证号 (IV-1)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from liuhen.cases.validators import (
    USCC_CHARSET,
    resident_id_check_char,
    uscc_check_char,
    validate_certificate_number,
    validate_phone,
    validate_resident_id,
    validate_uscc,
)

SAMPLE_ID = "11010519491231002X"
SAMPLE_USCC = "91350100M000100Y43"


def _code(exc: pytest.ExceptionInfo[ValidationError]) -> str | None:
    return exc.value.code


# --- resident ID -------------------------------------------------------------------------------


def test_resident_id_sample_is_valid_and_normalised() -> None:
    assert validate_resident_id(SAMPLE_ID) == SAMPLE_ID
    assert validate_resident_id(" 11010519491231002x ") == SAMPLE_ID
    assert resident_id_check_char(SAMPLE_ID[:17]) == "X"


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("", "format"),
        ("1101051949123100", "format"),
        ("11010519491231002Y", "format"),
        ("1101051949123100２X", "format"),  # full-width digit
        ("110105194912310021", "checksum"),
        ("110105194902300021", "birth_date"),  # 30 February
    ],
)
def test_resident_id_rejects(value: str, code: str) -> None:
    with pytest.raises(ValidationError) as exc:
        validate_resident_id(value)
    assert _code(exc) == code
    assert all("身份证" in message for message in exc.value.messages)


def test_resident_id_rejects_future_birth_date() -> None:
    tomorrow = date.today() + timedelta(days=2)
    first17 = f"110105{tomorrow:%Y%m%d}001"
    with pytest.raises(ValidationError) as exc:
        validate_resident_id(first17 + resident_id_check_char(first17))
    assert _code(exc) == "birth_date"


_birth_dates = st.dates(min_value=date(1900, 1, 1), max_value=date.today() - timedelta(days=1))
_first17 = st.builds(
    lambda area, born, seq: f"{area}{born:%Y%m%d}{seq}",
    st.integers(min_value=110000, max_value=829999),
    _birth_dates,
    st.integers(min_value=0, max_value=999).map(lambda n: f"{n:03d}"),
)


@given(_first17)
def test_generated_resident_ids_pass(first17: str) -> None:
    number = first17 + resident_id_check_char(first17)
    assert validate_resident_id(number) == number
    assert validate_resident_id(number.lower()) == number


@given(_first17, st.sampled_from("0123456789X"))
def test_any_other_check_char_fails(first17: str, wrong: str) -> None:
    right = resident_id_check_char(first17)
    if wrong == right:
        return
    with pytest.raises(ValidationError) as exc:
        validate_resident_id(first17 + wrong)
    assert _code(exc) == "checksum"


@given(_first17, st.integers(min_value=0, max_value=16), st.integers(min_value=1, max_value=9))
def test_single_digit_change_in_body_is_detected(first17: str, position: int, delta: int) -> None:
    """MOD 11-2 catches every single-digit substitution (the check char no longer matches)."""
    number = first17 + resident_id_check_char(first17)
    changed = number[:position] + str((int(number[position]) + delta) % 10) + number[position + 1 :]
    with pytest.raises(ValidationError):
        validate_resident_id(changed)


# --- USCC --------------------------------------------------------------------------------------


def test_uscc_sample_is_valid_and_normalised() -> None:
    assert validate_uscc(SAMPLE_USCC) == SAMPLE_USCC
    assert validate_uscc(" 91350100m000100y43\n") == SAMPLE_USCC
    assert uscc_check_char(SAMPLE_USCC[:17]) == "3"


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("", "length"),
        ("91350100M000100Y4", "length"),
        ("91350100M000100Y44", "checksum"),
        ("91350100M0001O0Y43", "charset"),  # letter O
        ("91350100I000100Y43", "charset"),
        ("913501A0M000100Y43", "format"),  # division code must be digits
    ],
)
def test_uscc_rejects(value: str, code: str) -> None:
    with pytest.raises(ValidationError) as exc:
        validate_uscc(value)
    assert _code(exc) == code
    assert all("统一社会信用代码" in message for message in exc.value.messages)


_uscc_first17 = st.builds(
    lambda head, division, body: f"{head}{division}{body}",
    st.text(alphabet=USCC_CHARSET, min_size=2, max_size=2),
    st.integers(min_value=0, max_value=999999).map(lambda n: f"{n:06d}"),
    st.text(alphabet=USCC_CHARSET, min_size=9, max_size=9),
)


@given(_uscc_first17)
def test_generated_usccs_pass(first17: str) -> None:
    code = first17 + uscc_check_char(first17)
    assert validate_uscc(code) == code


@given(_uscc_first17, st.sampled_from(USCC_CHARSET))
def test_any_other_uscc_check_char_fails(first17: str, wrong: str) -> None:
    if wrong == uscc_check_char(first17):
        return
    with pytest.raises(ValidationError) as exc:
        validate_uscc(first17 + wrong)
    assert _code(exc) == "checksum"


def test_check_char_helpers_reject_bad_input() -> None:
    with pytest.raises(ValueError):
        resident_id_check_char("1234")
    with pytest.raises(ValueError):
        uscc_check_char("91350100M000100YI")


# --- phone and certificate -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("13912345678", "13912345678"),
        (" 139 1234 5678 ", "13912345678"),
        ("+86 139-1234-5678", "13912345678"),
        ("0591-87654321", "0591-87654321"),
        ("010-62345678", "010-62345678"),
        ("(0591) 87654321", "059187654321"),
        ("87654321", "87654321"),
        ("0591-87654321-123", "0591-87654321-123"),
        ("0591-87654321转8001", "0591-87654321转8001"),
    ],
)
def test_phone_accepts(value: str, expected: str) -> None:
    assert validate_phone(value) == expected


@pytest.mark.parametrize(
    "value", ["", "12345678901", "1391234567", "139123456789", "0591-1234", "abc", "0591-07654321"]
)
def test_phone_rejects(value: str) -> None:
    with pytest.raises(ValidationError) as exc:
        validate_phone(value)
    assert "电话号码格式不正确" in exc.value.messages[0]


@pytest.mark.parametrize(
    ("value", "expected"),
    [("64000000000001", "64000000000001"), (" ab123456 ", "AB123456"), ("3501 0012 3456", "350100123456")],
)
def test_certificate_number_accepts(value: str, expected: str) -> None:
    assert validate_certificate_number(value) == expected


@pytest.mark.parametrize("value", ["", "1234567", "1" * 21, "闽12345678", "1234-5678"])
def test_certificate_number_rejects(value: str) -> None:
    with pytest.raises(ValidationError) as exc:
        validate_certificate_number(value)
    assert "执法证号" in exc.value.messages[0]
