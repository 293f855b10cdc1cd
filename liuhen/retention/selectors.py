"""Permission-scoped reads for retention: who may do what, the facts the pure term computation
(:mod:`liuhen.retention.terms`) needs, read in a few batched queries, the disposal list, holds
and requests.

A stored item is a vault blob. It belongs to an agency through its uses: attachments of records
(of the agency's cases, or caseless records its staff made), its AV items, or — with no use at
all — the person who stored it. A blob that another agency also uses, or that a table this app
does not know refers to, never expires here (``other_uses``).
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from django.apps import apps
from django.db.models import Exists, Model, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from liuhen.av.models import MediaItem, MediaKind
from liuhen.cases.models import Case
from liuhen.cases.selectors import can_write_case
from liuhen.org.models import Agency, Person, Role
from liuhen.records.catalogue import catalogue
from liuhen.records.models import Record, RecordAttachment
from liuhen.retention.config import retention_config_for
from liuhen.retention.models import (
    ApprovalDecision,
    DisposalApproval,
    DisposalRequest,
    HoldRelease,
    LegalHold,
    Tombstone,
)
from liuhen.retention.terms import (
    CaseFacts,
    CaseFileTerm,
    Decision,
    ItemFacts,
    Retention,
    RetentionConfig,
    Use,
    compute_retention,
)
from liuhen.retention.tombstones import REQUIRED_APPROVALS
from liuhen.vault.models import Blob

# Who may see the retention pages (the records office, the head, audit).
RECORDS_OFFICE_ROLES = (Role.ARCHIVIST, Role.AGENCY_HEAD, Role.AUDITOR)
# Who may ask for a disposal, approve one (two different people, neither the requester), carry it out.
REQUESTER_ROLES = (Role.ARCHIVIST,)
APPROVER_ROLES = (Role.ARCHIVIST, Role.AGENCY_HEAD)
EXECUTOR_ROLES = (Role.ARCHIVIST, Role.AGENCY_HEAD)
# Who may place a hold besides the case's writers, and who decides its release.
HOLD_ROLES = (Role.AGENCY_HEAD, Role.ARCHIVIST, Role.LEGAL_REVIEWER)
RELEASE_ROLES = (Role.AGENCY_HEAD,)

AV_MEDIA_KINDS = (MediaKind.VIDEO, MediaKind.AUDIO, MediaKind.IMAGE)
AV_MEDIA_PREFIXES = ("audio/", "video/", "image/")
NOT_AV_RECORD_TYPES = ("document_scan",)


def _active(person: Person, agency_id: int | None = None) -> bool:
    return bool(
        person.is_authenticated
        and person.is_active
        and person.agency_id is not None
        and (agency_id is None or person.agency_id == agency_id)
    )


def can_view_retention(person: Person) -> bool:
    return _active(person) and person.has_role(*RECORDS_OFFICE_ROLES)


def can_request_disposal(person: Person) -> bool:
    return _active(person) and person.has_role(*REQUESTER_ROLES)


def can_approve_disposal(person: Person, request: DisposalRequest) -> bool:
    return (
        _active(person, request.agency_id)
        and person.has_role(*APPROVER_ROLES)
        and person.pk != request.requested_by_id
    )


def can_execute_disposal(person: Person, request: DisposalRequest) -> bool:
    return _active(person, request.agency_id) and person.has_role(*EXECUTOR_ROLES)


def can_place_hold(person: Person, case: Case | None = None, agency_id: int | None = None) -> bool:
    agency = case.agency_id if case is not None else agency_id
    if not _active(person, agency):
        return False
    return person.has_role(*HOLD_ROLES) or (case is not None and can_write_case(person, case))


def can_release_hold(person: Person, hold: LegalHold) -> bool:
    return _active(person, hold.agency_id) and person.has_role(*RELEASE_ROLES)


# --- holds -------------------------------------------------------------------------------------


def current_holds() -> QuerySet[LegalHold]:
    return LegalHold.objects.filter(~Exists(HoldRelease.objects.filter(hold=OuterRef("pk"))))


def holds_of_case(case: Case) -> QuerySet[LegalHold]:
    return (
        LegalHold.objects.filter(case=case)
        .select_related("placed_by", "release", "release__released_by")
        .prefetch_related("offline_copies", "offline_copies__made_by")
        .order_by("-placed_at", "-pk")
    )


def holds_visible_to(person: Person) -> QuerySet[LegalHold]:
    if not can_view_retention(person):
        return LegalHold.objects.none()
    return (
        LegalHold.objects.filter(agency_id=person.agency_id or 0)
        .select_related("case", "blob", "placed_by", "release", "release__released_by")
        .prefetch_related("offline_copies")
        .order_by("-placed_at", "-pk")
    )


def get_hold_for(person: Person, pk: int) -> LegalHold:
    """A hold the person may act on: the records office, or someone who can see its case."""
    from liuhen.cases.selectors import cases_visible_to

    hold = (
        LegalHold.objects.filter(pk=pk, agency_id=person.agency_id or 0)
        .select_related("case", "blob", "agency", "placed_by")
        .first()
        if _active(person)
        else None
    )
    if hold is None:
        raise Http404("长期保存记录不存在或无权查看。")
    if can_view_retention(person) or person.has_role(*HOLD_ROLES):
        return hold
    if hold.case_id is not None and cases_visible_to(person).filter(pk=hold.case_id).exists():
        return hold
    raise Http404("长期保存记录不存在或无权查看。")


def _hold_text(hold: LegalHold) -> str:
    where = f"案件 {hold.case.number}" if hold.case_id and hold.case else "本文件"
    return f"{where}因“{hold.get_reason_kind_display()}”长期保存（{hold.placed_at.date().isoformat()}起）"


# --- facts -------------------------------------------------------------------------------------


def _case_file(case: Case) -> CaseFileTerm | None:
    """The case file's term from ``liuhen.archives``: its last day counts from the end of the
    archive year (保管期限自归档年度次年1月1日起算); ``None`` while the file is not archived."""
    from liuhen.archives.models import ArchiveRecord
    from liuhen.archives.terms import case_file_term

    term = case_file_term(case)
    if not term.recorded:
        return None
    if term.permanent:
        return CaseFileTerm(None, f"{term.label}")
    year = (
        ArchiveRecord.objects.filter(case_id=case.pk)
        .order_by("-attempt")
        .values_list("archive_year", flat=True)[0]
    )
    until = date(year + (term.years or 0), 12, 31)
    return CaseFileTerm(until, f"{term.label}，{year}年归档，至{until.isoformat()}")


def _parse_date(value: object) -> date | None:
    if not isinstance(value, str):
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None


def _case_facts(cases: Iterable[Case], config: RetentionConfig) -> dict[int, CaseFacts]:
    cases = list(cases)
    decisions: dict[int, list[Decision]] = defaultdict(list)
    current = Record.objects.filter(
        case_id__in=[c.pk for c in cases], record_type__in=config.decision_record_types
    ).exclude(superseded_by__isnull=False)
    for record in current.only("case_id", "record_type", "data"):
        data = json.loads(record.data)
        decided_on = _parse_date(data.get(config.decision_date_field))
        if decided_on is None:
            continue
        told = any(data.get(name) not in (None, "", 0, False) for name in config.remedy_fields)
        assert record.case_id is not None
        decisions[record.case_id].append(Decision(record.record_type, decided_on, told))
    return {
        case.pk: CaseFacts(
            case_id=case.pk,
            number=case.number,
            case_type=case.case_type,
            procedure=case.procedure,
            is_open=case.is_open,
            case_file=_case_file(case),
            decisions=tuple(decisions[case.pk]),
        )
        for case in cases
    }


# Blob references this app reads as uses (attachments, AV items) or as companions (a sidecar, a
# derivative: they live as long as the recording they belong to), and those that say nothing about
# retention (a declaration about the recording, the original a derivative was made from, this
# app's own rows). Any other reference keeps the blob ("other_uses").
_USE_RELATIONS = {("records.recordattachment", "blob"), ("av.mediaitem", "blob")}
_COMPANION_RELATIONS = {("av.mediaitem", "sidecar"): "blob", ("av.derivative", "blob"): "source"}
_NEUTRAL_RELATIONS = {
    ("av.mediadeclaration", "blob"),
    ("av.derivative", "source"),
    ("retention.legalhold", "blob"),
    ("retention.disposalitem", "blob"),
    ("retention.tombstone", "blob"),
}


def _blob_references() -> list[tuple[type[Model], str]]:
    """Every (model, foreign-key name) pointing at Blob, hidden (``related_name="+"``) ones too."""
    found = []
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if field.is_relation and field.related_model is Blob:
                found.append((model, field.name))
    return found


def _companions(blob_ids: list[int]) -> dict[int, set[int]]:
    """companion blob → the blobs it belongs to (a sidecar's recording, a derivative's original)."""
    mains: dict[int, set[int]] = defaultdict(set)
    for model, name in _blob_references():
        main_field = _COMPANION_RELATIONS.get((model._meta.label_lower, name))
        if main_field is None:
            continue
        rows = model._default_manager.filter(**{f"{name}_id__in": blob_ids}).values_list(
            f"{name}_id", f"{main_field}_id"
        )
        for companion, main in rows:
            if main is not None and main != companion:
                mains[companion].add(main)
    return mains


def _other_uses(blob_ids: list[int]) -> dict[int, list[str]]:
    """References to the blobs from tables this app does not know."""
    found: dict[int, list[str]] = defaultdict(list)
    known = _USE_RELATIONS | set(_COMPANION_RELATIONS) | _NEUTRAL_RELATIONS
    for model, name in _blob_references():
        if (model._meta.label_lower, name) in known:
            continue
        rows = model._default_manager.filter(**{f"{name}_id__in": blob_ids}).values_list(
            f"{name}_id", flat=True
        )
        for blob_id in set(rows):
            found[blob_id].append(str(model._meta.verbose_name))
    return found


def item_facts(blobs: Iterable[Blob], agency: Agency) -> dict[int, ItemFacts]:
    """The facts for each blob, as seen by ``agency`` (a use in another agency blocks expiry)."""
    blobs = list(blobs)
    ids = [b.pk for b in blobs]
    config = retention_config_for(agency.policy_pack)
    kinds = catalogue()
    companions = _companions(ids)
    wanted = set(ids) | {m for mains in companions.values() for m in mains}
    attachments = list(
        RecordAttachment.objects.filter(blob_id__in=wanted).select_related(
            "record", "record__case", "record__case__agency", "record__created_by"
        )
    )
    items = list(MediaItem.objects.filter(blob_id__in=wanted))
    cases = {a.record.case.pk: a.record.case for a in attachments if a.record.case is not None}
    facts_of_case = _case_facts((c for c in cases.values() if c.agency_id == agency.pk), config)
    uses: dict[int, list[Use]] = defaultdict(list)
    foreign: dict[int, list[str]] = defaultdict(list)
    for att in attachments:
        record = att.record
        case = record.case
        agency_id = case.agency_id if case is not None else record.created_by.agency_id
        if agency_id != agency.pk:
            foreign[att.blob_id].append("其他机关的记录")
            continue
        rtype = kinds.get(record.record_type) if record.record_type in kinds else None
        av = bool(rtype and rtype.is_media and rtype.code not in NOT_AV_RECORD_TYPES)
        data = record.fields
        evidence = data.get("used_as_evidence")
        uses[att.blob_id].append(
            Use(
                label=f"{rtype.name if rtype else record.record_type}“{att.filename}”",
                av=av,
                case=facts_of_case[case.pk] if case is not None else None,
                used_as_evidence=evidence if isinstance(evidence, bool) else None,
                declared=str(data.get("retention") or ""),
            )
        )
    for item in items:
        if item.agency_id != agency.pk:
            foreign[item.blob_id].append("其他机关的音像资料")
            continue
        uses[item.blob_id].append(
            Use(label=f"音像资料“{item.filename}”", av=item.kind in AV_MEDIA_KINDS, case=None)
        )
    for companion, mains in companions.items():
        for main in mains:
            uses[companion].extend(
                Use(
                    label=f"附属文件（所属：{u.label}）",
                    av=u.av,
                    case=u.case,
                    used_as_evidence=u.used_as_evidence,
                    declared=u.declared,
                )
                for u in uses[main]
            )
            foreign[companion].extend(foreign.get(main, []))
    holds = list(
        current_holds().filter(Q(blob_id__in=wanted) | Q(case_id__in=list(cases))).select_related("case")
    )
    holds_of: dict[int, list[str]] = defaultdict(list)
    case_holds: dict[int, list[str]] = defaultdict(list)
    for hold in holds:
        if hold.blob_id is not None:
            holds_of[hold.blob_id].append(_hold_text(hold))
        elif hold.case_id is not None:
            case_holds[hold.case_id].append(_hold_text(hold))
    for att in attachments:
        if att.record.case_id is not None:
            for text in case_holds.get(att.record.case_id, []):
                if text not in holds_of[att.blob_id]:
                    holds_of[att.blob_id].append(text)
    for companion, mains in companions.items():
        for main in mains:
            holds_of[companion].extend(t for t in holds_of.get(main, []) if t not in holds_of[companion])
    others = _other_uses(ids)
    result: dict[int, ItemFacts] = {}
    for blob in blobs:
        result[blob.pk] = ItemFacts(
            stored_on=timezone.localdate(blob.created_at),
            av=blob.media_type.startswith(AV_MEDIA_PREFIXES),
            uses=tuple(uses.get(blob.pk, [])),
            holds=tuple(holds_of.get(blob.pk, [])),
            other_uses=tuple(sorted(set(foreign.get(blob.pk, []) + others.get(blob.pk, [])))),
        )
    return result


def retention_of(blob: Blob, agency: Agency) -> Retention:
    facts = item_facts([blob], agency)[blob.pk]
    return compute_retention(facts, retention_config_for(agency.policy_pack))


# --- the disposal list -------------------------------------------------------------------------


def agency_blobs(agency: Agency) -> QuerySet[Blob]:
    """Blobs the agency stores (any use of it, or stored by its staff without a use), not disposed."""
    used_by_records = RecordAttachment.objects.filter(
        Q(record__case__agency=agency) | Q(record__case__isnull=True, record__created_by__agency=agency),
        blob=OuterRef("pk"),
    )
    used_by_items = MediaItem.objects.filter(
        Q(blob=OuterRef("pk")) | Q(sidecar=OuterRef("pk")), agency=agency
    )
    any_attachment = RecordAttachment.objects.filter(blob=OuterRef("pk"))
    any_item = MediaItem.objects.filter(Q(blob=OuterRef("pk")) | Q(sidecar=OuterRef("pk")))
    orphan = Q(created_by__agency=agency) & ~Exists(any_attachment) & ~Exists(any_item)
    scope: Q = Q(Exists(used_by_records)) | Q(Exists(used_by_items)) | orphan
    try:
        derivative = apps.get_model("av", "Derivative")
    except LookupError:
        pass
    else:  # a derived copy (playback, poster) of the agency's recording
        scope |= Q(Exists(derivative._default_manager.filter(blob=OuterRef("pk"), item__agency=agency)))
    return (
        Blob.objects.filter(scope)
        .exclude(Exists(Tombstone.objects.filter(blob=OuterRef("pk"))))
        .order_by("created_at", "pk")
    )


@dataclass(frozen=True)
class DueItem:
    blob: Blob
    retention: Retention
    uses: tuple[str, ...]


def due_for_disposal(agency: Agency, *, today: date | None = None, limit: int | None = None) -> list[DueItem]:
    """Items whose retention has run out on ``today`` (default: today in Asia/Shanghai), oldest
    first; none under a hold, in an open case, already disposed or in a pending request."""
    today = today or timezone.localdate()
    config = retention_config_for(agency.policy_pack)
    pending = set(pending_request_blob_ids(agency))
    due: list[DueItem] = []
    blobs = agency_blobs(agency).exclude(pk__in=pending)
    batch: list[Blob] = []

    def flush() -> None:
        facts = item_facts(batch, agency)
        for blob in batch:
            retention = compute_retention(facts[blob.pk], config)
            if retention.due(today):
                due.append(DueItem(blob, retention, tuple(u.label for u in facts[blob.pk].uses)))
        batch.clear()

    for blob in blobs.iterator(chunk_size=500):
        batch.append(blob)
        if len(batch) >= 500:
            flush()
    if batch:
        flush()
    due.sort(key=lambda d: (d.retention.expires_on or today, d.blob.pk))
    return due[:limit] if limit is not None else due


def due_visible_to(person: Person, *, today: date | None = None) -> list[DueItem]:
    if not can_view_retention(person) or person.agency is None:
        return []
    return due_for_disposal(person.agency, today=today)


# --- requests ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class RequestState:
    status: str  # pending | approved | rejected | executed
    label: str
    approvals: int


def request_state(request: DisposalRequest) -> RequestState:
    if request.tombstones.exists():
        approvals = request.approvals.filter(decision=ApprovalDecision.APPROVE).count()
        return RequestState("executed", "已销毁", approvals)
    rows = list(request.approvals.all())
    if any(r.decision == ApprovalDecision.REJECT for r in rows):
        return RequestState("rejected", "未获批准", 0)
    approving = {r.approver_id for r in rows if r.decision == ApprovalDecision.APPROVE} - {
        request.requested_by_id
    }
    if len(approving) >= REQUIRED_APPROVALS:
        return RequestState("approved", "已批准，待执行", len(approving))
    return RequestState("pending", f"待审批（已同意 {len(approving)}/{REQUIRED_APPROVALS}）", len(approving))


def pending_request_blob_ids(agency: Agency) -> list[int]:
    """Blobs in requests of the agency that are neither executed nor refused."""
    from liuhen.retention.models import DisposalItem

    open_requests = (
        DisposalRequest.objects.filter(agency=agency)
        .exclude(Exists(Tombstone.objects.filter(request=OuterRef("pk"))))
        .exclude(
            Exists(DisposalApproval.objects.filter(request=OuterRef("pk"), decision=ApprovalDecision.REJECT))
        )
    )
    return list(DisposalItem.objects.filter(request__in=open_requests).values_list("blob_id", flat=True))


def requests_visible_to(person: Person) -> QuerySet[DisposalRequest]:
    if not can_view_retention(person):
        return DisposalRequest.objects.none()
    return (
        DisposalRequest.objects.filter(agency_id=person.agency_id or 0)
        .select_related("requested_by")
        .prefetch_related("items", "items__blob", "approvals", "approvals__approver", "tombstones")
        .order_by("-requested_at", "-pk")
    )


def get_request_for(person: Person, pk: int) -> DisposalRequest:
    try:
        return requests_visible_to(person).get(pk=pk)
    except DisposalRequest.DoesNotExist:
        raise Http404("销毁申请不存在或无权查看。") from None


def tombstones_visible_to(person: Person) -> QuerySet[Tombstone]:
    if not can_view_retention(person):
        return Tombstone.objects.none()
    return (
        Tombstone.objects.filter(request__agency_id=person.agency_id or 0)
        .select_related("blob", "request", "disposed_by")
        .order_by("-disposed_at", "-pk")
    )


def get_blob_for(person: Person, pk: int) -> Blob:
    """A blob of the person's agency, for the records office (the due list, blob holds)."""
    if not (can_view_retention(person) or person.has_role(*HOLD_ROLES)) or person.agency is None:
        raise Http404("文件不存在或无权查看。")
    blob = agency_blobs(person.agency).filter(pk=pk).first()
    if blob is None:
        blob = Blob.objects.filter(pk=pk, tombstone__request__agency_id=person.agency_id or 0).first()
    if blob is None:
        raise Http404("文件不存在或无权查看。")
    return blob


__all__ = [
    "APPROVER_ROLES",
    "RECORDS_OFFICE_ROLES",
    "DueItem",
    "RequestState",
    "agency_blobs",
    "can_approve_disposal",
    "can_execute_disposal",
    "can_place_hold",
    "can_release_hold",
    "can_request_disposal",
    "can_view_retention",
    "current_holds",
    "due_for_disposal",
    "get_blob_for",
    "get_hold_for",
    "get_request_for",
    "holds_of_case",
    "item_facts",
    "request_state",
    "retention_of",
]
