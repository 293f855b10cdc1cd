"""Reads for legal review (LR-1..9): whether a draft decision is major and why, whether a decision
may be made (the LR-7 gate the record services call), the legal office's queue with due dates, the
overdue alerts, and who may do what.

Scoping follows ``cases.selectors``: a review is visible to whoever may see its case (the legal
office and the agency head see every case of their agency); what a person may not see is a 404.
The majorness and the gate are system reads: they look at every current record of the case,
whatever its confidentiality, because the law asks about the decision, not about the viewer.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db.models import Exists, OuterRef, QuerySet
from django.http import Http404
from django.utils import timezone

from liuhen.cases.models import Branch, Case, PartyKind, Stage
from liuhen.cases.selectors import can_write_case, cases_visible_to
from liuhen.org.models import Agency, Person, Role
from liuhen.policy.reviewconfig import Benchmark, ReviewConfig
from liuhen.policy.schema import review_config_for
from liuhen.records.catalogue import catalogue
from liuhen.records.models import Record, SignerRole
from liuhen.review.models import (
    CheckItem,
    ChecklistEntry,
    CollectiveDecision,
    DeliberationRoom,
    DiscretionCheck,
    MajorDispute,
    Objection,
    ObjectionRequest,
    OpinionType,
    Position,
    Question,
    ReReview,
    Submission,
)

# Records the legal office writes into a case it does not handle (LR-2, LR-5, LR-8).
LEGAL_OFFICE_RECORD_TYPES = ("case_file_handover", "legal_review_opinion", "decision_filing")
# Decisions the agency head signs (DC-3) and that a major case may not have without review (LR-7).
DECISION_TYPES = ("penalty_decision", "no_penalty_decision")
# What the collective discussion must have decided to override a disagreeing opinion (LR-6).
_COLLECTIVE_OUTCOMES = {
    "penalty_decision": ("penalty",),
    "no_penalty_decision": ("no_penalty", "not_established"),
}
# Records that are the review itself, not materials of the case file.
_NOT_MATERIALS = {*LEGAL_OFFICE_RECORD_TYPES}
REQUIRED_ITEMS = (
    CheckItem.SUBJECT,
    CheckItem.FACTS,
    CheckItem.PROCEDURE,
    CheckItem.LAW,
    CheckItem.CHARACTERISATION,
    CheckItem.CONTENT,
)


# --- who may do what ---------------------------------------------------------------------------


def _active_in(person: Person, agency_id: int) -> bool:
    return bool(person.is_authenticated and person.is_active and person.agency_id == agency_id)


def is_legal_reviewer(person: Person, case: Case) -> bool:
    """The legal office (法制机构) reviews the agency's major decisions."""
    return _active_in(person, case.agency_id) and person.has_role(Role.LEGAL_REVIEWER)


def is_agency_head(person: Person, case: Case) -> bool:
    return _active_in(person, case.agency_id) and person.has_role(Role.AGENCY_HEAD)


def may_record_for_review(person: Person, case: Case, record_type: str) -> bool:
    """Besides the case's own writers (``cases.selectors.can_write_case``): the legal office writes
    the 案卷移交清单, the 法制审核意见书 and the filing register; the agency head signs decisions
    (DC-3). Called by ``records.services`` before any record write."""
    if record_type in LEGAL_OFFICE_RECORD_TYPES and is_legal_reviewer(person, case):
        return True
    # The agency head decides (DC-3) and chairs the collective study of LR-6 (HY-FS 第十条).
    return record_type in (*DECISION_TYPES, "collective_discussion") and is_agency_head(person, case)


def may_record_after_branch(case: Case, record_type: str) -> bool:
    """A revoked case still files the revocation with the legal office within 10 days (LR-8,
    HY-FS 第十二条第二款); nothing else is recorded once a case took a branch."""
    return case.branch == Branch.REVOKED and record_type == "decision_filing"


def sees_workspace(person: Person) -> bool:
    """The legal office's workspace: legal reviewers and the agency head."""
    return bool(
        person.is_authenticated
        and person.is_active
        and person.agency_id is not None
        and person.has_role(Role.LEGAL_REVIEWER, Role.AGENCY_HEAD)
    )


# --- majorness (LR-1) ----------------------------------------------------------------------------


def review_config(agency: Agency) -> ReviewConfig | None:
    """The ``[review]`` tables of the agency's packs, merged (``None``: no pack has one)."""
    return review_config_for(agency.policy_pack)


@dataclass(frozen=True)
class Reason:
    kind: str
    label: str
    citation: str
    judgement: bool = False  # settled by consultation (HY-FS 第四条第二款), not by an amount


@dataclass(frozen=True)
class Draft:
    """The values of the draft decision that LR-1 reads (``None`` = not stated)."""

    report: Record | None
    notice: Record | None
    party_kind: str
    fine: Decimal | None
    confiscation: Decimal | None
    late_fee_per_day: Decimal | None
    arrears_transfer: Decimal | None
    circumstances_conflict: bool
    opinions_differ: bool
    complex_case: bool
    loss_amount: Decimal | None
    benchmark_entry: str

    @property
    def exists(self) -> bool:
        return self.report is not None


