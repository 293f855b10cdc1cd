"""Hand-built case snapshots and tiny packs for the engine tests."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from itertools import count
from pathlib import Path
from typing import Any

from liuhen.policy.schema import Pack, load_pack
from liuhen.policy.snapshot import (
    AttachmentSnap,
    CaseSnapshot,
    HandlerSnap,
    PartySnap,
    RecordSnap,
    SignerSnap,
    StageEvent,
)

T0 = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)  # 2026-03-02 09:00 in Beijing
_ids = count(1000)


def at(day: date | str, hour: int = 9) -> datetime:
    """A moment on ``day`` (Beijing time), as UTC."""
    d = date.fromisoformat(day) if isinstance(day, str) else day
    return datetime(d.year, d.month, d.day, hour - 8 if hour >= 8 else 0, tzinfo=UTC)


def rec(
    record_type: str,
    stage: str = "investigation",
    *,
    data: dict[str, Any] | None = None,
    created: datetime | None = None,
    signers: tuple[SignerSnap, ...] = (),
    media: tuple[str, ...] = (),
    record_id: int | None = None,
) -> RecordSnap:
    created = created or T0
    return RecordSnap(
        id=record_id if record_id is not None else next(_ids),
        record_type=record_type,
        stage=stage,
        created_at=created,
        data=data or {},
        signers=signers,
        attachments=tuple(AttachmentSnap(m, 100, created) for m in media),
    )


def sign(role: str, *, refused: bool = False) -> SignerSnap:
    return SignerSnap(role=role, refused=refused, signed_at=T0)


def snap(
    *,
    stage: str = "investigation",
    branch: str = "",
    records: tuple[RecordSnap, ...] = (),
    handlers: int = 2,
    party: str = "organisation",
    procedure: str = "general",
    case_type: str = "penalty",
    source: str = "ex_officio",
    today: date = date(2026, 3, 20),
    entered: dict[str, datetime] | None = None,
    opened_at: datetime = T0,
) -> CaseSnapshot:
    entered = entered or {}
    history = [StageEvent("", "initiation", "", opened_at)]
    order = ("initiation", "investigation", "review", "service", "closing", "followup")
    if stage in order:
        previous = "initiation"
        for index, name in enumerate(order[1 : order.index(stage) + 1], start=1):
            history.append(
                StageEvent(previous, name, "", entered.get(name, opened_at + timedelta(days=index)))
            )
            previous = name
    return CaseSnapshot(
        id=1,
        number="测医保罚〔2026〕1号",
        pack="baseline",
        case_type=case_type,
        procedure=procedure,
        source=source,
        stage=stage,
        branch=branch,
        opened_at=opened_at,
        today=today,
        stage_history=tuple(history),
        handlers=tuple(HandlerSnap(i, f"NX{i:04d}", i == 1) for i in range(1, handlers + 1)),
        parties=(PartySnap(party, "当事人"),),
        records=records,
    )


def pack_from(tmp_path: Path, rules: str, *, code: str = "YC") -> Pack:
    """A pack file with the given ``[[rule]]`` tables, loaded and validated."""
    extends = "[]" if code == "baseline" else '["baseline"]'
    path = tmp_path / f"{code.lower()}.toml"
    path.write_text(
        f'[pack]\ncode = "{code}"\nname = "测试"\nregulation = "测试制度"\nextends = {extends}\nversion = "1"\n\n'
        + rules,
        encoding="utf-8",
    )
    return load_pack(path)
