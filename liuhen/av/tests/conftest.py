"""Fixtures for the audio-visual tests: the equipment office, two recorders of department A, one
checked out to 张伟 (officer_a1), and a dock folder with helpers to import it in-process."""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from django.test import TestCase
from django.utils import timezone

from liuhen.av.dock import DockImporter, DockReport
from liuhen.av.models import MediaItem
from liuhen.av.testing import make_recording
from liuhen.conftest import Org
from liuhen.equipment import services as equipment
from liuhen.equipment.models import Checkout, Device, DeviceKind
from liuhen.equipment.testing import GOOD_CHECK, make_equipment_admin
from liuhen.org.models import Person


@dataclass
class Av:
    org: Org
    admin: Person
    recorder: Device
    recorder2: Device
    checkout: Checkout
    dock: Path
    out: io.StringIO
    err: io.StringIO

    @property
    def t0(self) -> datetime:
        """A moment inside the checkout of ``recorder`` (to 张伟)."""
        return self.checkout.checked_out_at + timedelta(seconds=5)

    def at(self, minutes: float) -> datetime:
        return self.t0 + timedelta(minutes=minutes)

    def name(self, minutes: float, seq: int = 1, serial: str = "DSJ-64032300001", ext: str = "MP4") -> str:
        moment = timezone.localtime(self.at(minutes))
        return f"{serial}_{moment:%Y%m%d%H%M%S}_{seq:04d}.{ext}"

    def video(self, relpath: str, **kwargs: Any) -> Path:
        path = self.dock / relpath
        path.parent.mkdir(parents=True, exist_ok=True)
        return make_recording(path, **kwargs)

    def importer(self, device: str = "", actor: Person | None = None) -> DockImporter:
        return DockImporter(
            dock=self.dock, agency=self.org.agency, actor=actor, device=device, out=self.out, err=self.err
        )

    def run(self, device: str = "", actor: Person | None = None) -> DockReport:
        with TestCase.captureOnCommitCallbacks(execute=True):
            return self.importer(device=device, actor=actor).run()

    def item(self, filename: str) -> MediaItem:
        return MediaItem.objects.get(filename=filename)


def _equip(org: Org, admin: Person) -> tuple[list[Device], Checkout]:
    recorders = [
        equipment.register_device(
            actor=admin,
            agency=org.agency,
            kind=DeviceKind.BODY_CAMERA,
            serial_no=serial,
            model_name="某品牌 DSJ-V9",
            purchase_date=date(2024, 3, 1),
            department=org.dept_a,
        )
        for serial in ("DSJ-64032300001", "DSJ-64032300002")
    ]
    checkout = equipment.check_and_check_out(
        actor=admin, device=recorders[0], holder=org.officer_a1, check=GOOD_CHECK, purpose="现场检查"
    )
    return recorders, checkout


@pytest.fixture
def av(org: Org, tmp_path: Path) -> Iterator[Av]:
    admin = make_equipment_admin(org)
    # The recorders were registered and handed out three hours ago (the services take "now").
    earlier = timezone.now() - timedelta(hours=3)
    with mock.patch("django.utils.timezone.now", return_value=earlier):
        recorders, checkout = _equip(org, admin)
    dock = tmp_path / "dock"
    dock.mkdir()
    yield Av(
        org=org,
        admin=admin,
        recorder=recorders[0],
        recorder2=recorders[1],
        checkout=checkout,
        dock=dock,
        out=io.StringIO(),
        err=io.StringIO(),
    )
