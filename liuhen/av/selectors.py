"""Permission-scoped reads of audio-visual items, their derived state and the suggestions for
attributing them (AV-8, EQ-5).

An item's officer is derived, never stored as a mutable field: the current :class:`Attribution`
(confirmed / reassigned / no case) if there is one, else whoever had the recorder at the recording
time according to the equipment checkout log (:func:`liuhen.equipment.selectors.checkout_at`). So a
checkout entered after the import still attributes the file, and a correction is a new row.

Who sees what (AC-1, AV-8):

- agency head and auditors: every item of the agency;
- an officer: the items attributed to them, those they imported, and those confirmed into a case
  they can see;
- a department head: also every item of their department (the officer's department, else the
  recorder's);
- the equipment office: also every item not yet confirmed into a case (it clears the unattributed
  ones);
- an item confirmed into a confidential record is visible only to those who may see that level in
  that case (AC-3), besides its own officer;
- anyone else only through an active access grant (AC-1, :mod:`liuhen.access.grants`) on the item or
  on the case it is in, and then only if it is of ordinary confidentiality.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Exists, F, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from liuhen.access.grants import granted_case_ids, granted_item_ids
from liuhen.av.models import (
    Attribution,
    AttributionKind,
    Derivative,
    DerivativeStatus,
    MediaItem,
    MediaSource,
)
from liuhen.cases.models import Case, CaseHandler
from liuhen.cases.selectors import cases_visible_to
from liuhen.equipment.models import Checkout, Device
from liuhen.equipment.selectors import checkout_at
from liuhen.ledger.models import LedgerEntry
from liuhen.org.models import Person, Role
from liuhen.records.catalogue import catalogue
from liuhen.records.models import Confidentiality, Record
from liuhen.records.selectors import _CONFIDENTIAL_ROLES
from liuhen.vault.models import Blob

AGENCY_WIDE_ROLES = (Role.AGENCY_HEAD, Role.AUDITOR)
# Who keeps the list of unattributed files (EQ-1: the equipment office), and oversight.
UNATTRIBUTED_ROLES = (Role.EQUIPMENT_ADMIN, Role.AGENCY_HEAD, Role.AUDITOR)


class Status:
    CONFIRMED = "confirmed"
    NO_CASE = "no_case"
    PENDING = "pending"
    UNATTRIBUTED = "unattributed"


STATUS_LABELS = {
    Status.PENDING: "待确认",
    Status.CONFIRMED: "已归入案件",
    Status.NO_CASE: "与案件无关",
    Status.UNATTRIBUTED: "未归属",
}

FLAG_LABELS = {
    "outside_checkout": "领用期外录制（EQ-5）",
    "time_mismatch": "内嵌时间与标称时间不符",
    "unreadable": "无法解析，按原样保存",
    "unknown_recorder": "记录仪未登记或未识别",
    "no_time": "录制时间不明",
}


def time_tolerance_seconds() -> int:
    return int(getattr(settings, "LIUHEN_AV_TIME_TOLERANCE_SECONDS", 120))


def suggest_margin() -> timedelta:
    return timedelta(minutes=int(getattr(settings, "LIUHEN_AV_SUGGEST_MARGIN_MINUTES", 60)))


def _active(person: Person) -> bool:
    return bool(person.is_authenticated and person.is_active and person.agency_id is not None)


# --- derived state -----------------------------------------------------------------------------


def _covering_checkouts() -> QuerySet[Checkout]:
    """The checkout of the item's recorder covering its recording time ([out, returned))."""
    return (
        Checkout.objects.filter(
            device__agency_id=OuterRef("agency_id"),
            device__serial_no=OuterRef("recorder_no"),
            checked_out_at__lte=OuterRef("recorded_at"),
        )
        .filter(Q(device_return__isnull=True) | Q(device_return__returned_at__gt=OuterRef("recorded_at")))
        .order_by("-checked_out_at", "-pk")
    )


