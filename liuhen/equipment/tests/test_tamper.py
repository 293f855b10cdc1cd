"""Every stored column of every equipment event row (and the device's registration fields) is
sealed in the ledger: editing one behind the application's back — triggers dropped first, as an
attacker would — is reported by ``liuhen verify`` (DESIGN principles 1 and 3; EQ-1, EQ-3)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import pytest
from django.db import DataError, connection, transaction

from liuhen.conftest import Org
from liuhen.core.immutability import drop_protection_sql
from liuhen.core.testing import PROTECTED_TABLES
from liuhen.equipment.testing import populate_equipment
from liuhen.ledger.verify import verify

pytestmark = pytest.mark.django_db

TABLES = sorted(t for t in PROTECTED_TABLES if t.startswith("equipment_"))
# Device: only its registration fields are sealed; status/department are derived state.
DEVICE_SEALED = [
    "agency_id",
    "kind",
    "serial_no",
    "model_name",
    "purchase_date",
    "asset_no",
    "created_by_id",
    "created_at",
]


def _mutated(value: Any) -> Any:
    if isinstance(value, bool):
        return not value
    if isinstance(value, int):
        return value + 1_000_003
    if isinstance(value, datetime):
        return value + timedelta(seconds=1)
    if isinstance(value, date):
        return value - timedelta(days=1)
    if isinstance(value, str):
        return value + "x"
    raise TypeError(type(value))


def _columns(table: str) -> list[str]:
    with connection.cursor() as cursor:
        return [c.name for c in connection.introspection.get_table_description(cursor, table)]


def _first_row(table: str, columns: list[str]) -> dict[str, Any]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {', '.join(columns)} FROM {table} ORDER BY id LIMIT 1")
        return dict(zip(columns, cursor.fetchone(), strict=True))


def test_every_equipment_table_is_protected_and_populated(org: Org) -> None:
    assert len(TABLES) == 9
    populate_equipment(org)
    for table in TABLES:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT COUNT(*) FROM {table}")
            assert cursor.fetchone()[0] > 0, table


def test_any_column_edit_is_detected(org: Org) -> None:
    populate_equipment(org)
    assert verify(blobs=False).ok
    cases = [(t, c) for t in TABLES for c in _columns(t)] + [("equipment_device", c) for c in DEVICE_SEALED]
    missed = []
    for table, column in cases:
        row = _first_row(table, _columns(table))
        if row[column] is None:
            continue
        with transaction.atomic():
            if table != "equipment_device":
                for sql in drop_protection_sql(connection.vendor, table):
                    with connection.cursor() as cursor:
                        cursor.execute(sql)
            try:
                with transaction.atomic(), connection.cursor() as cursor:
                    cursor.execute(
                        f"UPDATE {table} SET {column} = %s WHERE id = %s", [_mutated(row[column]), row["id"]]
                    )
            except DataError:  # a small integer column (PostgreSQL smallint): a smaller change
                with connection.cursor() as cursor:
                    cursor.execute(
                        f"UPDATE {table} SET {column} = %s WHERE id = %s", [row[column] + 1, row["id"]]
                    )
            report = verify(blobs=False)
            transaction.set_rollback(True)
        if report.ok:
            missed.append(f"{table}.{column}")
    assert missed == []


def test_verify_reports_device_status_edited_behind_the_app(org: Org) -> None:
    """Status and department are derived state; ``verify`` replays the events and names the device."""
    populate_equipment(org)
    assert verify(blobs=False).ok
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, status FROM equipment_device ORDER BY id LIMIT 1")
        device_id, status = cursor.fetchone()
        cursor.execute(
            "UPDATE equipment_device SET status = %s WHERE id = %s",
            ["scrapped" if status != "scrapped" else "in_service", device_id],
        )
    report = verify(blobs=False)
    assert [(p.kind, p.item) for p in report.problems] == [("state", f"equipment.device:{device_id}")]
