"""Writes for legal review of major decisions (LR-1..9). Each service checks who may act and
what the law allows, then in one transaction writes its write-once event row, any case record it
produces (through ``records.services``: the 案卷移交清单, the 法制审核意见书, the filing
register) and the ledger entry with the row's sealed content.

A review round::

    submit_for_review (department, LR-2) → register_receipt (legal office: register number and
    the 案卷移交清单) → [extend_review once, LR-3] → record_checks / check_discretion /
    ask_question ↔ answer_question (LR-4, HY-FS 第七条) → issue_opinion (LR-5: the 法制审核意见书;
    "补充调查" sends the case back to investigation) → register_return (the 审核后 columns)

Around it: raise_dispute / resolve_dispute (is it major? HY-FS 第四条第二款), sign_decision (the
agency head's signature and time on the decision, DC-3), file_with_legal_office (LR-8).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils import timezone

from liuhen.cases.models import Case, Stage
from liuhen.cases.selectors import can_write_case
from liuhen.core.canonical import canonical_json
from liuhen.core.sealing import sealed_content
from liuhen.ledger import services as ledger
from liuhen.org.models import Person, Role
from liuhen.records import services as records
from liuhen.records.models import Record, RecordAttachment, RecordSigner, SignerRole
from liuhen.review import selectors
from liuhen.review.models import (
    Answer,
    CheckItem,
    ChecklistEntry,
    CheckResult,
    CollectiveDecision,
    DeliberationRoom,
    DiscretionCheck,
    Extension,
    FileReturn,
    MajorDispute,
    MajorResolution,
    Objection,
    ObjectionRequest,
    Opinion,
    OpinionType,
    Position,
    Question,
    Receipt,
    RegisterCounter,
    ReReview,
    Side,
    Submission,
)
from liuhen.vault.services import atomic_with_blobs as vault_atomic

if TYPE_CHECKING:
    from liuhen.review.bundle import Bundle

LEGAL_OFFICE_ONLY = "只有本机关法制机构的法制审核人员可以办理。"
WRITERS_ONLY = "只有本案承办人员或科室负责人可以办理。"


@dataclass(frozen=True)
class CheckInput:
    """One LR-4 review item as the reviewer found it."""

    item: str
    result: str
    note: str = ""


def _signer(person: Person, role: str, when: datetime, note: str) -> records.SignerInput:
    """The person signing in the system, under their name."""
    return records.SignerInput(
        role=role, name=person.full_name or person.username, person=person, signed_at=when, note=note
    )


def _append(actor: Person, action: str, row: models.Model, *, case: Case, **extra: Any) -> None:
    ledger.append(
        actor=actor,
        action=action,
        obj=row,
        case_id=case.pk,
        payload={"content": sealed_content(row), **extra},
    )


def _when(at: datetime | None, *, field: str, now: datetime, not_before: datetime | None = None) -> datetime:
    """An event time given by the user (paper registered afterwards) or now; never in the future."""
    if at is None:
        return now
    if timezone.is_naive(at):
        raise ValidationError({field: "时间须带时区。"})
    if at > now:
        raise ValidationError({field: "时间不能晚于当前时间。"})
    if not_before is not None and at < not_before:
        raise ValidationError({field: f"时间不能早于{timezone.localtime(not_before):%Y-%m-%d %H:%M}。"})
    return at


def _require_reviewer(actor: Person, case: Case) -> None:
    if not selectors.is_legal_reviewer(actor, case):
        raise PermissionDenied(LEGAL_OFFICE_ONLY)


def _require_writer(actor: Person, case: Case) -> None:
    if not can_write_case(actor, case):
        raise PermissionDenied(WRITERS_ONLY)


def _text(value: str, field: str, message: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError({field: message})
    return value


def _lock_receipt(receipt: Receipt) -> Receipt:
    return (
        Receipt.objects.select_for_update()
        .select_related("submission", "submission__case", "submission__case__agency", "handover")
        .get(pk=receipt.pk)
    )


def _open_receipt(actor: Person, receipt: Receipt) -> tuple[Receipt, Case]:
    """The locked receipt of a review still without an opinion, for its reviewer."""
    locked = _lock_receipt(receipt)
    case = locked.submission.case
    _require_reviewer(actor, case)
    if Opinion.objects.filter(receipt=locked).exists():
        raise ValidationError("审核意见已出具，本轮审核已结束。")
    return locked, case


def _local(at: datetime) -> str:
    return timezone.localtime(at).isoformat(timespec="seconds")


# --- is it major? (LR-1, HY-FS 第四条第二款) -----------------------------------------------------


def raise_dispute(*, actor: Person, case: Case, position: str, reason: str) -> MajorDispute:
    """The department or the legal office disagrees about whether the draft decision is major."""
    if selectors.is_legal_reviewer(actor, case):
        side = Side.LEGAL_OFFICE
    elif can_write_case(actor, case):
        side = Side.DEPARTMENT
    else:
        raise PermissionDenied("只有本案承办科室或法制机构可以提出异议。")
    if position not in Position.values:
        raise ValidationError({"position": "请选择意见。"})
    reason = _text(reason, "reason", "请写明理由。")
    if case.branch:
        raise ValidationError("案件已终止。")
    with transaction.atomic():
        dispute = MajorDispute.objects.create(
            case=case, side=side, position=position, reason=reason, raised_by=actor, raised_at=timezone.now()
        )
        _append(actor, "review.dispute", dispute, case=case)
    return dispute


def resolve_dispute(
    *, actor: Person, dispute: MajorDispute, major: bool, participants: str, conclusion: str
) -> MajorResolution:
    """Record what the consultation of the department and the legal office settled."""
    case = dispute.case
    allowed = (
        selectors.is_legal_reviewer(actor, case)
        or selectors.is_agency_head(actor, case)
        or (
            actor.has_role(Role.DEPARTMENT_HEAD)
            and actor.department_id == case.department_id
            and actor.is_active
        )
    )
    if not allowed:
        raise PermissionDenied("协商结果由法制机构、承办科室负责人或机关负责人登记。")
    participants = _text(participants, "participants", "请填写参加协商的人员。")
    conclusion = _text(conclusion, "conclusion", "请填写协商意见。")
    with transaction.atomic():
        locked = MajorDispute.objects.select_for_update().get(pk=dispute.pk)
        if MajorResolution.objects.filter(dispute=locked).exists():
            raise ValidationError("该异议已协商确定。")
        resolution = MajorResolution.objects.create(
            dispute=locked,
            major=major,
            participants=participants[:500],
            conclusion=conclusion,
            resolved_by=actor,
            resolved_at=timezone.now(),
        )
        _append(actor, "review.resolve", resolution, case=case)
    return resolution


# --- submission and receipt (LR-2) ---------------------------------------------------------------


def submit_for_review(
    *,
    actor: Person,
    case: Case,
    place: str,
    draft_decision: str = "",
    materials: Sequence[str] | None = None,
    submitted_at: datetime | None = None,
) -> Submission:
    """The department hands the case file to the legal office (HY-FS 第四条): after the
    investigation, with a draft decision; the materials list defaults to the case's current records."""
    _require_writer(actor, case)
    place = _text(place, "place", "请填写移交地点。")
    now = timezone.now()
    with transaction.atomic():
        locked = Case.objects.select_for_update().select_related("agency").get(pk=case.pk)
        blocker = selectors.submit_blocker(locked)
        if blocker:
            raise ValidationError(blocker)
        assessment = selectors.assess(locked)
        draft = draft_decision.strip() or selectors.draft_summary(assessment.draft)
        if not draft:
            raise ValidationError({"draft_decision": "请填写拟作出的处理决定。"})
        items = [m.strip() for m in (materials if materials is not None else selectors.materials_of(locked))]
        items = [m for m in items if m]
        if not items:
            raise ValidationError({"materials": "请列出移交的案卷材料。"})
        submission = Submission.objects.create(
            case=locked,
            draft_record=assessment.draft.report,
            draft_decision=draft,
            materials=canonical_json(items).decode("utf-8"),
            assessment=canonical_json(assessment.as_dict()).decode("utf-8"),
            place=place[:200],
            handed_by=actor,
            submitted_at=_when(submitted_at, field="submitted_at", now=now),
        )
        _append(actor, "review.submit", submission, case=locked, major=assessment.major)
    return submission


