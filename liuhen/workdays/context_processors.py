"""Template context: the provisional-calendar warning shown to system administrators."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils import timezone

from liuhen.org.models import Person
from liuhen.workdays.selectors import can_manage_calendar, provisional_years_in_use


def warning_text(years: list[int]) -> str:
    if not years:
        return ""
    listed = "、".join(str(y) for y in years)
    return f"{listed} 年的国务院节假日安排尚未载入，相关期限按仅排除周末临时计算，请在“工作日调整”中录入。"


def calendar_warning(request: HttpRequest) -> dict[str, str]:
    user = getattr(request, "user", None)
    if not isinstance(user, Person) or not can_manage_calendar(user):
        return {"calendar_warning": ""}
    return {"calendar_warning": warning_text(provisional_years_in_use(timezone.localdate()))}
