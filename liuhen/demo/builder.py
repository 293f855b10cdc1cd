"""``liuhen demo``: one agency with its departments and staff, ~20 cases across every stage with
records, signers, a correction and real media — all written through the services, so the ledger
is complete and ``liuhen verify`` passes on the result.

Idempotent: if the demo agency exists, nothing is written. The whole build is one transaction
(``atomic_with_blobs``), so a failure leaves neither half a demo nor orphan vault files.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.utils import timezone

from liuhen.cases.models import Case, PartyKind, Stage
from liuhen.cases.services import PartyInput, change_stage, open_case, take_branch
from liuhen.demo import scenarios as sc
from liuhen.demo.fake import FakeOrganisation, FakePerson, Faker
from liuhen.demo.media import make_audio, make_jpeg, make_scan, make_video
from liuhen.demo.steps import STAGE_REASONS, STEPS
from liuhen.org.models import Agency, Department, Person
from liuhen.org.services import create_agency, create_department, create_person
from liuhen.records.models import Confidentiality, Record, SignerRole
from liuhen.records.services import FileInput, SignerInput, attach_files, create_record
from liuhen.vault.services import atomic_with_blobs

# Days after the case was opened on which each stage starts.
STAGE_DAY: dict[str, int] = {
    Stage.PREPARATION: 0,
    Stage.INITIATION: 0,
    Stage.INVESTIGATION: 3,
    Stage.REVIEW: 24,
    Stage.SERVICE: 38,
    Stage.CLOSING: 52,
    Stage.FOLLOWUP: 75,
}
ORDER: tuple[str, ...] = tuple(STAGE_DAY)


def demo_logins() -> list[tuple[str, str, str]]:
    """(username, password, description) of the demo accounts worth trying."""
    return [(s.username, sc.DEMO_PASSWORD, s.description) for s in sc.STAFF if s.login]


@dataclass(frozen=True)
class DemoMedia:
    photos: tuple[Path, ...]
    scans: tuple[Path, ...]
    video: Path
    audio: Path


def _make_media(directory: Path, seed: int) -> DemoMedia:
    captions = ("货架陈列药品及保健食品", "收银台医保结算终端", "库房药品堆放情况", "病区床位及在床情况")
    photos = tuple(
        make_jpeg(directory / f"photo{i}.jpg", text, seed * 10 + i, recorder_no=f"DSJ-64032300{i + 1}")
        for i, text in enumerate(captions)
    )
    scans = (
        make_scan(
            directory / "scan0.jpg",
            "医保结算明细（复印件）",
            ["结算日期  商品名称  数量  医保支付（元）", "……", "经核对与原件一致  当事人（签章）"],
            seed,
        ),
        make_scan(
            directory / "scan1.jpg",
            "门诊治疗登记本（摘抄）",
            ["日期  患者姓名  治疗项目  次数", "……", "以上内容经当事人确认"],
            seed + 1,
        ),
    )
    return DemoMedia(
        photos=photos,
        scans=scans,
        video=make_video(directory / "video.mp4", seconds=3, text="现场检查"),
        audio=make_audio(directory / "audio.m4a", seconds=3),
    )


@dataclass(frozen=True)
class PartyInfo:
    name: str
    kind: str
    representative: str  # legal representative, or the person themself
    details: str
    address: str
    phone: str
    id_number: str = ""
    uscc: str = ""
    representative_id: str = ""
    staff_name: str = ""  # an employee present on site

    def as_input(self) -> PartyInput:
        return PartyInput(
            kind=self.kind,
            name=self.name,
            id_number=self.id_number,
            uscc=self.uscc,
            legal_representative="" if self.kind == PartyKind.PERSON else self.representative,
            address=self.address,
            phone=self.phone,
        )


def _party(faker: Faker, kind: str) -> PartyInfo:
    if kind == "person":
        person: FakePerson = faker.person()
        sex = "男" if person.male else "女"
        return PartyInfo(
            name=person.name,
            kind=PartyKind.PERSON,
            representative=person.name,
            details=f"{person.name}，{sex}，{person.birth:%Y年%m月%d日}出生，身份证号码{person.id_number}，"
            f"住{person.address}，联系电话{person.phone}。",
            address=person.address,
            phone=person.phone,
            id_number=person.id_number,
            representative_id=person.id_number,
        )
    org: FakeOrganisation = faker.organisation(kind)
    staff_name = faker.person_name()
    return PartyInfo(
        name=org.name,
        kind=PartyKind.ORGANISATION,
        representative=org.legal_representative,
        details=f"{org.name}，统一社会信用代码{org.uscc}，住所{org.address}，"
        f"法定代表人（负责人）{org.legal_representative}，联系电话{org.phone}。",
        address=org.address,
        phone=org.phone,
        uscc=org.uscc,
        representative_id=org.legal_representative_id,
        staff_name=staff_name,
    )


class CaseBuild:
    """Writes one case's stages and records; every write goes through the services."""

    def __init__(self, demo: DemoBuild, plan: sc.CasePlan, index: int) -> None:
        self.demo, self.plan, self.index = demo, plan, index
        self.violation = sc.VIOLATIONS[plan.violation]
        self.party = _party(demo.faker, self.violation.party_kind)
        self.handlers = [demo.people[u] for u in plan.handlers]
        self.lead, self.second = self.handlers[0], self.handlers[1]
        self.head = demo.people[sc.DEPARTMENT_HEADS[plan.department]]
        rng = demo.faker.rng
        final_day = STAGE_DAY[plan.stage] + (
            STAGE_DAY[plan.stage] // 3 if plan.stage != Stage.FOLLOWUP else 20
        )
        self.day0 = demo.today - timedelta(days=final_day + rng.randint(2, 12))
        self.amount = Decimal(rng.randint(300000, 8600000)) / 100
        self.period = (
            f"{self.day0.year - 1}年{rng.randint(1, 6)}月至{self.day0.year - 1}年{rng.randint(7, 12)}月"
        )
        self.photo_count = 0
        self.case: Case
        self.last: dict[str, Record] = {}

    # --- helpers -----------------------------------------------------------------------------
    def day(self, stage: str, extra: int = 0) -> date:
        return self.day0 + timedelta(days=STAGE_DAY[stage] + extra)

    def at(self, stage: str, extra: int = 0, hour: int = 9, minute: int = 0) -> datetime:
        local = datetime.combine(self.day(stage, extra), datetime.min.time()).replace(
            hour=hour, minute=minute
        )
        return timezone.make_aware(local)

    def officers(self) -> list[dict[str, str]]:
        return [{"name": p.full_name, "number": p.certificate_no or ""} for p in self.handlers]

    def officer_signers(self, when: datetime) -> list[SignerInput]:
        return [
            SignerInput(role=SignerRole.OFFICER, name=p.full_name, person=p, signed_at=when)
            for p in self.handlers
        ]

    def doc_no(self, kind: str) -> str:
        return f"{sc.AGENCY_SHORT_NAME}{kind}〔{self.case.year}〕{self.case.sequence}号"

    @property
    def fine(self) -> Decimal:
        if self.violation.fixed_fine is not None:
            return self.violation.fixed_fine
        if self.violation.multiple is None:
            return Decimal("0.00")
        return (self.amount * self.violation.multiple).quantize(Decimal("0.01"))

    @property
    def facts(self) -> str:
        loss = f"，涉及医保基金{self.amount}元" if self.violation.fixed_fine is None else ""
        return f"经查，当事人{self.party.name}于{self.period}期间，{self.violation.conduct}{loss}。"

    def record(
        self,
        code: str,
        data: dict[str, Any],
        signers: list[SignerInput],
        *,
        actor: Person | None = None,
        confidentiality: str = Confidentiality.NORMAL,
        title: str = "",
    ) -> Record:
        record = create_record(
            actor=actor or self.lead,
            case=self.case,
            record_type=code,
            data=data,
            signers=signers,
            confidentiality=confidentiality,
            title=title,
        )
        self.last[code] = record
        return record

    def media_record(self, code: str, data: dict[str, Any], files: list[FileInput], **kwargs: Any) -> Record:
        record = self.record(code, data, [], **kwargs)
        attach_files(actor=self.lead, record=record, files=files)
        return record

    # --- the case ----------------------------------------------------------------------------
    def build(self) -> Case:
        plan = self.plan
        start = Stage.PREPARATION if plan.stage == Stage.PREPARATION else Stage.INITIATION
        self.case = open_case(
            actor=self.lead,
            department=self.demo.departments[plan.department],
            title=f"{self.party.name}{self.violation.title}",
            case_type=plan.case_type,
            procedure=plan.procedure,
            source=plan.source,
            handlers=self.handlers,
            parties=[self.party.as_input()],
            summary=self.facts,
            stage=start,
            opened_at=self.at(start, 0, 8, 30),
        )
        for stage in ORDER[ORDER.index(start) : ORDER.index(plan.stage) + 1]:
            if stage != start:
                self.case = change_stage(
                    actor=self.lead, case=self.case, to_stage=stage, reason=STAGE_REASONS.get(stage, "")
                )
            steps = [step for step in STEPS.get(stage, ()) if step.applies(self)]
            if stage == plan.stage and plan.progress is not None:
                steps = steps[: plan.progress]
            for step in steps:
                step.run(self)
        if plan.branch:
            self.case = take_branch(
                actor=self.lead, case=self.case, branch=plan.branch, reason=plan.branch_reason
            )
        return self.case


