"""Retention terms (保管期限) of case files, for the archive record (AR-2) and for retention of the
AV used as evidence, which is kept as long as the case file (RT-2: PL 第十四条, BX 第十七条).

``case_file_term(case)`` is the one question other apps ask. It is pure apart from one read: the
term recorded in the case's latest archive submission wins (it was sealed when the file was
compiled); without one, the term follows from the agency's ``[archive]`` pack table — the
category that lists the case's type, and its ``retention_simple`` for simple-procedure cases.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from liuhen.archives.config import RETENTION_TERMS, archive_config_for

if TYPE_CHECKING:
    from liuhen.cases.models import Case


@dataclass(frozen=True)
class RetentionTerm:
    """A retention term: ``years`` is ``None`` for permanent (永久)."""

    code: str  # "permanent" | "30y" | "10y"
    years: int | None
    label: str  # "永久" | "30年" | "10年"
    category: str = ""  # archive category code, e.g. "XZCF"
    category_name: str = ""  # e.g. "行政处罚"
    recorded: bool = False  # True: read from the case's latest archive submission, not derived from the pack
    archived: bool = False  # True: that submission was accepted by the archivist (the file is archived)

    @property
    def permanent(self) -> bool:
        return self.years is None


def term_from_code(
    code: str, *, category: str = "", category_name: str = "", recorded: bool = False, archived: bool = False
) -> RetentionTerm:
    """The term for a retention code (``KeyError`` for an unknown code)."""
    years, label = RETENTION_TERMS[code]
    return RetentionTerm(
        code=code,
        years=years,
        label=label,
        category=category,
        category_name=category_name,
        recorded=recorded,
        archived=archived,
    )


def term_for(pack_code: str, case_type: str, procedure: str) -> RetentionTerm:
    """Pure: the term the agency's packs give a case of this type and procedure."""
    category = archive_config_for(pack_code).category_for(case_type)
    return term_from_code(
        category.retention_for(procedure), category=category.code, category_name=category.name
    )


def case_file_term(case: Case) -> RetentionTerm:
    """The retention term of ``case``'s file: as recorded in its latest archive submission, else as
    its agency's packs derive it from the case type and procedure."""
    from liuhen.archives.models import ArchiveDecision, ArchiveRecord, Outcome

    latest = ArchiveRecord.objects.filter(case_id=case.pk).order_by("-attempt").first()
    if latest is not None:
        accepted = ArchiveDecision.objects.filter(submission=latest, outcome=Outcome.ACCEPTED).exists()
        return term_from_code(
            latest.retention,
            category=latest.category,
            category_name=latest.category_name,
            recorded=True,
            archived=accepted,
        )
    return term_for(case.agency.policy_pack, case.case_type, case.procedure)


__all__ = ["RetentionTerm", "case_file_term", "term_for", "term_from_code"]
