"""Permission-scoped reads for access control (AC-1..3): whether a person may view / copy /
export an object (:func:`can_view`, the one function other apps call), who decides a request, the
head's queue and a person's own requests and grants.

The other apps' selectors stay the source of a person's *work scope* (their department's cases,
the cases they handle, the AV items they recorded, agency-wide roles); :mod:`liuhen.access.grants`
adds what an active grant allows on top.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from liuhen.access import grants
from liuhen.access.grants import allows
from liuhen.access.models import AccessRequest, Action, Decision
from liuhen.av.models import MediaItem
from liuhen.cases.models import Case
from liuhen.org.models import Person, Role
from liuhen.records.models import Confidentiality, Record, RecordAttachment

__all__ = ["allows", "can_decide", "can_view"]

# Who sees every request of the agency (oversight): the agency head and the audit section.
OVERSIGHT_ROLES = (Role.AGENCY_HEAD, Role.AUDITOR)


def _active(person: Person) -> bool:
    return bool(person.is_authenticated and person.is_active and person.agency_id is not None)


def can_view(person: Person, obj: Any, *, action: str = Action.VIEW, now: datetime | None = None) -> bool:
    """Whether ``person`` may ``action`` (``view``, ``copy`` or ``export``) ``obj`` — a
    :class:`~liuhen.cases.models.Case` (the case file), a :class:`~liuhen.records.models.Record`, a
    :class:`~liuhen.records.models.RecordAttachment` or a :class:`~liuhen.av.models.MediaItem` —
    at ``now`` (default: the current time).

    True within the person's own work scope (any action, confidentiality levels as their role
    allows, AC-3); otherwise only with an active grant for that action, and then only for content of
    ordinary confidentiality. Recordings *declared* under AV-3 (secrets, privacy, the party's
    consent: :func:`liuhen.av.flags.can_see_blob`) are further limited to the case's handlers, the
    agency head and the officer who recorded them — for an attachment or an AV item always, for a
    record when its files would leave the system (``copy``, ``export``). A record's own
    confidentiality level is the records app's AC-3 rule (:func:`allowed_confidentiality`). Exports,
    archives and retention call this before producing anything.
    """
    from liuhen.av import flags
    from liuhen.av.selectors import items_visible_to
    from liuhen.records.selectors import case_access, records_of_case

    if action not in Action.values:
        raise ValueError(f"unknown action {action!r}")
    if not _active(person):
        return False
    if isinstance(obj, Case):
        return obj.agency_id == person.agency_id and case_access(person, obj, action, now)
    if isinstance(obj, RecordAttachment):
        record = obj.record
        if record.case is None or not flags.can_see_blob(
            person, agency_id=record.case.agency_id, blob_id=obj.blob_id
        ):
            return False
        return can_view(person, record, action=action, now=now)
    if isinstance(obj, Record):
        if obj.case is None:
            return False
        if action != Action.VIEW and any(
            not flags.can_see_blob(person, agency_id=obj.case.agency_id, blob_id=blob_id)
            for blob_id in obj.attachments.values_list("blob_id", flat=True)
        ):
            return False
        return (
            records_of_case(person, obj.case, current_only=False, action=action, now=now)
            .filter(pk=obj.pk)
            .exists()
        )
    if isinstance(obj, MediaItem):
        if not flags.can_see_item(person, obj):
            return False
        if items_visible_to(person, with_grants=False).filter(pk=obj.pk).exists():
            return True
        return (
            allows(person, obj, action, now)
            and items_visible_to(person, now=now).filter(pk=obj.pk).exists()  # AC-3 for granted items
        )
    raise TypeError(f"can_view: unsupported object {type(obj).__name__}")


# --- requests ----------------------------------------------------------------------------------


def target_department_id(request: AccessRequest) -> int | None:
    """The department that holds the requested material: the case's, or the AV item's unit (its
    officer's department, else its recorder's, else the case it is in)."""
    from liuhen.av.selectors import with_state

    if request.case_id is not None:
        return Case.objects.filter(pk=request.case_id).values_list("department_id", flat=True).first()
    item = with_state(MediaItem.objects.filter(pk=request.media_item_id or 0)).first()
    if item is None:
        return None
    unit_id = getattr(item, "unit_id", None)
    case_id = getattr(item, "attr_case_id", None)
    if unit_id is None and case_id is not None:
        unit_id = Case.objects.filter(pk=case_id).values_list("department_id", flat=True).first()
    return int(unit_id) if unit_id is not None else None


def can_decide(person: Person, request: AccessRequest) -> bool:
    """The unit head (HY-JL-18 单位负责人; YC-14 局负责人或相关科室分管领导): the agency head, or the
    head of the department that holds the material — never the requester."""
    if not _active(person) or person.agency_id != request.agency_id or person.pk == request.requester_id:
        return False
    if person.has_role(Role.AGENCY_HEAD):
        return True
    return (
        person.has_role(Role.DEPARTMENT_HEAD)
        and person.department_id is not None
        and target_department_id(request) == person.department_id
    )


def _requests() -> QuerySet[AccessRequest]:
    return AccessRequest.objects.select_related(
        "requester", "case", "media_item", "party", "decision", "decision__decided_by", "decision__end"
    )


def pending_queue(person: Person) -> list[AccessRequest]:
    """待审批: undecided requests this person may decide, oldest first."""
    if not _active(person) or not person.has_role(Role.AGENCY_HEAD, Role.DEPARTMENT_HEAD):
        return []
    pending = (
        _requests()
        .filter(agency_id=person.agency_id or 0, decision__isnull=True)
        .order_by("requested_at", "pk")
    )
    return [r for r in pending if can_decide(person, r)]


def requests_of(person: Person) -> QuerySet[AccessRequest]:
    """The person's own requests (and the party requests they registered), newest first."""
    if not _active(person):
        return AccessRequest.objects.none()
    return _requests().filter(requester=person).order_by("-requested_at", "-pk")


