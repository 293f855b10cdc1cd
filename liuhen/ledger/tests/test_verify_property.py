"""Property: any single mutation of a stored byte or row is detected by verify (principle 3)."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db import DataError, connection, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from liuhen.conftest import Org
from liuhen.core.immutability import drop_protection_sql
from liuhen.core.testing import PROTECTED_TABLES, populate_everything
from liuhen.ledger.services import make_checkpoint
from liuhen.ledger.verify import verify
from liuhen.vault.models import Blob
from liuhen.vault.services import get_storage

TABLES = [*sorted(PROTECTED_TABLES), "cases_case"]
PRIMARY_KEYS = {"ledger_ledgerentry": "seq", "ledger_checkpoint": "tree_size"}


def _mutated(value: Any) -> Any:
    if isinstance(value, bool):
        return not value
    if isinstance(value, int):
        # Far enough not to collide with another row's unique key.
        return value + 1_000_003
    if isinstance(value, Decimal):
        return value + 1
    if isinstance(value, datetime):
        return value + timedelta(seconds=1)
    if isinstance(value, date):  # e.g. a calendar override's day
        return value + timedelta(days=1)
    if isinstance(value, uuid.UUID):
        return uuid.UUID(int=value.int ^ 1)
    if isinstance(value, str):
        return value[:-1] + ("x" if not value.endswith("x") else "y") if value else "x"
    if value is None:
        return None
    raise TypeError(type(value))


def _rows(table: str) -> tuple[list[str], list[tuple[Any, ...]]]:
    with connection.cursor() as cursor:
        columns = [c.name for c in connection.introspection.get_table_description(cursor, table)]
        cursor.execute(f"SELECT {', '.join(columns)} FROM {table}")
        return columns, cursor.fetchall()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_any_single_row_mutation_is_detected(org: Org, data: st.DataObject) -> None:
    if not Blob.objects.exists():
        populate_everything(org)
        make_checkpoint()
        assert verify().ok
    table = data.draw(st.sampled_from(TABLES), label="table")
    columns, rows = _rows(table)
    row = data.draw(st.sampled_from(rows), label="row")
    candidates = [i for i, v in enumerate(row) if v is not None]
    index = data.draw(st.sampled_from(candidates), label="column")
    pk_index = columns.index(PRIMARY_KEYS.get(table, "id"))
    with transaction.atomic():
        for sql in drop_protection_sql(connection.vendor, table) if table != "cases_case" else []:
            with connection.cursor() as cursor:
                cursor.execute(sql)
        sql = f"UPDATE {table} SET {columns[index]} = %s WHERE {columns[pk_index]} = %s"
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(sql, [_mutated(row[index]), row[pk_index]])
        except DataError:  # a small integer column (PostgreSQL smallint, e.g. a battery %)
            with connection.cursor() as cursor:
                cursor.execute(sql, [row[index] + 1, row[pk_index]])
        report = verify(blobs=False)
        transaction.set_rollback(True)
    assert not report.ok, f"mutation of {table}.{columns[index]} went unnoticed"


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_any_single_byte_flip_in_a_blob_is_detected(org: Org, data: st.DataObject) -> None:
    if not Blob.objects.exists():
        populate_everything(org)
        make_checkpoint()
    blob = Blob.objects.order_by("pk").first()  # the first of the blobs populate_everything stores
    assert blob is not None
    path = get_storage().path(blob.storage_key)  # type: ignore[attr-defined]
    original = path.read_bytes()
    offset = data.draw(st.integers(0, len(original) - 1), label="offset")
    bit = data.draw(st.integers(0, 7), label="bit")
    changed = bytearray(original)
    changed[offset] ^= 1 << bit
    path.write_bytes(bytes(changed))
    try:
        report = verify()
    finally:
        path.write_bytes(original)
    assert ("changed", f"blob {blob.sm3}") in {(p.kind, p.item) for p in report.problems}