@dataclass(frozen=True)
class Assessment:
    """Whether the draft decision of a case is major (LR-1), and why."""

    config: ReviewConfig | None
    draft: Draft
    reasons: tuple[Reason, ...]
    set_aside: tuple[Reason, ...]  # judgement reasons the consultation found not to apply
    open_disputes: tuple[MajorDispute, ...]
    resolved_disputes: tuple[MajorDispute, ...]

    @property
    def major(self) -> bool:
        return bool(self.reasons)

    @property
    def disputed(self) -> bool:
        """Someone holds that it is major and the consultation has not settled it yet."""
        return any(d.position == Position.MAJOR for d in self.open_disputes)

    @property
    def citations(self) -> list[str]:
        return list(dict.fromkeys(r.citation for r in self.reasons))

    @property
    def consultation_citation(self) -> str:
        return self.config.consultation_citation if self.config else ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "major": self.major,
            "disputed": self.disputed,
            "reasons": [{"kind": r.kind, "label": r.label, "citation": r.citation} for r in self.reasons],
            "set_aside": [{"kind": r.kind, "label": r.label, "citation": r.citation} for r in self.set_aside],
            "has_draft": self.draft.exists,
        }


def _money(value: Any) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value).replace(",", ""))
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def _yuan(value: Decimal) -> str:
    return f"{value.quantize(Decimal('0.01')):f}"


def current_records(case: Case) -> QuerySet[Record]:
    """The case's current record versions (system read, every confidentiality)."""
    return Record.objects.filter(case=case).filter(~Exists(Record.objects.filter(supersedes=OuterRef("pk"))))


def _latest(records: Iterable[Record], record_type: str) -> Record | None:
    found = [r for r in records if r.record_type == record_type]
    return max(found, key=lambda r: (r.created_at, r.pk)) if found else None


def draft_of(case: Case, decision_data: Mapping[str, Any] | None = None) -> Draft:
    """The draft decision: the current 案件调查终结报告 (proposed penalty, HY-FS-2 fields), the
    advance notice's proposed amount, and — when a decision is being made — its own amounts."""
    records = list(current_records(case).only("pk", "record_type", "data", "created_at"))
    report = _latest(records, "investigation_report")
    notice = _latest(records, "advance_notice")
    rdata = report.fields if report else {}
    ndata = notice.fields if notice else {}
    ddata = dict(decision_data or {})
    fines = [
        _money(rdata.get("fine_amount")),
        _money(ndata.get("proposed_amount")),
        _money(ddata.get("fine_amount")),
    ]
    confiscations = [_money(rdata.get("confiscation_amount")), _money(ddata.get("confiscation_amount"))]
    party_kind = str(ddata.get("party_kind") or rdata.get("party_kind") or "")
    if not party_kind:
        kinds = set(case.parties.filter(superseded_by__isnull=True).values_list("kind", flat=True))
        party_kind = PartyKind.ORGANISATION if PartyKind.ORGANISATION in kinds else next(iter(kinds), "")
    return Draft(
        report=report,
        notice=notice,
        party_kind=party_kind,
        fine=max((f for f in fines if f is not None), default=None),
        confiscation=max((c for c in confiscations if c is not None), default=None),
        late_fee_per_day=_money(rdata.get("late_fee_per_day")),
        arrears_transfer=_money(rdata.get("transfer_amount")),
        circumstances_conflict=rdata.get("circumstances_conflict") is True,
        opinions_differ=rdata.get("opinions_differ") is True,
        complex_case=any(r.fields.get("complex_case") is True for r in records),
        loss_amount=_money(rdata.get("loss_amount")),
        benchmark_entry=str(rdata.get("benchmark_entry") or ""),
    )


def _threshold_reasons(config: ReviewConfig, draft: Draft) -> list[Reason]:
    reasons: list[Reason] = []
    fine_kind = {"person": "fine_person", "organisation": "fine_organisation"}.get(draft.party_kind)
    values: list[tuple[str, Decimal | None, str]] = [
        (fine_kind or "", draft.fine, "拟罚款"),
        ("confiscation", draft.confiscation, "拟没收"),
        ("late_fee_per_day", draft.late_fee_per_day, "拟加收滞纳金每日"),
        ("arrears_transfer", draft.arrears_transfer, "拟划拨"),
    ]
    for kind, amount, what in values:
        threshold = config.threshold(kind) if kind else None
        if threshold is not None and amount is not None and amount >= threshold.min:
            reasons.append(Reason(kind, f"{threshold.label}（{what}{_yuan(amount)}元）", threshold.citation))
    return reasons


