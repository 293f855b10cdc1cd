"""Helpers shared by tests across apps (kept out of conftest so they can be imported)."""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

from django.test import TestCase

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
}


def populate_everything(org: Org) -> Record:
    """A case with a signed record carrying an attachment: one row in every protected table."""
    from liuhen.conftest import make_case

    case = make_case(org)
    # Tests run inside a transaction that never commits: run the on-commit hooks (vault settle)
    # as the real commit would.
    with TestCase.captureOnCommitCallbacks(execute=True):
        return create_record(
            actor=org.officer_a1,
            case=case,
            record_type="photo",
            data={"description": "现场照片"},
            signers=[SignerInput(role="officer", name=org.officer_a1.full_name, person=org.officer_a1)],
            files=[FileInput(source=io.BytesIO(b"photo bytes" * 50), filename="p.jpg")],
        )
