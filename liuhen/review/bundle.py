"""LR-9 (HY-FS 第十三条): the materials the legal office retains for a review, in one zip.

HY-FS 第十三条 lists (一) the 案卷移交清单, (二) the draft decision, (三) the review opinion and
(四) the decision. The bundle holds each as the rendered 执法文书 PDF (``liuhen.documents``: the
same PDF with the QR/digest footer a printed copy carries), every version of the 案卷移交清单
(before and after review), the filing registrations (LR-8), and ``审核过程.txt`` — receipt,
extension, the checklist with its notes, the discretion check, the questions and answers, the
return — plus ``manifest.json`` with the SM3 digest of every file. Records the person may not
see (confidentiality, AC-3) are named in the manifest as withheld, never included.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass

from django.utils import timezone

from liuhen.core.canonical import canonical_json, tagged
from liuhen.org.models import Person
from liuhen.records.models import Record
from liuhen.records.selectors import records_of_case
from liuhen.review import selectors
from liuhen.review.models import CollectiveDecision, Objection, Receipt, ReReview, Submission

_UNSAFE = re.compile(r'[\\/:*?"<>|\s]+')


@dataclass(frozen=True)
class Bundle:
    filename: str
    data: bytes
    files: list[dict[str, object]]  # name, size, sm3, record_id/version/record_type for documents
    withheld: list[dict[str, object]]  # what the person may not see: named, not included


def _render(record: Record) -> bytes:
    from liuhen.documents.pdf import render_pdf  # WeasyPrint loads Pango: only on demand

    return render_pdf(record)


def _when(value: object) -> str:
    return f"{timezone.localtime(value):%Y-%m-%d %H:%M}" if value is not None else ""  # type: ignore[arg-type]


def _process_text(submission: Submission, receipt: Receipt) -> str:
    lines = [
        f"案件：{submission.case.number} {submission.case.title}",
        f"送审：{_when(submission.submitted_at)} {submission.handed_by.full_name}（{submission.place}）",
        f"拟作出的决定：{submission.draft_decision}",
        f"收案登记：{receipt.register_no} {_when(receipt.received_at)} {receipt.received_by.full_name}（{receipt.place}）",
    ]
    extension = getattr(receipt, "extension", None)
    if extension is not None:
        lines.append(
            f"延长审核期限：{extension.working_days}个工作日，理由：{extension.reason}（{_when(extension.extended_at)}）"
        )
    lines.append("")
    lines.append("审核事项（HY-FS 第八条）：")
    for line in selectors.checklist_of(receipt):
        for entry in [*line.history, *([line.entry] if line.entry else [])]:
            lines.append(
                f"  {line.label}：{entry.get_result_display()} {entry.note}（{entry.checked_by.full_name} {_when(entry.checked_at)}）"
            )
        if line.entry is None:
            lines.append(f"  {line.label}：未登记")
    check = selectors.latest_discretion(receipt)
    if check is not None:
        within = {True: "在幅度内", False: "超出幅度", None: "无法计算"}[check.within]
        lines += [
            "",
            f"裁量基准核对：{check.benchmark_text or '未选择条目'}；涉案金额 {check.base_amount or '—'} 元；"
            f"拟罚款 {check.proposed_fine or '—'} 元；允许幅度 {check.allowed_min or '—'}–{check.allowed_max or '—'} 元；"
            f"{within}。{check.note}（{check.checked_by.full_name} {_when(check.checked_at)}）",
        ]
    questions = selectors.questions_of(receipt)
    if questions:
        lines += ["", "向案件调查人员了解情况（HY-FS 第七条）："]
        for number, question in enumerate(questions, 1):
            lines.append(
                f"  问{number}（{question.asked_by.full_name} {_when(question.asked_at)}）：{question.text}"
            )
            answer = getattr(question, "answer", None)
            if answer is not None:
                lines.append(
                    f"  答{number}（{answer.answered_by.full_name} {_when(answer.answered_at)}）：{answer.text}"
                )
            else:
                lines.append(f"  答{number}：尚未答复")
    opinion = getattr(receipt, "opinion", None)
    if opinion is not None:
        lines += [
            "",
            f"审核意见：{opinion.get_opinion_type_display()}。{opinion.text}（{opinion.issued_by.full_name} {_when(opinion.issued_at)}）",
        ]
    file_return = getattr(receipt, "file_return", None)
    if file_return is not None:
        lines.append(
            f"退还案卷：{_when(file_return.returned_at)} {file_return.returned_by.full_name} → "
            f"{file_return.received_by.full_name}（{file_return.place}）"
        )
    return "\n".join(lines) + "\n"


def build_bundle(
    person: Person, submission: Submission, *, render: Callable[[Record], bytes] = _render
) -> Bundle:
    """The retained-materials zip of one review round (the caller checked access and ledgers it)."""
    receipt = submission.receipt
    case = submission.case
    visible = set(records_of_case(person, case, current_only=False).values_list("pk", flat=True))
    wanted: list[tuple[str, Record]] = []
    for record in selectors.handover_versions(receipt):
        wanted.append((f"01_案卷移交清单_第{record.version}版", record))
    if submission.draft_record is not None:
        wanted.append(("02_拟作出的决定_案件调查终结报告", submission.draft_record))
    opinion = getattr(receipt, "opinion", None)
    if opinion is not None:
        wanted.append(("03_法制审核意见书", opinion.record))
        # LR-6: the re-reviews of this round's opinion and the collective study that followed.
        chain = opinion.record
        for step in range(1, 10):
            objection = Objection.objects.filter(opinion_record=chain).first()
            if objection is None:
                break
            answer = ReReview.objects.filter(objection=objection).select_related("record").first()
            collective = (
                CollectiveDecision.objects.filter(objection=objection).select_related("record").first()
            )
            if collective is not None:
                wanted.append((f"03_集体讨论记录_{step}", collective.record))
            if answer is None:
                break
            wanted.append((f"03_法制审核意见书_重新审核_{step}", answer.record))
            chain = answer.record
    for index, record in enumerate(selectors.decision_records(case), 1):
        wanted.append((f"04_{record.title}_{index}", record))
    for index, record in enumerate(selectors.filing_records(case), 1):
        wanted.append((f"05_{record.title}_{index}", record))
    files: list[dict[str, object]] = []
    withheld: list[dict[str, object]] = []
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:

        def add(name: str, data: bytes, **meta: object) -> None:
            archive.writestr(name, data)
            files.append({"name": name, "size": len(data), "sm3": tagged("sm3", data), **meta})

        for stem, record in wanted:
            meta = {"record_id": record.pk, "version": record.version, "record_type": record.record_type}
            if record.pk not in visible:
                withheld.append({"name": stem, **meta, "reason": "无权查看（密级）"})
                continue
            add(f"{_UNSAFE.sub('_', stem)}.pdf", render(record), **meta)
        add("06_审核过程.txt", _process_text(submission, receipt).encode("utf-8"))
        manifest: dict[str, object] = {
            "what": "重大执法决定法制审核留存资料（HY-FS 第十三条）",
            "case": {"id": case.pk, "number": case.number, "title": case.title},
            "register_no": receipt.register_no,
            "made_at": timezone.now().isoformat(timespec="seconds"),
            "made_by": person.ledger_label(),
            "files": files,
            "withheld": withheld,
        }
        archive.writestr(
            "manifest.json", json.dumps(json.loads(canonical_json(manifest)), ensure_ascii=False, indent=2)
        )
    filename = _UNSAFE.sub("_", f"法制审核留存资料-{receipt.register_no}-{case.number}") + ".zip"
    return Bundle(filename=filename, data=buffer.getvalue(), files=files, withheld=withheld)


__all__ = ["Bundle", "build_bundle"]
