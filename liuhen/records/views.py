"""Staff web UI for records: type picker, schema-generated create form, record page, correction
(a new version, never an edit), signatures and file upload (with a progress bar in the browser).

Lookups go through the selectors (404 for what the person may not see, AC-1/AC-3); writes through
:mod:`liuhen.records.services`, whose errors are shown in Chinese."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, BinaryIO, cast

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from liuhen.av import flags
from liuhen.cases.forms import apply_service_errors, error_messages
from liuhen.cases.models import Case, Stage
from liuhen.cases.selectors import can_write_case, get_case_for
from liuhen.org.models import Person
from liuhen.records import services
from liuhen.records.catalogue import FieldSpec, RecordType, catalogue
from liuhen.records.forms import form_class_for, form_to_data, initial_from_data
from liuhen.records.models import Record, RecordAttachment, SignerRole
from liuhen.records.selectors import get_record_for, versions_of
from liuhen.vault.services import atomic_with_blobs
from liuhen.vault.storage import BlobTooLarge


def _person(request: HttpRequest) -> Person:
    user = request.user
    assert isinstance(user, Person)
    return user


def _require_writer(person: Person, case: Case) -> None:
    if not can_write_case(person, case):
        raise PermissionDenied("只有本案承办人员或科室负责人可以记录。")
    if case.branch:
        raise PermissionDenied("案件已终止，不能再添加记录。")


def _require_current(record: Record) -> None:
    if Record.objects.filter(supersedes=record).exists():
        raise PermissionDenied("该记录已有更新版本，请在最新版本上操作。")


def _record_type(code: str) -> RecordType:
    try:
        return catalogue().get(code)
    except KeyError:
        raise Http404("未知的记录类型。") from None


def _types_for_stage(stage: str) -> tuple[list[RecordType], list[RecordType]]:
    """(types of this stage, all other types) of the catalogue."""
    here = catalogue().for_stage(stage)
    return here, [t for t in catalogue().all() if t not in here]


@login_required
def record_new(request: HttpRequest, case_pk: int) -> HttpResponse:
    """新建记录: the record-type picker, filtered to the case's current stage."""
    person = _person(request)
    case = get_case_for(person, case_pk)
    _require_writer(person, case)
    here, other = _types_for_stage(case.stage)
    return render(
        request,
        "records/record_new.html",
        {"case": case, "stage_label": Stage(case.stage).label, "types": here, "other_types": other},
    )


@login_required
@require_http_methods(["GET", "POST"])
def record_create(request: HttpRequest, case_pk: int, code: str) -> HttpResponse:
    person = _person(request)
    case = get_case_for(person, case_pk)
    _require_writer(person, case)
    rtype = _record_type(code)
    form_class = form_class_for(rtype, correction=False)
    if request.method == "POST":
        form = form_class(request.POST)
        if form.is_valid():
            try:
                record = services.create_record(
                    actor=person,
                    case=case,
                    record_type=rtype.code,
                    data=form_to_data(form),
                    confidentiality=form.cleaned_data.get("confidentiality") or "normal",
                )
            except ValidationError as exc:
                apply_service_errors(form, exc)
            except PermissionDenied as exc:
                form.add_error(None, error_messages(exc)[0])
            else:
                messages.success(request, f"已保存：{record.title}")
                return redirect("records:detail", pk=record.pk)
        status = 400
    else:
        form = form_class()
        status = 200
    return render(
        request,
        "records/record_form.html",
        {"case": case, "rtype": rtype, "form": form, "correcting": None},
        status=status,
    )


def _declarable(person: Person, case: Case, attachments: Sequence[RecordAttachment]) -> set[int]:
    """The attachments (by pk) whose 音像资料说明 the person may give: recordings and photos,
    :func:`liuhen.av.flags.may_declare`."""
    allowed: dict[int, bool] = {}
    for a in attachments:
        if a.blob_id not in allowed:
            allowed[a.blob_id] = flags.is_av_blob(a.blob) and flags.may_declare(
                person, agency_id=case.agency_id, blob=a.blob
            )
    return {a.pk for a in attachments if allowed[a.blob_id]}


