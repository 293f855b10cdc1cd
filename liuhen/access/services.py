"""Writes for access control (AC-1..4). Each service validates, then in one transaction writes
its write-once event row and the ledger entry with the row's sealed content. Reads of protected
content (an AV item's page, its download, a party's copy) are ledger events too.

- :func:`request_access` — a person asks to view / copy / export a case file or an AV item outside
  their own work scope, with the work need (AC-1);
- :func:`register_party_request` — an officer registers a party's application to copy the records
  of their case (AC-2);
- :func:`decide` — the unit head approves (a grant valid for a number of days) or refuses (with a
  reason);
- :func:`revoke` / :func:`expire_grants` — a grant ends early, or its expiry is recorded;
- :func:`produce_party_copy` — the party's copy: ordinary records only, every PDF watermarked.
"""

from __future__ import annotations

import shutil
import tempfile
import zipfile
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import BinaryIO

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Model
from django.utils import timezone

from liuhen.access import selectors
from liuhen.access.models import AccessRequest, Action, Decision, EndKind, GrantEnd, RequestKind, actions_text
from liuhen.av.models import Attribution, AttributionKind, MediaItem
from liuhen.cases.models import Case, Party
from liuhen.cases.selectors import can_write_case
from liuhen.core.sealing import sealed_content
from liuhen.ledger import services as ledger
from liuhen.org.models import Person
from liuhen.vault.services import get_storage


def max_days() -> int:
    return int(getattr(settings, "LIUHEN_ACCESS_MAX_DAYS", 30))


def _append(actor: Person | None, action: str, row: Model, *, case_id: int | None, **extra: object) -> None:
    ledger.append(
        actor=actor,
        action=action,
        obj=row,
        case_id=case_id,
        payload={"content": sealed_content(row), **extra},
    )


def _item_case_id(item_id: int | None) -> int | None:
    if item_id is None:
        return None
    current = Attribution.objects.filter(item_id=item_id).order_by("-pk").values("kind", "case_id").first()
    if current is None or current["kind"] != AttributionKind.CONFIRMED:
        return None
    case_id = current["case_id"]
    return int(case_id) if case_id is not None else None


def _case_id_of(request: AccessRequest) -> int | None:
    return request.case_id if request.case_id is not None else _item_case_id(request.media_item_id)


def _check_days(days: int) -> None:
    if not 1 <= days <= max_days():
        raise ValidationError({"days": f"期限应为 1 至 {max_days()} 天。"})


def _check_actions(actions: set[str] | list[str] | tuple[str, ...]) -> str:
    unknown = set(actions) - set(Action.values)
    if unknown:
        raise ValidationError({"actions": "申请事项无效：" + "、".join(sorted(unknown))})
    return actions_text(actions)


def request_access(
    *,
    actor: Person,
    case: Case | None = None,
    media_item: MediaItem | None = None,
    actions: set[str] | list[str] | tuple[str, ...],
    reason: str,
    days: int = 7,
) -> AccessRequest:
    """AC-1: ask the unit head for access to one case file or one AV item for a work need."""
    if not actor.is_active or actor.agency_id is None:
        raise PermissionDenied("只有本机关在职人员可以申请调阅。")
    if (case is None) == (media_item is None):
        raise ValidationError("请指定一个案卷或一项音像资料。")
    target = case if case is not None else media_item
    assert target is not None
    if target.agency_id != actor.agency_id:
        raise ValidationError(
            {"case" if case is not None else "media_item": "只能申请调阅本机关的案卷或音像资料。"}
        )
    if not reason.strip():
        raise ValidationError({"reason": "请说明工作需要（调阅事由）。"})
    _check_days(days)
    stored = _check_actions(actions)
    if all(selectors.can_view(actor, target, action=a) for a in stored.split(",")):
        raise ValidationError("您本身即可查阅、复制和导出该材料，无需申请。")
    with transaction.atomic():
        pending = AccessRequest.objects.filter(
            requester=actor, kind=RequestKind.WORK, case=case, media_item=media_item, decision__isnull=True
        )
        if pending.exists():
            raise ValidationError("您对该材料已有待审批的申请。")
        row = AccessRequest.objects.create(
            agency_id=actor.agency_id,
            kind=RequestKind.WORK,
            requester=actor,
            case=case,
            media_item=media_item,
            actions=stored,
            reason=reason.strip(),
            days=days,
            requested_at=timezone.now(),
        )
        _append(actor, "access.request", row, case_id=_case_id_of(row))
    return row


