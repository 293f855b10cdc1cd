"""A direct SQL UPDATE or DELETE on the ledger, blob and record tables fails (principle 1)."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction

from liuhen.conftest import Org
from liuhen.core.testing import PROTECTED_TABLES, populate_everything
from liuhen.ledger.services import make_checkpoint


@pytest.mark.parametrize("table", sorted(PROTECTED_TABLES))
@pytest.mark.parametrize("verb", ["UPDATE", "DELETE"])
def test_direct_sql_is_refused(org: Org, table: str, verb: str) -> None:
    populate_everything(org)
    make_checkpoint()
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {table}")
        (before,) = cursor.fetchone()
    assert before > 0, f"{table} must have rows for the test to mean anything"
    column = PROTECTED_TABLES[table]
    sql = f"UPDATE {table} SET {column} = {column}" if verb == "UPDATE" else f"DELETE FROM {table}"
    with (
        pytest.raises(DatabaseError, match="write-once"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {table}")
        (after,) = cursor.fetchone()
    assert after == before
