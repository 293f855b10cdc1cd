"""The AV rules against the database: what the loader gives the engine about audio-visual files
(the blob's vault time, the imported item's recording time, the officer's declarations), the
declarations themselves (write-once, ledgered) and the access they restrict (AV-3, AV-4, AV-7)."""

from __future__ import annotations

import io
from datetime import datetime, timedelta
from pathlib import Path
from unittest import mock

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from liuhen.av import flags
from liuhen.av import services as av_services
from liuhen.av.models import MediaDeclaration, MediaItem
from liuhen.av.naming import Claim
from liuhen.cases.models import Case
from liuhen.conftest import Org, make_case
from liuhen.ledger.models import LedgerEntry
from liuhen.policy.engine import evaluate
from liuhen.policy.findings import FindingStatus
from liuhen.policy.loading import load_batch
from liuhen.policy.schema import packs_for
from liuhen.policy.selectors import _CASE_FIELDS
from liuhen.policy.snapshot import CaseSnapshot
from liuhen.records.models import Confidentiality, Record
from liuhen.records.services import FileInput, attach_files, create_record
from liuhen.workdays.calendar import WorkdayCalendar

pytestmark = pytest.mark.django_db
CAL = WorkdayCalendar()
FAILING = (FindingStatus.MISSING, FindingStatus.VIOLATED, FindingStatus.OVERDUE, FindingStatus.LATE)


def _import(org: Org, name: str, recorded_at: datetime) -> MediaItem:
    content = f"recording {name}".encode()
    file = av_services.DockFile(
        dock="/media/recorder",
        path=f"DCIM/{name}",
        absolute=Path("/media/recorder") / name,
        size=len(content),
        mtime_ns=1,
    )
    claim = Claim(
        serial="DSJ-AV-0001", serial_source="filename", recorded_at=recorded_at, time_source="filename"
    )
    result = av_services.import_file(
        actor=None,
        agency=org.agency,
        file=file,
        claim=claim,
        reader=io.BytesIO(content),
        queue_derivatives=False,
    )
    return result.item


def _receipt(org: Org, case: Case) -> Record:
    return create_record(
        actor=org.officer_a1,
        case=case,
        record_type="service_receipt",
        data={
            "document_name": "行政处罚决定书",
            "method": "lodged",
            "recipient": "测试县康宁大药房有限公司",
            "served_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
            "servers": "张伟 64000000000001\n王芳 64000000000002",
        },
    )


def _attach(org: Org, record: Record, item: MediaItem) -> None:
    attach_files(
        actor=org.officer_a1,
        record=record,
        files=[FileInput(source=item.blob, filename=item.filename, media_type=item.blob.media_type)],
    )


def _snapshot(case: Case) -> CaseSnapshot:
    row = Case.objects.filter(pk=case.pk).values(*_CASE_FIELDS).get()
    (snap,) = load_batch([row], timezone.localdate())
    return snap


def _av7(snap: CaseSnapshot) -> list[str]:
    return [
        f.rule_id
        for f in evaluate(snap, packs_for("WD"), CAL)
        if "AV-7" in f.requirement_ids and f.status in FAILING
    ]


def test_av7_dock_item_upload_time_is_the_blob_vault_time(org: Org) -> None:
    """AV-7: an item imported 2 hours after recording and attached to the case 30 hours after
    recording was stored on time — the upload is when it reached the vault (``Blob.created_at``),
    not when the attachment row was written."""
    case = make_case(org)
    receipt = _receipt(org, case)
    recorded = timezone.now() - timedelta(hours=2)
    item = _import(org, "a.mp4", recorded)
    later = timezone.now() + timedelta(hours=28)
    with mock.patch("django.utils.timezone.now", return_value=later):
        _attach(org, receipt, item)
    (attachment,) = next(r for r in _snapshot(case).records if r.id == receipt.id).attachments
    assert attachment.created_at == item.blob.created_at
    assert attachment.recorded_at == item.recorded_at and attachment.recorder_no == "DSJ-AV-0001"
    assert receipt.attachments.get().created_at == later  # the row is late, the file was not
    assert _av7(_snapshot(case)) == []


def test_av7_dock_item_30_hours_late_unless_the_field_exception_is_declared(org: Org) -> None:
    """AV-7 acceptance (WD 第二十二条): a recording imported 30 hours after it was made, attached to a
    lodged-service receipt, is late; once the officer declares off-site work and a return 10 hours
    ago, the period runs from the return and nothing is reported."""
    case = make_case(org)
    receipt = _receipt(org, case)
    item = _import(org, "late.mp4", timezone.now() - timedelta(hours=30))
    _attach(org, receipt, item)
    assert _av7(_snapshot(case)) == ["WD-22-av-upload-24h"]
    declaration = flags.declare(
        actor=org.officer_a1,
        blob=item.blob,
        field_work="off_site",
        returned_at=timezone.now() - timedelta(hours=10),
        note="异地执法，返回后导入",
    )
    (attachment,) = next(r for r in _snapshot(case).records if r.id == receipt.id).attachments
    assert attachment.field_work == "off_site" and attachment.returned_at == declaration.returned_at
    assert _av7(_snapshot(case)) == []
    entry = LedgerEntry.objects.filter(action="av.declare").get()
    assert entry.object_id == str(declaration.pk)
    # The field exception needs its return time.
    with pytest.raises(ValidationError):
        flags.declare(actor=org.officer_a1, blob=item.blob, field_work="remote")