def assess(case: Case, decision_data: Mapping[str, Any] | None = None) -> Assessment:
    """LR-1 under the agency's packs: amount thresholds and circumstances of the draft decision,
    then the consultation on any dispute (HY-FS 第四条第二款). A consultation can find a decision
    major, or set aside a judgement (重大、复杂、疑难); it does not move an amount threshold."""
    config = review_config(case.agency)
    draft = draft_of(case, decision_data)
    disputes = list(
        MajorDispute.objects.filter(case=case)
        .select_related("raised_by", "resolution")
        .order_by("raised_at", "pk")
    )
    resolved = [d for d in disputes if hasattr(d, "resolution")]
    open_ = [d for d in disputes if not hasattr(d, "resolution")]
    reasons: list[Reason] = []
    if config is not None:
        reasons += _threshold_reasons(config, draft)
        for kind, present in (
            ("circumstances_conflict", draft.circumstances_conflict),
            ("opinions_differ", draft.opinions_differ),
            ("complex_case", draft.complex_case),
        ):
            flag = config.flag(kind)
            if flag is not None and present:
                reasons.append(Reason(kind, flag.label, flag.citation, judgement=kind == "complex_case"))
    set_aside: list[Reason] = []
    if resolved:
        latest = max(resolved, key=lambda d: (d.resolution.resolved_at, d.resolution.pk))
        citation = config.consultation_citation if config else ""
        if latest.resolution.major:
            reasons.append(
                Reason(
                    "consultation",
                    "经承办科室（单位）会同法制机构协商确定为重大执法决定",
                    citation,
                    judgement=True,
                )
            )
        else:
            set_aside = [r for r in reasons if r.judgement]
            reasons = [r for r in reasons if not r.judgement]
    return Assessment(
        config=config,
        draft=draft,
        reasons=tuple(reasons),
        set_aside=tuple(set_aside),
        open_disputes=tuple(open_),
        resolved_disputes=tuple(resolved),
    )


# --- the decision gate (LR-7) --------------------------------------------------------------------


def _people_with(case: Case, role: str) -> set[int]:
    return set(
        Person.objects.filter(agency_id=case.agency_id, is_active=True, roles__role=role).values_list(
            "pk", flat=True
        )
    )


def _signed_by(record: Record, signer_role: str, people: set[int]) -> bool:
    """A non-refused signature in ``signer_role`` by one of ``people`` (a name alone is not enough:
    anyone can type a name)."""
    return any(
        s.role == signer_role and not s.refused and s.person_id in people for s in record.signers.all()
    )


def latest_opinion(case: Case) -> Record | None:
    """The case's latest 法制审核意见书 signed in the system by one of the agency's legal reviewers
    (current versions only). An opinion typed in by the department without the reviewer's own
    signature does not count until the reviewer signs it."""
    reviewers = _people_with(case, Role.LEGAL_REVIEWER)
    opinions = [
        r
        for r in current_records(case).filter(record_type="legal_review_opinion").prefetch_related("signers")
        if _signed_by(r, SignerRole.REVIEWER, reviewers)
    ]
    if not opinions:
        return None
    return max(opinions, key=lambda r: (str(r.fields.get("issued_on") or ""), r.created_at, r.pk))


@dataclass(frozen=True)
class Gate:
    """May a decision of ``record_type`` be made now? ``message`` says why not (with citations), or,
    when allowed for a major case, on what basis."""

    record_type: str
    assessment: Assessment
    allowed: bool
    message: str
    opinion: Record | None = None
    override: Record | None = None

    @property
    def required(self) -> bool:
        return self.assessment.major or self.assessment.disputed


def decision_gate(
    case: Case, record_type: str = "penalty_decision", data: Mapping[str, Any] | None = None
) -> Gate:
    """LR-7 (HY-FS 第十四条; 行政处罚法 第五十八条): a major decision needs the legal office's
    "agree" opinion (signed by a legal reviewer in the system), or — after a disagreeing opinion —
    the collective discussion that decided it (LR-6, HY-FS 第十条; signed by the agency head among
    the attendees). An open dispute about majorness must be settled first."""
    assessment = assess(case, data)
    name = catalogue().get(record_type).name
    config = assessment.config
    block = config.block_citation if config else ""
    if assessment.disputed:
        citation = assessment.consultation_citation
        return Gate(
            record_type,
            assessment,
            False,
            f"不能作出{name}：是否属于重大执法决定尚有异议，须由承办科室（单位）会同法制机构协商确定"
            f"（依据：{citation}）",
        )
    if not assessment.major:
        return Gate(record_type, assessment, True, "")
    opinion = latest_opinion(case)
    citations = "、".join(dict.fromkeys([*assessment.citations, block]))
    reasons = "；".join(r.label for r in assessment.reasons)
    if opinion is not None and opinion.fields.get("opinion_type") == OpinionType.AGREE:
        return Gate(record_type, assessment, True, "法制审核已出具同意意见。", opinion=opinion)
    if opinion is not None:
        override = collective_override(case, opinion, record_type)
        if override is not None:
            return Gate(
                record_type,
                assessment,
                True,
                "法制审核意见经重新审核仍有分歧，经本部门集体研究决定（LR-6，HY-FS 第十条）。",
                opinion=opinion,
                override=override,
            )
        kind = str(opinion.fields.get("opinion_type") or "")
        label = OpinionType(kind).label if kind in OpinionType.values else kind
        state = (
            f"法制审核意见为“{label}”，未同意，须按审核意见处理后重新送审，或提出异议要求重新审核、"
            "对重新审核意见仍有异议的提请集体研究决定"
        )
    else:
        state = "未经法制审核并出具同意意见"
    return Gate(
        record_type,
        assessment,
        False,
        f"不能作出{name}：本案拟作出的决定属重大执法决定（{reasons}），{state}（依据：{citations}）",
        opinion=opinion,
    )


