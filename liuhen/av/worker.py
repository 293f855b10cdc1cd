"""The background worker (``liuhen worker``) and the one ``liuhen serve`` starts beside the web server.

Tasks are django-tasks with the database backend (``django_tasks_db``): a task is a row in the
same database, so the embedded default needs no other server. The worker is django-tasks-db's own
``db_worker`` loop (claims one ready task at a time under a lock, runs it, stores the result); this
module adds what Liuhen needs around it:

- at start, the leftovers of a killed worker are cleaned (``$LIUHEN_VAULT_DIR/av-work``) and items
  still missing a derivative (imported before the worker existed, or whose task was lost with a
  killed worker: a task claimed by a dead worker stays "running") are queued again;
- ``liuhen serve`` starts one worker process and stops it with the server; the child asks the
  kernel for SIGTERM if the server dies without stopping it (``PR_SET_PDEATHSIG``).
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import subprocess
import sys
from typing import TextIO

from django.conf import settings

PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:  # pragma: no cover - runs in the child before exec
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def start_worker_process() -> subprocess.Popen[bytes] | None:
    """For ``liuhen serve``: one ``liuhen worker`` child (``LIUHEN_WORKER=0``: none)."""
    if not getattr(settings, "LIUHEN_WORKER", True):
        return None
    return subprocess.Popen(
        [sys.executable, "-m", "liuhen.cli", "worker", "--quiet"],
        preexec_fn=_die_with_parent,
        env=os.environ.copy(),
    )


def stop_worker_process(proc: subprocess.Popen[bytes] | None, timeout: float = 10) -> None:
    """SIGTERM: the worker finishes its current task, or is killed after ``timeout`` (its task is
    queued again at the next start, see above)."""
    if proc is None or proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=5)


def queued_item_ids() -> set[int]:
    """Items named by derivative tasks that are waiting to run."""
    from django_tasks_db.models import DBTaskResult

    from liuhen.av.tasks import make_derivatives

    ids: set[int] = set()
    ready = DBTaskResult.objects.ready().filter(task_path=make_derivatives.module_path)
    for args_kwargs in ready.values_list("args_kwargs", flat=True):
        args = args_kwargs.get("args") or [args_kwargs.get("kwargs", {}).get("item_ids", [])]
        ids.update(int(v) for v in args[0] if isinstance(v, int))
    return ids


def run_worker(
    *,
    batch: bool = False,
    interval: float = 1.0,
    retry_failed: bool = False,
    quiet: bool = False,
    out: TextIO,
) -> int:
    from django.core.management import call_command

    from liuhen.av.derivatives import clean_work_dir, enqueue_missing

    removed = clean_work_dir()
    queued = enqueue_missing(retry_failed=retry_failed, skip=queued_item_ids())
    if not quiet or removed or queued:
        print(
            f"后台任务 worker：清理遗留临时文件 {removed} 个，补排派生文件任务 {queued} 项"
            f" / removed {removed} stale work files, queued {queued} items",
            file=out,
            flush=True,
        )
    call_command(
        "db_worker",
        queue_name="*",
        interval=interval,
        batch=batch,
        reload=False,
        startup_delay=False,
        verbosity=0 if quiet else 1,
    )
    return 0
