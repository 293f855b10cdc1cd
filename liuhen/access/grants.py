"""Which grants are active, and what they allow (AC-1). No I/O beyond the grant tables, and no
imports of the records/av selectors: those import this module to widen their scope.

A grant is an approved :class:`~liuhen.access.models.Decision` of a *work* request (a party's
copy request authorises producing the party's copy, not the officer's own access). It is active
at ``now`` when ``valid_from <= now < valid_until`` and it has no end (revocation / expiry row)
at or before ``now``. A grant on a case covers its records, their attachments and the AV items
confirmed into it; a grant on an AV item covers that item.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from liuhen.access.models import Action, Decision, RequestKind
from liuhen.org.models import Person


def _now() -> datetime:
    """The current time (a function so tests can move the clock of the views)."""
    return timezone.now()


def active_grants(person: Person, now: datetime | None = None) -> QuerySet[Decision]:
    """The person's active grants (approved work requests within their validity)."""
    if not person.is_authenticated or not person.is_active or person.agency_id is None:
        return Decision.objects.none()
    at = now or _now()
    return (
        Decision.objects.filter(
            approved=True,
            request__requester=person,
            request__kind=RequestKind.WORK,
            request__agency_id=person.agency_id,
            valid_from__lte=at,
            valid_until__gt=at,
        )
        .filter(Q(end__isnull=True) | Q(end__ended_at__gt=at))
        .select_related("request")
    )


def granted_case_ids(person: Person, now: datetime | None = None, action: str = Action.VIEW) -> set[int]:
    return {
        d.request.case_id
        for d in active_grants(person, now).filter(request__case__isnull=False)
        if d.request.case_id is not None and action in d.request.action_set
    }


def granted_item_ids(person: Person, now: datetime | None = None, action: str = Action.VIEW) -> set[int]:
    return {
        d.request.media_item_id
        for d in active_grants(person, now).filter(request__media_item__isnull=False)
        if d.request.media_item_id is not None and action in d.request.action_set
    }


def _case_of(obj: Any) -> int | None:
    """The case an object belongs to: a case, a record, an attachment (of a record)."""
    from liuhen.cases.models import Case
    from liuhen.records.models import Record, RecordAttachment

    if isinstance(obj, Case):
        return int(obj.pk)
    if isinstance(obj, Record):
        return obj.case_id
    if isinstance(obj, RecordAttachment):
        return Record.objects.filter(pk=obj.record_id).values_list("case_id", flat=True).first()
    return None


def allows(person: Person, obj: Any, action: str, now: datetime | None = None) -> bool:
    """Whether an active grant of ``person`` allows ``action`` (view / copy / export) on ``obj``
    (a case, record, attachment or AV item) at ``now``. Only grants: the person's own work scope is
    the selectors' business (:func:`liuhen.access.selectors.can_view` combines both)."""
    if action not in Action.values:
        raise ValueError(f"unknown action {action!r}")
    from liuhen.av.models import Attribution, AttributionKind, MediaItem

    if isinstance(obj, MediaItem):
        if obj.pk in granted_item_ids(person, now, action):
            return True
        current = Attribution.objects.filter(item_id=obj.pk).order_by("-pk").values("kind", "case_id").first()
        if current is None or current["kind"] != AttributionKind.CONFIRMED or current["case_id"] is None:
            return False
        return int(current["case_id"]) in granted_case_ids(person, now, action)
    case_id = _case_of(obj)
    return case_id is not None and case_id in granted_case_ids(person, now, action)
