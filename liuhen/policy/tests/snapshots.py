"""Hand-made :class:`CaseSnapshot` builders for the policy-pack tests (test_pack_*.py).

A test states only what matters to the rule under test; everything else gets a plausible
default (a general-procedure penalty case with two certified handlers and one natural-person
party, opened on Monday 2 March 2026 and now in the stage the test names).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime, timedelta, timezone
from typing import Any, Protocol

from liuhen.policy.engine import evaluate
from liuhen.policy.findings import Finding, FindingStatus
from liuhen.policy.schema import Pack
from liuhen.policy.snapshot import (
    AttachmentSnap,
    CaseSnapshot,
    HandlerSnap,
    PartySnap,
    RecordSnap,
    SignerSnap,
    StageEvent,
)

CST = timezone(timedelta(hours=8))
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=CST)  # a Monday with no holiday nearby
STAGES = (
    "preparation",
    "initiation",
    "investigation",
    "review",
    "service",
    "closing",
    "followup",
)
MEDIA_TYPES = {"video": "video/mp4", "audio": "audio/mpeg", "photo": "image/jpeg"}
FAILING = (FindingStatus.MISSING, FindingStatus.VIOLATED, FindingStatus.OVERDUE, FindingStatus.LATE)

_ids = itertools.count(1)


def at(days: float = 0, hours: float = 0) -> datetime:
    """A moment ``days`` + ``hours`` after T0."""
    return T0 + timedelta(days=days, hours=hours)


def att(media_type: str = "video/mp4", *, created_at: datetime | None = None, **facts: Any) -> AttachmentSnap:
    """A file uploaded at ``created_at`` (default T0); ``facts``: what its imported item and the
    officer's declarations say (recorded_at, ended_at, recorder_no, field_work, returned_at,
    consent, secret, privacy, opening_statement, gap_explanation)."""
    return AttachmentSnap(media_type=media_type, size=1024, created_at=created_at or T0, **facts)


# AV-4: a complete opening statement (YC 第十二条).
OPENING = ["time", "place", "officers", "action", "recording_notice"]


def clip(
    start: float,
    end: float,
    *,
    recorder: str = "ZFJLY-01",
    explanation: str = "",
    stage: str = "investigation",
    **data: Any,
) -> RecordSnap:
    """A video record of one clip from ``recorder``, ``start``..``end`` minutes after T0."""
    fields: dict[str, Any] = {
        "recorded_at": at(hours=start / 60).isoformat(),
        "ended_at": at(hours=end / 60).isoformat(),
        "recorder_no": recorder,
        "opening_statement": OPENING,
        **data,
    }
    if explanation:
        fields["gap_explanation"] = explanation
    return rec("video", stage, fields)


def signed(*roles: str, refused: Iterable[str] = ()) -> tuple[SignerSnap, ...]:
    out = [SignerSnap(role=role, signed_at=T0) for role in roles]
    out += [SignerSnap(role=role, refused=True) for role in refused]
    return tuple(out)


def rec(
    record_type: str,
    stage: str = "investigation",
    data: Mapping[str, Any] | None = None,
    *,
    created_at: datetime | None = None,
    signers: tuple[SignerSnap, ...] = (),
    attachments: tuple[AttachmentSnap, ...] | None = None,
    **fields: Any,
) -> RecordSnap:
    """One current record. Media types (video/audio/photo) get a matching attachment by default."""
    if attachments is None:
        media = MEDIA_TYPES.get(record_type)
        attachments = (att(media, created_at=created_at or T0),) if media else ()
    return RecordSnap(
        id=next(_ids),
        record_type=record_type,
        stage=stage,
        created_at=created_at or T0,
        data={**(data or {}), **fields},
        signers=signers,
        attachments=attachments,
    )


def case(
    pack: str,
    *records: RecordSnap,
    stage: str = "investigation",
    case_type: str = "penalty",
    procedure: str = "general",
    source: str = "ex_officio",
    branch: str = "",
    party_kind: str = "person",
    start: str = "initiation",
    today: date | None = None,
    handlers: int = 2,
    stage_days: int = 1,
) -> CaseSnapshot:
    """A case that went stage by stage (``stage_days`` apart) from ``start`` to ``stage``.

    With a ``branch`` the case stays in ``stage`` with the branch set (as the services leave it).
    """
    first = min(STAGES.index(start), STAGES.index(stage))
    path = STAGES[first : STAGES.index(stage) + 1]
    history = [StageEvent(from_stage="", to_stage=path[0], branch="", at=T0)]
    for i, (prev, nxt) in enumerate(itertools.pairwise(path), start=1):
        history.append(StageEvent(from_stage=prev, to_stage=nxt, branch="", at=at(i * stage_days)))
    if branch:
        history.append(
            StageEvent(from_stage=stage, to_stage=stage, branch=branch, at=at(len(path) * stage_days))
        )
    return CaseSnapshot(
        id=1,
        number="测试〔2026〕1号",
        pack=pack,
        case_type=case_type,
        procedure=procedure,
        source=source,
        stage=stage,
        branch=branch,
        opened_at=T0,
        today=today or (T0 + timedelta(days=len(path) * stage_days)).date(),
        stage_history=tuple(history),
        handlers=tuple(
            HandlerSnap(person_id=i + 1, certificate_no=f"NX{i + 1:06d}", is_lead=i == 0)
            for i in range(handlers)
        ),
        parties=(PartySnap(kind=party_kind, name="张三" if party_kind == "person" else "某药店"),),
        records=records,
    )


Pair = tuple[CaseSnapshot, CaseSnapshot]


class PairMaker(Protocol):
    def __call__(self, *base: RecordSnap, fixed: tuple[RecordSnap, ...], **kw: Any) -> Pair: ...


class SwapMaker(Protocol):
    def __call__(
        self, record_type: str, stage: str, before: dict[str, Any], after: dict[str, Any], **kw: Any
    ) -> Pair: ...


def pair_maker(pack: str) -> PairMaker:
    """``pair(*base, fixed=(…), **case_kw)`` → (broken, fixed): the same case of ``pack``, ``fixed``
    with extra records."""

    def pair(*base: RecordSnap, fixed: tuple[RecordSnap, ...], **kw: Any) -> Pair:
        return case(pack, *base, **kw), case(pack, *base, *fixed, **kw)

    return pair


def swap_maker(pack: str) -> SwapMaker:
    """``swap(record_type, stage, before, after, **case_kw)`` → (broken, fixed): one record whose
    data differs, in a case of ``pack`` standing in ``stage``."""

    def swap(record_type: str, stage: str, before: dict[str, Any], after: dict[str, Any], **kw: Any) -> Pair:
        return (
            case(pack, rec(record_type, stage, before), stage=stage, **kw),
            case(pack, rec(record_type, stage, after), stage=stage, **kw),
        )

    return swap


def failing(findings: Iterable[Finding], rule_id: str) -> list[Finding]:
    """Findings of ``rule_id`` that say the rule is not (or not timely) met."""
    return [f for f in findings if f.rule_id == rule_id and f.status in FAILING]


# --- the broken/fixed table shared by the per-pack tests ---------------------------------------


def rule_params(packs: Sequence[Pack], code: str, table: Mapping[str, tuple[CaseSnapshot, ...]]) -> list[Any]:
    """pytest params ``(rule_id, broken, fixed)`` for every rule of pack ``code``, each named by
    its requirement IDs and rule id; a rule of the pack missing from ``table`` fails loudly."""
    import pytest

    pack = next(p for p in packs if p.code == code)
    missing = [rule.id for rule in pack.rules if rule.id not in table]
    unknown = [rule_id for rule_id in table if rule_id not in {r.id for r in pack.rules}]
    if missing or unknown:
        raise AssertionError(f"{code}: rules without a test {missing}; tests without a rule {unknown}")
    if any(len(table[rule.id]) != 2 for rule in pack.rules):
        raise AssertionError(f"{code}: each table entry is (broken, fixed)")
    return [
        pytest.param(rule.id, *table[rule.id], id=f"{'+'.join(rule.requirements)}:{rule.id}")
        for rule in pack.rules
    ]


def assert_broken_and_fixed(
    packs: Sequence[Pack], calendar: Any, rule_id: str, broken: CaseSnapshot, fixed: CaseSnapshot
) -> None:
    bad = failing(evaluate(broken, packs, calendar), rule_id)
    assert bad, f"{rule_id} is not reported on the snapshot that breaks it"
    assert all(f.rule_id == rule_id and f.citation and f.message for f in bad)
    good = failing(evaluate(fixed, packs, calendar), rule_id)
    assert not good, f"{rule_id} still reported once met: {good}"