class DemoBuild:
    def __init__(self, seed: int, media: DemoMedia) -> None:
        self.faker = Faker(seed)
        self.media = media
        self.today = timezone.localdate()
        self.people: dict[str, Person] = {}
        self.departments: dict[str, Department] = {}
        self.agency: Agency

    def build_org(self) -> None:
        admin_spec = sc.STAFF[0]
        self.agency = create_agency(
            actor=None,
            name=sc.AGENCY_NAME,
            short_name=sc.AGENCY_SHORT_NAME,
            policy_pack=sc.AGENCY_POLICY_PACK,
            region_code=sc.AGENCY_REGION_CODE,
        )
        admin = create_person(
            actor=None,
            username=admin_spec.username,
            full_name=admin_spec.full_name,
            password=sc.DEMO_PASSWORD,
            agency=self.agency,
            roles=admin_spec.roles,
            phone=self.faker.mobile(),
            is_superuser=True,
        )
        self.people[admin.username] = admin
        for name, legal in sc.DEPARTMENTS:
            self.departments[name] = create_department(
                actor=admin, agency=self.agency, name=name, is_legal_office=legal
            )
        for number, spec in enumerate(sc.STAFF[1:], start=1):
            self.people[spec.username] = create_person(
                actor=admin,
                username=spec.username,
                full_name=spec.full_name,
                password=sc.DEMO_PASSWORD,
                agency=self.agency,
                department=self.departments[spec.department] if spec.department else None,
                roles=spec.roles,
                certificate_no=self.faker.certificate_number(number) if spec.certified else None,
                phone=self.faker.mobile(),
                is_superuser=spec.superuser,
            )

    def build_cases(self) -> list[Case]:
        builds = [CaseBuild(self, plan, index) for index, plan in enumerate(sc.PLANS)]
        # Open them in date order, so case numbers run with the filing dates as they would.
        builds.sort(key=lambda build: (build.day0, build.index))
        return [build.build() for build in builds]


def demo_exists() -> bool:
    return Agency.objects.filter(name=sc.AGENCY_NAME).exists()


def build_demo(seed: int = 0) -> bool:
    """Create the demo in the current database and vault; False (and nothing written) if it exists."""
    if demo_exists():
        return False
    with tempfile.TemporaryDirectory(prefix="liuhen-demo-") as tmp:
        media = _make_media(Path(tmp), seed)
        with atomic_with_blobs():
            if demo_exists():  # created concurrently while the media were being made
                return False
            demo = DemoBuild(seed, media)
            demo.build_org()
            demo.build_cases()
    return True


__all__ = ["build_demo", "demo_exists", "demo_logins"]