def decision_refusal(case: Case, record_type: str, data: Mapping[str, Any]) -> str:
    """ "" when a record of ``record_type`` with ``data`` may be made, else the refusal with its
    citation. ``records.services`` calls this before creating or correcting any record: LR-7 for
    decisions, and the hearing notice's 7 working days (DC-2, 行政处罚法 第六十四条第（二）项)."""
    if record_type == "hearing_notice":
        return hearing_notice_refusal(case, data)
    if record_type not in DECISION_TYPES:
        return ""
    gate = decision_gate(case, record_type, data)
    return "" if gate.allowed else gate.message


# --- objection, re-review, collective study (LR-6, HY-FS 第十条) -------------------------------------


def _current_version(record: Record) -> Record:
    """The current version of ``record``'s series."""
    found = current_records_of_series(record.series).first()
    return found if found is not None else record


def current_records_of_series(series: Any) -> QuerySet[Record]:
    return Record.objects.filter(series=series).filter(
        ~Exists(Record.objects.filter(supersedes=OuterRef("pk")))
    )


def attendee_signatures_complete(record: Record) -> tuple[bool, list[str]]:
    """(every listed attendee signed, the names still missing) on this version (DC-3: 全体参与讨论人员签字)."""
    attendees = [str(a.get("name") or "").strip() for a in record.fields.get("attendees") or []]
    signed = {s.name for s in record.signers.all() if s.role == SignerRole.ATTENDEE and not s.refused}
    missing = [name for name in attendees if name and name not in signed]
    return not missing and bool(attendees), missing


def collective_override(case: Case, opinion: Record, record_type: str) -> Record | None:
    """The collective discussion that overrides a disagreeing ``opinion`` for a decision of
    ``record_type`` (LR-6): a :class:`CollectiveDecision` on the department's objection to this very
    opinion (a re-review's, HY-FS 第十条), whose discussion record — its current version — decided
    that outcome, is signed by every attendee and by the agency head among them."""
    outcomes = _COLLECTIVE_OUTCOMES.get(record_type, ())
    heads = _people_with(case, Role.AGENCY_HEAD)
    rows = CollectiveDecision.objects.filter(
        objection__opinion_record=opinion,
        objection__case=case,
        objection__request=ObjectionRequest.COLLECTIVE,
    ).select_related("record")
    for row in rows:
        current = _current_version(row.record)
        if current.fields.get("decision") not in outcomes:
            continue
        complete, _ = attendee_signatures_complete(current)
        if complete and _signed_by(current, SignerRole.ATTENDEE, heads):
            return current
    return None


def opinion_records(case: Case) -> list[Record]:
    """The case's current 法制审核意见书 signed by a legal reviewer, oldest first."""
    reviewers = _people_with(case, Role.LEGAL_REVIEWER)
    found = [
        r
        for r in current_records(case).filter(record_type="legal_review_opinion").prefetch_related("signers")
        if _signed_by(r, SignerRole.REVIEWER, reviewers)
    ]
    return sorted(found, key=lambda r: (str(r.fields.get("issued_on") or ""), r.created_at, r.pk))


def is_re_review(record: Record) -> bool:
    return ReReview.objects.filter(record__series=record.series).exists()


def objection_request_for(record: Record) -> str:
    """What an objection to this opinion asks for: the first opinion → re-review; the re-review's →
    collective study (HY-FS 第十条)."""
    return ObjectionRequest.COLLECTIVE if is_re_review(record) else ObjectionRequest.RE_REVIEW


@dataclass(frozen=True)
class DisagreementStep:
    """One step of LR-6 on the case page."""

    opinion: Record
    re_review: bool
    objection: Objection | None
    answer: ReReview | None
    collective: CollectiveDecision | None

    @property
    def opinion_label(self) -> str:
        kind = str(self.opinion.fields.get("opinion_type") or "")
        return str(OpinionType(kind).label) if kind in OpinionType.values else kind

    @property
    def opinion_text(self) -> str:
        return str(self.opinion.fields.get("opinion") or "")

    @property
    def issued_on(self) -> str:
        return str(self.opinion.fields.get("issued_on") or "")


