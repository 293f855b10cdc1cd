"""What the rule engine says about a case (pure data)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum


class Severity(StrEnum):
    BLOCKING = "blocking"  # refuses the transition out of the rule's stage / the forbidden act
    WARNING = "warning"


class FindingStatus(StrEnum):
    MISSING = "missing"  # still required in the current stage (the officer's checklist)
    VIOLATED = "violated"  # the case moved on without it, or a forbidden condition holds
    DUE = "due"  # a deadline is running
    OVERDUE = "overdue"  # a deadline passed and is not met
    LATE = "late"  # met, but after the deadline


@dataclass(frozen=True)
class Finding:
    rule_id: str
    pack: str
    requirement_ids: tuple[str, ...]
    citation: str  # e.g. "YC 第五条第（六）项" / "行政处罚法 第六十条"
    severity: Severity
    status: FindingStatus
    message: str  # one line, Chinese
    stage: str = ""
    record_id: int | None = None  # the record that triggered it, if any
    record_types: tuple[str, ...] = ()  # what would satisfy it
    due: date | None = None
    provisional: bool = False  # the due date used a year without an official holiday schedule

    @property
    def blocking(self) -> bool:
        return self.severity is Severity.BLOCKING and self.status in (
            FindingStatus.MISSING,
            FindingStatus.VIOLATED,
        )
