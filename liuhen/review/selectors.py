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
from datetime import date
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
    DiscretionCheck,
    MajorDispute,
    OpinionType,
    Position,
    Question,
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
    return record_type in DECISION_TYPES and is_agency_head(person, case)


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
        outcomes = _COLLECTIVE_OUTCOMES.get(record_type, ())
        heads = _people_with(case, Role.AGENCY_HEAD)
        overriding = [
            r
            for r in current_records(case)
            .filter(record_type="collective_discussion", created_at__gt=opinion.created_at)
            .prefetch_related("signers")
            if r.fields.get("decision") in outcomes and _signed_by(r, SignerRole.ATTENDEE, heads)
        ]
        if overriding:
            last = max(overriding, key=lambda r: (r.created_at, r.pk))
            return Gate(
                record_type,
                assessment,
                True,
                "法制审核意见不同意，经集体讨论决定（LR-6）。",
                opinion=opinion,
                override=last,
            )
        kind = str(opinion.fields.get("opinion_type") or "")
        label = OpinionType(kind).label if kind in OpinionType.values else kind
        state = f"法制审核意见为“{label}”，未同意，须按审核意见处理后重新送审，或经集体讨论决定"
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
    citation. ``records.services`` calls this before creating or correcting any record."""
    if record_type not in DECISION_TYPES:
        return ""
    gate = decision_gate(case, record_type, data)
    return "" if gate.allowed else gate.message


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
    "Draft",
    "Gate",
    "OverduePanel",
    "Reason",
    "ReviewRow",
    "assess",
    "case_panel",
    "checklist_of",
    "decision_gate",
    "decision_refusal",
    "draft_of",
    "due_of",
    "get_submission_for",
    "is_agency_head",
    "is_legal_reviewer",
    "materials_of",
    "may_record_after_branch",
    "may_record_for_review",
    "open_submission",
    "overdue_reviews",
    "review_config",
    "review_queue",
    "sees_workspace",
    "submit_blocker",
]