@dataclass(frozen=True)
class Disagreement:
    """The LR-6 state of a case: its opinions (first and re-review), the objections and what came of
    them, and what may be done next."""

    steps: tuple[DisagreementStep, ...]
    latest: Record | None
    next_action: str  # "", "object", "re_review", "collective"
    pending: Objection | None

    @property
    def next_label(self) -> str:
        return {
            "object": "承办科室（单位）可以对审核意见提出异议",
            "re_review": "待法制机构重新审核",
            "collective": "待本部门集体研究",
        }.get(self.next_action, "")


def disagreement_of(case: Case) -> Disagreement:
    opinions = opinion_records(case)
    objections = {
        o.opinion_record_id: o
        for o in Objection.objects.filter(case=case).select_related("raised_by", "re_review", "collective")
    }
    steps: list[DisagreementStep] = []
    for record in opinions:
        objection = objections.get(record.pk)
        steps.append(
            DisagreementStep(
                opinion=record,
                re_review=is_re_review(record),
                objection=objection,
                answer=getattr(objection, "re_review", None) if objection else None,
                collective=getattr(objection, "collective", None) if objection else None,
            )
        )
    latest = opinions[-1] if opinions else None
    next_action, pending = "", None
    if latest is not None:
        last = steps[-1]
        if last.objection is None:
            if latest.fields.get("opinion_type") != OpinionType.AGREE:
                next_action = "object"
        elif last.objection.request == ObjectionRequest.RE_REVIEW and last.answer is None:
            next_action, pending = "re_review", last.objection
        elif last.objection.request == ObjectionRequest.COLLECTIVE and last.collective is None:
            next_action, pending = "collective", last.objection
    return Disagreement(steps=tuple(steps), latest=latest, next_action=next_action, pending=pending)


def designated_rooms(agency: Agency) -> list[DeliberationRoom]:
    """The agency's designated rooms for 合议 / collective discussion (DC-5): the latest designation
    of each name, unless it was withdrawn."""
    latest: dict[str, DeliberationRoom] = {}
    for room in DeliberationRoom.objects.filter(agency=agency).order_by("designated_at", "pk"):
        latest[room.name] = room
    return [room for room in latest.values() if not room.withdrawn]


# --- advance notice, statement and defence, hearing (DC-1, DC-2) --------------------------------

# The baseline's rules that carry the periods (looked up by shape, with the law's values as fallback).
_HEARING_REQUEST = ("record:hearing_notice.issued_on", 5, "working", "行政处罚法 第六十四条第（一）项")
_HEARING_NOTICE = ("record:hearing_notice.issued_on", -7, "working", "行政处罚法 第六十四条第（二）项")


@dataclass(frozen=True)
class Period:
    days: int
    unit: str
    citation: str
    deadline: Any

    @property
    def text(self) -> str:
        unit = "个工作日" if self.unit == "working" else "日"
        return f"{abs(self.days)}{unit}"


def _hearing_period(agency: Agency, *, notice: bool) -> Period:
    """The hearing-request period (from the notice of the right) or the hearing-notice period
    (before the hearing), as the agency's packs state them (baseline 行政处罚法 第六十四条)."""
    from liuhen.policy.rules import Deadline
    from liuhen.policy.selectors import packs_of_agency

    for pack in packs_of_agency(agency):
        for rule in pack.rules:
            d = rule.deadline
            if d is None or rule.when.record_type != "hearing_notice":
                continue
            if notice and d.days < 0 and "record:hearing_notice.issued_on" in d.until:
                return Period(d.days, d.unit, rule.citation, d)
            if not notice and d.days > 0 and "record:hearing_notice.issued_on" in d.start:
                return Period(d.days, d.unit, rule.citation, d)
    anchor, days, unit, citation = _HEARING_NOTICE if notice else _HEARING_REQUEST
    return Period(days, unit, citation, Deadline(start=(anchor,), days=days, unit=unit, until=(anchor,)))


def hearing_request_period(agency: Agency) -> Period:
    return _hearing_period(agency, notice=False)


def hearing_notice_period(agency: Agency) -> Period:
    return _hearing_period(agency, notice=True)


def as_local_datetime(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, date):
        parsed = datetime.combine(value, time(12))
    elif isinstance(value, str) and value:
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            return None
    else:
        return None
    return timezone.localtime(timezone.make_aware(parsed) if timezone.is_naive(parsed) else parsed)


def period_end(agency: Agency, period: Period, anchor: Any) -> date | None:
    """The last day of ``period`` counted from ``anchor`` on the agency's calendar, exactly as the
    compliance engine counts it (``policy.periods.due_at``)."""
    from liuhen.policy.periods import due_at
    from liuhen.policy.selectors import calendar_of_agency

    start = as_local_datetime(anchor)
    if start is None:
        return None
    last, _ = due_at(period.deadline, start, calendar_of_agency(agency))
    return last.date()


