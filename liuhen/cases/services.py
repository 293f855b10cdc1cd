"""Writes for cases: opening, parties, handlers and guarded stage/branch changes (ST-1)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from liuhen.cases.models import (
    STAGE_ORDER,
    Branch,
    Case,
    CaseHandler,
    CaseNumberCounter,
    CaseType,
    Party,
    PartyKind,
    Procedure,
    Source,
    Stage,
    StageChange,
)
from liuhen.cases.validators import validate_phone, validate_resident_id, validate_uscc
from liuhen.core.sealing import sealed_content
from liuhen.ledger import services as ledger
from liuhen.org.models import Agency, Department, Person, Role

if TYPE_CHECKING:
    from liuhen.policy.findings import Finding
    from liuhen.records.models import Record

MIN_HANDLERS = 2  # 《行政处罚法》(2021) art. 42: no fewer than two officers with certificates.


class TransitionError(ValidationError):
    """A stage change the rules do not allow; the message says why (in Chinese) and cites the basis.

    ``findings``: the policy-pack findings that refused it (empty when a built-in rule did, such
    as the stage order), for the API's structured error."""

    def __init__(self, message: str, *, findings: Sequence[Finding] = ()) -> None:
        super().__init__(message)
        self.findings: tuple[Finding, ...] = tuple(findings)


def _refresh_deadlines(*, case: Case, actor: Person) -> None:
    """Keep the materialised deadlines in step (same transaction as the write)."""
    from liuhen.policy.services import refresh_deadlines

    refresh_deadlines(case=case, actor=actor)


@dataclass(frozen=True)
class PartyInput:
    kind: str
    name: str
    id_number: str = ""
    uscc: str = ""
    legal_representative: str = ""
    address: str = ""
    phone: str = ""


def format_case_number(agency: Agency, year: int, sequence: int) -> str:
    return agency.case_number_pattern.format(short=agency.short_name, year=year, seq=sequence)


def _next_sequence(agency: Agency, year: int) -> int:
    counter, _ = CaseNumberCounter.objects.select_for_update().get_or_create(agency=agency, year=year)
    counter.last += 1
    counter.save(update_fields=["last"])
    return counter.last


def _clean_party(data: PartyInput) -> PartyInput:
    errors: dict[str, list[str]] = {}
    name = data.name.strip()
    if not name:
        errors.setdefault("name", []).append("请填写当事人名称或姓名。")
    id_number, uscc, phone = data.id_number.strip(), data.uscc.strip(), data.phone.strip()
    if data.kind == PartyKind.PERSON:
        if not id_number:
            errors.setdefault("id_number", []).append("自然人当事人须填写身份证号码。")
    elif data.kind == PartyKind.ORGANISATION:
        if not uscc:
            errors.setdefault("uscc", []).append("单位当事人须填写统一社会信用代码。")
    else:
        errors.setdefault("kind", []).append("当事人类别无效。")
    for field, value, validator in (
        ("id_number", id_number, validate_resident_id),
        ("uscc", uscc, validate_uscc),
        ("phone", phone, validate_phone),
    ):
        if value:
            try:
                validator(value)
            except ValidationError as exc:
                errors.setdefault(field, []).extend(exc.messages)
    if errors:
        raise ValidationError(errors)
    return PartyInput(
        kind=data.kind,
        name=name,
        id_number=validate_resident_id(id_number) if id_number else "",
        uscc=validate_uscc(uscc) if uscc else "",
        legal_representative=data.legal_representative.strip(),
        address=data.address.strip(),
        phone=phone,
    )


def _create_party(*, actor: Person, case: Case, data: PartyInput, supersedes: Party | None = None) -> Party:
    party = Party.objects.create(
        case=case,
        kind=data.kind,
        name=data.name,
        id_number=data.id_number,
        uscc=data.uscc,
        legal_representative=data.legal_representative,
        address=data.address,
        phone=data.phone,
        supersedes=supersedes,
        created_by=actor,
        created_at=timezone.now(),
    )
    ledger.append(
        actor=actor,
        action="party.correct" if supersedes else "party.create",
        obj=party,
        case_id=case.pk,
        payload={"content": sealed_content(party)},
    )
    return party