def with_state(qs: QuerySet[MediaItem]) -> QuerySet[MediaItem]:
    """Annotate what is derived: the covering checkout and its holder, the registered device, the
    current attribution, the effective officer (``officer_id``) and unit (``unit_id``)."""
    covering = _covering_checkouts()
    current = Attribution.objects.filter(item_id=OuterRef("pk")).order_by("-pk")
    device = Device.objects.filter(agency_id=OuterRef("agency_id"), serial_no=OuterRef("recorder_no"))
    integer: models.Field[Any, Any] = models.IntegerField()
    return (
        qs.annotate(
            holder_id=Subquery(covering.values("holder_id")[:1], output_field=integer),
            checkout_id=Subquery(covering.values("pk")[:1], output_field=integer),
            device_id=Subquery(device.values("pk")[:1], output_field=integer),
            device_department_id=Subquery(device.values("department_id")[:1], output_field=integer),
            attr_id=Subquery(current.values("pk")[:1], output_field=integer),
            attr_kind=Subquery(current.values("kind")[:1], output_field=models.CharField()),
            attr_officer_id=Subquery(current.values("officer_id")[:1], output_field=integer),
            attr_case_id=Subquery(current.values("case_id")[:1], output_field=integer),
            attr_record_id=Subquery(current.values("record_id")[:1], output_field=integer),
            attr_record_conf=Subquery(
                current.values("record__confidentiality")[:1], output_field=models.CharField()
            ),
        )
        .annotate(officer_id=Coalesce(F("attr_officer_id"), F("holder_id"), output_field=integer))
        .annotate(
            unit_id=Coalesce(
                Subquery(Person.objects.filter(pk=OuterRef("officer_id")).values("department_id")[:1]),
                F("device_department_id"),
                output_field=integer,
            )
        )
    )


def status_q(status: str) -> Q:
    return {
        Status.CONFIRMED: Q(attr_kind=AttributionKind.CONFIRMED),
        Status.NO_CASE: Q(attr_kind=AttributionKind.NO_CASE),
        Status.PENDING: Q(officer_id__isnull=False)
        & (Q(attr_kind__isnull=True) | Q(attr_kind=AttributionKind.REASSIGNED)),
        Status.UNATTRIBUTED: Q(officer_id__isnull=True),
    }[status]


def flag_q(flag: str) -> Q:
    tolerance = time_tolerance_seconds()
    return {
        "outside_checkout": Q(device_id__isnull=False, recorded_at__isnull=False, holder_id__isnull=True),
        "time_mismatch": Q(time_offset_seconds__gt=tolerance) | Q(time_offset_seconds__lt=-tolerance),
        "unreadable": ~Q(metadata_error=""),
        "unknown_recorder": Q(device_id__isnull=True),
        "no_time": Q(recorded_at__isnull=True),
    }[flag]


@dataclass(frozen=True)
class ItemState:
    status: str
    officer: Person | None
    flags: tuple[str, ...] = ()
    reason: str = ""  # why an item is unattributed

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]

    @property
    def flag_labels(self) -> list[tuple[str, str]]:
        return [(f, FLAG_LABELS[f]) for f in self.flags]


def _when(value: datetime | None) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M:%S") if value is not None else ""


def state_of(item: Any, officers: dict[int, Person] | None = None) -> ItemState:
    """The state of an item annotated by :func:`with_state`."""
    officer_id = getattr(item, "officer_id", None)
    officer = None
    if officer_id is not None:
        officer = (officers or {}).get(officer_id) or Person.objects.filter(pk=officer_id).first()
    kind = getattr(item, "attr_kind", None)
    if kind == AttributionKind.CONFIRMED:
        status = Status.CONFIRMED
    elif kind == AttributionKind.NO_CASE:
        status = Status.NO_CASE
    elif officer_id is not None:
        status = Status.PENDING
    else:
        status = Status.UNATTRIBUTED
    flags: list[str] = []
    registered = getattr(item, "device_id", None) is not None
    if registered and item.recorded_at is not None and getattr(item, "holder_id", None) is None:
        flags.append("outside_checkout")
    tolerance = time_tolerance_seconds()
    if item.time_offset_seconds is not None and abs(item.time_offset_seconds) > tolerance:
        flags.append("time_mismatch")
    if item.metadata_error:
        flags.append("unreadable")
    if not registered:
        flags.append("unknown_recorder")
    if item.recorded_at is None:
        flags.append("no_time")
    reason = ""
    if status == Status.UNATTRIBUTED:
        if not item.recorder_no:
            reason = "未识别出记录仪编号"
        elif not registered:
            reason = f"记录仪 {item.recorder_no} 未在装备台账登记"
        elif item.recorded_at is None:
            reason = "未识别出录制时间"
        else:
            reason = f"记录仪 {item.recorder_no} 在 {_when(item.recorded_at)} 无领用登记"
    return ItemState(status=status, officer=officer, flags=tuple(flags), reason=reason)


