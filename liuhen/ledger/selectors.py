"""Permission-scoped reads of the ledger.

Auditors and system administrators see every entry (their work is checking the chain); anyone
else sees the entries of the cases they may see (:func:`liuhen.cases.selectors.cases_visible_to`).
"""

from __future__ import annotations

from django.db.models import QuerySet

from liuhen.cases.selectors import cases_visible_to, get_case_for
from liuhen.ledger.models import Checkpoint, LedgerEntry
from liuhen.org.models import Person, Role

LEDGER_WIDE_ROLES = (Role.AUDITOR, Role.SYSTEM_ADMIN)


def sees_whole_ledger(person: Person) -> bool:
    return bool(person.is_authenticated and person.is_active and person.has_role(*LEDGER_WIDE_ROLES))


def entries_visible_to(person: Person) -> QuerySet[LedgerEntry]:
    if not person.is_authenticated or not person.is_active:
        return LedgerEntry.objects.none()
    if sees_whole_ledger(person):
        return LedgerEntry.objects.all()
    return LedgerEntry.objects.filter(case_id__in=cases_visible_to(person).values("pk"))


def entries_of_case(person: Person, case_id: int) -> QuerySet[LedgerEntry]:
    """The trail of one case; 404 (like every case path) when the case is not visible."""
    if sees_whole_ledger(person):
        return LedgerEntry.objects.filter(case_id=case_id)
    case = get_case_for(person, case_id)
    return entries_visible_to(person).filter(case_id=case.pk)


def search_entries(
    person: Person,
    *,
    case_id: int | None = None,
    object_type: str = "",
    object_id: str = "",
    action: str = "",
    after_seq: int = 0,
) -> QuerySet[LedgerEntry]:
    qs = entries_of_case(person, case_id) if case_id is not None else entries_visible_to(person)
    if object_type:
        qs = qs.filter(object_type=object_type)
    if object_id:
        qs = qs.filter(object_id=object_id)
    if action:
        qs = qs.filter(action=action)
    if after_seq:
        qs = qs.filter(seq__gt=after_seq)
    return qs.order_by("seq")


def latest_checkpoint() -> Checkpoint | None:
    """Checkpoints hold only Merkle roots and signatures, so any staff member may read them."""
    return Checkpoint.objects.order_by("-tree_size").first()