def _create_handler(*, case: Case, person: Person, is_lead: bool, actor: Person) -> CaseHandler:
    handler = CaseHandler.objects.create(
        case=case,
        person=person,
        is_lead=is_lead,
        certificate_no=person.certificate_no or "",
        created_at=timezone.now(),
    )
    ledger.append(
        actor=actor,
        action="case_handler.create",
        obj=handler,
        case_id=case.pk,
        payload={"content": sealed_content(handler)},
    )
    return handler


def open_case(
    *,
    actor: Person,
    department: Department,
    title: str,
    case_type: str,
    procedure: str,
    source: str,
    handlers: Sequence[Person],
    parties: Sequence[PartyInput] = (),
    summary: str = "",
    stage: str = Stage.INITIATION,
    opened_at: datetime | None = None,
    origin: Case | None = None,
) -> Case:
    """Open a case with its number, ≥2 certified handlers (the first is the lead) and its parties."""
    errors: dict[str, list[str]] = {}
    if not title.strip():
        errors["title"] = ["请填写案件名称。"]
    for field, value, choices in (
        ("case_type", case_type, CaseType.values),
        ("procedure", procedure, Procedure.values),
        ("source", source, Source.values),
    ):
        if value not in choices:
            errors[field] = ["请选择有效的选项。"]
    if stage not in (Stage.PREPARATION, Stage.INITIATION):
        errors["stage"] = ["新案件只能从“事前准备”或“程序启动”阶段开始。"]
    unique_handlers = list(dict.fromkeys(handlers))
    if len(unique_handlers) < MIN_HANDLERS:
        errors["handlers"] = ["承办人员不得少于两人（《行政处罚法》第四十二条）。"]
    for person in unique_handlers:
        if not person.certificate_no or not person.has_role(Role.OFFICER):
            errors.setdefault("handlers", []).append(f"{person.full_name} 未持有执法证，不能承办案件。")
        if person.agency_id != department.agency_id:
            errors.setdefault("handlers", []).append(f"{person.full_name} 不属于本机关。")
    cleaned_parties: list[PartyInput] = []
    for index, party in enumerate(parties):
        try:
            cleaned_parties.append(_clean_party(party))
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                errors.setdefault(f"parties[{index}].{field}", []).extend(messages)
    if errors:
        raise ValidationError(errors)

    agency = department.agency
    now = opened_at or timezone.now()
    year = timezone.localtime(now).year
    with transaction.atomic():
        sequence = _next_sequence(agency, year)
        case = Case.objects.create(
            agency=agency,
            department=department,
            number=format_case_number(agency, year, sequence),
            year=year,
            sequence=sequence,
            title=title.strip(),
            case_type=case_type,
            procedure=procedure,
            source=source,
            summary=summary.strip(),
            stage=stage,
            origin=origin,
            created_by=actor,
            created_at=now,
        )
        ledger.append(
            actor=actor,
            action="case.open",
            obj=case,
            case_id=case.pk,
            payload={"content": sealed_content(case)},
        )
        _record_stage_change(actor=actor, case=case, from_stage="", to_stage=stage, branch="", reason="")
        for index, person in enumerate(unique_handlers):
            _create_handler(case=case, person=person, is_lead=index == 0, actor=actor)
        for party in cleaned_parties:
            _create_party(actor=actor, case=case, data=party)
        _refresh_deadlines(case=case, actor=actor)
    return case


