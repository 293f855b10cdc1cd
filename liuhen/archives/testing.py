"""Helpers for archive tests (kept out of conftest so other apps' tests, e.g. the write-once and
verify tests, can import them)."""

from __future__ import annotations

import io
from datetime import date
from typing import TYPE_CHECKING

from django.test import TestCase

from liuhen.archives import services
from liuhen.archives.models import ArchiveDecision
from liuhen.cases.models import Case, Stage
from liuhen.cases.services import change_stage
from liuhen.core.testing import record_data
from liuhen.org.models import Person, Role
from liuhen.org.services import create_person
from liuhen.records.services import FileInput, SignerInput, create_record

if TYPE_CHECKING:
    from liuhen.conftest import Org


def two_page_pdf() -> bytes:
    """A real two-page PDF (WeasyPrint), as a scanned attachment would be."""
    from weasyprint import HTML

    html = '<p>第一页</p><p style="page-break-before: always">第二页</p>'
    data: bytes = HTML(string=html).write_pdf()
    return data


def tiny_png() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(buffer, format="PNG")
    return buffer.getvalue()


def make_archivist(agency_person: Person, username: str = "archivist", name: str = "档案员孙丽") -> Person:
    return create_person(
        actor=None,
        username=username,
        full_name=name,
        password="liuhen-test-pw",
        agency=agency_person.agency,
        department=None,
        roles=[Role.ARCHIVIST],
        certificate_no=None,
    )


def old_case(org: Org, *, opened_on: date, dept: str = "a", title: str = "某大药房涉嫌串换药品案") -> Case:
    """``conftest.make_case`` opened on ``opened_on`` (09:00 local)."""
    from datetime import datetime, time

    from django.utils import timezone

    from liuhen.cases.models import CaseType, PartyKind, Procedure, Source
    from liuhen.cases.services import PartyInput, open_case
    from liuhen.conftest import SAMPLE_USCC

    department, handlers = (
        (org.dept_a, [org.officer_a1, org.officer_a2])
        if dept == "a"
        else (org.dept_b, [org.officer_b1, org.officer_b2])
    )
    return open_case(
        actor=handlers[0],
        department=department,
        title=title,
        case_type=CaseType.PENALTY,
        procedure=Procedure.GENERAL,
        source=Source.EX_OFFICIO,
        handlers=handlers,
        parties=[PartyInput(kind=PartyKind.ORGANISATION, name="测试县康宁大药房有限公司", uscc=SAMPLE_USCC)],
        summary="监督检查中发现疑似串换药品。",
        opened_at=timezone.make_aware(datetime.combine(opened_on, time(9))),
    )


def close_case(case: Case, actor: Person, *, ended_on: date, with_files: bool = True) -> Case:
    """Records (a text record with a two-page PDF and a photo, a photo record with two images),
    then the case moved to 结案归档 with a 结案报告 whose 执行终结日期 is ``ended_on``."""
    signer = [SignerInput(role="officer", name=actor.full_name, person=actor)]
    with TestCase.captureOnCommitCallbacks(execute=True):
        create_record(
            actor=actor,
            case=case,
            record_type="site_inspection",
            data=record_data("site_inspection"),
            signers=signer,
            files=[
                FileInput(source=io.BytesIO(two_page_pdf()), filename="扫描件.pdf"),
                FileInput(source=io.BytesIO(tiny_png()), filename="现场.png"),
            ]
            if with_files
            else [],
        )
        if with_files:
            create_record(
                actor=actor,
                case=case,
                record_type="photo",
                data=record_data("photo", description="现场照片"),
                signers=signer,
                files=[
                    FileInput(source=io.BytesIO(tiny_png()), filename="1.png"),
                    FileInput(source=io.BytesIO(tiny_png() + b"\0"), filename="2.png"),
                ],
            )
    for stage in (Stage.INVESTIGATION, Stage.REVIEW, Stage.SERVICE, Stage.CLOSING):
        if case.stage != stage:
            case = change_stage(actor=actor, case=case, to_stage=stage, reason="测试")
    create_record(
        actor=actor,
        case=case,
        record_type="closing_report",
        data=record_data(
            "closing_report", action_ended_on=ended_on.isoformat(), reported_on=ended_on.isoformat()
        ),
        signers=signer,
    )
    return case


def populate_archives(case: Case, officer: Person) -> ArchiveDecision:
    """One row in every archive event table (for the write-once and verify tests): a custodian
    named, the file submitted, returned, resubmitted and accepted."""
    from django.utils import timezone

    assert case.agency is not None
    archivist = make_archivist(officer, username="archivist-p")
    head = create_person(
        actor=None,
        username="head-archive-p",
        full_name="局长",
        password="liuhen-test-pw",
        agency=case.agency,
        department=None,
        roles=[Role.AGENCY_HEAD],
        certificate_no=None,
    )
    services.designate_custodian(actor=head, agency=case.agency, person=archivist, note="全局案卷归档")
    case = close_case(case, officer, ended_on=timezone.localdate(), with_files=False)
    first = services.submit_archive(actor=officer, case=case)
    services.decide_archive(actor=archivist, submission=first, accept=False, reasons="缺少送达回证。")
    second = services.submit_archive(actor=officer, case=case, note="已补正")
    return services.decide_archive(actor=archivist, submission=second, accept=True)


__all__ = ["close_case", "make_archivist", "old_case", "populate_archives", "tiny_png", "two_page_pdf"]