def decided_by(person: Person) -> QuerySet[AccessRequest]:
    if not _active(person):
        return AccessRequest.objects.none()
    return _requests().filter(decision__decided_by=person).order_by("-decision__decided_at", "-pk")


def get_request_for(person: Person, pk: int) -> AccessRequest:
    """A request its requester, a person who may decide it, its decider, the agency head and the
    audit section may see; 404 otherwise."""
    request = _requests().filter(pk=pk, agency_id=person.agency_id or 0).first()
    if request is None:
        raise Http404("申请不存在或无权查看。")
    decision = getattr(request, "decision", None)
    if (
        request.requester_id == person.pk
        or person.has_role(*OVERSIGHT_ROLES)
        or (decision is not None and decision.decided_by_id == person.pk)
        or can_decide(person, request)
    ):
        return request
    raise Http404("申请不存在或无权查看。")


class Status:
    PENDING = "pending"
    REFUSED = "refused"
    ACTIVE = "active"
    NOT_YET = "not_yet"
    EXPIRED = "expired"
    REVOKED = "revoked"


STATUS_LABELS = {
    Status.PENDING: "待审批",
    Status.REFUSED: "不予批准",
    Status.ACTIVE: "有效",
    Status.NOT_YET: "尚未生效",
    Status.EXPIRED: "已到期",
    Status.REVOKED: "已撤销",
}


def status_of(request: AccessRequest, now: datetime | None = None) -> str:
    at = now or grants._now()
    decision: Decision | None = getattr(request, "decision", None)
    if decision is None:
        return Status.PENDING
    if not decision.approved:
        return Status.REFUSED
    end = getattr(decision, "end", None)
    if end is not None and end.ended_at <= at:
        return Status.REVOKED if end.kind == "revoked" else Status.EXPIRED
    assert decision.valid_from is not None and decision.valid_until is not None
    if at < decision.valid_from:
        return Status.NOT_YET
    if at >= decision.valid_until:
        return Status.EXPIRED
    return Status.ACTIVE


def can_revoke(person: Person, request: AccessRequest) -> bool:
    """The requester may give a grant up; its decider, the agency head and the head of the
    department holding the material may revoke it."""
    if not _active(person) or person.agency_id != request.agency_id:
        return False
    decision = getattr(request, "decision", None)
    if decision is None or not decision.approved:
        return False
    if person.pk in (request.requester_id, decision.decided_by_id) or person.has_role(Role.AGENCY_HEAD):
        return True
    return (
        person.has_role(Role.DEPARTMENT_HEAD)
        and person.department_id is not None
        and target_department_id(request) == person.department_id
    )


def copy_content(case: Case) -> tuple[list[Record], list[Record]]:
    """AC-2: what a party's copy contains — the case's current records of ordinary confidentiality
    (with their attachments) — and what is withheld (every other level: commercial secret,
    privacy, state secret; YC-13, YC-14 "依法应当保密的除外"; and records whose recordings are
    flagged under AV-3). System read, no person scope: the caller checked the approved request."""
    from django.db.models import Exists, OuterRef

    from liuhen.av.flags import record_media_restricted

    current = (
        Record.objects.filter(case=case)
        .filter(~Exists(Record.objects.filter(supersedes=OuterRef("pk"))))
        .prefetch_related("attachments__blob")
        .order_by("created_at", "pk")
    )
    included: list[Record] = []
    withheld: list[Record] = []
    for record in current:
        ordinary = record.confidentiality == Confidentiality.NORMAL and not record_media_restricted(record)
        (included if ordinary else withheld).append(record)
    return included, withheld