def register_party_request(
    *,
    actor: Person,
    case: Case,
    party: Party,
    applicant_name: str,
    reason: str,
    applicant_id_doc: str = "",
    days: int = 15,
) -> AccessRequest:
    """AC-2 (YC-14): an officer of the case registers a party's application to copy its records."""
    if not can_write_case(actor, case):
        raise PermissionDenied("只有本案承办人员或科室负责人可以登记当事人的复制申请。")
    if party.case_id != case.pk:
        raise ValidationError({"party": "当事人不属于该案件。"})
    if not applicant_name.strip():
        raise ValidationError({"applicant_name": "请填写申请人（当事人或其代理人）姓名。"})
    if not reason.strip():
        raise ValidationError({"reason": "请填写申请复制的用途。"})
    _check_days(days)
    with transaction.atomic():
        row = AccessRequest.objects.create(
            agency_id=case.agency_id,
            kind=RequestKind.PARTY,
            requester=actor,
            case=case,
            actions=actions_text({Action.COPY}),
            reason=reason.strip(),
            days=days,
            party=party,
            applicant_name=applicant_name.strip(),
            applicant_id_doc=applicant_id_doc.strip(),
            requested_at=timezone.now(),
        )
        _append(actor, "access.party_request", row, case_id=case.pk)
    return row


def decide(
    *, actor: Person, request: AccessRequest, approved: bool, note: str = "", days: int | None = None
) -> Decision:
    """The unit head's decision. Approval: a grant from now for ``days`` (default: as requested).
    Refusal needs a reason."""
    if not selectors.can_decide(actor, request):
        if actor.pk == request.requester_id:
            raise PermissionDenied("不能审批本人的申请。")
        raise PermissionDenied("只有机关负责人或材料所属科室的负责人可以审批。")
    if not approved and not note.strip():
        raise ValidationError({"note": "不予批准的，请说明理由。"})
    span = request.days if days is None else days
    if approved:
        _check_days(span)
    now = timezone.now()
    with transaction.atomic():
        AccessRequest.objects.select_for_update().filter(pk=request.pk).first()
        if Decision.objects.filter(request=request).exists():
            raise ValidationError("该申请已审批。")
        row = Decision.objects.create(
            request=request,
            approved=approved,
            note=note.strip(),
            valid_from=now if approved else None,
            valid_until=now + timedelta(days=span) if approved else None,
            decided_by=actor,
            decided_at=now,
        )
        _append(actor, "access.approve" if approved else "access.refuse", row, case_id=_case_id_of(request))
    return row


def revoke(*, actor: Person, decision: Decision, reason: str) -> GrantEnd:
    """End a grant before its time (the requester may give it up)."""
    request = decision.request
    if not selectors.can_revoke(actor, request):
        raise PermissionDenied("只有申请人、审批人、机关负责人或材料所属科室的负责人可以撤销授权。")
    if not reason.strip():
        raise ValidationError({"reason": "请说明撤销理由。"})
    now = timezone.now()
    with transaction.atomic():
        if GrantEnd.objects.filter(decision=decision).exists():
            raise ValidationError("该授权已终止。")
        assert decision.valid_until is not None
        if decision.valid_until <= now:
            raise ValidationError("该授权已到期。")
        row = GrantEnd.objects.create(
            decision=decision, kind=EndKind.REVOKED, reason=reason.strip(), ended_by=actor, ended_at=now
        )
        _append(actor, "access.revoke", row, case_id=_case_id_of(request))
    return row


def expire_grants(*, now: datetime | None = None) -> list[GrantEnd]:
    """The daily job (``liuhen access --expire``): record each grant whose time ran out (the grant is
    inactive from ``valid_until`` anyway; the row puts its end in the ledger)."""
    at = now or timezone.now()
    ended: list[GrantEnd] = []
    with transaction.atomic():
        due = Decision.objects.filter(approved=True, valid_until__lte=at, end__isnull=True).select_related(
            "request"
        )
        for decision in due.order_by("valid_until", "pk"):
            assert decision.valid_until is not None
            row = GrantEnd.objects.create(
                decision=decision,
                kind=EndKind.EXPIRED,
                reason="期限届满",
                ended_by=None,
                ended_at=decision.valid_until,
            )
            _append(None, "access.expire", row, case_id=_case_id_of(decision.request))
            ended.append(row)
    return ended


