"""Fixtures for the retention tests: the records office (two archivists) and helpers that store AV
through the real services."""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from liuhen.av.models import MediaItem
from liuhen.av.naming import Claim
from liuhen.av.services import DockFile, import_file
from liuhen.conftest import PASSWORD, Org
from liuhen.org.models import Person, Role
from liuhen.org.services import create_person


@dataclass
class Office:
    archivist: Person
    archivist2: Person
    head: Person


@pytest.fixture
def office(org: Org) -> Office:
    def person(username: str, name: str, role: str) -> Person:
        return create_person(
            actor=None,
            username=username,
            full_name=name,
            password=PASSWORD,
            agency=org.agency,
            department=None,
            roles=[role],
            certificate_no=None,
        )

    return Office(
        archivist=person("arch1", "孙丽", Role.ARCHIVIST),
        archivist2=person("arch2", "钱进", Role.ARCHIVIST),
        head=org.agency_head,
    )


@pytest.fixture
def make_av_item(
    org: Org, django_capture_on_commit_callbacks: Callable[..., Any]
) -> Callable[..., MediaItem]:
    counter = iter(range(1, 10_000))

    def make(name: str = "") -> MediaItem:
        n = next(counter)
        content = f"recording {n} {name}".encode() * 50
        path = f"DCIM/DSJ-0001_20260115_0900{n:02d}.mp4"
        file = DockFile(
            dock="/media/recorder",
            path=path,
            absolute=Path("/media/recorder") / path,
            size=len(content),
            mtime_ns=n,
        )
        with django_capture_on_commit_callbacks(execute=True):
            result = import_file(
                actor=None, agency=org.agency, file=file, claim=Claim(), reader=io.BytesIO(content)
            )
        return result.item

    return make
