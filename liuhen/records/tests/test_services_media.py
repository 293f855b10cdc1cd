"""A media record takes only the kinds of file its type accepts, checked before anything is stored."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import ValidationError

from liuhen.cases.models import Case
from liuhen.conftest import Org
from liuhen.ledger.models import LedgerEntry
from liuhen.records.models import Record
from liuhen.records.services import FileInput, create_record
from liuhen.vault.models import Blob
from liuhen.vault.services import get_storage


def test_video_record_refuses_a_spreadsheet_and_stores_nothing(org: Org, case_a: Case) -> None:
    entries = LedgerEntry.objects.count()
    with pytest.raises(ValidationError) as caught:
        create_record(
            actor=org.officer_a1,
            case=case_a,
            record_type="video",
            data={"description": "执法记录仪录像"},
            files=[FileInput(source=io.BytesIO(b"a,b\n1,2\n"), filename="台账.csv")],
        )
    assert "台账.csv" in caught.value.message_dict["files"][0]
    assert not Record.objects.exists() and not Blob.objects.exists()
    assert LedgerEntry.objects.count() == entries
    assert list(get_storage().iter_keys()) == []


def test_unknown_record_type_is_a_validation_error(org: Org, case_a: Case) -> None:
    with pytest.raises(ValidationError) as caught:
        create_record(actor=org.officer_a1, case=case_a, record_type="no_such_type", data={})
    assert "record_type" in caught.value.message_dict