def media_accessed(*, actor: Person, item: MediaItem, action: str, byte_range: str = "") -> None:
    """Opening an AV item's page (``av.view``), playing (``av.play``) or downloading (``av.download``)
    its original is a ledger event (principle 2)."""
    if action not in ("av.view", "av.play", "av.download"):
        raise ValueError(f"unknown AV access action {action!r}")
    detail: dict[str, object] = {"blob": item.blob_id}
    if byte_range:
        detail["range"] = byte_range
    ledger.record_access(actor=actor, action=action, obj=item, case_id=_item_case_id(item.pk), detail=detail)


def spool() -> BinaryIO:
    """A temporary file for a party's copy; the response that streams it closes (and so removes) it."""
    return tempfile.TemporaryFile()


@dataclass(frozen=True)
class PartyCopy:
    filename: str
    size: int
    included: tuple[int, ...]
    withheld: tuple[int, ...]


def produce_party_copy(*, actor: Person, request: AccessRequest, out: BinaryIO) -> PartyCopy:
    """AC-2: the party's copy as a ZIP written to ``out`` (attachments streamed, so a long video
    does not sit in memory) — each ordinary record's 执法文书 PDF (watermarked with the
    party, the officer and the time) and its attachments; confidential records are withheld and
    only counted. Needs an approved, active party request; the officer who registered it or another
    writer of the case produces it. Ledgered as ``access.party_copy`` with what went in and what
    was withheld."""
    from liuhen.documents.content import build_document
    from liuhen.documents.pdf import render_pdf_content, watermark_text
    from liuhen.records.catalogue import catalogue

    if request.kind != RequestKind.PARTY or request.case is None:
        raise ValidationError("这不是当事人复制申请。")
    case = request.case
    if not can_write_case(actor, case):
        raise PermissionDenied("只有本案承办人员或科室负责人可以制作当事人复制件。")
    if selectors.status_of(request) != selectors.Status.ACTIVE:
        raise PermissionDenied("该复制申请未获批准或已过期限。")
    included, withheld = selectors.copy_content(case)
    now = timezone.now()
    mark = watermark_text(
        f"提供给{request.applicant_name}（当事人复制件，经办：{actor.full_name}）", now, "复制"
    )
    storage = get_storage()
    start = out.tell()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        lines = [
            f"{case.agency} 当事人复制件",
            f"案件：{case.number} {case.title}",
            f"申请人：{request.applicant_name}（当事人：{request.party.name if request.party else ''}）",
            f"经办：{actor.ledger_label()}    制作时间：{timezone.localtime(now):%Y-%m-%d %H:%M:%S}",
            "",
            "提供的记录：",
        ]
        for n, record in enumerate(included, start=1):
            lines.append(f"{n:02d}. {record.title}（第 {record.version} 版）")
            prefix = f"{n:02d}"
            rtype = catalogue().get(record.record_type) if record.record_type in catalogue() else None
            if rtype is not None and rtype.kind == "text":
                content = build_document(record)
                archive.writestr(
                    f"{prefix}-{content.filename_stem}.pdf", render_pdf_content(content, watermark=mark)
                )
            for attachment in record.attachments.all():
                name = f"{prefix}-附件-{attachment.pk}-{attachment.filename}"
                with storage.open(attachment.blob.storage_key) as fh, archive.open(name, "w") as dst:
                    shutil.copyfileobj(fh, dst, 1024 * 1024)
        if withheld:
            lines += ["", f"依法应当保密的记录 {len(withheld)} 份未予提供（AC-2、AC-3）。"]
        archive.writestr("清单.txt", "\n".join(lines) + "\n")
    result = PartyCopy(
        filename=f"当事人复制件-{case.number}-{request.pk}.zip".replace("/", "_"),
        size=out.tell() - start,
        included=tuple(r.pk for r in included),
        withheld=tuple(r.pk for r in withheld),
    )
    ledger.record_access(
        actor=actor,
        action="access.party_copy",
        obj=request,
        case_id=case.pk,
        detail={
            "included": list(result.included),
            "withheld": list(result.withheld),
            "size": result.size,
            "watermark": mark,
        },
    )
    return result