def state_of_new(item: MediaItem, registered: frozenset[str] | None = None) -> ItemState:
    """The state of an item just imported (no attribution yet), in two small queries instead of
    :func:`with_state`'s annotated one (the dock import reports every file it imports; it passes
    the agency's ``registered`` serials, so an unregistered recorder costs no query)."""
    known = item.recorder_no and (registered is None or item.recorder_no in registered)
    device = (
        Device.objects.filter(agency_id=item.agency_id, serial_no=item.recorder_no)
        .values_list("pk", flat=True)
        .first()
        if known
        else None
    )
    checkout = checkout_for(item) if device is not None else None
    holder = checkout.holder if checkout is not None else None
    item.device_id = device  # type: ignore[attr-defined]
    item.holder_id = holder.pk if holder is not None else None  # type: ignore[attr-defined]
    item.officer_id = item.holder_id  # type: ignore[attr-defined]
    item.attr_kind = None  # type: ignore[attr-defined]
    return state_of(item, {holder.pk: holder} if holder is not None else {})


def states_for(items: Iterable[Any]) -> dict[int, ItemState]:
    """States of a page of annotated items, the officers loaded in one query."""
    rows = list(items)
    ids = {i.officer_id for i in rows if getattr(i, "officer_id", None) is not None}
    officers = {p.pk: p for p in Person.objects.filter(pk__in=ids).select_related("department")}
    return {i.pk: state_of(i, officers) for i in rows}


# --- visibility --------------------------------------------------------------------------------


def _allowed_levels(person: Person) -> list[str]:
    levels = [str(Confidentiality.NORMAL)]
    for level, roles in _CONFIDENTIAL_ROLES.items():
        if person.has_role(*roles):
            levels.append(str(level))
    return levels


def _granted(person: Person, now: datetime | None) -> Q | None:
    """AC-1: items reached through an active access grant (on the item, or on the case it was
    confirmed into) — of ordinary confidentiality only (AC-3)."""
    items = granted_item_ids(person, now)
    cases = granted_case_ids(person, now)
    if not items and not cases:
        return None
    target = Q(pk__in=items) | Q(attr_kind=AttributionKind.CONFIRMED, attr_case_id__in=cases)
    return target & (Q(attr_record_conf__isnull=True) | Q(attr_record_conf=Confidentiality.NORMAL))


def items_visible_to(
    person: Person, *, with_grants: bool = True, now: datetime | None = None
) -> QuerySet[MediaItem]:
    """``with_grants=False``: the person's own work scope only (no access grants)."""
    if not _active(person):
        return MediaItem.objects.none()
    qs = with_state(MediaItem.objects.filter(agency_id=person.agency_id or 0)).annotate(
        handles_case=Exists(CaseHandler.objects.filter(case_id=OuterRef("attr_case_id"), person_id=person.pk))
    )
    confidential_ok = (
        Q(attr_record_conf__isnull=True)
        | Q(attr_record_conf__in=_allowed_levels(person))
        | Q(handles_case=True)
        | Q(officer_id=person.pk)
    )
    if person.has_role(*AGENCY_WIDE_ROLES):
        return qs.filter(confidential_ok)
    scope = Q(officer_id=person.pk) | Q(imported_by_id=person.pk)
    scope |= Q(attr_case_id__in=cases_visible_to(person).values("pk"))
    if person.has_role(Role.DEPARTMENT_HEAD) and person.department_id is not None:
        scope |= Q(unit_id=person.department_id)
    if person.has_role(Role.EQUIPMENT_ADMIN):
        scope |= Q(attr_kind__isnull=True) | Q(
            attr_kind__in=[AttributionKind.REASSIGNED, AttributionKind.NO_CASE]
        )
    visible = scope & confidential_ok
    granted = _granted(person, now) if with_grants else None
    return qs.filter(visible | granted if granted is not None else visible)


