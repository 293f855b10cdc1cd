"""Test helpers for access control (importable from other apps' tests, e.g. ``core.testing``)."""

from __future__ import annotations

import io
from pathlib import Path
from typing import TYPE_CHECKING

from django.test import TestCase

from liuhen.access import services
from liuhen.access.models import AccessRequest, Action
from liuhen.av import services as av_services
from liuhen.av.models import MediaItem
from liuhen.av.naming import Claim
from liuhen.org.models import Person, Role
from liuhen.org.services import create_person

if TYPE_CHECKING:
    from liuhen.cases.models import Case
    from liuhen.conftest import Org


def make_head_b(org: Org) -> Person:
    """The head of department B (the fixture ``org`` has only department A's)."""
    return create_person(
        actor=None,
        username="headb",
        full_name="吴刚",
        password="liuhen-test-pw",
        agency=org.agency,
        department=org.dept_b,
        roles=[Role.DEPARTMENT_HEAD],
    )


def import_item(org: Org, importer: Person, name: str = "DCIM/b-site.jpg", content: bytes = b"") -> MediaItem:
    """An AV item imported by ``importer`` (no recorder recognised), so it is theirs."""
    data = content or (name.encode() + b" jpeg bytes" * 64)
    file = av_services.DockFile(
        dock="/media/recorder", path=name, absolute=Path("/media/recorder") / name, size=len(data), mtime_ns=1
    )
    with TestCase.captureOnCommitCallbacks(execute=True):
        return av_services.import_file(
            actor=importer, agency=org.agency, file=file, claim=Claim(), reader=io.BytesIO(data)
        ).item


def populate_access(org: Org, case: Case) -> AccessRequest:
    """One row in every access table: a request by department B's officer for ``case`` (of
    department A), approved by its head, then revoked; and a refused request."""
    request = services.request_access(
        actor=org.officer_b1, case=case, actions={Action.VIEW, Action.COPY}, reason="协查关联案件", days=3
    )
    decision = services.decide(actor=org.head_a, request=request, approved=True, note="同意")
    services.revoke(actor=org.head_a, decision=decision, reason="协查完毕")
    refused = services.request_access(
        actor=org.officer_b2, case=case, actions={Action.EXPORT}, reason="学习参考", days=3
    )
    services.decide(actor=org.head_a, request=refused, approved=False, note="非工作需要")
    return request