def _next_register_sequence(case: Case, year: int) -> int:
    counter, _ = RegisterCounter.objects.select_for_update().get_or_create(
        agency_id=case.agency_id, year=year
    )
    counter.last += 1
    counter.save(update_fields=["last"])
    return counter.last


def register_number(case: Case, year: int, sequence: int) -> str:
    return f"{case.agency.short_name}法审〔{year}〕{sequence}号"


def register_receipt(
    *, actor: Person, submission: Submission, place: str, received_at: datetime | None = None
) -> Receipt:
    """The legal office receives the file (HY-FS 第五条): a sequential register number per agency
    and year, and the 案卷移交清单 with its 审核前 columns, signed by both sides. The review period
    (LR-3) runs from here."""
    case = submission.case
    _require_reviewer(actor, case)
    place = _text(place, "place", "请填写接收地点。")
    now = timezone.now()
    with transaction.atomic():
        locked = (
            Submission.objects.select_for_update()
            .select_related("case", "case__agency", "handed_by")
            .get(pk=submission.pk)
        )
        if Receipt.objects.filter(submission=locked).exists():
            raise ValidationError("该案卷已登记收案。")
        case = locked.case
        if case.branch:
            raise ValidationError("案件已终止。")
        when = _when(received_at, field="received_at", now=now, not_before=locked.submitted_at)
        year = timezone.localtime(when).year
        sequence = _next_register_sequence(case, year)
        number = register_number(case, year, sequence)
        handed_by = locked.handed_by
        handover = records.create_record(
            actor=actor,
            case=case,
            record_type="case_file_handover",
            title="重大行政执法决定案卷移交清单",
            data={
                "register_no": number,
                "case_file_name": f"{case.number} {case.title}",
                "draft_decision": locked.draft_decision,
                "materials": selectors.materials_json(locked),
                "handed_by_before": handed_by.full_name or handed_by.username,
                "received_by_before": actor.full_name or actor.username,
                "handed_at_before": _local(when),
                "place_before": place,
            },
            signers=[
                records.SignerInput(
                    role=SignerRole.OFFICER,
                    name=handed_by.full_name or handed_by.username,
                    person=handed_by,
                    signed_at=locked.submitted_at,
                    note="移交人（送审时确认）",
                ),
                _signer(actor, SignerRole.REVIEWER, now, "接收人"),
            ],
        )
        receipt = Receipt.objects.create(
            submission=locked,
            agency_id=case.agency_id,
            year=year,
            sequence=sequence,
            register_no=number,
            handover=handover,
            place=place[:200],
            received_by=actor,
            received_at=when,
        )
        _append(actor, "review.receive", receipt, case=case, register_no=number)
    return receipt


# --- the review period (LR-3) ---------------------------------------------------------------------


def extend_review(
    *, actor: Person, receipt: Receipt, working_days: int, reason: str, at: datetime | None = None
) -> Extension:
    """One extension of at most the pack's maximum (HY-FS 第六条: 3 working days), with the special
    circumstances, decided before the original period ends."""
    from liuhen.policy.selectors import calendar_of_agency

    reason = _text(reason, "reason", "请写明需要延长的特殊情况。")
    now = timezone.now()
    with transaction.atomic():
        locked, case = _open_receipt(actor, receipt)
        config = selectors.review_config(case.agency)
        if config is None or config.review_days is None or config.max_extension_days < 1:
            raise ValidationError("本机关规则包未规定审核期限，无需延长。")
        citation = config.period_citation
        if Extension.objects.filter(receipt=locked).exists():
            raise ValidationError(f"审核期限只能延长一次（依据：{citation}）。")
        if isinstance(working_days, bool) or not 1 <= int(working_days) <= config.max_extension_days:
            raise ValidationError(
                {
                    "working_days": f"延长期限最长不超过{config.max_extension_days}个工作日（依据：{citation}）。"
                }
            )
        when = _when(at, field="at", now=now, not_before=locked.received_at)
        due, _, _ = selectors.due_of(locked, config, calendar_of_agency(case.agency))
        if due is not None and timezone.localdate(when) > due:
            raise ValidationError(f"审核期限已于{due:%Y-%m-%d}届满，不能再延长（依据：{citation}）。")
        extension = Extension.objects.create(
            receipt=locked, working_days=int(working_days), reason=reason, extended_by=actor, extended_at=when
        )
        _append(actor, "review.extend", extension, case=case)
    return extension


# --- the review itself (LR-4, HY-FS 第七条) ----------------------------------------------------------


def record_checks(*, actor: Person, receipt: Receipt, entries: Sequence[CheckInput]) -> list[ChecklistEntry]:
    """Review items checked, each with a note (required where a problem is found). An item whose
    result and note are unchanged is not written again."""
    errors: dict[str, str] = {}
    for entry in entries:
        if entry.item not in CheckItem.values:
            errors["item"] = f"审核事项无效：{entry.item}"
        elif entry.result not in CheckResult.values:
            errors[entry.item] = "请选择审核结果。"
        elif entry.result == CheckResult.PROBLEM and not entry.note.strip():
            errors[entry.item] = f"“{CheckItem(entry.item).label}”存在问题的，请写明具体意见。"
    if errors:
        raise ValidationError(errors)
    written: list[ChecklistEntry] = []
    with transaction.atomic():
        locked, case = _open_receipt(actor, receipt)
        latest = {line.item: line.entry for line in selectors.checklist_of(locked)}
        now = timezone.now()
        for entry in entries:
            previous = latest.get(entry.item)
            note = entry.note.strip()
            if previous is not None and previous.result == entry.result and previous.note == note:
                continue
            row = ChecklistEntry.objects.create(
                receipt=locked,
                item=entry.item,
                result=entry.result,
                note=note,
                checked_by=actor,
                checked_at=now,
            )
            _append(actor, "review.check", row, case=case)
            written.append(row)
    return written


