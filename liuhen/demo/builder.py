"""``liuhen demo``: one agency per policy pack (YC, HY, PL, WD, BX) with its departments and staff,
and cases across every stage with records, signers, corrections and real media — all written
through the services, so the ledger is complete and ``liuhen verify`` passes on the result.

Each agency has a case run from start to archive and follow-up meeting every blocking rule of its
pack, and cases with deliberate gaps that show the pack's distinctive findings (the table is in
``liuhen.demo.scenarios``). A gap a blocking rule stops leaves its case in its stage: the system
refused to move it on.

Idempotent: if a demo agency exists, nothing is written. The whole build is one transaction
(``atomic_with_blobs``), so a failure leaves neither half a demo nor orphan vault files.
Deterministic: the same seed gives the same people, parties and amounts.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import PBKDF2PasswordHasher, get_hasher
from django.test.utils import override_settings
from django.utils import timezone

from liuhen.cases.models import Case, PartyKind, Stage
from liuhen.cases.services import PartyInput, change_stage, open_case, take_branch
from liuhen.demo import scenarios as sc
from liuhen.demo.fake import FakeOrganisation, FakePerson, Faker
from liuhen.demo.media import make_audio, make_jpeg, make_scan, make_video
from liuhen.demo.spec import AgencySpec, CasePlan, cn_date
from liuhen.demo.steps import BRANCH_STEPS, STAGE_REASONS, STEPS
from liuhen.demo.violations import orders
from liuhen.org.models import Agency, Department, Person
from liuhen.org.services import create_agency, create_department, create_person
from liuhen.policy.rules import OPENING_ITEMS
from liuhen.policy.services import deferred_deadline_refresh
from liuhen.records.models import Confidentiality, Record, SignerRole
from liuhen.records.services import FileInput, SignerInput, attach_files, create_record
from liuhen.vault.services import atomic_with_blobs

# Days after the case's origin on which each stage starts, and the last day its records use.
STAGE_DAY: dict[str, int] = {
    Stage.PREPARATION: 0,
    Stage.INITIATION: 3,
    Stage.INVESTIGATION: 6,
    Stage.REVIEW: 20,
    Stage.SERVICE: 46,
    Stage.CLOSING: 60,
    Stage.FOLLOWUP: 83,
}
STAGE_LEN: dict[str, int] = {
    Stage.PREPARATION: 1,
    Stage.INITIATION: 2,
    Stage.INVESTIGATION: 4,
    Stage.REVIEW: 24,
    Stage.SERVICE: 9,
    Stage.CLOSING: 5,
    Stage.FOLLOWUP: 12,
}
ORDER: tuple[str, ...] = tuple(STAGE_DAY)
# Features that push a record past its stage's usual last day.
LATE_DAYS: dict[str, int] = {"archive_late": 41, "disclosure_late": 10}


class DemoPasswordHasher(PBKDF2PasswordHasher):
    """PBKDF2 with fewer iterations for the demo accounts, whose password is published anyway: ~50
    accounts at Django's 1 000 000 iterations would take most of the build. The iteration count is
    part of the stored hash, so the standard hasher verifies it — and re-hashes it at full
    strength on the first login (``must_update``)."""

    iterations = 20_000


@contextmanager
def _demo_password_hashing() -> Iterator[None]:
    """Hash the demo passwords with ``DemoPasswordHasher`` if the site uses PBKDF2 (its default);
    leave any other configuration (e.g. the tests' fast hasher) alone."""
    default = get_hasher("default")
    if type(default) is not PBKDF2PasswordHasher:
        yield
        return
    hashers = [f"{__name__}.DemoPasswordHasher", *settings.PASSWORD_HASHERS]
    with override_settings(PASSWORD_HASHERS=hashers):
        yield


def demo_logins() -> list[tuple[str, str, str]]:
    """(username, password, description) of the demo accounts worth trying, agency by agency."""
    return [
        (staff.username, sc.DEMO_PASSWORD, staff.description)
        for spec in sc.AGENCIES
        for staff in spec.staff
        if staff.login
    ]


@dataclass(frozen=True)
class DemoMedia:
    scenes: dict[str, Path]  # caption → photo
    scans: dict[str, tuple[Path, ...]]  # pack → scanned documents
    video: Path
    audio: Path


def _make_media(directory: Path, seed: int) -> DemoMedia:
    captions = sorted(
        {
            caption
            for spec in sc.AGENCIES
            for plan in spec.plans
            for caption in spec.violations[plan.violation].scenes
        }
    )
    scenes = {
        caption: make_jpeg(
            directory / f"scene{i}.jpg", caption, seed * 100 + i, recorder_no=f"DSJ-{i + 1:03d}"
        )
        for i, caption in enumerate(captions)
    }
    scans = {
        spec.pack: tuple(
            make_scan(directory / f"scan-{spec.pack}-{i}.jpg", title, list(lines), seed + i)
            for i, (title, lines) in enumerate(spec.scans)
        )
        for spec in sc.AGENCIES
    }
    return DemoMedia(
        scenes=scenes,
        scans=scans,
        video=make_video(directory / "video.mp4", seconds=3, text="现场执法记录"),
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
            details=f"{person.name}，{sex}，{cn_date(person.birth)}出生，身份证号码{person.id_number}，"
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

    def __init__(self, agency: AgencyBuild, plan: CasePlan, index: int) -> None:
        self.agency, self.plan, self.index = agency, plan, index
        self.spec: AgencySpec = agency.spec
        self.violation = self.spec.violations[plan.violation]
        self.features = plan.features | self.spec.features
        faker = agency.faker
        self.party = _party(faker, self.violation.party_kind)
        self.handlers = [agency.people[u] for u in plan.handlers]
        self.lead, self.second = self.handlers[0], self.handlers[1]
        self.head = agency.people[self.spec.department_heads[plan.department]]
        rng = faker.rng
        extra = sum(days for name, days in LATE_DAYS.items() if name in self.features)
        final_day = STAGE_DAY[plan.stage] + STAGE_LEN[plan.stage] + extra
        self.day0 = agency.today - timedelta(days=final_day + rng.randint(1, 6))
        drawn = Decimal(rng.randint(300000, 8600000)) / 100
        self.amount = plan.amount if plan.amount is not None else drawn
        self.period = (
            f"{self.day0.year - 1}年{rng.randint(1, 6)}月至{self.day0.year - 1}年{rng.randint(7, 12)}月"
        )
        self.complainant = faker.person_name()
        self.witness = faker.person_name()
        self.photo_count = 0
        self.case: Case
        self.last: dict[str, Record] = {}

    # --- people, times and documents -----------------------------------------------------------
    def has(self, feature: str) -> bool:
        return feature in self.features

    def person(self, username: str) -> Person:
        return self.agency.people[username]

    @property
    def agency_head(self) -> Person:
        return self.person(self.spec.head)

    @property
    def reviewer(self) -> Person:
        return self.person(self.spec.legal)

    @property
    def archivist(self) -> Person:
        return self.person(self.spec.archivist)

    @property
    def person_party(self) -> bool:
        return self.party.kind == PartyKind.PERSON

    @property
    def office(self) -> str:
        return self.spec.name

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

    def lead_signer(self, when: datetime) -> SignerInput:
        return SignerInput(
            role=SignerRole.OFFICER, name=self.lead.full_name, person=self.lead, signed_at=when
        )

    def head_signer(self, when: datetime, person: Person | None = None) -> SignerInput:
        """The agency head (or ``person``) signing as 负责人."""
        head = person or self.agency_head
        return SignerInput(role=SignerRole.HEAD, name=head.full_name, person=head, signed_at=when)

    def party_signer(self, role: str, when: datetime, **kwargs: Any) -> SignerInput:
        return SignerInput(role=role, name=self.party.representative, signed_at=when, **kwargs)

    def doc_no(self, kind: str) -> str:
        return f"{self.spec.short_name}{kind}〔{self.case.year}〕{self.case.sequence}号"

    def device(self, number: int = 1) -> str:
        return f"{self.spec.device_prefix}{number:03d}"

    # --- the law of the case -------------------------------------------------------------------
    @property
    def fine(self) -> Decimal:
        v = self.violation
        if v.fixed_fine is not None:
            return v.fixed_fine
        if v.multiple is None:
            return Decimal("0.00")
        base = max(self.amount, v.min_base) if v.min_base is not None else self.amount
        return (base * v.multiple).quantize(Decimal("0.01"))

    @property
    def money_phrase(self) -> str:
        if self.violation.money == "fund":
            return f"，涉及医保基金{self.amount}元"
        if self.violation.money == "income":
            return f"，违法所得{self.amount}元"
        return ""

    @property
    def facts(self) -> str:
        return (
            f"经查，当事人{self.party.name}于{self.period}期间，{self.violation.conduct}{self.money_phrase}。"
        )

    @property
    def penalty_kinds(self) -> list[str]:
        v = self.violation
        kinds = ["warning"] if v.warning else []
        if self.fine:
            kinds.append("fine")
        if v.money == "income":
            kinds.append("confiscation")
        if v.sanction:
            kinds.append("other")
        return kinds or ["other"]

    @property
    def decision_text(self) -> str:
        v = self.violation
        parts = [text.format(amount=self.amount) for text in orders(v)]
        if v.warning:
            parts.append("给予警告")
        if self.fine:
            parts.append(f"处罚款{self.fine}元")
        if v.sanction:
            parts.append(v.sanction)
        return "；".join(f"{i}.{text}" for i, text in enumerate(parts, start=1)) + "。"

    @property
    def major(self) -> bool:
        """Reviewed by the legal office and decided by collective discussion."""
        return self.has("major")

    # --- writing -------------------------------------------------------------------------------
    def record(
        self,
        code: str,
        data: dict[str, Any],
        signers: list[SignerInput],
        *,
        actor: Person | None = None,
        confidentiality: str = Confidentiality.NORMAL,
        title: str = "",
        files: list[FileInput] | None = None,
    ) -> Record:
        record = create_record(
            actor=actor or self.lead,
            case=self.case,
            record_type=code,
            data=data,
            signers=signers,
            confidentiality=confidentiality,
            title=title,
            files=files or [],
        )
        self.last[code] = record
        return record

    def attach(self, record: Record, files: list[FileInput]) -> None:
        attach_files(actor=self.lead, record=record, files=files)

    def photo_files(self, when: datetime, caption: str) -> list[FileInput]:
        files = []
        for offset, scene in enumerate(self.violation.scenes):
            self.photo_count += 1
            files.append(
                FileInput(
                    source=str(self.agency.media.scenes[scene]),
                    filename=f"IMG_{when:%Y%m%d}_{self.case.sequence:03d}{self.photo_count:02d}.jpg",
                    caption=f"{caption} {offset + 1}：{scene}",
                )
            )
        return files

    def video_file(self, when: datetime, caption: str) -> FileInput:
        return FileInput(
            source=str(self.agency.media.video),
            filename=f"{self.spec.device_prefix.split('-')[0]}_{when:%Y%m%d_%H%M%S}.mp4",
            caption=caption,
        )

    def audio_file(self, when: datetime, caption: str) -> FileInput:
        return FileInput(
            source=str(self.agency.media.audio), filename=f"REC_{when:%Y%m%d_%H%M%S}.m4a", caption=caption
        )

    def av(
        self,
        kind: str,
        data: dict[str, Any],
        files: list[FileInput],
        *,
        document: Record | None = None,
        confidentiality: str = Confidentiality.NORMAL,
    ) -> Record:
        """AV of a step: its own photo/audio/video record, or — where the agency attaches AV to the
        record it documents (``media_inline``) — files on ``document``."""
        if self.spec.media_inline and document is not None:
            self.attach(document, files)
            return document
        if kind in ("video", "audio"):  # AV-4: what the officer said when the recording began
            data = {"opening_statement": list(OPENING_ITEMS), **data}
        return self.record(kind, self.kept(data), [], confidentiality=confidentiality, files=files)

    def kept(self, data: dict[str, Any]) -> dict[str, Any]:
        """AV used as evidence is kept as long as the case file; where the party refused or
        obstructed, for the long term (PL 第十四条、第十五条, BX 第十七条、第十八条)."""
        long_term = self.has("refused") and not self.has("no_long_term")
        return {"used_as_evidence": True, "retention": "long_term" if long_term else "case_file", **data}

    # --- the case ------------------------------------------------------------------------------
    def build(self) -> Case:
        plan = self.plan
        start = Stage.PREPARATION if plan.stage == Stage.PREPARATION or self.has("prep") else Stage.INITIATION
        self.case = open_case(
            actor=self.lead,
            department=self.agency.departments[plan.department],
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
            for step in BRANCH_STEPS.get(plan.branch, ()):
                if step.applies(self):
                    step.run(self)
            self.case = take_branch(
                actor=self.lead, case=self.case, branch=plan.branch, reason=plan.branch_reason
            )
        return self.case


class AgencyBuild:
    """One demo agency: its organisation, then its cases."""

    def __init__(self, spec: AgencySpec, seed: int, media: DemoMedia, today: date) -> None:
        self.spec = spec
        self.faker = Faker(seed + spec.seed_offset, spec.locality)
        self.media = media
        self.today = today
        self.people: dict[str, Person] = {}
        self.departments: dict[str, Department] = {}
        self.agency: Agency

    def build_org(self) -> None:
        spec = self.spec
        admin_spec = spec.staff[0]
        self.agency = create_agency(
            actor=None,
            name=spec.name,
            short_name=spec.short_name,
            policy_pack=spec.pack,
            region_code=spec.region_code,
        )
        admin = create_person(
            actor=None,
            username=admin_spec.username,
            full_name=admin_spec.full_name,
            password=sc.DEMO_PASSWORD,
            agency=self.agency,
            roles=admin_spec.roles,
            phone=self.faker.mobile(),
            is_superuser=admin_spec.superuser,
        )
        self.people[admin.username] = admin
        for name, legal in spec.departments:
            self.departments[name] = create_department(
                actor=admin, agency=self.agency, name=name, is_legal_office=legal
            )
        for number, staff in enumerate(spec.staff[1:], start=1):
            self.people[staff.username] = create_person(
                actor=admin,
                username=staff.username,
                full_name=staff.full_name,
                password=sc.DEMO_PASSWORD,
                agency=self.agency,
                department=self.departments[staff.department] if staff.department else None,
                roles=staff.roles,
                certificate_no=self.faker.certificate_number(number) if staff.certified else None,
                phone=self.faker.mobile(),
                is_superuser=staff.superuser,
            )

    def build_cases(self) -> list[Case]:
        builds = [CaseBuild(self, plan, index) for index, plan in enumerate(self.spec.plans)]
        # Open them in date order, so case numbers run with the filing dates as they would.
        builds.sort(key=lambda build: (build.day0, build.index))
        return [build.build() for build in builds]


def demo_exists() -> bool:
    return Agency.objects.filter(name__in=[spec.name for spec in sc.AGENCIES]).exists()


def build_demo(seed: int = 0) -> bool:
    """Create the demo in the current database and vault; False (and nothing written) if it exists."""
    if demo_exists():
        return False
    sc.check_plans()
    today = timezone.localdate()
    with tempfile.TemporaryDirectory(prefix="liuhen-demo-") as tmp:
        media = _make_media(Path(tmp), seed)
        with atomic_with_blobs():
            if demo_exists():  # created concurrently while the media were being made
                return False
            builds = [AgencyBuild(spec, seed, media, today) for spec in sc.AGENCIES]
            with _demo_password_hashing():
                for build in builds:
                    build.build_org()
            # The deadline rows of each case are brought up to date once, at the end of the build.
            with deferred_deadline_refresh():
                for build in builds:
                    build.build_cases()
    return True


def showcase_case(key: str) -> Case | None:
    """The case a showcase plan (``CasePlan.key``) became, or None if the demo was not built."""
    spec, plan = sc.plan_for(key)
    return (
        Case.objects.filter(
            agency__name=spec.name,
            title__endswith=spec.violations[plan.violation].title,
            stage=plan.stage,
            branch=plan.branch,
            handlers__person__username=plan.handlers[0],
            handlers__is_lead=True,
        )
        .order_by("pk")
        .first()
    )


def demo_showcase() -> list[tuple[sc.Showcase, Case | None]]:
    """Every showcase case with the case it became (for ``liuhen demo`` and the tests)."""
    return [(item, showcase_case(item.key)) for item in sc.SHOWCASE]


__all__ = ["build_demo", "demo_exists", "demo_logins", "demo_showcase", "showcase_case"]