def test_av4_opening_statement_declared_on_the_file(org: Org) -> None:
    """AV-4 (YC 第十二条): a recording attached to a record without the opening statement is a
    finding; declaring what was said at the start clears it, a partial statement does not."""
    case = make_case(org)
    receipt = _receipt(org, case)
    item = _import(org, "open.mp4", timezone.now() - timedelta(hours=1))
    _attach(org, receipt, item)

    def opening(snap: CaseSnapshot) -> list[int | None]:
        found = evaluate(snap, packs_for("YC"), CAL)
        return [f.record_id for f in found if f.rule_id == "YC-12-opening-statement" and f.status in FAILING]

    assert opening(_snapshot(case)) == [receipt.id]
    flags.declare(actor=org.officer_a1, blob=item.blob, opening_statement=["time", "place"])
    assert opening(_snapshot(case)) == [receipt.id]
    flags.declare(
        actor=org.officer_a1,
        blob=item.blob,
        opening_statement=["time", "place", "officers", "action", "recording_notice"],
    )
    assert opening(_snapshot(case)) == []
    assert MediaDeclaration.objects.filter(blob=item.blob).count() == 2
    current = flags.current_declaration(agency_id=org.agency.pk, blob_id=item.blob_id)
    assert current is not None and flags.opening_items(current)[-1] == "recording_notice"
    with pytest.raises(ValidationError):
        flags.declare(actor=org.officer_a1, blob=item.blob, opening_statement=["sing"])


def test_av3_flagged_recording_seen_only_by_the_case_officers_and_the_head(org: Org) -> None:
    """AV-3 (YC 第六条, 第十三条): a recording declared as showing commercial secrets is seen by the
    case's officers and the agency head only; an unflagged one by the ordinary scoping."""
    case = make_case(org)
    receipt = _receipt(org, case)
    item = _import(org, "secret.mp4", timezone.now() - timedelta(hours=1))
    _attach(org, receipt, item)
    everyone = (org.officer_a1, org.officer_a2, org.officer_b1, org.head_a, org.agency_head)
    assert all(flags.can_see_item(p, item) for p in everyone)
    assert all(flags.can_see_record_media(p, receipt) for p in everyone)
    flags.declare(actor=org.officer_a1, blob=item.blob, secret=True, consent="consented")
    allowed = {p.username for p in everyone if flags.can_see_item(p, item)}
    assert allowed == {org.officer_a1.username, org.officer_a2.username, org.agency_head.username}
    assert {p.username for p in everyone if flags.can_see_record_media(p, receipt)} == allowed
    assert not flags.visible_items(org.officer_b1, MediaItem.objects.all()).exists()
    assert list(flags.visible_items(org.officer_a1, MediaItem.objects.all())) == [item]
    assert list(flags.visible_items(org.agency_head, MediaItem.objects.all())) == [item]
    # Someone outside the case may not declare anything about it.
    with pytest.raises(PermissionDenied):
        flags.declare(actor=org.officer_b1, blob=item.blob)


def test_av3_private_av_record_is_restricted(org: Org) -> None:
    """AV-3: a video record marked as personal privacy restricts its files to the case's officers
    and the head."""
    case = make_case(org)
    video = create_record(
        actor=org.officer_a1,
        case=case,
        record_type="video",
        data={"description": "询问录像（涉及患者隐私）", "consent": "consented"},
        confidentiality=Confidentiality.PRIVACY,
        files=[FileInput(source=io.BytesIO(b"mp4"), filename="q.mp4", media_type="video/mp4")],
    )
    assert flags.record_media_restricted(video)
    assert flags.can_see_record_media(org.officer_a2, video) and flags.can_see_record_media(
        org.agency_head, video
    )
    assert not flags.can_see_record_media(org.officer_b1, video)
    assert not flags.can_see_record_media(org.head_a, video)


def test_av3_declarations_are_write_once(org: Org) -> None:
    """A declaration is a fact: the database refuses to change or delete it (principle 1)."""
    case = make_case(org)
    receipt = _receipt(org, case)
    item = _import(org, "w.mp4", timezone.now())
    _attach(org, receipt, item)
    flags.declare(actor=org.officer_a1, blob=item.blob, privacy=True)
    for sql in ("UPDATE av_mediadeclaration SET privacy = privacy", "DELETE FROM av_mediadeclaration"):
        with (
            pytest.raises(DatabaseError, match="write-once"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(sql)
    assert MediaDeclaration.objects.get().privacy is True
