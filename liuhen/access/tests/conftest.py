"""Fixtures for the access tests: department B's head, an AV item of department B (imported by
李强 and attributed to him) and a record of department B's case with an attachment."""

from __future__ import annotations

import io
from dataclasses import dataclass

import pytest
from django.test import TestCase

from liuhen.access.testing import import_item, make_head_b
from liuhen.av import services as av_services
from liuhen.av.models import MediaItem
from liuhen.cases.models import Case
from liuhen.conftest import Org, make_case
from liuhen.core.testing import record_data
from liuhen.equipment.testing import make_equipment_admin
from liuhen.org.models import Person
from liuhen.records.models import Confidentiality, Record
from liuhen.records.services import FileInput, create_record


@dataclass
class Acc:
    org: Org
    head_b: Person
    item_b: MediaItem
    case_b: Case
    record_b: Record  # ordinary, with an attachment
    secret_b: Record  # a text record marked commercial secret, with a scan


@pytest.fixture
def acc(org: Org) -> Acc:
    head_b = make_head_b(org)
    item = import_item(org, org.officer_b1)
    admin = make_equipment_admin(org)
    av_services.reassign_item(actor=admin, item=item, officer=org.officer_b1, reason="该文件系李强录制")
    case_b = make_case(org, dept="b", title="某诊所涉嫌虚构医药服务项目案")
    with TestCase.captureOnCommitCallbacks(execute=True):
        record = create_record(
            actor=org.officer_b1,
            case=case_b,
            record_type="photo",
            data={"description": "现场照片"},
            files=[FileInput(source=io.BytesIO(b"photo bytes" * 50), filename="p.jpg")],
        )
        secret = create_record(
            actor=org.officer_b1,
            case=case_b,
            record_type="site_inspection",
            data=record_data("site_inspection"),
            confidentiality=Confidentiality.COMMERCIAL_SECRET,
            files=[FileInput(source=io.BytesIO(b"ledger bytes" * 50), filename="s.jpg")],
        )
    return Acc(org=org, head_b=head_b, item_b=item, case_b=case_b, record_b=record, secret_b=secret)