def hearing_notice_refusal(case: Case, data: Mapping[str, Any]) -> str:
    """A hearing notice (听证通知, ``notice_kind = schedule``) dated later than the period before the
    hearing (7 working days, 行政处罚法 第六十四条第（二）项 and 第八十五条) is refused."""
    if data.get("notice_kind") != "schedule":
        return ""
    hearing_at = as_local_datetime(data.get("hearing_at"))
    issued = as_local_datetime(data.get("issued_on"))
    if hearing_at is None or issued is None:
        return ""
    period = hearing_notice_period(case.agency)
    latest = period_end(case.agency, period, hearing_at)
    if latest is None or issued.date() <= latest:
        return ""
    return (
        f"不能制作听证通知书：应当在举行听证的{period.text}前通知当事人听证的时间、地点；"
        f"{hearing_at:%Y-%m-%d %H:%M}举行听证的，最迟应于{latest:%Y-%m-%d}通知，"
        f"通知日期为{issued:%Y-%m-%d}（依据：{period.citation}）"
    )


def latest_record(case: Case, record_type: str, **field_values: Any) -> Record | None:
    """The case's latest current record of ``record_type`` whose fields hold ``field_values``
    (a list field "holds" a value it contains)."""
    found = []
    for record in current_records(case).filter(record_type=record_type):
        data = record.fields
        ok = True
        for name, value in field_values.items():
            got = data.get(name)
            ok = ok and (value in got if isinstance(got, list) else got == value)
        if ok:
            found.append(record)
    return max(found, key=lambda r: (r.created_at, r.pk)) if found else None


def hearing_right_notice(case: Case) -> Record | None:
    """The notice that told the party of the right to a hearing: the 听证告知书, or else the advance
    notice listing the hearing right."""
    return latest_record(case, "hearing_notice", notice_kind="right") or latest_record(
        case, "advance_notice", rights="hearing"
    )


# --- review rounds, due dates, the queue (LR-2, LR-3) -----------------------------------------


STATUS_LABELS = {
    "submitted": "待登记收案",
    "in_review": "审核中",
    "opinion": "已出具意见，待退还案卷",
    "returned": "已退还案卷",
}


@dataclass
class ReviewRow:
    submission: Submission
    status: str
    due: date | None = None
    provisional: bool = False
    overdue: bool = False
    late: bool = False
    extension_days: int = 0

    @property
    def case(self) -> Case:
        return self.submission.case

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]

    @property
    def receipt(self) -> Any:
        return getattr(self.submission, "receipt", None)

    @property
    def opinion(self) -> Any:
        receipt = self.receipt
        return getattr(receipt, "opinion", None) if receipt is not None else None


def _status(submission: Submission) -> str:
    receipt = getattr(submission, "receipt", None)
    if receipt is None:
        return "submitted"
    if hasattr(receipt, "file_return"):
        return "returned"
    if hasattr(receipt, "opinion"):
        return "opinion"
    return "in_review"


def due_of(receipt: Any, config: ReviewConfig | None, calendar: Any) -> tuple[date | None, bool, int]:
    """(due date, provisional, extension days): the pack's review period in working days from the
    day of receipt (LR-3), plus the extension."""
    if config is None or config.review_days is None:
        return None, False, 0
    extension = getattr(receipt, "extension", None)
    extra = extension.working_days if extension is not None else 0
    received = timezone.localdate(receipt.received_at)
    due = calendar.add_working_days(received, config.review_days + extra)
    return due.date, due.provisional, extra


def _rows(submissions: Iterable[Submission], today: date) -> list[ReviewRow]:
    from liuhen.policy.selectors import calendar_of_agency

    calendars: dict[int, Any] = {}
    configs: dict[int, ReviewConfig | None] = {}
    rows: list[ReviewRow] = []
    for submission in submissions:
        agency = submission.case.agency
        if agency.pk not in calendars:
            calendars[agency.pk] = calendar_of_agency(agency)
            configs[agency.pk] = review_config(agency)
        row = ReviewRow(submission=submission, status=_status(submission))
        receipt = row.receipt
        if receipt is not None:
            row.due, row.provisional, row.extension_days = due_of(
                receipt, configs[agency.pk], calendars[agency.pk]
            )
            opinion = row.opinion
            if row.due is not None:
                if opinion is None:
                    row.overdue = today > row.due
                else:
                    row.late = timezone.localdate(opinion.issued_at) > row.due
        rows.append(row)
    return rows


def _submissions(cases: QuerySet[Case]) -> QuerySet[Submission]:
    return (
        Submission.objects.filter(case__in=cases)
        .select_related(
            "case",
            "case__agency",
            "case__department",
            "handed_by",
            "receipt",
            "receipt__received_by",
            "receipt__extension",
            "receipt__opinion",
            "receipt__file_return",
        )
        .order_by("submitted_at", "pk")
    )