def get_item_for(person: Person, pk: int) -> MediaItem:
    item = (
        items_visible_to(person)
        .select_related("blob", "agency", "sidecar", "imported_by")
        .filter(pk=pk)
        .first()
    )
    if item is None:
        raise Http404("音像资料不存在或无权查看。")
    return item


def _date_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def search_items(
    person: Person,
    *,
    unit_id: int | None = None,
    recorder: str = "",
    officer_id: int | None = None,
    start: date | None = None,
    end: date | None = None,
    party: str = "",
    case: str = "",
    status: str = "",
    flag: str = "",
    kind: str = "",
) -> QuerySet[MediaItem]:
    """AV-8: filter by unit, recorder number, officer, time of use, party and case."""
    qs = items_visible_to(person).select_related("blob")
    if unit_id:
        qs = qs.filter(Q(unit_id=unit_id))
    if recorder.strip():
        qs = qs.filter(recorder_no__icontains="".join(recorder.split()).upper())
    if officer_id:
        qs = qs.filter(Q(officer_id=officer_id))
    if start:
        qs = qs.filter(recorded_at__gte=_date_start(start))
    if end:
        qs = qs.filter(recorded_at__lt=_date_start(end + timedelta(days=1)))
    if party.strip():
        qs = qs.filter(
            Q(attr_case_id__in=Case.objects.filter(parties__name__icontains=party.strip()).values("pk"))
        )
    if case.strip():
        text = case.strip()
        cases = Case.objects.filter(Q(number__icontains=text) | Q(title__icontains=text))
        qs = qs.filter(Q(attr_case_id__in=cases.values("pk")))
    if status:
        qs = qs.filter(status_q(status))
    if flag:
        qs = qs.filter(flag_q(flag))
    if kind:
        qs = qs.filter(kind=kind)
    return qs.order_by(F("recorded_at").desc(nulls_last=True), "-pk")


def inbox_for(person: Person) -> QuerySet[MediaItem]:
    """待确认音像: the items waiting for this officer's confirmation."""
    return (
        items_visible_to(person)
        .filter(status_q(Status.PENDING), Q(officer_id=person.pk))
        .select_related("blob")
        .order_by(F("recorded_at").asc(nulls_last=True), "pk")
    )


def can_see_unattributed(person: Person) -> bool:
    return _active(person) and person.has_role(*UNATTRIBUTED_ROLES)


def unattributed_for(person: Person) -> QuerySet[MediaItem]:
    """For the equipment office: files no checkout attributes (unknown serial, unregistered
    recorder, unknown time, or recorded outside any checkout — EQ-5)."""
    if not can_see_unattributed(person):
        return MediaItem.objects.none()
    return (
        items_visible_to(person)
        .filter(status_q(Status.UNATTRIBUTED))
        .select_related("blob")
        .order_by(F("recorded_at").desc(nulls_last=True), "-pk")
    )


def seen_before(*, agency_id: int, path: str, size: int, mtime_ns: int) -> bool:
    """The dock import's quick check: this path with this size and modification time was imported
    (or recorded as a duplicate) before, so it is skipped without being read again."""
    return MediaSource.objects.filter(
        item__agency_id=agency_id, path=path[:1000], size=size, mtime_ns=mtime_ns
    ).exists()


# --- attribution -------------------------------------------------------------------------------


def current_attribution(item: MediaItem) -> Attribution | None:
    return (
        Attribution.objects.filter(item=item)
        .select_related("officer", "case", "record")
        .order_by("-pk")
        .first()
    )


def attributions_of(item: MediaItem) -> QuerySet[Attribution]:
    return (
        Attribution.objects.filter(item=item)
        .select_related("officer", "case", "record", "actor")
        .order_by("pk")
    )


def checkout_for(item: MediaItem) -> Checkout | None:
    """The checkout-log entry covering the item's recorder and time (system-level lookup)."""
    if not item.recorder_no or item.recorded_at is None:
        return None
    return checkout_at(serial=item.recorder_no, at=item.recorded_at, agency=item.agency)


def effective_officer_id(item: MediaItem) -> int | None:
    current = current_attribution(item)
    if current is not None:
        return current.officer_id
    checkout = checkout_for(item)
    return checkout.holder_id if checkout is not None else None