def check_discretion(
    *,
    actor: Person,
    receipt: Receipt,
    benchmark_code: str,
    proposed_fine: Decimal | None,
    base_amount: Decimal | None = None,
    note: str = "",
) -> DiscretionCheck:
    """HY-FS 第八条第二款: the proposed fine against the pack's discretion benchmark entry; outside
    the range is recorded (and shown as a warning), not refused — the opinion says what to do."""
    with transaction.atomic():
        locked, case = _open_receipt(actor, receipt)
        config = selectors.review_config(case.agency)
        code = benchmark_code.strip()
        entry = config.benchmark(code) if config is not None and code else None
        if code and entry is None:
            raise ValidationError({"benchmark_code": f"规则包中没有裁量基准条目 {code}。"})
        if entry is None and not note.strip():
            raise ValidationError({"note": "未选择裁量基准条目的，请写明核对意见。"})
        if entry is not None and entry.by_multiple and base_amount is None:
            raise ValidationError({"base_amount": "该条目按涉案金额的倍数确定罚款幅度，请填写涉案金额。"})
        for name, value in (("proposed_fine", proposed_fine), ("base_amount", base_amount)):
            if value is not None and value < 0:
                raise ValidationError({name: "金额不能为负数。"})
        # Stored with two decimals: seal what the row holds.
        cent = Decimal("0.01")
        proposed_fine = proposed_fine.quantize(cent) if proposed_fine is not None else None
        base_amount = base_amount.quantize(cent) if base_amount is not None else None
        low, high = selectors.benchmark_range(entry, base_amount) if entry is not None else (None, None)
        within: bool | None = None
        if entry is not None and proposed_fine is not None and (low is not None or high is not None):
            within = (low is None or proposed_fine >= low) and (high is None or proposed_fine <= high)
        text = ""
        if entry is not None:
            text = f"{config.benchmark_name if config else ''} {entry.code} {entry.violation}：{entry.range_text}（{entry.basis}）"
        row = DiscretionCheck.objects.create(
            receipt=locked,
            benchmark_code=code,
            benchmark_text=text.strip()[:500],
            base_amount=base_amount,
            proposed_fine=proposed_fine,
            allowed_min=low,
            allowed_max=high,
            within=within,
            note=note.strip(),
            checked_by=actor,
            checked_at=timezone.now(),
        )
        row.refresh_from_db()
        _append(actor, "review.discretion", row, case=case)
    return row


def ask_question(*, actor: Person, receipt: Receipt, text: str) -> Question:
    """HY-FS 第七条: the legal office asks the investigators (必要时向案件调查人员了解情况)."""
    text = _text(text, "text", "请填写问题。")
    with transaction.atomic():
        locked, case = _open_receipt(actor, receipt)
        question = Question.objects.create(receipt=locked, text=text, asked_by=actor, asked_at=timezone.now())
        _append(actor, "review.question", question, case=case)
    return question


def answer_question(*, actor: Person, question: Question, text: str) -> Answer:
    """The case's investigators answer on the review; an answer is never changed."""
    case = question.receipt.submission.case
    _require_writer(actor, case)
    text = _text(text, "text", "请填写答复。")
    with transaction.atomic():
        locked = Question.objects.select_for_update().get(pk=question.pk)
        if Answer.objects.filter(question=locked).exists():
            raise ValidationError("该问题已答复。")
        answer = Answer.objects.create(
            question=locked, text=text, answered_by=actor, answered_at=timezone.now()
        )
        _append(actor, "review.answer", answer, case=case)
    return answer


# --- the opinion (LR-5) and the return of the file (HY-FS 第九条) ------------------------------------


def _reviewed_items(receipt: Receipt) -> tuple[list[str], list[str], list[str]]:
    """(items reviewed, required items missing, items with a problem) from the checklist and the
    discretion check."""
    lines = selectors.checklist_of(receipt)
    reviewed = [line.item for line in lines if line.entry is not None]
    if DiscretionCheck.objects.filter(receipt=receipt).exists() and CheckItem.DISCRETION not in reviewed:
        reviewed.append(CheckItem.DISCRETION)
    missing = [line.label for line in lines if line.required and line.entry is None]
    problems = [
        line.label for line in lines if line.entry is not None and line.entry.result == CheckResult.PROBLEM
    ]
    order = list(CheckItem.values)
    return sorted(reviewed, key=order.index), missing, problems


def issue_opinion(
    *, actor: Person, receipt: Receipt, opinion_type: str, text: str, issued_at: datetime | None = None
) -> Opinion:
    """The written opinion (HY-FS 第九条) as a 法制审核意见书 record signed by the reviewer. Every
    review item of HY-FS 第八条 must have been checked (and, for a fine, the discretion benchmark);
    "agree" only when no item has a problem. "补充调查" sends the case back to investigation."""
    if opinion_type not in OpinionType.values:
        raise ValidationError({"opinion_type": "请选择审核意见类型。"})
    text = _text(text, "text", "请填写审核意见及理由。")
    now = timezone.now()
    with transaction.atomic():
        locked, case = _open_receipt(actor, receipt)
        reviewed, missing, problems = _reviewed_items(locked)
        if missing:
            raise ValidationError(f"请先完成审核事项：{'、'.join(missing)}（依据：HY-FS 第八条）。")
        draft = selectors.draft_of(case)
        if draft.fine is not None and CheckItem.DISCRETION not in reviewed:
            raise ValidationError(
                "拟作出罚款决定的，还应当审核处罚幅度是否符合裁量基准（依据：HY-FS 第八条第二款）。"
            )
        if opinion_type == OpinionType.AGREE and problems:
            raise ValidationError(f"审核事项“{'、'.join(problems)}”存在问题，不能出具同意意见。")
        when = _when(issued_at, field="issued_at", now=now, not_before=locked.received_at)
        extension = Extension.objects.filter(receipt=locked).first()
        data: dict[str, Any] = {
            "received_on": timezone.localdate(locked.received_at).isoformat(),
            "reviewers": [{"name": actor.full_name or actor.username, "number": actor.certificate_no or ""}],
            "review_items": reviewed,
            "opinion_type": opinion_type,
            "opinion": text,
            "extended": extension is not None,
            "issued_on": timezone.localdate(when).isoformat(),
        }
        if extension is not None:
            data["extension_reason"] = extension.reason
        record = records.create_record(
            actor=actor,
            case=case,
            record_type="legal_review_opinion",
            title=f"法制审核意见书（{locked.register_no}）",
            data=data,
            signers=[
                records.SignerInput(
                    role=SignerRole.REVIEWER,
                    name=actor.full_name or actor.username,
                    person=actor,
                    signed_at=when,
                )
            ],
        )
        opinion = Opinion.objects.create(
            receipt=locked,
            opinion_type=opinion_type,
            text=text,
            record=record,
            issued_by=actor,
            issued_at=when,
        )
        _append(actor, "review.opinion", opinion, case=case, register_no=locked.register_no)
        if opinion_type == OpinionType.INVESTIGATE and case.stage == Stage.REVIEW and not case.branch:
            from liuhen.cases.services import change_stage

            change_stage(
                actor=actor,
                case=case,
                to_stage=Stage.INVESTIGATION,
                reason=f"法制审核意见（{locked.register_no}）：建议继续调查取证（HY-FS 第九条第（二）项）。",
            )
    return opinion