def review_queue(
    person: Person, *, include_closed: bool = False, today: date | None = None
) -> list[ReviewRow]:
    """Review rounds of the cases ``person`` may see: open ones (not yet returned) by due date,
    then those awaiting receipt; with ``include_closed`` the returned ones too, newest first."""
    today = today or timezone.localdate()
    rows = _rows(_submissions(cases_visible_to(person)), today)
    open_rows = [r for r in rows if r.status != "returned"]
    open_rows.sort(key=lambda r: (r.due is None, r.due or today, r.submission.submitted_at))
    if not include_closed:
        return open_rows
    closed = sorted(
        (r for r in rows if r.status == "returned"), key=lambda r: r.submission.submitted_at, reverse=True
    )
    return open_rows + closed


@dataclass(frozen=True)
class OverduePanel:
    overdue: list[ReviewRow] = field(default_factory=list)
    due_soon: list[ReviewRow] = field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.overdue)


def overdue_reviews(person: Person, today: date | None = None) -> OverduePanel:
    """The alert for the legal office and the agency head (LR-3): reviews past their due date
    without an opinion, and those due today or on the next working day. Anyone else: empty
    (other pages may show this panel to everyone and it stays quiet)."""
    if not sees_workspace(person):
        return OverduePanel()
    from liuhen.policy.selectors import calendar_of_agency

    today = today or timezone.localdate()
    soon = calendar_of_agency(person.agency).add_working_days(today, 1).date
    rows = [r for r in review_queue(person, today=today) if r.status == "in_review" and r.due is not None]
    return OverduePanel(
        overdue=[r for r in rows if r.overdue],
        due_soon=[r for r in rows if not r.overdue and r.due is not None and r.due <= soon],
    )


def get_submission_for(person: Person, pk: int) -> Submission:
    """A review round if ``person`` may see its case, else 404."""
    found = _submissions(cases_visible_to(person)).filter(pk=pk).first()
    if found is None:
        raise Http404("法制审核记录不存在或无权查看。")
    return found


def row_of(submission: Submission, today: date | None = None) -> ReviewRow:
    return _rows([submission], today or timezone.localdate())[0]


def open_submission(case: Case) -> Submission | None:
    """The case's review round that is not yet closed (returned), if any."""
    for submission in (
        Submission.objects.filter(case=case)
        .select_related("receipt", "receipt__opinion", "receipt__file_return")
        .order_by("-submitted_at", "-pk")
    ):
        if _status(submission) != "returned":
            return submission
    return None


def materials_of(case: Case) -> list[str]:
    """The 移交材料 list of the 案卷移交清单, filled from the case's current records (in the order
    they were made), each with its version and the number of attached files."""
    lines: list[str] = []
    records = current_records(case).exclude(record_type__in=_NOT_MATERIALS).order_by("created_at", "pk")
    for record in records.prefetch_related("attachments"):
        files = len(record.attachments.all())
        extra = f"，附件{files}个" if files else ""
        lines.append(
            f"{record.title}（第{record.version}版，{timezone.localtime(record.created_at):%Y-%m-%d}{extra}）"
        )
    return lines


def draft_summary(draft: Draft) -> str:
    """One paragraph of the draft decision, from the investigation report."""
    if draft.report is None:
        return ""
    data = draft.report.fields
    parts = [str(data.get("handler_opinion") or "").strip().rstrip("。；;")]
    if draft.fine is not None:
        parts.append(f"拟罚款{_yuan(draft.fine)}元")
    if draft.confiscation is not None:
        parts.append(f"拟没收{_yuan(draft.confiscation)}元")
    text = "；".join(p for p in parts if p)
    return f"{text}。" if text else ""


# --- the review page ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChecklistLine:
    item: str
    label: str
    entry: ChecklistEntry | None
    history: list[ChecklistEntry]
    required: bool


def checklist_of(receipt: Any) -> list[ChecklistLine]:
    """The LR-4 items with the latest entry (and the earlier ones) for each."""
    entries = list(
        ChecklistEntry.objects.filter(receipt=receipt)
        .select_related("checked_by")
        .order_by("checked_at", "pk")
    )
    lines = []
    for item in CheckItem:
        mine = [e for e in entries if e.item == item.value]
        lines.append(
            ChecklistLine(
                item=item.value,
                label=str(item.label),
                entry=mine[-1] if mine else None,
                history=mine[:-1],
                required=item.value in REQUIRED_ITEMS,
            )
        )
    return lines


def latest_discretion(receipt: Any) -> DiscretionCheck | None:
    return (
        DiscretionCheck.objects.filter(receipt=receipt)
        .select_related("checked_by")
        .order_by("-checked_at", "-pk")
        .first()
    )


def questions_of(receipt: Any) -> list[Question]:
    return list(
        Question.objects.filter(receipt=receipt)
        .select_related("asked_by", "answer", "answer__answered_by")
        .order_by("asked_at", "pk")
    )


def benchmark_range(entry: Benchmark, base: Decimal | None) -> tuple[Decimal | None, Decimal | None]:
    low, high = entry.allowed_range(base)
    quant = Decimal("0.01")
    return (
        low.quantize(quant) if low is not None else None,
        high.quantize(quant) if high is not None else None,
    )


