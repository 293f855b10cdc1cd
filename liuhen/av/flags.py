"""The officer's declarations about a recording (音像记录说明) and who may see a flagged one.

A declaration (:class:`liuhen.av.models.MediaDeclaration`, write-once; a new one supersedes the
current one) is about one stored recording of the agency — a vault blob, whether it came in
through the dock (:class:`~liuhen.av.models.MediaItem`) or was uploaded onto a record — and says:

- AV-7 (WD 第二十二条): the recording could not be stored within 24 hours because of continuous,
  off-site or remote work, and when the officer returned: the storage period runs from then;
- AV-3 (YC 第六条): it shows commercial/technical secrets or personal privacy, and the party's
  consent (or refusal);
- AV-4 (YC 第十二条, HY-JL 第二十一条): what the officer stated when the recording began;
- AV-6 (YC 第十二条, HY-JL 第二十条): why the recorder stopped before this clip.

The compliance engine reads the current declarations through ``liuhen.policy.loading`` (as facts of
the file: ``policy.rules.FILE_FACTS``). Photo / audio / video records carry the same facts as
fields (``records/catalogue.toml``); the record's fields come first.

Access (AV-3, YC 第十三条): a *restricted* recording — declared as showing secrets or privacy or
needing the party's consent, or on an AV record whose confidentiality is a commercial secret or
privacy, or whose consent field is set — is seen only by the officers handling a case it is in,
the agency head, and (before it is in a case) the officer who recorded it. The predicates and
queryset filters here are what views, exports and the access app call: :func:`can_see_blob`,
:func:`can_see_item`, :func:`can_see_record_media`, :func:`visible_items`.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from liuhen.av import selectors
from liuhen.av.models import Attribution, Consent, FieldWork, MediaDeclaration, MediaItem
from liuhen.cases.models import Case, CaseHandler
from liuhen.cases.selectors import can_write_case
from liuhen.core.canonical import canonical_json
from liuhen.core.sealing import sealed_content
from liuhen.ledger import services as ledger
from liuhen.org.models import Person, Role
from liuhen.policy.rules import OPENING_ITEMS
from liuhen.records.models import Confidentiality, Record, RecordAttachment
from liuhen.vault.models import Blob

# Confidentiality levels of a record that restrict its audio-visual files (AV-3). State secrets are
# restricted further by the records app itself.
RESTRICTING_LEVELS = (
    Confidentiality.COMMERCIAL_SECRET,
    Confidentiality.PRIVACY,
    Confidentiality.STATE_SECRET,
)
AV_RECORD_TYPES = ("video", "audio", "photo")
# The stored files a declaration may be about: recordings and photos.
AV_MEDIA_PREFIXES = ("video/", "audio/", "image/")


# --- reads ---------------------------------------------------------------------------------------


def current_declaration(*, agency_id: int, blob_id: int) -> MediaDeclaration | None:
    """The declaration about ``blob`` in force for ``agency`` (None: nothing declared)."""
    return (
        MediaDeclaration.objects.filter(agency_id=agency_id, blob_id=blob_id, superseded_by__isnull=True)
        .order_by("-pk")
        .first()
    )


def declarations_of(*, agency_id: int, blob_id: int) -> QuerySet[MediaDeclaration]:
    """Every declaration about ``blob`` for ``agency``, newest first (the first is in force)."""
    return (
        MediaDeclaration.objects.filter(agency_id=agency_id, blob_id=blob_id)
        .select_related("actor")
        .order_by("-pk")
    )


def is_av_blob(blob: Blob) -> bool:
    """A recording or photo (by its media type): what a declaration may be about."""
    return blob.media_type.lower().startswith(AV_MEDIA_PREFIXES)


def _restricted_declarations() -> QuerySet[MediaDeclaration]:
    return MediaDeclaration.objects.filter(superseded_by__isnull=True).filter(
        Q(secret=True) | Q(privacy=True) | Q(consent__in=(Consent.CONSENTED, Consent.REFUSED))
    )


def blob_restricted(*, agency_id: int, blob_id: int) -> bool:
    """Declared as showing secrets or privacy (or as needing the party's consent)."""
    return _restricted_declarations().filter(agency_id=agency_id, blob_id=blob_id).exists()


def record_media_restricted(record: Record) -> bool:
    """A record's audio-visual files are restricted: an AV record marked commercial secret / privacy
    or with the party's consent recorded, or any of its files declared restricted."""
    if record.record_type in AV_RECORD_TYPES:
        if record.confidentiality in RESTRICTING_LEVELS:
            return True
        if isinstance(record.data, dict) and record.data.get("consent") in (
            Consent.CONSENTED,
            Consent.REFUSED,
        ):
            return True
    case = record.case
    if case is None:
        return False
    blob_ids = record.attachments.values("blob_id")
    return _restricted_declarations().filter(agency_id=case.agency_id, blob_id__in=blob_ids).exists()


def _is_head(person: Person, agency_id: int) -> bool:
    return person.agency_id == agency_id and person.has_role(Role.AGENCY_HEAD)


def _handles(person: Person, case: Case | int) -> bool:
    case_id = case.pk if isinstance(case, Case) else case
    return CaseHandler.objects.filter(case_id=case_id, person=person).exists()


def _active(person: Person) -> bool:
    return bool(person.is_authenticated and person.is_active)


def can_see_blob(person: Person, *, agency_id: int, blob_id: int) -> bool:
    """AV-3: whether ``person`` may see the recording ``blob`` of ``agency``, as far as its flags go
    (the caller still applies the ordinary case and record scoping). Unflagged: yes. Flagged: the
    agency head, the handlers of a case whose record holds it, and the officer of the imported
    item (who recorded it) — nobody else."""
    if not _active(person) or person.agency_id != agency_id:
        return False
    if not blob_restricted(agency_id=agency_id, blob_id=blob_id):
        return True
    if _is_head(person, agency_id):
        return True
    holders = RecordAttachment.objects.filter(blob_id=blob_id, record__case__agency_id=agency_id)
    if CaseHandler.objects.filter(case_id__in=holders.values("record__case_id"), person=person).exists():
        return True
    item = MediaItem.objects.filter(agency_id=agency_id, blob_id=blob_id).first()
    return item is not None and selectors.effective_officer_id(item) == person.pk


def can_see_item(person: Person, item: MediaItem) -> bool:
    """:func:`can_see_blob` for an imported item."""
    return can_see_blob(person, agency_id=item.agency_id, blob_id=item.blob_id)


def can_see_record_media(person: Person, record: Record) -> bool:
    """AV-3 for a record's audio-visual files: restricted ones only for the case's handlers and the
    agency head (the caller still applies the ordinary record scoping)."""
    case = record.case
    if case is None or not _active(person) or person.agency_id != case.agency_id:
        return False
    if not record_media_restricted(record):
        return True
    return _is_head(person, case.agency_id) or _handles(person, case)


def visible_items(person: Person, items: QuerySet[MediaItem]) -> QuerySet[MediaItem]:
    """``items`` without the flagged ones ``person`` may not see (AV-3): the agency head sees all;
    others a flagged item only when they handle a case holding it, confirmed it, were assigned it
    or imported it. (The checkout-log officer of an unconfirmed item is derived at read time and
    not queryable: :func:`can_see_item` is exact for one item.)"""
    if not _active(person):
        return items.none()
    if person.has_role(Role.AGENCY_HEAD):
        return items
    flagged = _restricted_declarations().filter(agency_id=OuterRef("agency_id"), blob_id=OuterRef("blob_id"))
    handled = RecordAttachment.objects.filter(
        blob_id=OuterRef("blob_id"),
        record__case__agency_id=OuterRef("agency_id"),
        record__case__handlers__person=person,
    )
    theirs = Attribution.objects.filter(item=OuterRef("pk"), officer=person)
    return items.filter(~Exists(flagged) | Exists(handled) | Exists(theirs) | Q(imported_by=person))


# --- writes --------------------------------------------------------------------------------------


def may_declare(person: Person, *, agency_id: int, blob: Blob) -> bool:
    """The officer of the imported item, or whoever may write in a case whose record holds it."""
    if not _active(person) or person.agency_id != agency_id:
        return False
    item = MediaItem.objects.filter(agency_id=agency_id, blob=blob).first()
    if item is not None and selectors.effective_officer_id(item) == person.pk:
        return True
    cases = Case.objects.filter(
        agency_id=agency_id,
        pk__in=RecordAttachment.objects.filter(blob=blob).values("record__case_id"),
    )
    return any(can_write_case(person, case) for case in cases)


def get_declarable_blob(person: Person, blob_id: int) -> Blob:
    """The recording or photo ``blob_id`` if ``person`` may declare about it (:func:`may_declare`),
    else 404 — one answer for "does not exist", "not a recording" and "not yours"."""
    blob = Blob.objects.filter(pk=blob_id).first()
    agency_id = person.agency_id
    if (
        blob is None
        or agency_id is None
        or not is_av_blob(blob)
        or not may_declare(person, agency_id=agency_id, blob=blob)
    ):
        raise Http404("音像资料不存在，或您无权对其作出说明。")
    return blob


def declare(
    *,
    actor: Person,
    blob: Blob,
    field_work: str = "",
    returned_at: datetime | None = None,
    consent: str = "",
    secret: bool = False,
    privacy: bool = False,
    opening_statement: Sequence[str] = (),
    gap_explanation: str = "",
    note: str = "",
) -> MediaDeclaration:
    """Record what the officer declares about the recording ``blob`` (superseding the current
    declaration; every fact is stated again). Written with its ledger entry; the deadlines of the
    cases holding the recording are refreshed in the same transaction."""
    agency_id = actor.agency_id
    if agency_id is None or not may_declare(actor, agency_id=agency_id, blob=blob):
        raise PermissionDenied("只有该音像资料的使用人或所在案件的承办人员可以说明。")
    errors: dict[str, str] = {}
    if field_work and field_work not in FieldWork.values:
        errors["field_work"] = "未能及时储存的原因无效。"
    if consent and consent not in Consent.values:
        errors["consent"] = "当事人意见无效。"
    items = list(dict.fromkeys(opening_statement))
    unknown = [item for item in items if item not in OPENING_ITEMS]
    if unknown:
        errors["opening_statement"] = f"无效的说明事项：{', '.join(unknown)}"
    if returned_at is not None and timezone.is_naive(returned_at):
        errors["returned_at"] = "返回机关时间须带时区。"
    if field_work and returned_at is None:
        errors["returned_at"] = "因连续、异地或边远地区执法未能及时储存的，请填写返回机关的时间。"
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        current = (
            # of=self: "not superseded" is an outer join, whose nullable side PostgreSQL cannot lock.
            MediaDeclaration.objects.select_for_update(of=("self",))
            .filter(agency_id=agency_id, blob=blob, superseded_by__isnull=True)
            .first()
        )
        row = MediaDeclaration.objects.create(
            agency_id=agency_id,
            blob=blob,
            field_work=field_work,
            returned_at=returned_at,
            consent=consent,
            secret=secret,
            privacy=privacy,
            opening_statement=canonical_json([item for item in OPENING_ITEMS if item in items]).decode(),
            gap_explanation=gap_explanation.strip(),
            note=note.strip(),
            supersedes=current,
            actor=actor,
            created_at=timezone.now(),
        )
        ledger.append(
            actor=actor,
            action="av.declare",
            obj=row,
            payload={"content": sealed_content(row), "blob": blob.sm3},
        )
        _refresh_holding_cases(actor=actor, agency_id=agency_id, blob=blob)
    return row


def _refresh_holding_cases(*, actor: Person, agency_id: int, blob: Blob) -> None:
    from liuhen.policy.services import refresh_deadlines

    case_ids = RecordAttachment.objects.filter(blob=blob, record__case__agency_id=agency_id).values(
        "record__case_id"
    )
    for case in Case.objects.filter(pk__in=case_ids).order_by("pk"):
        refresh_deadlines(case=case, actor=actor)


def opening_items(declaration: MediaDeclaration | None) -> list[str]:
    if declaration is None:
        return []
    value = json.loads(declaration.opening_statement or "[]")
    return [str(v) for v in value] if isinstance(value, list) else []


__all__ = [
    "RESTRICTING_LEVELS",
    "blob_restricted",
    "can_see_blob",
    "can_see_item",
    "can_see_record_media",
    "current_declaration",
    "declarations_of",
    "declare",
    "get_declarable_blob",
    "is_av_blob",
    "may_declare",
    "opening_items",
    "record_media_restricted",
    "visible_items",
]