def register_return(
    *,
    actor: Person,
    receipt: Receipt,
    received_by: Person,
    place: str,
    returned_materials: Sequence[str] | None = None,
    returned_at: datetime | None = None,
) -> FileReturn:
    """The file returned with the opinion and the return registered (HY-FS 第九条): the 审核后
    columns of the 案卷移交清单, written as its next version."""
    place = _text(place, "place", "请填写移交地点。")
    now = timezone.now()
    with transaction.atomic():
        locked = _lock_receipt(receipt)
        case = locked.submission.case
        _require_reviewer(actor, case)
        opinion = Opinion.objects.filter(receipt=locked).first()
        if opinion is None:
            raise ValidationError("出具审核意见后才能退还案卷（HY-FS 第九条）。")
        if FileReturn.objects.filter(receipt=locked).exists():
            raise ValidationError("案卷已退还登记。")
        if not can_write_case(received_by, case):
            raise ValidationError({"received_by": "接收人应为本案承办人员或承办科室负责人。"})
        when = _when(returned_at, field="returned_at", now=now, not_before=opinion.issued_at)
        current = Record.objects.filter(series=locked.handover.series, superseded_by__isnull=True).get()
        materials = [m.strip() for m in (returned_materials or selectors.materials_json(locked.submission))]
        materials = [m for m in materials if m]
        data = {
            **current.fields,
            "handed_by_after": actor.full_name or actor.username,
            "received_by_after": received_by.full_name or received_by.username,
            "handed_at_after": _local(when),
            "place_after": place,
            "returned_materials": [*materials, f"法制审核意见书（{opinion.get_opinion_type_display()}）"],
        }
        handover = records.correct_record(
            actor=actor,
            record=current,
            data=data,
            reason="审核后退还案卷并登记（HY-FS 第九条）",
            signers=[
                _signer(actor, SignerRole.REVIEWER, when, "审核后移交人"),
                _signer(received_by, SignerRole.OFFICER, when, "审核后接收人"),
            ],
        )
        row = FileReturn.objects.create(
            receipt=locked,
            handover=handover,
            received_by=received_by,
            place=place[:200],
            returned_materials=canonical_json(data["returned_materials"]).decode("utf-8"),
            returned_by=actor,
            returned_at=when,
        )
        _append(actor, "review.return", row, case=case, register_no=locked.register_no)
    return row


# --- after the decision: the head's signature (DC-3) and filing (LR-8) --------------------------------


def sign_decision(*, actor: Person, record: Record) -> RecordSigner:
    """The agency head signs the decision in the system: name and time on the record (DC-3,
    HY-JL 第十二条: 行政执法机关负责人的签署意见和签发时间)."""
    case = record.case
    if case is None or record.record_type not in selectors.DECISION_TYPES:
        raise ValidationError("只能签发行政处罚决定书或不予行政处罚决定书。")
    if not selectors.is_agency_head(actor, case):
        raise PermissionDenied("只有机关负责人可以签发决定。")
    if Record.objects.filter(supersedes=record).exists():
        raise ValidationError("该记录已有更新版本，请在最新版本上签发。")
    if record.signers.filter(role=SignerRole.HEAD, person=actor, refused=False).exists():
        raise ValidationError("您已签发该决定。")
    return records.sign_record(
        actor=actor,
        record=record,
        signer=records.SignerInput(
            role=SignerRole.HEAD, name=actor.full_name or actor.username, person=actor, note="机关负责人签发"
        ),
    )


def file_with_legal_office(*, actor: Person, case: Case, data: Mapping[str, Any]) -> Record:
    """LR-8 (HY-FS 第十二条): the decision documents — or the revocation of a case filing or
    acceptance — filed with the legal office; the 10-day period is the pack's deadline rule."""
    if not (can_write_case(actor, case) or selectors.is_legal_reviewer(actor, case)):
        raise PermissionDenied("备案由本案承办人员报送或法制机构登记。")
    role = SignerRole.REVIEWER if selectors.is_legal_reviewer(actor, case) else SignerRole.OFFICER
    return records.create_record(
        actor=actor,
        case=case,
        record_type="decision_filing",
        data=data,
        title="重大执法决定备案" if data.get("filing_kind") != "revocation" else "撤销决定备案",
        signers=[records.SignerInput(role=role, name=actor.full_name or actor.username, person=actor)],
    )


# --- objection, re-review, collective study (LR-6, HY-FS 第十条) -------------------------------------


def object_to_opinion(
    *, actor: Person, opinion_record: Record, reason: str, raised_at: datetime | None = None
) -> Objection:
    """The department disagrees with the case's latest review opinion: against the first opinion it
    asks the legal office to review again; against the re-review's opinion it asks for collective
    study (HY-FS 第十条). One objection per opinion; "agree" needs none."""
    case = opinion_record.case
    if case is None or opinion_record.record_type != "legal_review_opinion":
        raise ValidationError("只能对法制审核意见书提出异议。")
    _require_writer(actor, case)
    reason = _text(reason, "reason", "请写明异议及理由。")
    if case.branch:
        raise ValidationError("案件已终止。")
    with transaction.atomic():
        Case.objects.select_for_update().filter(pk=case.pk).first()
        if selectors.latest_opinion(case) != opinion_record:
            raise ValidationError("只能对本案最新的、法制审核人员签署的审核意见提出异议。")
        if opinion_record.fields.get("opinion_type") == OpinionType.AGREE:
            raise ValidationError("审核意见为“同意”，无需提出异议。")
        if Objection.objects.filter(opinion_record=opinion_record).exists():
            raise ValidationError("已对该审核意见提出异议。")
        objection = Objection.objects.create(
            case=case,
            opinion_record=opinion_record,
            request=selectors.objection_request_for(opinion_record),
            reason=reason,
            raised_by=actor,
            raised_at=_when(raised_at, field="raised_at", now=timezone.now()),
        )
        _append(actor, "review.object", objection, case=case)
    return objection


