"""Permission-scoped reads for uploads: a person sees only their own uploads (others: 404), and
may open an upload only to a record or case they may write in."""

from __future__ import annotations

import uuid

from django.db.models import QuerySet
from django.http import Http404

from liuhen.cases.models import Case
from liuhen.cases.selectors import get_case_for
from liuhen.org.models import Person
from liuhen.records.models import Record
from liuhen.records.selectors import get_record_for
from liuhen.uploads.models import Upload, UploadState

NOT_FOUND = "上传不存在或无权查看。"


def uploads_of(person: Person) -> QuerySet[Upload]:
    if not person.is_authenticated or not person.is_active:
        return Upload.objects.none()
    return Upload.objects.filter(owner=person).select_related("owner", "case", "record")


def unfinished_uploads_of(person: Person) -> QuerySet[Upload]:
    return uploads_of(person).filter(state=UploadState.RECEIVING).order_by("-updated_at")


def get_upload_for(person: Person, pk: uuid.UUID | str) -> Upload:
    """The person's own upload, else 404 (another person's upload does not exist for them)."""
    try:
        return uploads_of(person).get(pk=pk)
    except (Upload.DoesNotExist, ValueError):
        raise Http404(NOT_FOUND) from None


def target_record_for(person: Person, pk: int) -> Record:
    """A record the person can see (404 otherwise); whether they may write is the service's check."""
    return get_record_for(person, pk)


def target_case_for(person: Person, pk: int) -> Case:
    return get_case_for(person, pk)
