"""执法文书 downloads, checking a printed copy against the system, and uploading the signed scan.

Lookups go through :func:`liuhen.records.selectors.get_record_for` (404 for what the person may not
see); every export and every successful check is a ledger event; the scan of a signed paper copy
becomes the record's next version through :func:`liuhen.records.services.correct_record`.
"""

from __future__ import annotations

from typing import BinaryIO, cast

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET, require_http_methods

from liuhen.access.selectors import can_view
from liuhen.cases.forms import error_messages
from liuhen.documents.content import build_document
from liuhen.documents.verification import check_code
from liuhen.ledger import services as ledger
from liuhen.org.models import Person
from liuhen.records import services as record_services
from liuhen.records.models import Record
from liuhen.records.selectors import get_record_for
from liuhen.vault.services import atomic_with_blobs
from liuhen.vault.storage import BlobTooLarge

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
SCAN_REASON = "上传签字盖章的纸质文书扫描件"


def _person(request: HttpRequest) -> Person:
    user = request.user
    assert isinstance(user, Person)
    return user


def _export(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    """A download is an export (AC-1): own work scope, or a grant for ``export``; the PDF carries a
    watermark with who downloaded it and when (AC-4)."""
    person = _person(request)
    record = get_record_for(person, pk)
    if not can_view(person, record, action="export"):
        raise PermissionDenied("您只获准查阅该案卷，未获准导出文书：请在“调阅申请”中申请导出（AC-1）。")
    content = build_document(record)
    watermark = ""
    if fmt == "pdf":
        from liuhen.documents.pdf import render_pdf_content, watermark_text  # WeasyPrint: on demand

        watermark = watermark_text(person.ledger_label())
        data, media_type = render_pdf_content(content, watermark=watermark), PDF
    else:
        from liuhen.documents.word import render_docx_content

        data, media_type = render_docx_content(content), DOCX
    ledger.record_access(
        actor=person,
        action="document.export",
        obj=record,
        case_id=record.case_id,
        detail={
            "format": fmt,
            "digest": content.digest,
            "version": record.version,
            "size": len(data),
            "watermark": watermark,
        },
    )
    response = HttpResponse(data, content_type=media_type)
    disposition = content_disposition_header(True, f"{content.filename_stem}.{fmt}")
    response["Content-Disposition"] = disposition or "attachment"
    response["Cache-Control"] = "no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_GET
def record_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """下载 PDF."""
    return _export(request, pk, "pdf")


@login_required
@require_GET
def record_docx(request: HttpRequest, pk: int) -> HttpResponse:
    """下载 Word."""
    return _export(request, pk, "docx")


@login_required
@require_GET
def check(request: HttpRequest) -> HttpResponse:
    """文书核验: paste or scan the QR payload of a printed document."""
    code = request.GET.get("code", "").strip()
    result = check_code(_person(request), code) if code else None
    status = 404 if result is not None and result.status == "not_found" else 200
    return render(request, "documents/check.html", {"code": code, "result": result}, status=status)


class ScanForm(forms.Form):
    scan = forms.FileField(label="扫描件（PDF 或图片）", error_messages={"required": "请选择扫描件。"})
    note = forms.CharField(label="说明", required=False, max_length=200)


@login_required
@require_http_methods(["GET", "POST"])
def upload_scan(request: HttpRequest, pk: int) -> HttpResponse:
    """The scan of the signed and stamped paper copy becomes the record's next version: same content,
    the scan attached (earlier attachments kept), reason “上传签字盖章的纸质文书扫描件”."""
    person = _person(request)
    record = get_record_for(person, pk)
    form = ScanForm(request.POST, request.FILES) if request.method == "POST" else ScanForm()
    errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["scan"]
        note = form.cleaned_data["note"]
        try:
            with atomic_with_blobs():
                new = record_services.correct_record(
                    actor=person,
                    record=record,
                    data=record.fields,
                    reason=f"{SCAN_REASON}：{note}" if note else SCAN_REASON,
                    files=[
                        record_services.FileInput(
                            source=cast(BinaryIO, upload),
                            filename=upload.name or "scan.pdf",
                            caption=note or "签字盖章的纸质文书扫描件",
                            media_type=upload.content_type or None,
                        )
                    ],
                )
        except (ValidationError, PermissionDenied, BlobTooLarge) as exc:
            errors = error_messages(exc)
        else:
            messages.success(request, f"扫描件已保存为第 {new.version} 版。")
            return redirect("records:detail", pk=new.pk)
    elif request.method == "POST":
        errors = [str(m) for field_errors in form.errors.values() for m in field_errors]
    is_current = not Record.objects.filter(supersedes=record).exists()
    return render(
        request,
        "documents/scan_upload.html",
        {"record": record, "case": record.case, "form": form, "errors": errors, "is_current": is_current},
        status=400 if errors else 200,
    )
