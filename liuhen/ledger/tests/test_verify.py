"""`verify` must name every tampering of point 8 of the foundation issue (principle 3)."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.db import connection, transaction

from liuhen.cases.models import Case
from liuhen.conftest import Org
from liuhen.core.immutability import drop_protection_sql
from liuhen.ledger.models import Checkpoint, LedgerEntry
from liuhen.ledger.services import make_checkpoint
from liuhen.ledger.verify import Report, verify
from liuhen.records.models import Record
from liuhen.records.services import FileInput, create_record
from liuhen.vault.models import Blob
from liuhen.vault.services import get_storage


@pytest.fixture
def populated(org: Org, case_a: Case, django_capture_on_commit_callbacks: Any) -> Record:
    # The test transaction never commits: run the on-commit hooks (vault settle) as a commit would.
    with django_capture_on_commit_callbacks(execute=True):
        record = create_record(
            actor=org.officer_a1,
            case=case_a,
            record_type="photo",
            data={"description": "现场照片"},
            files=[FileInput(source=io.BytesIO(b"\xff\xd8 fake jpeg bytes " * 100), filename="现场.jpg")],
        )
    make_checkpoint()
    return record


def _sql(sql: str, params: list[object] | None = None) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params or [])


def _unprotect(*tables: str) -> None:
    for table in tables:
        for sql in drop_protection_sql(connection.vendor, table):
            _sql(sql)


@pytest.fixture
def attacker() -> Iterator[None]:
    """Tampering happens in a savepoint rolled back afterwards (triggers come back too)."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


def kinds(report: Report) -> set[tuple[str, str]]:
    return {(p.kind, p.item) for p in report.problems}


def test_intact_system_verifies(populated: Record) -> None:
    report = verify()
    assert report.ok, [str(p) for p in report.problems]
    assert report.entries > 10 and report.checkpoints == 1 and report.blobs == 1


def test_flipped_byte_in_blob_is_named(populated: Record) -> None:
    blob = Blob.objects.get()
    path = get_storage().path(blob.storage_key)  # type: ignore[attr-defined]
    data = bytearray(path.read_bytes())
    data[7] ^= 0x01
    path.write_bytes(bytes(data))
    report = verify()
    assert ("changed", f"blob {blob.sm3}") in kinds(report)


def test_deleted_blob_file_is_named(populated: Record) -> None:
    blob = Blob.objects.get()
    get_storage().path(blob.storage_key).unlink()  # type: ignore[attr-defined]
    assert ("missing", f"blob {blob.sm3}") in kinds(verify())


def test_unknown_vault_file_is_named(populated: Record) -> None:
    stray = Path(settings.LIUHEN_VAULT_DIR) / "blobs" / "sm3" / "00" / "00" / ("00" * 32)
    stray.parent.mkdir(parents=True, exist_ok=True)
    stray.write_bytes(b"planted")
    report = verify()
    assert any(p.kind == "untracked" and p.item.startswith("file ") for p in report.problems)


def test_edited_ledger_row_is_named(populated: Record, attacker: None) -> None:
    _unprotect("ledger_ledgerentry")
    _sql("UPDATE ledger_ledgerentry SET actor_label = 'someone else' WHERE seq = 3")
    assert ("changed", "ledger#3") in kinds(verify(blobs=False))


def test_edited_ledger_payload_is_named(populated: Record, attacker: None) -> None:
    _unprotect("ledger_ledgerentry")
    _sql("UPDATE ledger_ledgerentry SET payload = '{}' WHERE seq = 2")
    assert ("changed", "ledger#2") in kinds(verify(blobs=False))


def test_deleted_ledger_row_is_named(populated: Record, attacker: None) -> None:
    _unprotect("ledger_ledgerentry")
    _sql("DELETE FROM ledger_ledgerentry WHERE seq = 5")
    report = verify(blobs=False)
    assert ("missing", "ledger#5") in kinds(report)


def test_truncated_ledger_tail_is_caught_by_checkpoint(populated: Record, attacker: None) -> None:
    _unprotect("ledger_ledgerentry")
    last = LedgerEntry.objects.order_by("-seq").first()
    assert last is not None
    _sql("DELETE FROM ledger_ledgerentry WHERE seq = %s", [last.seq])
    report = verify(blobs=False)
    assert any(p.item.startswith("checkpoint@") and p.kind == "missing" for p in report.problems)


def test_reordered_ledger_rows_are_named(populated: Record, attacker: None) -> None:
    _unprotect("ledger_ledgerentry")
    # Swap the contents of entries 4 and 6 while keeping their sequence numbers.
    _sql("UPDATE ledger_ledgerentry SET seq = -4 WHERE seq = 4")
    _sql("UPDATE ledger_ledgerentry SET seq = 4 WHERE seq = 6")
    _sql("UPDATE ledger_ledgerentry SET seq = 6 WHERE seq = -4")
    found = kinds(verify(blobs=False))
    assert {("changed", "ledger#4"), ("changed", "ledger#6")} <= found


def test_edited_record_row_is_named(populated: Record, attacker: None) -> None:
    _unprotect("records_record")
    _sql("UPDATE records_record SET data = %s WHERE id = %s", ['{"description":"改过的"}', populated.pk])
    assert ("changed", f"records.record:{populated.pk}") in kinds(verify(blobs=False))


def test_deleted_record_row_is_named(populated: Record, attacker: None) -> None:
    _unprotect("records_record", "records_recordattachment")
    _sql("DELETE FROM records_recordattachment WHERE record_id = %s", [populated.pk])
    _sql("DELETE FROM records_record WHERE id = %s", [populated.pk])
    assert ("missing", f"records.record:{populated.pk}") in kinds(verify(blobs=False))


def test_forged_checkpoint_signature_is_named(populated: Record, attacker: None) -> None:
    _unprotect("ledger_checkpoint")
    cp = Checkpoint.objects.get()
    forged = ("00" if cp.signature[:2] != "00" else "11") + cp.signature[2:]
    _sql("UPDATE ledger_checkpoint SET signature = %s WHERE tree_size = %s", [forged, cp.tree_size])
    assert ("signature", f"checkpoint@{cp.tree_size}") in kinds(verify(blobs=False))


def test_checkpoint_resigned_with_another_key_is_named(populated: Record, attacker: None) -> None:
    from liuhen.ledger import signing

    _unprotect("ledger_checkpoint")
    cp = Checkpoint.objects.get()
    other = signing.load_or_create_key(Path(settings.LIUHEN_VAULT_DIR).parent / "attacker-keys")
    message = signing.checkpoint_message(cp.origin, cp.tree_size, bytes.fromhex(cp.root_hash), _iso(cp))
    _sql(
        "UPDATE ledger_checkpoint SET signature = %s, public_key = %s WHERE tree_size = %s",
        [other.sign(message).hex(), other.public_key.hex(), cp.tree_size],
    )
    assert ("signature", f"checkpoint@{cp.tree_size}") in kinds(verify(blobs=False))


def _iso(cp: Checkpoint) -> str:
    from liuhen.ledger.services import iso_utc

    return iso_utc(cp.created_at)


def test_case_stage_edited_behind_the_services_is_named(populated: Record, attacker: None) -> None:
    case = populated.case
    assert case is not None
    _sql("UPDATE cases_case SET stage = 'closing' WHERE id = %s", [case.pk])
    assert ("stage", f"cases.case:{case.pk}") in kinds(verify(blobs=False))