def open_case_for_unrectified(
    *, actor: Person, reinspection: Record, handlers: Sequence[Person] = (), title: str = ""
) -> Case:
    """FU-1: the re-inspection found the party had not rectified, so a new case is opened.

    The new case points at the original (``origin``), starts in 程序启动 as an ex-officio penalty
    case under the general procedure, takes over the parties and (unless others are named) the
    certified handlers, and both cases' ledger trails record the link."""
    original = reinspection.case
    if reinspection.record_type != "reinspection_record" or original is None:
        raise ValidationError("只能依据复查记录另行立案。")
    if type(reinspection).objects.filter(supersedes=reinspection).exists():
        raise ValidationError("该复查记录已被更正，请依据最新版本另行立案。")
    data = reinspection.fields
    if data.get("rectified") is not False:
        raise ValidationError("复查记录载明已整改到位，无需另行立案。")
    if Case.objects.filter(origin=original, created_at__gte=reinspection.created_at).exists():
        raise ValidationError("已就该次复查另行立案。")
    people = list(handlers) or [
        h.person for h in original.handlers.select_related("person").order_by("-is_lead", "pk")
    ]
    parties = [
        PartyInput(
            kind=p.kind,
            name=p.name,
            id_number=p.id_number,
            uscc=p.uscc,
            legal_representative=p.legal_representative,
            address=p.address,
            phone=p.phone,
        )
        for p in original.parties.filter(superseded_by__isnull=True).order_by("pk")
    ]
    findings = str(data.get("findings") or "").strip()
    with transaction.atomic():
        case = open_case(
            actor=actor,
            department=original.department,
            title=title.strip() or f"{original.title}（复查未整改，另行立案）",
            case_type=CaseType.PENALTY,
            procedure=Procedure.GENERAL,
            source=Source.EX_OFFICIO,
            handlers=people,
            parties=parties,
            summary=f"经对{original.number}案复查，当事人未整改到位：{findings}",
            origin=original,
        )
        ledger.append(
            actor=actor,
            action="case.followup_case",
            obj=original,
            case_id=original.pk,
            payload={"new_case": case.number, "new_case_id": case.pk, "reinspection_id": reinspection.pk},
        )
    return case


def add_party(*, actor: Person, case: Case, data: PartyInput) -> Party:
    cleaned = _clean_party(data)
    with transaction.atomic():
        party = _create_party(actor=actor, case=case, data=cleaned)
        _refresh_deadlines(case=case, actor=actor)  # a rule may apply to one kind of party only
    return party


def correct_party(*, actor: Person, party: Party, data: PartyInput) -> Party:
    """A correction is a new row pointing at the one it supersedes (principle 1)."""
    if Party.objects.filter(supersedes=party).exists():
        raise ValidationError("该当事人信息已被更正，请在最新版本上更正。")
    cleaned = _clean_party(data)
    with transaction.atomic():
        corrected = _create_party(actor=actor, case=party.case, data=cleaned, supersedes=party)
        _refresh_deadlines(case=party.case, actor=actor)
    return corrected


def _record_stage_change(
    *, actor: Person, case: Case, from_stage: str, to_stage: str, branch: str, reason: str
) -> StageChange:
    change = StageChange.objects.create(
        case=case,
        from_stage=from_stage,
        to_stage=to_stage,
        branch=branch,
        reason=reason,
        actor=actor,
        changed_at=timezone.now(),
    )
    ledger.append(
        actor=actor,
        action="case.branch" if branch else "case.stage",
        obj=change,
        case_id=case.pk,
        payload={"content": sealed_content(change)},
    )
    return change


# Allowed moves besides "one step forward": back to investigation from review (e.g. the legal
# review asks for more investigation), and skipping the optional follow-up.
_EXTRA_TRANSITIONS: dict[str, set[str]] = {Stage.REVIEW: {Stage.INVESTIGATION}}


def allowed_next_stages(case: Case) -> list[str]:
    if case.branch:
        return []
    index = STAGE_ORDER.index(case.stage)
    nxt = [STAGE_ORDER[index + 1]] if index + 1 < len(STAGE_ORDER) else []
    return nxt + sorted(_EXTRA_TRANSITIONS.get(case.stage, set()))