def re_review(
    *, actor: Person, objection: Objection, opinion_type: str, text: str, issued_at: datetime | None = None
) -> ReReview:
    """The legal office reviews again on the department's objection (HY-FS 第十条): a new
    法制审核意见书 marked 重新审核, with the objection, signed by the reviewer — written once, like
    the first. "补充调查" sends the case (back) to investigation."""
    if opinion_type not in OpinionType.values:
        raise ValidationError({"opinion_type": "请选择审核意见类型。"})
    text = _text(text, "text", "请填写重新审核意见及理由。")
    now = timezone.now()
    with transaction.atomic():
        locked = (
            Objection.objects.select_for_update()
            .select_related("case", "case__agency", "opinion_record")
            .get(pk=objection.pk)
        )
        case = locked.case
        _require_reviewer(actor, case)
        if locked.request != ObjectionRequest.RE_REVIEW:
            raise ValidationError("该异议提请的是集体研究，不是重新审核（HY-FS 第十条）。")
        if ReReview.objects.filter(objection=locked).exists():
            raise ValidationError("已重新审核。")
        if case.branch:
            raise ValidationError("案件已终止。")
        when = _when(issued_at, field="issued_at", now=now, not_before=locked.raised_at)
        first = locked.opinion_record.fields
        data: dict[str, Any] = {
            "received_on": timezone.localdate(locked.raised_at).isoformat(),
            "reviewers": [{"name": actor.full_name or actor.username, "number": actor.certificate_no or ""}],
            "review_items": list(first.get("review_items") or [CheckItem.OTHER]),
            "opinion_type": opinion_type,
            "opinion": text,
            "extended": False,
            "issued_on": timezone.localdate(when).isoformat(),
            "review_kind": "re_review",
            "objection": locked.reason,
        }
        record = records.create_record(
            actor=actor,
            case=case,
            record_type="legal_review_opinion",
            title="法制审核意见书（重新审核）",
            data=data,
            signers=[_signer(actor, SignerRole.REVIEWER, when, "重新审核")],
        )
        row = ReReview.objects.create(
            objection=locked,
            opinion_type=opinion_type,
            text=text,
            record=record,
            issued_by=actor,
            issued_at=when,
        )
        _append(actor, "review.re_review", row, case=case)
        if opinion_type == OpinionType.INVESTIGATE and case.stage == Stage.REVIEW:
            from liuhen.cases.services import change_stage

            change_stage(
                actor=actor,
                case=case,
                to_stage=Stage.INVESTIGATION,
                reason="法制机构重新审核意见：建议继续调查取证（HY-FS 第九条第（二）项、第十条）。",
            )
    return row


def designate_room(
    *, actor: Person, name: str, equipment: str = "", withdrawn: bool = False, at: datetime | None = None
) -> DeliberationRoom:
    """The agency head designates (or withdraws) a room for 合议 and collective discussion with its
    recording equipment (DC-5, PL 第十三条)."""
    if not (actor.is_active and actor.agency_id is not None and actor.has_role(Role.AGENCY_HEAD)):
        raise PermissionDenied("合议、集体讨论场所由机关负责人指定。")
    name = _text(name, "name", "请填写场所名称。")
    with transaction.atomic():
        current = {r.name for r in selectors.designated_rooms(actor.agency)} if actor.agency else set()
        if withdrawn and name not in current:
            raise ValidationError({"name": "该场所未被指定。"})
        if not withdrawn and name in current:
            raise ValidationError({"name": "该场所已指定。"})
        room = DeliberationRoom.objects.create(
            agency_id=actor.agency_id,
            name=name[:200],
            equipment=equipment.strip()[:200],
            withdrawn=withdrawn,
            designated_by=actor,
            designated_at=_when(at, field="at", now=timezone.now()),
        )
        ledger.append(
            actor=actor,
            action="review.room",
            obj=room,
            payload={"content": sealed_content(room)},
        )
    return room


@dataclass(frozen=True)
class AttendeeInput:
    """A participant of the collective discussion and their signature on the record."""

    name: str
    title: str
    person: Person | None = None
    signed_at: datetime | None = None


@dataclass(frozen=True)
class Speech:
    """What one participant said (每位参加人的发言)."""

    speaker: str
    statement: str


_AV_TYPES = ("video", "audio")


def _check_av_blob(attachment: RecordAttachment) -> bool:
    """The AV file is in the vault: present, with the size its row says (the content is verified
    against its digest by ``liuhen verify``)."""
    from liuhen.vault.services import get_storage

    blob = attachment.blob
    if not blob.media_type.startswith(("video/", "audio/")):
        return False
    storage = get_storage()
    try:
        return storage.exists(blob.storage_key) and storage.size(blob.storage_key) == blob.size
    except OSError:
        return False


def _av_covering(case: Case, av_record: Record, held_at: datetime) -> RecordAttachment:
    """The checked file of an existing audio/video record of the case covering the discussion."""
    if av_record.case_id != case.pk or av_record.record_type not in _AV_TYPES:
        raise ValidationError({"av_record": "音像记录应为本案的录像或录音记录。"})
    if Record.objects.filter(supersedes=av_record).exists():
        raise ValidationError({"av_record": "该音像记录已有更新版本，请选择最新版本。"})
    data = av_record.fields
    start = selectors.as_local_datetime(data.get("recorded_at"))
    end = selectors.as_local_datetime(data.get("ended_at"))
    if start is None or start > held_at or (end is not None and end < held_at):
        raise ValidationError({"av_record": "该音像记录的录制时间未覆盖集体讨论的时间。"})
    for attachment in av_record.attachments.select_related("blob"):
        if _check_av_blob(attachment):
            return attachment
    raise ValidationError({"av_record": "该音像记录没有可用的录像或录音文件（文件缺失或不完整）。"})


