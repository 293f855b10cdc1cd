"""Child process for the crash-safety tests: ``python crash_child.py MODE``.

Modes: ``setup`` (migrate + a case), ``stream`` (ingest a slow endless stream; the parent kills
us mid-stream), ``before-commit`` / ``after-commit`` (kill ourselves at that point of an ingest),
``check`` (start-up recovery, then verify; prints a JSON summary).
"""

from __future__ import annotations

import json
import os
import signal
import sys
import time
from typing import Any

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "liuhen.settings")

import django

django.setup()

from django.core.management import call_command  # noqa: E402


def _setup() -> None:
    from liuhen.cases.models import CaseType, PartyKind, Procedure, Source
    from liuhen.cases.services import PartyInput, open_case
    from liuhen.org.models import Role
    from liuhen.org.services import create_agency, create_department, create_person

    call_command("migrate", interactive=False, verbosity=0)
    agency = create_agency(actor=None, name="崩溃测试局", short_name="崩", policy_pack="baseline")
    dept = create_department(actor=None, agency=agency, name="科")
    people = [
        create_person(
            actor=None,
            username=f"o{i}",
            full_name=f"官{i}",
            password="password-123",
            agency=agency,
            department=dept,
            roles=[Role.OFFICER],
            certificate_no=f"6400000000000{i}",
        )
        for i in (1, 2)
    ]
    open_case(
        actor=people[0],
        department=dept,
        title="崩溃测试案",
        case_type=CaseType.PENALTY,
        procedure=Procedure.GENERAL,
        source=Source.EX_OFFICIO,
        handlers=people,
        parties=[PartyInput(kind=PartyKind.ORGANISATION, name="某公司", uscc="91350100M000100Y43")],
    )


class SlowStream:
    """A file-like source that never ends: 1 MiB chunks with a pause."""

    def read(self, size: int = -1) -> bytes:
        time.sleep(0.01)
        return os.urandom(1024 * 1024)


def _ingest(source: Any) -> None:
    from liuhen.cases.models import Case
    from liuhen.records.services import FileInput, create_record

    case = Case.objects.get()
    create_record(
        actor=case.handlers.first().person,  # type: ignore[union-attr]
        case=case,
        record_type="video",
        data={"description": "执法记录仪视频"},
        files=[FileInput(source=source, filename="v.mp4")],
    )


def _kill_self() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


def main(mode: str) -> None:
    if mode == "setup":
        _setup()
    elif mode == "stream":
        _ingest(SlowStream())
    elif mode == "before-commit":
        from liuhen.ledger import services as ledger

        original = ledger.append

        def append(**kwargs: Any) -> Any:
            if kwargs.get("action") == "record.attach":
                _kill_self()
            return original(**kwargs)

        ledger.append = append  # type: ignore[assignment]
        _ingest(iter_bytes())
    elif mode == "after-commit":
        from liuhen.vault.storage import FileSystemStorage

        FileSystemStorage.settle = lambda self, staged: _kill_self()  # type: ignore[method-assign,assignment,misc]
        _ingest(iter_bytes())
    elif mode == "check":
        from liuhen.ledger.verify import verify
        from liuhen.records.models import Record, RecordAttachment
        from liuhen.vault.models import Blob
        from liuhen.vault.services import get_storage, recover

        before = verify()
        recover()
        after = verify()
        storage = get_storage()
        print(
            json.dumps(
                {
                    "before_ok": before.ok,
                    "after_ok": after.ok,
                    "problems": [str(p) for p in after.problems],
                    "records": Record.objects.count(),
                    "attachments": RecordAttachment.objects.count(),
                    "blobs": Blob.objects.count(),
                    "files": sorted(storage.iter_keys()),
                    "pending": storage.pending_digests(),
                }
            )
        )
    else:
        raise SystemExit(f"unknown mode {mode}")


class iter_bytes:
    def __init__(self) -> None:
        self._left = 5

    def read(self, size: int = -1) -> bytes:
        if self._left == 0:
            return b""
        self._left -= 1
        return b"v" * 100_000


if __name__ == "__main__":
    main(sys.argv[1])
