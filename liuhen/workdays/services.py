"""Writes for calendar overrides. Each writes a ledger entry with the row's sealed content in the
same transaction; rows are never updated — a withdrawal is a new row. Each also recomputes, in that
transaction, the deadlines of the cases the change may move (``policy.services``)."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from liuhen.core.sealing import sealed_content
from liuhen.ledger import services as ledger
from liuhen.org.models import Agency, Person
from liuhen.workdays.models import CalendarOverride
from liuhen.workdays.selectors import can_manage_calendar


def _recompute_deadlines(*, actor: Person, agency: Agency | None) -> None:
    """The calendar changed: move the deadlines of the affected agencies' cases (in bulk, same
    transaction, a ledger entry per deadline that moved)."""
    from liuhen.policy.services import refresh_after_calendar_change

    refresh_after_calendar_change(actor=actor, agency=agency)


def _check_scope(actor: Person, agency: Agency | None) -> None:
    if not can_manage_calendar(actor):
        raise PermissionDenied("只有系统管理员可以调整工作日。")
    if agency is not None and not actor.is_superuser and agency.pk != actor.agency_id:
        raise PermissionDenied("只能为本机关或全部机关调整工作日。")


def set_override(
    *, actor: Person, agency: Agency | None, day: date, is_workday: bool, note: str
) -> CalendarOverride:
    """Declare ``day`` a working day / rest day for ``agency`` (None = all agencies)."""
    _check_scope(actor, agency)
    note = note.strip()
    if not note:
        raise ValidationError({"note": "请说明调整依据（如国务院办公厅通知文号）。"})
    with transaction.atomic():
        clash = CalendarOverride.objects.active().filter(day=day, agency=agency).first()
        if clash is not None:
            raise ValidationError(
                {"day": f"{day:%Y-%m-%d} 已有{'本机关' if agency else '全部机关'}的调整，请先撤销再录入。"}
            )
        row = CalendarOverride.objects.create(
            agency=agency,
            day=day,
            is_workday=is_workday,
            note=note,
            created_by=actor,
            created_at=timezone.now(),
        )
        ledger.append(
            actor=actor,
            action="calendar_override.create",
            obj=row,
            payload={"content": sealed_content(row)},
        )
        _recompute_deadlines(actor=actor, agency=agency)
    return row


def withdraw_override(*, actor: Person, override: CalendarOverride, note: str = "") -> CalendarOverride:
    """Withdraw ``override`` by writing a withdrawal row pointing at it (the original stays)."""
    _check_scope(actor, override.agency)
    with transaction.atomic():
        current = CalendarOverride.objects.filter(pk=override.pk).active().first()
        if current is None:
            raise ValidationError("该调整已撤销或本身是撤销记录。")
        row = CalendarOverride.objects.create(
            agency=current.agency,
            day=current.day,
            is_workday=current.is_workday,
            note=note.strip() or "撤销",
            withdraws=current,
            created_by=actor,
            created_at=timezone.now(),
        )
        ledger.append(
            actor=actor,
            action="calendar_override.withdraw",
            obj=row,
            payload={"content": sealed_content(row)},
        )
        _recompute_deadlines(actor=actor, agency=current.agency)
    return row