def hold_collective_study(
    *,
    actor: Person,
    objection: Objection,
    held_at: datetime,
    room: DeliberationRoom,
    host: str,
    recorder: str,
    attendees: Sequence[AttendeeInput],
    case_report: str,
    speeches: Sequence[Speech],
    conclusion: str,
    decision: str,
    av_record: Record | None = None,
    av_files: Sequence[records.FileInput] = (),
) -> CollectiveDecision:
    """LR-6: the department still disagrees with the re-review's opinion and the agency studies it
    collectively (HY-FS 第十条). The 集体讨论记录 (DC-3, DC-5) lists the attendees, each speaker's
    statement and the conclusion, carries every attendee's signature (the agency head's in the
    system), was held in a designated room and recorded on audio/video — a file attached here, or an
    audio/video record of the case covering the time — and that file is checked in the vault.
    Deciding a penalty (or no penalty) overrides the disagreement for the decision (LR-7)."""
    case = objection.case
    if not (can_write_case(actor, case) or selectors.is_agency_head(actor, case)):
        raise PermissionDenied("集体研究由本案承办科室或机关负责人登记。")
    errors: dict[str, str] = {}
    host = host.strip()
    recorder = recorder.strip()
    conclusion = conclusion.strip()
    case_report = case_report.strip()
    names = [a.name.strip() for a in attendees]
    heads = [a for a in attendees if a.person is not None and selectors.is_agency_head(a.person, case)]
    if len(names) < 3:
        errors["attendees"] = "集体讨论的参加人员不少于三人。"
    elif len(set(names)) != len(names) or not all(names):
        errors["attendees"] = "参加人员姓名不能为空或重复。"
    elif any(a.person is not None and a.person != actor for a in attendees):
        # A signature in the system is the signer's own act: the others sign the paper record.
        errors["attendees"] = "只能以登记人本人的身份在系统中签名，其他参加人在纸质记录上签名。"
    elif not heads:
        errors["attendees"] = (
            "集体研究应当由机关负责人参加并在系统中签名（HY-FS 第十条：提请本部门集体研究）。"
        )
    if not speeches:
        errors["speeches"] = "请逐人记录讨论发言。"
    else:
        strangers = [sp.speaker for sp in speeches if sp.speaker.strip() not in names]
        empty = [sp.speaker for sp in speeches if not sp.statement.strip()]
        if strangers:
            errors["speeches"] = f"发言人不在参加人员中：{'、'.join(strangers)}。"
        elif empty:
            errors["speeches"] = f"请记录发言内容：{'、'.join(empty)}。"
    for field_name, value, message in (
        ("host", host, "请填写主持人。"),
        ("recorder", recorder, "请填写记录人。"),
        ("case_report", case_report, "请填写承办人汇报的案情及处理意见。"),
        ("conclusion", conclusion, "请填写讨论结论。"),
    ):
        if not value:
            errors[field_name] = message
    if host and host not in names:
        errors["host"] = "主持人应为参加人员之一。"
    if timezone.is_naive(held_at):
        errors["held_at"] = "时间须带时区。"
    elif held_at > timezone.now():
        errors["held_at"] = "讨论时间不能晚于当前时间。"
    if room.agency_id != case.agency_id or room.pk not in {
        r.pk for r in selectors.designated_rooms(case.agency)
    }:
        errors["room"] = "集体讨论应当在本机关指定的场所进行（DC-5，PL 第十三条）。"
    if av_record is None and not av_files:
        errors["av"] = (
            "集体讨论应当全程录音录像：请上传录音录像，或选择本案的录像、录音记录（DC-5，PL 第十三条）。"
        )
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    with vault_atomic():
        locked = (
            Objection.objects.select_for_update()
            .select_related("case", "case__agency", "opinion_record")
            .get(pk=objection.pk)
        )
        case = locked.case
        if locked.request != ObjectionRequest.COLLECTIVE:
            raise ValidationError("集体研究须在对法制机构重新审核的意见仍有异议时提请（HY-FS 第十条）。")
        if CollectiveDecision.objects.filter(objection=locked).exists():
            raise ValidationError("该异议已经集体研究。")
        if case.branch:
            raise ValidationError("案件已终止。")
        if held_at < locked.raised_at.replace(second=0, microsecond=0):  # times are entered to the minute
            raise ValidationError({"held_at": "集体讨论应在提请集体研究之后。"})
        checked = _av_covering(case, av_record, held_at) if av_record is not None else None
        av_reference = ""
        if checked is not None:
            av_reference = f"{av_record.title if av_record else ''}：{checked.filename}（{checked.blob.sm3}）"
        data: dict[str, Any] = {
            "held_at": timezone.localtime(held_at).isoformat(timespec="seconds"),
            "place": room.name,
            "host": host,
            "recorder": recorder,
            "attendees": [{"name": a.name.strip(), "number": a.title.strip()} for a in attendees],
            "case_report": case_report,
            "statements": "\n".join(f"{sp.speaker.strip()}：{sp.statement.strip()}" for sp in speeches),
            "conclusion": conclusion,
            "decision": decision,
            "occasion": "legal_review_objection",
            "designated_room": True,
        }
        if av_reference:
            data["av_reference"] = av_reference[:200]
        record = records.create_record(
            actor=actor,
            case=case,
            record_type="collective_discussion",
            title="集体讨论记录（法制审核意见分歧集体研究）",
            data=data,
            signers=[
                records.SignerInput(
                    role=SignerRole.ATTENDEE,
                    name=a.name.strip(),
                    person=a.person,
                    signed_at=a.signed_at or now,
                    note=a.title.strip()[:200],
                )
                for a in attendees
            ],
            files=av_files,
        )
        if checked is None:
            for attachment in record.attachments.select_related("blob"):
                if _check_av_blob(attachment):
                    checked = attachment
                    break
            if checked is None:
                raise ValidationError({"av": "上传的文件不是可用的录像或录音（DC-5，PL 第十三条）。"})
        row = CollectiveDecision.objects.create(
            objection=locked,
            record=record,
            decision=str(record.fields.get("decision") or ""),
            room=room,
            av_attachment=checked,
            registered_by=actor,
            registered_at=now,
        )
        _append(actor, "review.collective", row, case=case, av_sm3=checked.blob.sm3)
    return row


# --- advance notice, statement and defence, hearing (DC-1, DC-2) ----------------------------------


def _officers(case: Case) -> list[dict[str, str]]:
    return [
        {"name": h.person.full_name or h.person.username, "number": h.certificate_no}
        for h in case.handlers.select_related("person").order_by("-is_lead", "pk")
    ]


def _require_review_stage(case: Case) -> None:
    if case.branch:
        raise ValidationError("案件已终止。")
    if case.stage != Stage.REVIEW:
        raise ValidationError("告知、陈述申辩和听证在“审查决定”阶段进行。")


def _officer_signer(actor: Person, at: datetime | None = None) -> records.SignerInput:
    return records.SignerInput(
        role=SignerRole.OFFICER, name=actor.full_name or actor.username, person=actor, signed_at=at
    )


# Periods of 行政处罚法 第八十五条 counted in working days (二日、三日、五日、七日).
_WORKING_DAY_PERIODS = (2, 3, 5, 7)


def statement_deadline(case: Case, issued_on: date, days: int) -> date:
    """The last day for statement and defence: ``days`` from the notice, in working days where the
    law's periods are (行政处罚法 第八十五条), else calendar days moved off a rest day."""
    from liuhen.policy.selectors import calendar_of_agency

    calendar = calendar_of_agency(case.agency)
    due = (
        calendar.add_working_days(issued_on, days)
        if days in _WORKING_DAY_PERIODS
        else calendar.add_calendar_days(issued_on, days)
    )
    return due.date


