"""Helpers shared by tests across apps (kept out of conftest so they can be imported)."""

from __future__ import annotations

import io
from typing import TYPE_CHECKING, Any

from django.test import TestCase

from liuhen.av.testing import populate_av
from liuhen.equipment.testing import populate_equipment
from liuhen.records.models import Record
from liuhen.records.services import FileInput, SignerInput, create_record

if TYPE_CHECKING:
    from liuhen.conftest import Org

# Tables refused UPDATE/DELETE by triggers, with a column to "update" in the test.
PROTECTED_TABLES: dict[str, str] = {
    "ledger_ledgerentry": "seq",
    "ledger_checkpoint": "tree_size",
    "vault_blob": "id",
    "records_record": "id",
    "records_recordsigner": "id",
    "records_recordattachment": "id",
    "cases_party": "id",
    "cases_casehandler": "id",
    "cases_stagechange": "id",
    "workdays_calendaroverride": "id",
    "equipment_allocation": "id",
    "equipment_preusecheck": "id",
    "equipment_checkout": "id",
    "equipment_devicereturn": "id",
    "equipment_maintenance": "id",
    "equipment_faultreport": "id",
    "equipment_repairrecord": "id",
    "equipment_scraprequest": "id",
    "equipment_scrapdecision": "id",
    "av_mediaitem": "id",
    "av_mediasource": "id",
    "av_attribution": "id",
    "av_derivative": "id",
    "av_mediadeclaration": "id",
    "review_majordispute": "id",
    "review_majorresolution": "id",
    "review_submission": "id",
    "review_receipt": "id",
    "review_extension": "id",
    "review_checklistentry": "id",
    "review_discretioncheck": "id",
    "review_question": "id",
    "review_answer": "id",
    "review_opinion": "id",
    "review_filereturn": "id",
    "review_objection": "id",
    "review_rereview": "id",
    "review_deliberationroom": "id",
    "review_collectivedecision": "id",
    "archives_archiverecord": "id",
    "archives_archivedecision": "id",
    "archives_custodiandesignation": "id",
    "access_accessrequest": "id",
    "access_decision": "id",
    "access_grantend": "id",
    "retention_legalhold": "id",
    "retention_holdrelease": "id",
    "retention_offlinecopy": "id",
    "retention_disposalrequest": "id",
    "retention_disposalitem": "id",
    "retention_disposalapproval": "id",
    "retention_tombstone": "id",
}
# Not here, on purpose: ``policy_deadline`` (materialised deadlines) is a projection the engine
# recomputes from the sealed facts; its rows change when the facts, the calendar or the date do.
# Its changes are ledgered by ``policy.services`` instead (see ``policy/models.py``).


def record_data(record_type: str, **values: Any) -> dict[str, Any]:
    """Valid data for a record type as the catalogue has it now: ``values`` plus a plausible value
    for every other required field (so tests do not break when the catalogue grows a field)."""
    from liuhen.records.catalogue import catalogue

    data: dict[str, Any] = {}
    for spec in catalogue().get(record_type).fields:
        if spec.name in values:
            data[spec.name] = values[spec.name]
        elif spec.required:
            data[spec.name] = _sample_value(spec.type, spec.choices, int(spec.min or 1))
    return data


def _sample_value(kind: str, choices: tuple[tuple[str, str], ...], count: int) -> Any:
    samples: dict[str, Any] = {
        "date": "2026-03-02",
        "datetime": "2026-03-02T09:00:00+08:00",
        "integer": max(count, 1),
        "money": "100",
        "boolean": False,
        "choice": choices[0][0] if choices else "",
        "multichoice": [choices[0][0]] if choices else [],
        "list": [f"第{i + 1}项" for i in range(max(count, 1))],
        "person_list": [{"name": "张伟", "number": "64000000000001"}] * max(count, 1),
    }
    return samples.get(kind, "测试内容")


def populate_everything(org: Org) -> Record:
    """A case with a signed record carrying an attachment, a calendar override, a recording
    device through its whole life (checkout, return, fault, repair, scrap) and an imported
    audio-visual item confirmed into the record: one row in every protected table."""
    from datetime import date

    from liuhen.conftest import make_case
    from liuhen.workdays.services import set_override

    set_override(
        actor=org.sysadmin, agency=None, day=date(2027, 1, 1), is_workday=False, note="2027年元旦（测试）"
    )
    case = make_case(org)
    # Tests run inside a transaction that never commits: run the on-commit hooks (vault settle)
    # as the real commit would.
    populate_equipment(org, case=case)
    with TestCase.captureOnCommitCallbacks(execute=True):
        record = create_record(
            actor=org.officer_a1,
            case=case,
            record_type="photo",
            data={"description": "现场照片"},
            signers=[SignerInput(role="officer", name=org.officer_a1.full_name, person=org.officer_a1)],
            files=[FileInput(source=io.BytesIO(b"photo bytes" * 50), filename="p.jpg")],
        )
        populate_av(org, record)
    from liuhen.review.testing import populate_review  # it imports record_data from here

    populate_review()
    from liuhen.access.testing import populate_access

    populate_access(org, case)
    from liuhen.archives.testing import populate_archives

    populate_archives(make_case(org, title="某诊所涉嫌分解住院案（归档）"), org.officer_a1)
    from liuhen.retention.testing import populate_retention

    populate_retention(org, case)
    return record