def _field_rows(record: Record) -> list[tuple[str, Any]]:
    """(label, value) for each field of the record, labelled and ordered by its type's schema."""
    values = record.fields
    rows: list[tuple[str, Any]] = []
    specs: dict[str, FieldSpec] = {}
    if record.record_type in catalogue():
        specs = {spec.name: spec for spec in catalogue().get(record.record_type).fields}
    for name, spec in specs.items():
        if name in values:
            rows.append((spec.label, _display(values[name], spec)))
    rows.extend((name, _display(value)) for name, value in values.items() if name not in specs)
    return rows


def _display(value: Any, spec: FieldSpec | None = None) -> Any:
    labels = spec.choice_labels if spec is not None else {}
    if isinstance(value, list):
        return "、".join(str(_display(v, spec)) for v in value)
    if isinstance(value, dict):
        return " ".join(str(v) for v in value.values() if v)
    if isinstance(value, str) and value in labels:
        return labels[value]
    if isinstance(value, bool):
        return "是" if value else "否"
    if value is None or value == "":
        return "—"
    return value


@login_required
def record_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The record page; opening it is a ledger event (principle 2)."""
    person = _person(request)
    record = get_record_for(person, pk)
    case = record.case
    assert case is not None
    services.record_viewed(actor=person, record=record)
    versions = list(versions_of(person, record).select_related("created_by"))
    latest = versions[-1] if versions else record
    attachments = list(record.attachments.select_related("blob"))
    return render(
        request,
        "records/record_detail.html",
        {
            "case": case,
            "record": record,
            "rows": _field_rows(record),
            "signers": record.signers.select_related("person"),
            "attachments": attachments,
            "declarable": _declarable(person, case, attachments),
            "versions": versions,
            "is_current": latest.pk == record.pk,
            "latest": latest,
            "can_write": can_write_case(person, case) and not case.branch,
            "upload_form": UploadForm(),
            "sign_form": SignForm(),
            "stage_label": Stage(record.stage).label if record.stage in Stage.values else record.stage,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def record_correct(request: HttpRequest, pk: int) -> HttpResponse:
    """更正（新版本）: a new version superseding this one; the old one stays as it was."""
    person = _person(request)
    record = get_record_for(person, pk)
    case = record.case
    assert case is not None
    _require_writer(person, case)
    if Record.objects.filter(supersedes=record).exists():
        messages.error(request, "该记录已有更新版本，请在最新版本上更正。")
        return redirect("records:detail", pk=record.pk)
    rtype = _record_type(record.record_type)
    form_class = form_class_for(rtype, correction=True)
    if request.method == "POST":
        form = form_class(request.POST)
        if form.is_valid():
            try:
                new = services.correct_record(
                    actor=person,
                    record=record,
                    data=form_to_data(form),
                    reason=form.cleaned_data.get("correction_reason") or "",
                    confidentiality=form.cleaned_data.get("confidentiality") or None,
                )
            except ValidationError as exc:
                apply_service_errors(form, exc)
            except PermissionDenied as exc:
                form.add_error(None, error_messages(exc)[0])
            else:
                messages.success(request, f"已保存第 {new.version} 版。")
                return redirect("records:detail", pk=new.pk)
        status = 400
    else:
        form = form_class(
            initial={**initial_from_data(rtype, record.fields), "confidentiality": record.confidentiality}
        )
        status = 200
    return render(
        request,
        "records/record_form.html",
        {"case": case, "rtype": rtype, "form": form, "correcting": record},
        status=status,
    )


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    widget = MultipleFileInput

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile]:
        single = super().clean
        items = data if isinstance(data, list | tuple) else [data]
        cleaned = [single(item, initial) for item in items if item]
        if not cleaned:
            raise ValidationError("请选择要上传的文件。")
        return cleaned


class UploadForm(forms.Form):
    upload = MultipleFileField(label="文件", error_messages={"required": "请选择要上传的文件。"})
    caption = forms.CharField(label="说明", required=False, max_length=200)


class SignForm(forms.Form):
    role = forms.ChoiceField(label="签名身份", choices=SignerRole.choices)
    name = forms.CharField(label="签名人", max_length=100, error_messages={"required": "请填写签名人姓名。"})
    refused = forms.BooleanField(label="拒绝签名", required=False)
    note = forms.CharField(label="备注", max_length=200, required=False)


def _wants_json(request: HttpRequest) -> bool:
    return request.headers.get("X-Requested-With") == "XMLHttpRequest"


@login_required
@require_http_methods(["GET", "POST"])
def record_upload(request: HttpRequest, pk: int) -> HttpResponse:
    """Attach files to this record version through the vault (one hashing pass, SM3 + SHA-256).
    The browser shows a progress bar (XMLHttpRequest); without JS the form posts normally."""
    person = _person(request)
    record = get_record_for(person, pk)
    case = record.case
    assert case is not None
    _require_writer(person, case)
    _require_current(record)
    form = UploadForm(request.POST, request.FILES) if request.method == "POST" else UploadForm()
    if request.method == "POST":
        errors: list[str] = []
        if form.is_valid():
            uploads: Sequence[UploadedFile] = form.cleaned_data["upload"]
            inputs = [
                services.FileInput(
                    source=cast(BinaryIO, upload),
                    filename=upload.name or "upload.bin",
                    caption=form.cleaned_data["caption"],
                    media_type=upload.content_type if upload.content_type not in ("", None) else None,
                )
                for upload in uploads
            ]
            try:
                with atomic_with_blobs():
                    attachments = services.attach_files(actor=person, record=record, files=inputs)
            except (ValidationError, PermissionDenied, BlobTooLarge) as exc:
                errors = error_messages(exc)
            else:
                if len(attachments) == 1:
                    target = reverse("vault:evidence", kwargs={"pk": attachments[0].pk})
                else:
                    target = reverse("records:detail", kwargs={"pk": record.pk})
                messages.success(request, f"已上传 {len(attachments)} 个文件并计算摘要。")
                if _wants_json(request):
                    return JsonResponse(
                        {"ok": True, "redirect": target, "attachments": [a.pk for a in attachments]}
                    )
                return redirect(target)
        else:
            errors = [str(m) for field_errors in form.errors.values() for m in field_errors]
        if _wants_json(request):
            return JsonResponse({"ok": False, "errors": errors}, status=400)
        for message in errors:
            messages.error(request, message)
        status = 400
    else:
        status = 200
    return render(
        request, "records/record_upload.html", {"case": case, "record": record, "form": form}, status=status
    )


@login_required
@require_POST
def record_sign(request: HttpRequest, pk: int) -> HttpResponse:
    """Register a signature (or a refusal to sign, IV-7) on this record version."""
    person = _person(request)
    record = get_record_for(person, pk)
    assert record.case is not None
    _require_writer(person, record.case)
    _require_current(record)
    form = SignForm(request.POST)
    if form.is_valid():
        d = form.cleaned_data
        signer = services.SignerInput(
            role=d["role"],
            name=d["name"],
            person=person if d["name"].strip() == person.full_name else None,
            refused=d["refused"],
            note=d["note"],
        )
        try:
            services.sign_record(actor=person, record=record, signer=signer)
        except (ValidationError, PermissionDenied) as exc:
            for message in error_messages(exc):
                messages.error(request, message)
        else:
            messages.success(request, "已登记签名。")
    else:
        for field_errors in form.errors.values():
            for text in field_errors:
                messages.error(request, str(text))
    return redirect("records:detail", pk=record.pk)