def _unit_of(item: MediaItem, officer_id: int | None) -> int | None:
    if officer_id is not None:
        department = Person.objects.filter(pk=officer_id).values_list("department_id", flat=True).first()
        if department is not None:
            return department
    return (
        Device.objects.filter(agency_id=item.agency_id, serial_no=item.recorder_no)
        .values_list("department_id", flat=True)
        .first()
    )


def can_confirm(person: Person, item: MediaItem) -> bool:
    """The item's officer (the recorder's holder at the time, or whom it was reassigned to)."""
    if not _active(person) or person.agency_id != item.agency_id or not person.has_role(Role.OFFICER):
        return False
    current = current_attribution(item)
    if current is not None and current.kind == AttributionKind.CONFIRMED:
        return False
    return effective_officer_id(item) == person.pk


def can_reassign(person: Person, item: MediaItem) -> bool:
    """The item's officer, the head of its department, or the equipment office."""
    if not _active(person) or person.agency_id != item.agency_id:
        return False
    current = current_attribution(item)
    if current is not None and current.kind == AttributionKind.CONFIRMED:
        return False
    officer_id = current.officer_id if current is not None else effective_officer_id(item)
    if officer_id == person.pk or person.has_role(Role.EQUIPMENT_ADMIN):
        return True
    return (
        person.has_role(Role.DEPARTMENT_HEAD)
        and person.department_id is not None
        and _unit_of(item, officer_id) == person.department_id
    )


def reassign_candidates(item: MediaItem) -> QuerySet[Person]:
    return (
        Person.objects.filter(agency_id=item.agency_id, is_active=True, roles__role=Role.OFFICER)
        .select_related("department")
        .distinct()
        .order_by("department_id", "full_name", "pk")
    )


def cases_for_confirm(person: Person) -> QuerySet[Case]:
    """Cases the officer may put an item in: those they may write in that are not terminated."""
    scope = Q(handlers__person=person)
    if person.has_role(Role.DEPARTMENT_HEAD) and person.department_id is not None:
        scope |= Q(department_id=person.department_id)
    return cases_visible_to(person).filter(scope, branch="").distinct().order_by("-created_at", "-pk")


# --- suggestions -------------------------------------------------------------------------------

# Case activities whose time an item may document: record type → (start field, end field or None).
ACTIVITY_TIMES: dict[str, tuple[str, str | None]] = {
    "site_inspection": ("started_at", "ended_at"),
    "inquiry": ("started_at", "ended_at"),
    "hearing_record": ("started_at", "ended_at"),
    "statement_defence": ("held_at", None),
    "service_receipt": ("served_at", None),
    "sampling_record": ("sampled_at", None),
    "evidence_preservation_notice": ("preserved_at", None),
    "property_list": ("listed_at", None),
    "reinspection_record": ("reviewed_at", None),
    "refusal_record": ("occurred_at", None),
    "av_consent": ("told_at", None),
    "collective_discussion": ("held_at", None),
    "case_analysis_minutes": ("held_at", None),
    "expert_opinion": ("held_at", None),
}


@dataclass(frozen=True)
class Suggestion:
    case: Case
    activity: Record | None
    reason: str
    gap_seconds: int = 0
    starts: datetime | None = None
    ends: datetime | None = None
    tags: tuple[str, ...] = field(default=())


