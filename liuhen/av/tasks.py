"""Background tasks of the av app (django-tasks, database backend: ``liuhen worker`` runs them)."""

from __future__ import annotations

from typing import Any

from django_tasks import TaskContext, task


@task(queue_name="av", takes_context=True)
def make_derivatives(
    context: TaskContext, item_ids: list[int], retry_failed: bool = False
) -> list[dict[str, Any]]:
    """The playback copies and posters the items need (:func:`liuhen.av.derivatives.produce_all`;
    the dock import queues one task per committed batch). A bad original ends as a failed
    derivative, not as a failed task."""
    from liuhen.av.derivatives import produce_all

    task_id = str(context.task_result.id)
    return [
        {"item": item_id, "kind": o.kind, "status": o.status, "derivative": o.derivative_id, "error": o.error}
        for item_id in item_ids
        for o in produce_all(item_id, task_id=task_id, retry_failed=retry_failed)
    ]
