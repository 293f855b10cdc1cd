"""Test helper: one row in every retention table, through the services (for ``core.testing``'s
``populate_everything``, so the write-once and "any mutation is detected" tests cover them)."""

from __future__ import annotations

import io
from pathlib import Path
from typing import TYPE_CHECKING

from django.test import TestCase
from django.utils import timezone

from liuhen.av.naming import Claim
from liuhen.av.services import DockFile, import_file
from liuhen.org.models import Person, Role
from liuhen.org.services import create_person
from liuhen.retention import services
from liuhen.retention.models import ApprovalDecision, HoldReason, OfflineMedium, Tombstone
from liuhen.retention.terms import add_months

if TYPE_CHECKING:
    from liuhen.cases.models import Case
    from liuhen.conftest import Org


def _archivist(org: Org, username: str, name: str) -> Person:
    return create_person(
        actor=None,
        username=username,
        full_name=name,
        password="liuhen-test-pw",
        agency=org.agency,
        department=None,
        roles=[Role.ARCHIVIST],
        certificate_no=None,
    )


def populate_retention(org: Org, case: Case) -> Tombstone:
    """A hold on ``case`` (released, with an offline copy) and a routine recording disposed of
    seven months on with two approvals: a request, its item, two approvals and a tombstone."""
    first = _archivist(org, "pop_arch1", "档案甲")
    second = _archivist(org, "pop_arch2", "档案乙")
    hold = services.place_hold(
        actor=org.agency_head, case=case, reason_kind=HoldReason.COMPLAINT, reason="投诉"
    )
    services.record_offline_copy(
        actor=first,
        hold=hold,
        medium=OfflineMedium.OPTICAL_DISC,
        label="光盘 POP-1",
        package_digest="sm3:" + "0" * 64,
    )
    services.release_hold(actor=org.agency_head, hold=hold, decision_ref="测试决定1号", reason="投诉已办结")
    content = b"routine recording to dispose" * 40
    path = "DCIM/DSJ-POP-RT_20260115_090000.mp4"
    file = DockFile(
        dock="/media/recorder",
        path=path,
        absolute=Path("/media/recorder") / path,
        size=len(content),
        mtime_ns=7,
    )
    with TestCase.captureOnCommitCallbacks(execute=True):
        item = import_file(
            actor=None, agency=org.agency, file=file, claim=Claim(), reader=io.BytesIO(content)
        ).item
    today = add_months(timezone.localdate(), 7)
    request = services.request_disposal(actor=first, blobs=[item.blob], reason="保存期限届满", today=today)
    services.decide_disposal(actor=second, request=request, decision=ApprovalDecision.APPROVE)
    services.decide_disposal(actor=org.agency_head, request=request, decision=ApprovalDecision.APPROVE)
    with TestCase.captureOnCommitCallbacks(execute=True):
        [tombstone] = services.execute_disposal(actor=first, request=request, today=today)
    return tombstone


RETENTION_TABLES: dict[str, str] = {
    "retention_legalhold": "id",
    "retention_holdrelease": "id",
    "retention_offlinecopy": "id",
    "retention_disposalrequest": "id",
    "retention_disposalitem": "id",
    "retention_disposalapproval": "id",
    "retention_tombstone": "id",
}
