"""The unusual-access report for the audit section (AC-4: private copying, keeping or leaking of
case files and AV is to be prevented *or detected*).

From the ledger — every view and download is an entry — count per person and day the views and
the downloads (copies, exports) in a period, and compare each day with the person's own usual: the
median of their daily counts over the ``baseline_days`` before that day (days without any access
count as 0). A day is unusual when its count exceeds ``max(median × factor, min_count)``. Defaults
from settings ``LIUHEN_ACCESS_UNUSUAL_FACTOR`` (3), ``LIUHEN_ACCESS_UNUSUAL_MIN`` (10) and
``LIUHEN_ACCESS_BASELINE_DAYS`` (30). Days are Asia/Shanghai calendar days.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db.models import Count
from django.db.models.functions import TruncDate
from django.utils import timezone

from liuhen.ledger.models import LedgerEntry
from liuhen.org.models import Person, Role

VIEW_ACTIONS = ("record.view", "av.view", "av.play", "document.verify")
DOWNLOAD_ACTIONS = ("blob.download", "av.download", "document.export", "access.party_copy")
KIND_LABELS = {"view": "查看", "download": "下载/导出"}
# Who reads the report: the audit section (稽查科, OV-1) and the agency head.
REPORT_ROLES = (Role.AUDITOR, Role.AGENCY_HEAD)


def default_factor() -> float:
    return float(getattr(settings, "LIUHEN_ACCESS_UNUSUAL_FACTOR", 3.0))


def default_min_count() -> int:
    return int(getattr(settings, "LIUHEN_ACCESS_UNUSUAL_MIN", 10))


def default_baseline_days() -> int:
    return int(getattr(settings, "LIUHEN_ACCESS_BASELINE_DAYS", 30))


def can_read_report(person: Person) -> bool:
    return bool(person.is_active and person.agency_id is not None and person.has_role(*REPORT_ROLES))


@dataclass(frozen=True)
class UnusualDay:
    day: date
    kind: str  # "view" | "download"
    count: int
    median: float
    threshold: float

    @property
    def kind_label(self) -> str:
        return KIND_LABELS[self.kind]

    @property
    def ratio(self) -> float | None:
        return round(self.count / self.median, 1) if self.median else None


@dataclass
class PersonRow:
    person: Person
    views: int = 0
    downloads: int = 0
    unusual: list[UnusualDay] = field(default_factory=list)

    @property
    def flagged(self) -> bool:
        return bool(self.unusual)


def _start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def daily_counts(person_ids: list[int], first: date, last: date) -> dict[tuple[int, str], dict[date, int]]:
    """(person, kind) → day → number of access entries, for days first..last (local days)."""
    kind_of = {a: "view" for a in VIEW_ACTIONS} | {a: "download" for a in DOWNLOAD_ACTIONS}
    rows = (
        LedgerEntry.objects.filter(
            actor_id__in=person_ids,
            action__in=list(kind_of),
            recorded_at__gte=_start(first),
            recorded_at__lt=_start(last + timedelta(days=1)),
        )
        .annotate(day=TruncDate("recorded_at", tzinfo=timezone.get_current_timezone()))
        .values("actor_id", "action", "day")
        .annotate(n=Count("seq"))
    )
    counts: dict[tuple[int, str], dict[date, int]] = defaultdict(lambda: defaultdict(int))
    for row in rows:
        counts[(int(row["actor_id"]), kind_of[row["action"]])][row["day"]] += int(row["n"])
    return counts


def unusual_access(
    person: Person,
    *,
    start: date,
    end: date,
    factor: float | None = None,
    min_count: int | None = None,
    baseline_days: int | None = None,
) -> list[PersonRow]:
    """Everyone of the reader's agency with access in ``start..end`` (inclusive), flagged first,
    then by downloads. Empty for a person who may not read the report."""
    if not can_read_report(person) or end < start:
        return []
    factor = default_factor() if factor is None else factor
    min_count = default_min_count() if min_count is None else min_count
    baseline = default_baseline_days() if baseline_days is None else baseline_days
    people = {
        p.pk: p for p in Person.objects.filter(agency_id=person.agency_id or 0).select_related("department")
    }
    counts = daily_counts(list(people), start - timedelta(days=baseline), end)
    rows: dict[int, PersonRow] = {}
    for (pid, kind), by_day in counts.items():
        day = start
        while day <= end:
            n = by_day.get(day, 0)
            if n:
                row = rows.setdefault(pid, PersonRow(person=people[pid]))
                if kind == "view":
                    row.views += n
                else:
                    row.downloads += n
                history = [by_day.get(day - timedelta(days=k), 0) for k in range(1, baseline + 1)]
                median = float(statistics.median(history)) if history else 0.0
                threshold = max(median * factor, float(min_count))
                if n > threshold:
                    row.unusual.append(
                        UnusualDay(day=day, kind=kind, count=n, median=median, threshold=threshold)
                    )
            day += timedelta(days=1)
    return sorted(rows.values(), key=lambda r: (not r.flagged, -r.downloads, -r.views, r.person.pk))