def issue_advance_notice(
    *,
    actor: Person,
    case: Case,
    document_no: str,
    facts: str,
    evidence: Sequence[str],
    legal_basis: str,
    proposed_decision: str,
    channel: str,
    deadline_days: int,
    issued_on: date,
    rights: Sequence[str] = ("statement", "defence"),
    proposed_amount: Decimal | None = None,
    party: str = "",
    recipient: records.SignerInput | None = None,
) -> Record:
    """DC-1 (WD 第十五条, HY-JL 第十条): the 行政处罚事先告知书 — proposed decision, facts, evidence,
    legal basis, the channel and the deadline for statement and defence (its last day computed on
    the agency's working-day calendar)."""
    _require_writer(actor, case)
    _require_review_stage(case)
    if isinstance(deadline_days, bool) or int(deadline_days) < 1:
        raise ValidationError({"deadline_days": "请填写陈述申辩期限。"})
    party = party.strip() or ", ".join(p.name for p in case.parties.filter(superseded_by__isnull=True))
    data: dict[str, Any] = {
        "document_no": document_no,
        "party": party,
        "facts": facts,
        "evidence": [e.strip() for e in evidence if e.strip()],
        "legal_basis": legal_basis,
        "proposed_decision": proposed_decision,
        "rights": list(rights),
        "channel": channel,
        "deadline_days": int(deadline_days),
        "issued_on": issued_on.isoformat(),
        "statement_deadline": statement_deadline(case, issued_on, int(deadline_days)).isoformat(),
    }
    if proposed_amount is not None:
        data["proposed_amount"] = str(proposed_amount)
    signers = [_officer_signer(actor)]
    if recipient is not None:
        signers.append(recipient)
    return records.create_record(
        actor=actor,
        case=case,
        record_type="advance_notice",
        data=data,
        title="行政处罚事先告知书",
        signers=signers,
    )


def _advance_notice_or_refuse(case: Case) -> Record:
    notice = selectors.latest_record(case, "advance_notice")
    if notice is None:
        raise ValidationError("请先制作并送达行政处罚事先告知书（WD 第十五条、HY-JL 第十条）。")
    return notice


def record_statement(
    *,
    actor: Person,
    case: Case,
    form: str,
    held_at: datetime,
    place: str,
    speaker: str,
    content: str,
    adoption: str,
    reasons: str,
    party_signer: records.SignerInput | None = None,
    files: Sequence[records.FileInput] = (),
) -> Record:
    """DC-1: the party's statement and defence (oral or written) → 陈述申辩笔录 with what was said,
    whether it was adopted and why (HY-JL 第十条第三款: 陈述、申辩的内容及采纳情况)."""
    _require_writer(actor, case)
    _require_review_stage(case)
    if form not in ("oral", "written"):
        raise ValidationError({"form": "请选择口头或书面陈述申辩；放弃的请登记放弃记录。"})
    errors = {
        name: message
        for name, value, message in (
            ("content", content, "请记录陈述、申辩的内容。"),
            ("reasons", reasons, "请写明复核意见及采纳或者不予采纳的理由。"),
            ("place", place, "请填写地点。"),
        )
        if not value.strip()
    }
    if adoption not in ("adopted", "partly", "rejected"):
        errors["adoption"] = "请选择采纳情况。"
    if errors:
        raise ValidationError(errors)
    notice = _advance_notice_or_refuse(case)
    issued = selectors.as_local_datetime(notice.fields.get("issued_on"))
    if issued is not None and timezone.localdate(held_at) < issued.date():
        raise ValidationError({"held_at": "陈述申辩不能早于事先告知。"})
    party = str(notice.fields.get("party") or "")
    data = {
        "held_at": timezone.localtime(held_at).isoformat(timespec="seconds"),
        "place": place.strip(),
        "officers": _officers(case),
        "party": party,
        "speaker": speaker.strip(),
        "form": form,
        "content": content.strip(),
        "adoption": adoption,
        "review_reasons": reasons.strip(),
    }
    signers = [_officer_signer(actor)]
    if party_signer is not None:
        signers.append(party_signer)
    return records.create_record(
        actor=actor,
        case=case,
        record_type="statement_defence",
        data=data,
        title="陈述申辩笔录",
        signers=signers,
        files=files,
    )


def record_waiver(
    *,
    actor: Person,
    case: Case,
    waived_rights: Sequence[str],
    form: str,
    waived_on: date,
    statement: str = "",
    party_signer: records.SignerInput | None = None,
) -> Record:
    """DC-1: the party waived statement and defence (or let the period lapse) — written down
    (HY-JL 第十条第二款). A lapse is recorded only after the deadline of the advance notice."""
    _require_writer(actor, case)
    _require_review_stage(case)
    notice = _advance_notice_or_refuse(case)
    if form == "lapsed":
        deadline = selectors.as_local_datetime(notice.fields.get("statement_deadline"))
        if deadline is not None and waived_on <= deadline.date():
            raise ValidationError(
                {"waived_on": f"陈述申辩期限至{deadline:%Y-%m-%d}届满，届满后才能登记期满未提出。"}
            )
    signature = "not_applicable" if form == "lapsed" else ("signed" if party_signer else "refused")
    data = {
        "party": str(notice.fields.get("party") or ""),
        "advance_notice_no": str(notice.fields.get("document_no") or ""),
        "waived_rights": list(waived_rights),
        "form": form,
        "statement": statement.strip(),
        "waived_on": waived_on.isoformat(),
        "party_signature": signature,
    }
    signers = [_officer_signer(actor)]
    if party_signer is not None:
        signers.append(party_signer)
    return records.create_record(
        actor=actor,
        case=case,
        record_type="waiver_record",
        data=data,
        title="放弃陈述申辩记录",
        signers=signers,
    )


def register_hearing_application(
    *,
    actor: Person,
    case: Case,
    applicant: str,
    applied_on: date,
    form: str,
    matters: str = "",
    recusal_request: str = "",
    public_requested: bool = False,
) -> Record:
    """DC-2: the party's request for a hearing, within the baseline's period from the notice of the
    right (5 working days, 行政处罚法 第六十四条第（一）项; counted on the agency's calendar as the
    engine counts it). A late request is refused with the last day and the citation."""
    _require_writer(actor, case)
    _require_review_stage(case)
    notice = selectors.hearing_right_notice(case)
    if notice is None:
        raise ValidationError("尚未告知当事人要求听证的权利（听证告知书或载明听证权利的事先告知书）。")
    period = selectors.hearing_request_period(case.agency)
    last = selectors.period_end(case.agency, period, notice.fields.get("issued_on"))
    if last is not None and applied_on > last:
        raise ValidationError(
            {
                "applied_on": f"当事人要求听证的，应当在告知后{period.text}内提出；本案告知日期为"
                f"{notice.fields.get('issued_on')}，期限至{last:%Y-%m-%d}届满（依据：{period.citation}）。"
            }
        )
    data: dict[str, Any] = {
        "applicant": _text(applicant, "applicant", "请填写申请人。"),
        "applied_on": applied_on.isoformat(),
        "form": form,
        "notice_no": str(notice.fields.get("document_no") or ""),
        "matters": matters.strip(),
        "recusal_request": recusal_request.strip(),
        "public_requested": bool(public_requested),
        "received_by": actor.full_name or actor.username,
    }
    if last is not None:
        data["deadline_on"] = last.isoformat()
    return records.create_record(
        actor=actor,
        case=case,
        record_type="hearing_application",
        data=data,
        title="听证申请",
        signers=[records.SignerInput(role=SignerRole.PARTY, name=data["applicant"], note="申请人")],
    )


