"""The shapes the demo is described in: an agency per policy pack (``AgencySpec``) with its staff,
the violations its cases are about and its case plans. The data lives in ``liuhen.demo.regimes``
and ``liuhen.demo.violations``; ``liuhen.demo.builder`` turns it into cases through the services.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from liuhen.cases.models import CaseType, Procedure, Source
from liuhen.demo.fake import Locality

DEMO_PASSWORD = "demo1234"  # published demo password, printed by `liuhen demo`


@dataclass(frozen=True)
class Staff:
    username: str
    full_name: str
    department: str | None
    roles: tuple[str, ...]
    description: str
    certified: bool = False
    superuser: bool = False
    login: bool = False  # listed by demo_logins()


@dataclass(frozen=True)
class Violation:
    """What a case is about, with the provisions the documents quote.

    ``money`` says what the amount of a case is: ``"fund"`` a loss to the 医保 fund (ordered
    returned), ``"income"`` illegal income (confiscated), ``""`` none. The fine is ``multiple`` ×
    the amount (with ``min_base`` as the floor of the amount, e.g. 违法所得不足一万元的按一万元计算)
    or ``fixed_fine``.
    """

    title: str  # case title suffix after the party's name
    party_kind: str  # fake.Faker.organisation kind, or "person"
    conduct: str  # what the party did, completing "经查，当事人于{period}期间，……"
    provision: str  # the provision violated
    basis: str  # the penalty provision
    multiple: Decimal | None = None
    fixed_fine: Decimal | None = None
    min_base: Decimal | None = None
    money: str = "fund"
    warning: bool = False  # 警告 is part of the penalty
    sanction: str = ""  # a penalty other than a fine, e.g. 暂停医疗费用联网结算6个月
    items: tuple[str, ...] = ()  # things found on site / preserved
    scenes: tuple[str, ...] = ("经营场所门头", "现场检查情况")  # what the scene photos show
    remedy: str = "当事人已按要求完成整改，相关制度和台账已建立并落实"  # seen at the follow-up
    answer: str = "有这个情况，是我们管理不到位，没有意识到违反了规定。"  # the party's answer in the inquiry


@dataclass(frozen=True)
class CasePlan:
    """One demo case: where it ends up and which optional records it carries.

    ``progress`` limits the records of the final stage (a case in progress has only the first
    few); ``features`` switches on optional records (see ``liuhen.demo.steps``); ``omit`` leaves
    out named steps — the deliberate gaps a showcase case is built on. ``key`` names a showcase
    case (``liuhen.demo.scenarios.SHOWCASE``); ``amount`` fixes the amount where the rules
    depend on it (thresholds); ``grade`` is the follow-up grade (PL 第十六条).
    """

    violation: str
    department: str
    handlers: tuple[str, ...]
    stage: str
    branch: str = ""
    case_type: str = CaseType.PENALTY
    procedure: str = Procedure.GENERAL
    source: str = Source.EX_OFFICIO
    progress: int | None = None
    features: frozenset[str] = field(default_factory=frozenset)
    omit: frozenset[str] = field(default_factory=frozenset)
    branch_reason: str = ""
    amount: Decimal | None = None
    grade: str = "general"
    key: str = ""


@dataclass(frozen=True)
class AgencySpec:
    """One demo agency, running under its own policy pack."""

    pack: str
    name: str
    short_name: str  # in document and case numbers
    region_code: str
    locality: Locality
    seed_offset: int  # its Faker runs on seed + seed_offset
    address: str
    phone: str
    reconsideration_body: str
    court: str
    police: str  # where suspected crimes are referred
    superior: str  # where a case outside its jurisdiction is transferred
    supervision: str  # what its inspections are: "医疗保障基金监督检查", "卫生监督检查"
    departments: tuple[tuple[str, bool], ...]  # (name, is legal office)
    staff: tuple[Staff, ...]  # the first is the agency's system administrator
    department_heads: Mapping[str, str]  # department → username
    head: str  # username of the agency head (机关负责人)
    legal: str  # username of the legal reviewer
    archivist: str
    discussion: tuple[str, ...]  # usernames at a collective discussion (the head first)
    violations: Mapping[str, Violation]
    plans: tuple[CasePlan, ...]
    discretion: str  # the discretion benchmark the decisions apply
    procedure_rules: str  # the procedural rules cited for not filing / transferring
    archive_prefix: str
    device_prefix: str  # recorder numbers: "<prefix>001"
    scans: tuple[tuple[str, tuple[str, ...]], ...]  # (title, lines) of scanned documents
    features: frozenset[str] = frozenset()  # switched on for every plan of the agency
    media_inline: bool = False  # AV attached to the record it documents, not separate records
    not_filing_form: str = "filing_approval"  # the record that carries a decision not to file
    payment: str = "自收到本决定书之日起十五日内，持缴款通知书到指定银行缴纳罚款。"
    rank: str = "科长"  # how department heads are addressed

    def person(self, username: str) -> Staff:
        for staff in self.staff:
            if staff.username == username:
                return staff
        raise KeyError(username)


def features(*names: str) -> frozenset[str]:
    return frozenset(names)


def cn_date(day: date | datetime) -> str:
    """A date as documents write it: 2026年8月26日."""
    return f"{day.year}年{day.month}月{day.day}日"


__all__ = ["DEMO_PASSWORD", "AgencySpec", "CasePlan", "Staff", "Violation", "cn_date", "features"]