def handover_versions(receipt: Any) -> QuerySet[Record]:
    """Every version of the round's 案卷移交清单 (before review, and after the return)."""
    return Record.objects.filter(series=receipt.handover.series).order_by("version")


def filing_records(case: Case) -> QuerySet[Record]:
    """LR-8: the case's current filing registrations (备案登记)."""
    return current_records(case).filter(record_type="decision_filing").order_by("created_at", "pk")


def decision_records(case: Case) -> QuerySet[Record]:
    """The case's current decisions (for the head's signature, DC-3, and filing, LR-8)."""
    return (
        current_records(case)
        .filter(record_type__in=DECISION_TYPES)
        .prefetch_related("signers")
        .order_by("created_at", "pk")
    )


def filing_deadlines(case: Case) -> list[Any]:
    """LR-8 deadline rows of the case (rules of the agency's packs citing LR-8)."""
    from liuhen.policy.models import Deadline
    from liuhen.policy.selectors import packs_of_agency

    rule_ids = [r.id for p in packs_of_agency(case.agency) for r in p.rules if "LR-8" in r.requirements]
    return list(Deadline.objects.filter(case=case, rule_id__in=rule_ids).order_by("due", "pk"))


def materials_json(submission: Submission) -> list[str]:
    value: list[str] = json.loads(submission.materials)
    return value


@dataclass(frozen=True)
class CasePanel:
    """What the case page's 法制审核 box shows."""

    assessment: Assessment
    gate: Gate
    current: ReviewRow | None
    rounds: int
    can_submit: bool
    submit_blocker: str
    can_dispute: bool
    can_resolve: bool
    dispute_side: str
    disagreement: Any = None  # Disagreement (LR-6)
    can_object: bool = False
    can_re_review: bool = False
    can_collective: bool = False


def case_panel(person: Person, case: Case) -> CasePanel:
    """The case page include: is the draft decision major and why (LR-1), may the decision be made
    (LR-7), the current review round, and what the person may do. The caller has checked that the
    person sees the case."""
    gate = decision_gate(case)
    submissions = list(_submissions(Case.objects.filter(pk=case.pk)))
    rows = _rows(submissions, timezone.localdate())
    current = next((r for r in reversed(rows) if r.status != "returned"), rows[-1] if rows else None)
    writer = can_write_case(person, case) and not case.branch
    reviewer = is_legal_reviewer(person, case)
    blocker = submit_blocker(case) if writer else ""
    return CasePanel(
        assessment=gate.assessment,
        gate=gate,
        current=current,
        rounds=len(rows),
        can_submit=writer and not blocker,
        submit_blocker=blocker,
        can_dispute=(writer or reviewer) and not case.branch,
        can_resolve=(
            reviewer or (person.has_role(Role.DEPARTMENT_HEAD) and person.department_id == case.department_id)
        )
        and bool(gate.assessment.open_disputes),
        dispute_side="legal_office" if reviewer else "department",
        disagreement=disagreement_of(case),
        can_object=writer,
        can_re_review=reviewer and not case.branch,
        can_collective=(writer or is_agency_head(person, case)) and not case.branch,
    )


def submit_blocker(case: Case) -> str:
    """Why the department cannot submit the case file now ("" = it can): LR-2 — after the
    investigation, with a draft decision, one round at a time."""
    if case.branch:
        return "案件已终止。"
    if case.stage != Stage.REVIEW:
        return "调查终结、进入“审查决定”阶段后才能送法制审核（HY-FS 第四条）。"
    if not current_records(case).filter(record_type="investigation_report").exists():
        return "请先制作案件调查终结报告（拟定处理决定）后再送审（HY-FS 第四条）。"
    if open_submission(case) is not None:
        return "本案已有送审的案卷尚未退还。"
    return ""


__all__ = [
    "DECISION_TYPES",
    "LEGAL_OFFICE_RECORD_TYPES",
    "REQUIRED_ITEMS",
    "Assessment",
    "CasePanel",
    "ChecklistLine",
    "Disagreement",
    "DisagreementStep",
    "Draft",
    "Gate",
    "OverduePanel",
    "Period",
    "Reason",
    "ReviewRow",
    "as_local_datetime",
    "assess",
    "attendee_signatures_complete",
    "case_panel",
    "checklist_of",
    "collective_override",
    "decision_gate",
    "decision_refusal",
    "designated_rooms",
    "disagreement_of",
    "draft_of",
    "due_of",
    "get_submission_for",
    "hearing_notice_period",
    "hearing_notice_refusal",
    "hearing_request_period",
    "hearing_right_notice",
    "is_agency_head",
    "is_legal_reviewer",
    "latest_record",
    "materials_of",
    "may_record_after_branch",
    "may_record_for_review",
    "open_submission",
    "overdue_reviews",
    "period_end",
    "review_config",
    "review_queue",
    "sees_workspace",
    "submit_blocker",
]