def schedule_hearing(
    *,
    actor: Person,
    case: Case,
    document_no: str,
    hearing_at: datetime,
    place: str,
    host: str,
    issued_on: date,
    public: bool = True,
    recipient: records.SignerInput | None = None,
) -> Record:
    """DC-2: the 听证通知书 with time, place and host, at least 7 working days before the hearing
    (行政处罚法 第六十四条第（二）项; refused otherwise by ``selectors.hearing_notice_refusal``, for
    every way of writing the record). The host is not one of the case's investigators (同条第（四）项)."""
    _require_writer(actor, case)
    _require_review_stage(case)
    if selectors.latest_record(case, "hearing_application") is None:
        raise ValidationError("当事人未申请听证。")
    host = _text(host, "host", "请填写听证主持人。")
    investigators = {o["name"] for o in _officers(case)}
    if host in investigators:
        raise ValidationError(
            {"host": "听证由行政机关指定的非本案调查人员主持（依据：行政处罚法 第六十四条第（四）项）。"}
        )
    application = selectors.latest_record(case, "hearing_application")
    notice = selectors.latest_record(case, "advance_notice")
    data: dict[str, Any] = {
        "document_no": document_no,
        "notice_kind": "schedule",
        "party": str(application.fields.get("applicant") or "") if application else "",
        "proposed_decision": str(notice.fields.get("proposed_decision") or "")
        if notice is not None
        else "见行政处罚事先告知书",
        "hearing_at": timezone.localtime(hearing_at).isoformat(timespec="seconds"),
        "place": _text(place, "place", "请填写听证地点。"),
        "host": host,
        "public": bool(public),
        "issued_on": issued_on.isoformat(),
    }
    signers = [_officer_signer(actor)]
    if recipient is not None:
        signers.append(recipient)
    return records.create_record(
        actor=actor, case=case, record_type="hearing_notice", data=data, title="听证通知书", signers=signers
    )


def record_hearing(
    *,
    actor: Person,
    case: Case,
    data: Mapping[str, Any],
    signers: Sequence[records.SignerInput],
    av_files: Sequence[records.FileInput] = (),
) -> Record:
    """DC-2: the 听证笔录 (time, place, participants, what was said), after the hearing notice and not
    before the notified time; its audio-visual record is a file attached here or an AV record of the
    case, and whether it is there is the compliance engine's finding (the packs' hearing-AV rules,
    e.g. WD 第十六条, PL 第十二条)."""
    _require_writer(actor, case)
    _require_review_stage(case)
    notice = selectors.latest_record(case, "hearing_notice", notice_kind="schedule")
    if notice is None:
        raise ValidationError(
            "请先以听证通知书通知当事人听证的时间、地点（行政处罚法 第六十四条第（二）项）。"
        )
    noticed = selectors.as_local_datetime(notice.fields.get("hearing_at"))
    started = selectors.as_local_datetime(data.get("started_at"))
    if noticed is not None and started is not None and started.date() < noticed.date():
        raise ValidationError({"started_at": f"听证不能早于通知的时间（{noticed:%Y-%m-%d %H:%M}）。"})
    return records.create_record(
        actor=actor,
        case=case,
        record_type="hearing_record",
        data={"investigators": _officers(case), **data},
        title="听证笔录",
        signers=signers,
        files=av_files,
    )


def export_bundle(*, actor: Person, submission: Submission) -> Bundle:
    """LR-9: the retained materials of a review round as one zip (``review.bundle.Bundle``), for
    the legal office and the agency head; the export is a ledger event naming every file's digest."""
    from liuhen.review.bundle import build_bundle

    case = submission.case
    if not (selectors.is_legal_reviewer(actor, case) or selectors.is_agency_head(actor, case)):
        raise PermissionDenied("留存资料由法制机构或机关负责人导出。")
    receipt = Receipt.objects.filter(submission=submission).first()
    if receipt is None:
        raise ValidationError("案卷尚未登记收案，没有留存资料。")
    bundle = build_bundle(actor, submission)
    ledger.record_access(
        actor=actor,
        action="review.bundle",
        obj=receipt,
        case_id=case.pk,
        detail={
            "register_no": receipt.register_no,
            "files": [{"name": f["name"], "sm3": f["sm3"]} for f in bundle.files],
            "withheld": [w["name"] for w in bundle.withheld],
        },
    )
    return bundle


def export_statistics(*, actor: Person, year: int) -> tuple[str, bytes]:
    """Issue #4 point 8: the year's review statistics as an Excel workbook (filename, bytes), for the
    legal office and the agency head; the export is a ledger event."""
    from liuhen.review.statistics import review_statistics, workbook

    if not selectors.sees_workspace(actor) or actor.agency is None:
        raise PermissionDenied("法制审核统计供法制审核人员和机关负责人使用。")
    stats = review_statistics(actor, year)
    data = workbook(stats, actor.agency.name)
    with transaction.atomic():
        ledger.append(
            actor=actor,
            action="review.statistics.export",
            object_type="review.statistics",
            object_id=f"{actor.agency_id}/{year}",
            payload={"year": year, "rounds": stats.total.submitted, "size": len(data)},
        )
    return f"法制审核统计-{actor.agency.short_name}-{year}.xlsx", data


__all__ = [
    "AttendeeInput",
    "CheckInput",
    "Speech",
    "answer_question",
    "ask_question",
    "check_discretion",
    "designate_room",
    "export_bundle",
    "export_statistics",
    "extend_review",
    "file_with_legal_office",
    "hold_collective_study",
    "issue_advance_notice",
    "issue_opinion",
    "object_to_opinion",
    "raise_dispute",
    "re_review",
    "record_checks",
    "record_hearing",
    "record_statement",
    "record_waiver",
    "register_hearing_application",
    "register_number",
    "register_receipt",
    "register_return",
    "resolve_dispute",
    "schedule_hearing",
    "sign_decision",
    "statement_deadline",
    "submit_for_review",
]
