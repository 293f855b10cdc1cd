"""Reads for the case package (AR-5), permission-scoped through the cases and records selectors.

What the exporting person may not see (AC-3: records above their confidentiality level) does not go
into the package: not the document, not the files, not the content of its ledger entries (their
headers stay, so the inclusion proofs still hold and the gap is visible, not hidden).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Q, QuerySet

from liuhen.av.models import MediaItem, MediaSource
from liuhen.cases.models import Case
from liuhen.ledger.models import LedgerEntry
from liuhen.org.models import Person
from liuhen.records.models import Record, RecordAttachment, RecordSigner
from liuhen.records.selectors import records_of_case

RECORD_CREATION_ACTIONS = ("record.create", "record.correct")


def may_export(person: Person, case: Case) -> bool:
    """Within the person's work scope, or with an approved export grant (AC-1)."""
    from liuhen.access.selectors import can_view

    return can_view(person, case, action="export")


def records_for_export(person: Person, case: Case) -> QuerySet[Record]:
    """Every version the person may see (a court gets the history, not only the current text)."""
    return records_of_case(person, case, current_only=False, action="export").order_by("created_at", "pk")


def withheld_record_count(person: Person, case: Case) -> int:
    visible = records_for_export(person, case).values("pk")
    return Record.objects.filter(case=case).exclude(pk__in=visible).count()


def attachments_of(records: Iterable[Record]) -> QuerySet[RecordAttachment]:
    return (
        RecordAttachment.objects.filter(record__in=[r.pk for r in records])
        .select_related("blob", "record")
        .order_by("pk")
    )


def creation_seqs(object_type: str, ids: Iterable[int], actions: Iterable[str]) -> dict[int, int]:
    """object id → seq of the ledger entry that created the object (first one wins)."""
    wanted = [str(i) for i in ids]
    rows = (
        LedgerEntry.objects.filter(object_type=object_type, object_id__in=wanted, action__in=list(actions))
        .order_by("seq")
        .values_list("object_id", "seq")
    )
    found: dict[int, int] = {}
    for object_id, seq in rows:
        found.setdefault(int(object_id), seq)
    return found


def av_items_of(agency_id: int, blob_ids: Iterable[int]) -> list[MediaItem]:
    return list(MediaItem.objects.filter(agency_id=agency_id, blob_id__in=list(blob_ids)).order_by("pk"))


def entries_for_package(
    *, case: Case, blob_ids: Iterable[int], av_item_ids: Iterable[int]
) -> QuerySet[LedgerEntry]:
    """The entries concerning the case so far: every entry tagged with the case, plus
    the ingest of each packaged file and the recorder-dock import of each packaged recording (those
    happen before the file is in any case, so they carry no case id)."""
    item_ids = [str(i) for i in av_item_ids]
    source_ids = [
        str(i)
        for i in MediaSource.objects.filter(item_id__in=[int(i) for i in item_ids]).values_list(
            "pk", flat=True
        )
    ]
    scope = (
        Q(case_id=case.pk)
        | Q(object_type="vault.blob", object_id__in=[str(i) for i in blob_ids], action="blob.ingest")
        | Q(object_type="av.mediaitem", object_id__in=item_ids, action="av.import")
        | Q(object_type="av.mediasource", object_id__in=source_ids, action="av.source")
    )
    return LedgerEntry.objects.filter(scope).order_by("seq")


def record_ids_of_entries(entries: Iterable[LedgerEntry]) -> dict[int, int]:
    """seq → id of the record an entry is about, for entries about records, their signers and
    attachments (whose content is withheld when the record is)."""
    signer_ids: dict[int, int] = {}
    attachment_ids: dict[int, int] = {}
    result: dict[int, int] = {}
    for entry in entries:
        if not entry.object_id.isdigit():
            continue
        if entry.object_type == "records.record":
            result[entry.seq] = int(entry.object_id)
        elif entry.object_type == "records.recordsigner":
            signer_ids[entry.seq] = int(entry.object_id)
        elif entry.object_type == "records.recordattachment":
            attachment_ids[entry.seq] = int(entry.object_id)
    signer_records = dict(
        RecordSigner.objects.filter(pk__in=signer_ids.values()).values_list("pk", "record_id")
    )
    attachment_records = dict(
        RecordAttachment.objects.filter(pk__in=attachment_ids.values()).values_list("pk", "record_id")
    )
    for seq, pk in signer_ids.items():
        if pk in signer_records:
            result[seq] = signer_records[pk]
    for seq, pk in attachment_ids.items():
        if pk in attachment_records:
            result[seq] = attachment_records[pk]
    return result


def all_entry_hashes(tree_size: int) -> list[bytes]:
    """The leaves of the checkpointed tree (the ledger's first ``tree_size`` entry hashes)."""
    return [
        bytes.fromhex(h)
        for h in LedgerEntry.objects.filter(seq__lte=tree_size)
        .order_by("seq")
        .values_list("entry_hash", flat=True)
    ]
