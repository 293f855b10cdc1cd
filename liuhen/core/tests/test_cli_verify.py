"""Acceptance of the foundation issue, through the real command line on a real SQLite file:
`liuhen demo && liuhen verify` exits 0, and after each tampering of point 8 `verify` exits
non-zero and names the tampered item (AC-4, AV-9; principle 3)."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from liuhen.core.immutability import drop_protection_sql
from liuhen.ledger import signing

pytestmark = pytest.mark.slow


def _liuhen(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LIUHEN_")}
    env["LIUHEN_HOME"] = str(home)
    return subprocess.run(
        [sys.executable, "-m", "liuhen.cli", *args], env=env, capture_output=True, text=True, timeout=300
    )


@pytest.fixture(scope="module")
def demo_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("demo") / "home"
    done = _liuhen(home, "demo")
    assert done.returncode == 0, done.stderr
    return home


@pytest.fixture
def home(demo_home: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "home"
    shutil.copytree(demo_home, copy)
    return copy


def _db(home: Path) -> sqlite3.Connection:
    return sqlite3.connect(home / "liuhen.sqlite3", isolation_level=None)


def _as_attacker(home: Path, table: str, *statements: str) -> None:
    """What someone with the database file would do: drop the triggers, then change rows."""
    with _db(home) as db:
        for sql in drop_protection_sql("sqlite", table):
            db.execute(sql)
        for sql in statements:
            db.execute(sql)


def _blob_files(home: Path) -> list[Path]:
    return sorted(p for p in (home / "vault" / "blobs").rglob("*") if p.is_file())


def _flip_byte(home: Path) -> str:
    path = _blob_files(home)[0]
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))
    return f"blob sm3:{path.name}"


def _delete_blob(home: Path) -> str:
    path = _blob_files(home)[-1]
    path.unlink()
    return f"blob sm3:{path.name}"


def _unknown_file(home: Path) -> str:
    stray = home / "vault" / "blobs" / "sm3" / "00" / "00" / "planted.mp4"
    stray.parent.mkdir(parents=True, exist_ok=True)
    stray.write_bytes(b"not from any ingest")
    return "file sm3/00/00/planted.mp4"


def _edit_ledger_row(home: Path) -> str:
    _as_attacker(
        home, "ledger_ledgerentry", "UPDATE ledger_ledgerentry SET actor_label = '某人' WHERE seq = 40"
    )
    return "ledger#40"


def _delete_ledger_row(home: Path) -> str:
    _as_attacker(home, "ledger_ledgerentry", "DELETE FROM ledger_ledgerentry WHERE seq = 41")
    return "ledger#41"


def _reorder_ledger_rows(home: Path) -> str:
    """Swap two entries' positions (their contents stay intact)."""
    _as_attacker(
        home,
        "ledger_ledgerentry",
        "UPDATE ledger_ledgerentry SET seq = -50 WHERE seq = 50",
        "UPDATE ledger_ledgerentry SET seq = 50 WHERE seq = 51",
        "UPDATE ledger_ledgerentry SET seq = 51 WHERE seq = -50",
    )
    return "ledger#50"


def _edit_record_row(home: Path) -> str:
    with _db(home) as db:
        (pk,) = db.execute("SELECT id FROM records_record ORDER BY id LIMIT 1").fetchone()
    _as_attacker(
        home, "records_record", f"UPDATE records_record SET title = title || '（改）' WHERE id = {pk}"
    )
    return f"records.record:{pk}"


def _forge_checkpoint(home: Path) -> str:
    attacker = signing.load_or_create_key(home.parent / "attacker-keys")
    with _db(home) as db:
        (size,) = db.execute("SELECT MAX(tree_size) FROM ledger_checkpoint").fetchone()
    _as_attacker(
        home,
        "ledger_checkpoint",
        f"UPDATE ledger_checkpoint SET signature = '{attacker.sign(b'forged').hex()}' WHERE tree_size = {size}",
    )
    return f"checkpoint@{size}"


TAMPERINGS: dict[str, Callable[[Path], str]] = {
    "byte flipped in a blob": _flip_byte,
    "blob file deleted": _delete_blob,
    "unknown file in the vault": _unknown_file,
    "ledger row edited": _edit_ledger_row,
    "ledger row deleted": _delete_ledger_row,
    "ledger rows reordered": _reorder_ledger_rows,
    "record row edited": _edit_record_row,
    "checkpoint signature forged": _forge_checkpoint,
}


def test_demo_verifies_intact(home: Path) -> None:
    done = _liuhen(home, "verify")
    assert done.returncode == 0, done.stdout
    assert "校验通过" in done.stdout


@pytest.mark.parametrize("tampering", TAMPERINGS)
def test_verify_names_each_tampering(home: Path, tampering: str) -> None:
    item = TAMPERINGS[tampering](home)
    done = _liuhen(home, "verify")
    assert done.returncode == 1, done.stdout
    assert item in done.stdout, done.stdout
    assert "校验失败" in done.stdout


def test_triggers_refuse_direct_sql_on_the_file(home: Path) -> None:
    with _db(home) as db:
        for sql in (
            "UPDATE ledger_ledgerentry SET action = 'x' WHERE seq = 1",
            "DELETE FROM ledger_ledgerentry WHERE seq = 1",
            "UPDATE vault_blob SET size = 1",
            "DELETE FROM records_record",
        ):
            with pytest.raises(sqlite3.DatabaseError, match="write-once"):
                db.execute(sql)