def transition_precondition(case: Case, to_stage: str) -> str:
    """Why the built-in rules (not the policy packs) refuse moving ``case`` to ``to_stage``; ""
    when they allow it. The case page shows it on the button before anyone clicks."""
    if case.branch:
        return f"案件已{Branch(case.branch).label}，不能再变更阶段。"
    if to_stage not in allowed_next_stages(case):
        return f"不能从“{Stage(case.stage).label}”直接进入“{Stage(to_stage).label}”（ST-1 阶段顺序）。"
    if to_stage == Stage.INVESTIGATION and not case.parties.exists():
        return "进入调查取证前须登记当事人。"
    return ""


def _check_transition(case: Case, to_stage: str) -> None:
    problem = transition_precondition(case, to_stage)
    if problem:
        raise TransitionError(problem)
    # The law itself (≥2 certified officers, art. 42, …): the agency's policy packs decide.
    from liuhen.policy.selectors import blocking_message, transition_blockers

    blockers = transition_blockers(case, to_stage)
    if blockers:
        raise TransitionError(
            blocking_message(blockers, f"不能进入“{Stage(to_stage).label}”"), findings=blockers
        )


def change_stage(*, actor: Person, case: Case, to_stage: str, reason: str = "") -> Case:
    """Move a case to another stage after the guards pass; the change is recorded and ledgered."""
    with transaction.atomic():
        locked = Case.objects.select_for_update().get(pk=case.pk)
        _check_transition(locked, to_stage)
        _record_stage_change(
            actor=actor, case=locked, from_stage=locked.stage, to_stage=to_stage, branch="", reason=reason
        )
        Case.objects.filter(pk=locked.pk).update(stage=to_stage)
        locked.stage = to_stage
        _refresh_deadlines(case=locked, actor=actor)
    return locked


_BRANCH_STAGES: dict[str, set[str]] = {
    Branch.NOT_FILED: {Stage.PREPARATION, Stage.INITIATION},
    Branch.TRANSFERRED: {Stage.INITIATION, Stage.INVESTIGATION},
    Branch.REFERRED_POLICE: {Stage.INITIATION, Stage.INVESTIGATION, Stage.REVIEW},
    Branch.REVOKED: {Stage.PREPARATION, Stage.INITIATION, Stage.INVESTIGATION, Stage.REVIEW, Stage.SERVICE},
}


def allowed_branches(case: Case) -> list[str]:
    """The branches the case's current stage allows (none once it took one)."""
    if case.branch:
        return []
    return [b for b in Branch.values if b and case.stage in _BRANCH_STAGES.get(b, set())]


def take_branch(*, actor: Person, case: Case, branch: str, reason: str) -> Case:
    """不予立案 / 移送管辖 / 移送公安 / 撤销: ends the ordinary flow; a reason is required (IN-3, IN-4)."""
    if branch not in _BRANCH_STAGES:
        raise TransitionError("无效的分支。")
    if not reason.strip():
        raise TransitionError("请填写理由。")
    with transaction.atomic():
        locked = Case.objects.select_for_update().get(pk=case.pk)
        if locked.branch:
            raise TransitionError(f"案件已{Branch(locked.branch).label}。")
        if locked.stage not in _BRANCH_STAGES[branch]:
            raise TransitionError(f"“{Stage(locked.stage).label}”阶段不能{Branch(branch).label}。")
        from liuhen.policy.selectors import blocking_message, branch_blockers

        blockers = branch_blockers(locked, branch)
        if blockers:
            raise TransitionError(
                blocking_message(blockers, f"不能{Branch(branch).label}"), findings=blockers
            )
        _record_stage_change(
            actor=actor,
            case=locked,
            from_stage=locked.stage,
            to_stage=locked.stage,
            branch=branch,
            reason=reason,
        )
        Case.objects.filter(pk=locked.pk).update(branch=branch)
        locked.branch = branch
        _refresh_deadlines(case=locked, actor=actor)
    return locked
