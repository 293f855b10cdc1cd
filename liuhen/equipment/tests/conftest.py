"""Fixtures for the equipment tests: two equipment admins and a recorder allocated to dept A."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest

from liuhen.conftest import Org
from liuhen.equipment import services
from liuhen.equipment.models import Checkout, Device, DeviceKind
from liuhen.equipment.testing import GOOD_CHECK, make_equipment_admin
from liuhen.org.models import Person


@dataclass
class Eq:
    org: Org
    admin: Person
    admin2: Person
    recorder: Device

    def register(self, serial: str, kind: str = DeviceKind.BODY_CAMERA, department: object = "a") -> Device:
        dept = {"a": self.org.dept_a, "b": self.org.dept_b, None: None}[department]  # type: ignore[index]
        return services.register_device(
            actor=self.admin,
            agency=self.org.agency,
            kind=kind,
            serial_no=serial,
            model_name="某品牌 DSJ-V9",
            purchase_date=date(2024, 3, 1),
            department=dept,
        )

    def check_out(
        self, device: Device | None = None, holder: Person | None = None, **kwargs: object
    ) -> Checkout:
        return services.check_and_check_out(
            actor=self.admin,
            device=device or self.recorder,
            holder=holder or self.org.officer_a1,
            check=GOOD_CHECK,
            **kwargs,  # type: ignore[arg-type]
        )


@pytest.fixture
def eq(org: Org) -> Eq:
    admin = make_equipment_admin(org)
    admin2 = make_equipment_admin(org, username="eqadmin2", name="钱进")
    recorder = services.register_device(
        actor=admin,
        agency=org.agency,
        kind=DeviceKind.BODY_CAMERA,
        serial_no="dsj-0001",
        model_name="某品牌 DSJ-V9",
        purchase_date=date(2024, 3, 1),
        department=org.dept_a,
    )
    return Eq(org=org, admin=admin, admin2=admin2, recorder=recorder)
