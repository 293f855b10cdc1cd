"""Shared fixtures. Everything is created through the services, so the ledger stays consistent
and ``verify`` can be run at the end of any test."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.test import Client

from liuhen.cases.models import Case, CaseType, PartyKind, Procedure, Source
from liuhen.cases.services import PartyInput, open_case
from liuhen.org.models import Agency, Department, Person, Role
from liuhen.org.services import create_agency, create_department, create_person

PASSWORD = "liuhen-test-pw"
# Published valid samples: GB 32100 example code, and the classic GB 11643 sample number.
SAMPLE_USCC = "91350100M000100Y43"
SAMPLE_RESIDENT_ID = "11010519491231002X"


@dataclass
class Org:
    agency: Agency
    dept_a: Department
    dept_b: Department
    legal_office: Department
    officer_a1: Person
    officer_a2: Person
    officer_b1: Person
    officer_b2: Person
    head_a: Person
    agency_head: Person
    legal_reviewer: Person
    auditor: Person
    sysadmin: Person


@pytest.fixture(autouse=True)
def _liuhen_home(tmp_path: Path, settings: object) -> Iterator[None]:
    """Each test gets its own vault and keys directory."""
    from liuhen.vault.services import get_storage

    settings.LIUHEN_VAULT_DIR = tmp_path / "vault"  # type: ignore[attr-defined]
    settings.LIUHEN_KEYS_DIR = tmp_path / "keys"  # type: ignore[attr-defined]
    # Real hashing of a dozen fixture passwords costs seconds per test; the hasher is not under test.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # type: ignore[attr-defined]
    get_storage.cache_clear()
    yield
    get_storage.cache_clear()


def _person(
    agency: Agency, dept: Department | None, username: str, name: str, roles: list[str], cert: str | None
) -> Person:
    return create_person(
        actor=None,
        username=username,
        full_name=name,
        password=PASSWORD,
        agency=agency,
        department=dept,
        roles=roles,
        certificate_no=cert,
    )


@pytest.fixture
def org(db: None) -> Org:
    agency = create_agency(actor=None, name="测试县医疗保障局", short_name="测医保", policy_pack="baseline")
    dept_a = create_department(actor=None, agency=agency, name="基金监管科")
    dept_b = create_department(actor=None, agency=agency, name="医药服务管理科")
    legal = create_department(actor=None, agency=agency, name="法制股", is_legal_office=True)
    return Org(
        agency=agency,
        dept_a=dept_a,
        dept_b=dept_b,
        legal_office=legal,
        officer_a1=_person(agency, dept_a, "a1", "张伟", [Role.OFFICER], "64000000000001"),
        officer_a2=_person(agency, dept_a, "a2", "王芳", [Role.OFFICER], "64000000000002"),
        officer_b1=_person(agency, dept_b, "b1", "李强", [Role.OFFICER], "64000000000003"),
        officer_b2=_person(agency, dept_b, "b2", "刘洋", [Role.OFFICER], "64000000000004"),
        head_a=_person(agency, dept_a, "heada", "陈静", [Role.DEPARTMENT_HEAD], None),
        agency_head=_person(agency, None, "head", "杨军", [Role.AGENCY_HEAD], None),
        legal_reviewer=_person(agency, legal, "legal", "赵敏", [Role.LEGAL_REVIEWER], None),
        auditor=_person(agency, None, "audit", "黄磊", [Role.AUDITOR], None),
        sysadmin=_person(agency, None, "admin", "周涛", [Role.SYSTEM_ADMIN], None),
    )


def make_case(org: Org, *, dept: str = "a", title: str = "某大药房涉嫌串换药品案") -> Case:
    if dept == "a":
        department, handlers = org.dept_a, [org.officer_a1, org.officer_a2]
    else:
        department, handlers = org.dept_b, [org.officer_b1, org.officer_b2]
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
    )


@pytest.fixture
def case_a(org: Org) -> Case:
    return make_case(org, dept="a")


@pytest.fixture
def case_b(org: Org) -> Case:
    return make_case(org, dept="b", title="某诊所涉嫌虚构医药服务项目案")


def login(client: Client, person: Person) -> Client:
    client.force_login(person)
    return client