def _parse(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return timezone.make_aware(parsed) if timezone.is_naive(parsed) else parsed


def _gap(a0: datetime, a1: datetime, b0: datetime, b1: datetime) -> timedelta:
    if a0 <= b1 and b0 <= a1:
        return timedelta(0)
    return b0 - a1 if a1 < b0 else a0 - b1


def suggestions_for(item: MediaItem, officer: Person) -> list[Suggestion]:
    """The officer's case activities around the recording time (start/end, or the moment, of an
    inquiry, site inspection, service, hearing… within ``LIUHEN_AV_SUGGEST_MARGIN_MINUTES``),
    nearest first, then the case named at checkout. Only cases the officer may write in."""
    cases = cases_for_confirm(officer).filter(handlers__person=officer)
    found: list[Suggestion] = []
    if item.recorded_at is not None:
        begin = item.recorded_at
        finish = begin + timedelta(milliseconds=item.duration_ms or 0)
        margin = suggest_margin()
        superseded = Record.objects.filter(supersedes=OuterRef("pk"))
        records = (
            Record.objects.filter(case__in=cases.values("pk"), record_type__in=list(ACTIVITY_TIMES))
            .filter(~Exists(superseded))
            .select_related("case")
        )
        names = {code: catalogue().get(code).name for code in ACTIVITY_TIMES}
        for record in records:
            start_field, end_field = ACTIVITY_TIMES[record.record_type]
            data = record.fields
            starts = _parse(data.get(start_field))
            if starts is None:
                continue
            ends = _parse(data.get(end_field)) if end_field else None
            ends = ends if ends is not None and ends >= starts else starts
            gap = _gap(begin, finish, starts, ends)
            if gap > margin:
                continue
            span = timezone.localtime(starts).strftime("%m-%d %H:%M")
            if ends != starts:
                span += "–" + timezone.localtime(ends).strftime("%H:%M")
            reason = f"{names[record.record_type]}（{span}）" + ("，时间重合" if not gap else "，时间相近")
            found.append(
                Suggestion(
                    case=record.case,  # type: ignore[arg-type]
                    activity=record,
                    reason=reason,
                    gap_seconds=int(gap.total_seconds()),
                    starts=starts,
                    ends=ends,
                )
            )
        found.sort(key=lambda s: (s.gap_seconds, -(s.starts.timestamp() if s.starts else 0)))
    checkout = checkout_for(item)
    if checkout is not None and checkout.case_id is not None and checkout.holder_id == officer.pk:
        case = cases.filter(pk=checkout.case_id).first()
        if case is not None:
            found.append(
                Suggestion(case=case, activity=None, reason="领用记录仪时登记的关联案件", gap_seconds=-1)
            )
    return found


# --- derivatives, playback and the ledger trail (issue 5 point 5) ----------------------------------


def derivatives_of(item: MediaItem) -> list[Derivative]:
    return list(Derivative.objects.filter(item=item).select_related("blob").order_by("pk"))


def done_derivative(item: MediaItem, kind: str) -> Derivative | None:
    return (
        Derivative.objects.filter(item=item, kind=kind, status=DerivativeStatus.DONE)
        .select_related("blob")
        .first()
    )


def ledger_trail(item: MediaItem) -> QuerySet[LedgerEntry]:
    """Every ledger entry about the item: its import, sources, attributions, derivatives, the
    ingest of its original and derivative blobs, and the views, plays and downloads of it."""
    derivative_rows = list(Derivative.objects.filter(item=item).values_list("pk", "blob_id"))
    blob_ids = {item.blob_id, *(b for _, b in derivative_rows if b is not None)}
    label = MediaItem._meta.label_lower
    return LedgerEntry.objects.filter(
        Q(object_type=label, object_id=str(item.pk))
        | Q(
            object_type=MediaSource._meta.label_lower,
            object_id__in=[str(pk) for pk in item.sources.values_list("pk", flat=True)],
        )
        | Q(
            object_type=Attribution._meta.label_lower,
            object_id__in=[str(pk) for pk in item.attributions.values_list("pk", flat=True)],
        )
        | Q(object_type=Derivative._meta.label_lower, object_id__in=[str(pk) for pk, _ in derivative_rows])
        | Q(
            object_type=Blob._meta.label_lower, object_id__in=[str(b) for b in blob_ids], action="blob.ingest"
        )
    ).order_by("seq")


def played_recently(person: Person, item: MediaItem) -> bool:
    """Whether ``person`` played or downloaded ``item`` within ``LIUHEN_AV_ACCESS_WINDOW_SECONDS``:
    a ranged request then continues that logged playback (seeking, buffering)."""
    window = timedelta(seconds=int(getattr(settings, "LIUHEN_AV_ACCESS_WINDOW_SECONDS", 600)))
    return LedgerEntry.objects.filter(
        object_type=MediaItem._meta.label_lower,
        object_id=str(item.pk),
        actor_id=person.pk,
        action__in=("av.play", "av.download"),
        recorded_at__gte=timezone.now() - window,
    ).exists()


def case_id_of(item: MediaItem) -> int | None:
    """The case the item was confirmed into (its access entries then show in the case's trail)."""
    current = current_attribution(item)
    return current.case_id if current is not None and current.kind == AttributionKind.CONFIRMED else None
