"""Checking many cases at once (``liuhen check --all``, the compliance benchmark).

The cases are split into batches of ``selectors.BATCH_SIZE``; each batch is loaded with a constant
number of queries and evaluated by the pure engine. Batch jobs (``workers=None``) run a large set's
batches in parallel worker processes (forked, each with its own database connection — SQLite in
WAL mode and PostgreSQL both serve concurrent readers); results come back in case order, so the
output is the same whatever the number of workers. Small sets, and calls inside a transaction
(whose uncommitted rows other connections cannot see) or on an in-memory database, run in-process.
"""

from __future__ import annotations

import math
import multiprocessing
import os
import uuid
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db import connection, connections
from django.db.models import QuerySet
from django.utils import timezone

from liuhen.cases.models import Case
from liuhen.org.models import Agency
from liuhen.policy.engine import Calendar, evaluate
from liuhen.policy.findings import Finding
from liuhen.policy.loading import case_rows, gc_paused, load_batch
from liuhen.policy.rules import Pack
from liuhen.policy.selectors import BATCH_SIZE, calendar_of_agency, packs_of_agency

PARALLEL_FROM = 4 * BATCH_SIZE  # fewer cases than this are checked in-process
MAX_WORKERS = 8


@dataclass(frozen=True)
class CaseFindings:
    case_id: int
    number: str
    findings: list[Finding]


@dataclass
class AuditStats:
    """Filled in by ``check_cases``: queries issued (in every process) and workers used."""

    queries: int = 0
    workers: int = 1
    batches: list[int] = field(default_factory=list)


def _counting() -> tuple[Any, list[int]]:
    count = [0]

    def wrapper(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        count[0] += 1
        return execute(sql, params, many, context)

    return wrapper, count


# Per process, for the current check run: each agency's packs and calendar (loaded once per run,
# not once per batch: a run sees one calendar, and the engine's memo of due dates stays warm).
_RUN: tuple[str, dict[int, tuple[tuple[Pack, ...], Calendar]]] = ("", {})


def _rules_of(run: str, agency_ids: set[int]) -> dict[int, tuple[tuple[Pack, ...], Calendar]]:
    global _RUN
    if _RUN[0] != run:
        _RUN = (run, {})
    rules = _RUN[1]
    missing = agency_ids - rules.keys()
    if missing:
        for agency in Agency.objects.filter(pk__in=missing):
            rules[agency.pk] = (packs_of_agency(agency), calendar_of_agency(agency))
    return rules


def _check_ids(ids: Sequence[int], today: date, run: str) -> tuple[list[CaseFindings], int]:
    """One batch (in a worker process or in-process): its findings and the queries it issued —
    what ``selectors.findings_for_cases`` gives, with the packs and calendars of the run.

    The cyclic GC is paused for the batch: its snapshots are tens of thousands of objects without
    cycles, freed by reference counting once evaluated, so a collection would only rescan them."""
    wrapper, count = _counting()
    with gc_paused(), connection.execute_wrapper(wrapper):
        rows = case_rows(ids)
        rules = _rules_of(run, {row["agency_id"] for row in rows})
        snapshots = load_batch(rows, today)
        snapshots.reverse()
        out = []
        for row in rows:
            # Each snapshot is let go once evaluated: its records are freed while still in the
            # CPU cache (about a tenth of the batch's time, against freeing all at the end).
            snapshot = snapshots.pop()
            packs, calendar = rules[row["agency_id"]]
            out.append(CaseFindings(snapshot.id, snapshot.number, evaluate(snapshot, packs, calendar)))
            del snapshot
    return out, count[0]


def _worker_start() -> None:
    # A forked child must not use the parent's connection objects; the parent closed them
    # before forking, and the child opens its own on first use.
    connections.close_all()


def default_workers(n_cases: int) -> int:
    """How many processes a check of ``n_cases`` uses here (1 = in-process)."""
    if n_cases < PARALLEL_FROM or connection.in_atomic_block:
        return 1
    name = str(connection.settings_dict.get("NAME", ""))
    if connection.vendor == "sqlite" and ("memory" in name or not name):
        return 1
    return max(1, min(os.cpu_count() or 1, MAX_WORKERS, math.ceil(n_cases / BATCH_SIZE)))


def check_cases(
    cases: QuerySet[Case],
    today: date | None = None,
    *,
    workers: int | None = 1,
    stats: AuditStats | None = None,
) -> Iterator[CaseFindings]:
    """Every case of ``cases`` with its findings, in primary-key order.

    ``workers``: processes to use; 1 (the default) = in-process; None = ``default_workers`` (for
    batch jobs such as ``liuhen check --all`` — never from a web request, which must not fork)."""
    today = today or timezone.localdate()
    stats = stats if stats is not None else AuditStats()
    wrapper, count = _counting()
    with connection.execute_wrapper(wrapper):
        ids = list(cases.order_by("pk").values_list("pk", flat=True))
    stats.queries += count[0]
    chosen = default_workers(len(ids)) if workers is None else max(1, workers)
    if chosen > 1 and (connection.in_atomic_block or "fork" not in multiprocessing.get_all_start_methods()):
        chosen = 1  # a child could not see this transaction's rows; without fork, no cheap workers
    stats.workers = chosen
    batches = [ids[start : start + BATCH_SIZE] for start in range(0, len(ids), BATCH_SIZE)]
    stats.batches = [len(batch) for batch in batches]
    run = uuid.uuid4().hex
    if chosen == 1:
        for batch in batches:
            found, queries = _check_ids(batch, today, run)
            stats.queries += queries
            yield from found
        return
    connections.close_all()
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(max_workers=chosen, mp_context=context, initializer=_worker_start) as pool:
        for found, queries in pool.map(_check_ids, batches, [today] * len(batches), [run] * len(batches)):
            stats.queries += queries
            yield from found


__all__ = ["AuditStats", "CaseFindings", "check_cases", "default_workers"]
