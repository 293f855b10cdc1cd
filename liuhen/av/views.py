"""Staff pages for audio-visual items: the officer's 待确认音像 inbox, the equipment office's list of
unattributed files, the browsable list of all items (AV-8 filters) and an item's page with its
metadata, flags, suggestions and the confirm / reassign / not-case-related actions. Reads go
through :mod:`liuhen.av.selectors`, writes through :mod:`liuhen.av.services`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from liuhen.access.services import media_accessed
from liuhen.av import flags, selectors, services
from liuhen.av.forms import ConfirmForm, DeclarationForm, ItemFilterForm, NoCaseForm, ReassignForm
from liuhen.av.models import MediaItem
from liuhen.cases.forms import apply_service_errors, error_messages
from liuhen.equipment.selectors import can_lookup_holder
from liuhen.org.models import Department, Person, Role
from liuhen.policy.rules import OPENING_ITEMS
from liuhen.records.models import Record, RecordAttachment
from liuhen.records.selectors import get_record_for
from liuhen.vault.models import Blob

PAGE_SIZE = 30


def _person(request: HttpRequest) -> Person:
    user = request.user
    assert isinstance(user, Person)
    return user


def _querystring(request: HttpRequest) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


def _page(request: HttpRequest, qs: Any) -> Any:
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    states = selectors.states_for(page.object_list)
    page.rows = [(item, states[item.pk]) for item in page.object_list]  # type: ignore[attr-defined]
    return page


def _nav(person: Person) -> dict[str, Any]:
    return {
        "inbox_count": selectors.inbox_for(person).count() if person.has_role(Role.OFFICER) else None,
        "can_unattributed": selectors.can_see_unattributed(person),
    }


@login_required
def item_list(request: HttpRequest) -> HttpResponse:
    person = _person(request)
    departments = Department.objects.filter(agency_id=person.agency_id or 0).order_by("pk")
    officers = (
        Person.objects.filter(agency_id=person.agency_id or 0, roles__role=Role.OFFICER)
        .select_related("department")
        .distinct()
        .order_by("department_id", "full_name")
    )
    form = ItemFilterForm(request.GET or None, departments=departments, officers=officers)
    filters: dict[str, Any] = {}
    if form.is_valid():
        d = form.cleaned_data
        filters = {
            "unit_id": d["department"],
            "recorder": d["recorder"],
            "officer_id": d["officer"],
            "start": d["start"],
            "end": d["end"],
            "party": d["party"],
            "case": d["case"],
            "status": d["status"],
            "flag": d["flag"],
            "kind": d["kind"],
        }
    page = _page(request, selectors.search_items(person, **filters))
    context = {"form": form, "page": page, "querystring": _querystring(request), **_nav(person)}
    return render(request, "av/item_list.html", context)


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    person = _person(request)
    page = _page(request, selectors.inbox_for(person))
    return render(request, "av/inbox.html", {"page": page, "querystring": "", **_nav(person)})


@login_required
def unattributed(request: HttpRequest) -> HttpResponse:
    person = _person(request)
    if not selectors.can_see_unattributed(person):
        raise PermissionDenied("只有装备管理员、机关负责人和稽查人员可以查看未归属音像。")
    page = _page(request, selectors.unattributed_for(person))
    context = {"page": page, "querystring": _querystring(request), **_nav(person)}
    return render(request, "av/unattributed.html", context)


def _detail_context(person: Person, item: MediaItem, bound: dict[str, forms.Form]) -> dict[str, Any]:
    state = selectors.state_of(item)
    can_confirm = selectors.can_confirm(person, item)
    can_reassign = selectors.can_reassign(person, item)
    cases = selectors.cases_for_confirm(person)
    checkout = selectors.checkout_for(item)
    return {
        "item": item,
        "state": state,
        "claim": services.describe_claim(item),
        "tolerance": selectors.time_tolerance_seconds(),
        "sources": item.sources.order_by("pk"),
        "attributions": selectors.attributions_of(item),
        "checkout": checkout if (can_confirm or can_lookup_holder(person) or can_reassign) else None,
        "suggestions": selectors.suggestions_for(item, person) if can_confirm else [],
        "can_confirm": can_confirm,
        "can_reassign": can_reassign,
        "can_declare": person.agency_id is not None
        and flags.is_av_blob(item.blob)
        and flags.may_declare(person, agency_id=person.agency_id, blob=item.blob),
        "declaration": flags.current_declaration(agency_id=item.agency_id, blob_id=item.blob_id),
        "confirm_form": bound.get("confirm") or ConfirmForm(cases=cases),
        "reassign_form": bound.get("reassign")
        or ReassignForm(
            officers=selectors.reassign_candidates(item).exclude(pk=state.officer.pk if state.officer else 0)
        ),
        "no_case_form": bound.get("no_case") or NoCaseForm(),
        **_media_context(item),
        **_nav(person),
    }


@login_required
def item_detail(request: HttpRequest, pk: int) -> HttpResponse:
    person = _person(request)
    item = selectors.get_item_for(person, pk)
    media_accessed(actor=person, item=item, action="av.view")  # a view is a ledger event (AC-1)
    return render(request, "av/item_detail.html", _detail_context(person, item, {}))


def _rerender(request: HttpRequest, item: MediaItem, name: str, form: forms.Form) -> HttpResponse:
    person = _person(request)
    context = _detail_context(person, selectors.get_item_for(person, item.pk), {name: form})
    return render(request, "av/item_detail.html", context, status=400)


def _run(
    request: HttpRequest, item: MediaItem, name: str, form: forms.Form, action: Any, success: str
) -> HttpResponse:
    if form.is_valid():
        try:
            result = action(form.cleaned_data)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        except PermissionDenied as exc:
            form.add_error(None, error_messages(exc))
        else:
            messages.success(request, success)
            return redirect(result) if isinstance(result, str) else redirect("av:detail", pk=item.pk)
    return _rerender(request, item, name, form)


def _record_of_case(person: Person, pk: int | None) -> Record | None:
    if not pk:
        return None
    return get_record_for(person, pk)


@login_required
@require_POST
def item_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    person = _person(request)
    item = selectors.get_item_for(person, pk)
    form = ConfirmForm(request.POST, cases=selectors.cases_for_confirm(person))

    def action(d: dict[str, Any]) -> str:
        try:
            record = _record_of_case(person, d["record"])
            activity = _record_of_case(person, d["activity"])
        except Http404 as exc:  # a record the officer cannot see
            raise ValidationError({"record": "记录不存在或无权查看。"}) from exc
        attribution = services.confirm_item(
            actor=person,
            item=item,
            case=d["case"],
            record=record,
            activity=activity,
            description=d["description"],
            scenario=d["scenario"],
            confidentiality=d["confidentiality"],
        )
        assert attribution.record_id is not None
        return reverse("records:detail", args=[attribution.record_id])

    return _run(request, item, "confirm", form, action, "已确认并归入案件。")


@login_required
@require_POST
def item_reassign(request: HttpRequest, pk: int) -> HttpResponse:
    person = _person(request)
    item = selectors.get_item_for(person, pk)
    form = ReassignForm(request.POST, officers=selectors.reassign_candidates(item))

    def action(d: dict[str, Any]) -> str:
        services.reassign_item(actor=person, item=item, officer=d["officer"], reason=d["reason"])
        if selectors.items_visible_to(person).filter(pk=item.pk).exists():
            return reverse("av:detail", args=[item.pk])
        return reverse("av:inbox")  # no longer the caller's item

    return _run(request, item, "reassign", form, action, "已改派，待对方确认。")


@login_required
@require_POST
def item_no_case(request: HttpRequest, pk: int) -> HttpResponse:
    person = _person(request)
    item = selectors.get_item_for(person, pk)
    form = NoCaseForm(request.POST)

    def action(d: dict[str, Any]) -> None:
        services.mark_no_case(actor=person, item=item, reason=d["reason"])

    return _run(request, item, "no_case", form, action, "已记录：该音像资料与案件无关。")


# --- playback, posters and downloads (issue 5 point 5) ---------------------------------------------

MEDIA_FILES = ("original", "playback", "poster")


def check_media_access(person: Person, item: MediaItem, *, purpose: str) -> None:
    """The one permission check for an item's files: ``purpose`` is ``play`` (inline, also a photo
    shown full size), ``download`` (attachment) or ``poster``. ``item`` is already one the person
    may see (:func:`selectors.get_item_for`, else 404). Raise ``PermissionDenied`` (or ``Http404``)
    to refuse. Downloading is copying (AC-1, :func:`liuhen.access.selectors.can_view` with
    ``copy``); playing and posters need ``view``."""
    from liuhen.access.selectors import can_view

    if purpose not in ("play", "download", "poster"):
        raise PermissionDenied("未知的访问方式。")
    if not can_view(person, item, action="copy" if purpose == "download" else "view"):
        raise PermissionDenied(
            "您只获准查阅，未获准复制/下载原件：请在“调阅申请”中申请复制（AC-1）。"
            if purpose == "download"
            else "无权查看该音像资料。"
        )


def _media_context(item: MediaItem) -> dict[str, Any]:
    from liuhen.av.derivatives import browser_playable, needed_kinds
    from liuhen.av.models import DerivativeKind

    playback = selectors.done_derivative(item, DerivativeKind.PLAYBACK)
    poster = selectors.done_derivative(item, DerivativeKind.POSTER)
    derivatives = selectors.derivatives_of(item)
    play_file = "playback" if playback else ("original" if browser_playable(item) else "")
    pending = [k for k in needed_kinds(item) if not any(d.kind == k for d in derivatives)]
    return {
        "play_file": play_file,
        "play_media_type": playback.blob.media_type if playback and playback.blob else item.blob.media_type,
        "poster": poster,
        "derivatives": derivatives,
        "derivatives_pending": pending,
        "trail": [(e, ACTION_LABELS.get(e.action, e.action)) for e in selectors.ledger_trail(item)],
        "access_window_minutes": max(
            1, round(int(getattr(settings, "LIUHEN_AV_ACCESS_WINDOW_SECONDS", 600)) / 60)
        ),
    }


ACTION_LABELS = {
    "av.import": "导入",
    "av.source": "导入来源",
    "av.attribute": "归属",
    "av.derive": "生成派生文件",
    "av.view": "查看",
    "av.play": "播放/查看",
    "av.download": "下载",
    "blob.ingest": "文件入库",
}


@login_required
@require_safe
def item_media(request: HttpRequest, pk: int, which: str) -> HttpResponseBase:
    """The original, the playback copy or the poster, with HTTP range requests. Playing and
    downloading are ledger events (``av.play`` / ``av.download``): a request without ``Range`` or
    from byte 0 always is; a later range is one only when the person has not played or downloaded
    the item within ``LIUHEN_AV_ACCESS_WINDOW_SECONDS`` (so seeking does not flood the ledger, yet
    no read goes unlogged). Posters are not logged."""
    from liuhen.av.models import DerivativeKind
    from liuhen.av.playback import serve_blob
    from liuhen.ledger.services import record_access

    person = _person(request)
    item = selectors.get_item_for(person, pk)
    if which not in MEDIA_FILES:
        raise Http404("文件不存在。")
    download = which != "poster" and request.GET.get("download") == "1"
    purpose = "poster" if which == "poster" else ("download" if download else "play")
    check_media_access(person, item, purpose=purpose)
    blob, filename = item.blob, item.filename
    derivative = None
    if which != "original":
        kind = DerivativeKind.POSTER if which == "poster" else DerivativeKind.PLAYBACK
        derivative = selectors.done_derivative(item, kind)
        if derivative is None or derivative.blob is None:
            raise Http404("该派生文件尚未生成。")
        blob = derivative.blob
        suffix = (
            ".poster.jpg"
            if which == "poster"
            else (".playback.m4a" if blob.media_type == "audio/mp4" else ".playback.mp4")
        )
        filename = f"{Path(item.filename).stem}{suffix}"
    range_header = request.headers.get("Range", "")
    response, served = serve_blob(
        blob=blob,
        filename=filename,
        range_header=range_header,
        if_range=request.headers.get("If-Range", ""),
        download=download,
        method=request.method or "GET",
    )
    logged = (
        request.method != "HEAD"
        and which != "poster"
        and response.status_code in (200, 206)
        and (served is None or served[0] == 0 or not selectors.played_recently(person, item))
    )
    if logged:
        detail: dict[str, Any] = {"file": which, "blob": blob.sm3}
        if derivative is not None:
            detail["derivative"] = derivative.pk
        if served is not None:
            detail["range"] = f"{served[0]}-{served[1]}"
        record_access(
            actor=person,
            action="av.download" if download else "av.play",
            obj=item,
            case_id=selectors.case_id_of(item),
            detail=detail,
        )
    return response


# --- 音像资料说明: the officer's declaration about a recording (AV-3, AV-4, AV-6, AV-7) -----------


def _blob_places(person: Person, blob: Blob) -> tuple[str, MediaItem | None, list[Record]]:
    """The file's name, its imported item and the records holding it (those the person may see)."""
    agency_id = person.agency_id or 0
    item = selectors.items_visible_to(person).filter(agency_id=agency_id, blob=blob).first()
    attachments = (
        RecordAttachment.objects.filter(blob=blob, record__case__agency_id=agency_id)
        .select_related("record")
        .order_by("pk")
    )
    records: list[Record] = []
    for attachment in attachments:
        try:
            records.append(get_record_for(person, attachment.record_id))
        except Http404:
            continue
    name = item.filename if item else (attachments[0].filename if attachments else blob.sm3[:16])
    return name, item, records


def _declaration_context(person: Person, blob: Blob, form: DeclarationForm) -> dict[str, Any]:
    agency_id = person.agency_id or 0
    history = list(flags.declarations_of(agency_id=agency_id, blob_id=blob.pk))
    name, item, records = _blob_places(person, blob)
    labelled = [
        (d, [OPENING_ITEMS[i] for i in flags.opening_items(d) if i in OPENING_ITEMS]) for d in history
    ]
    return {
        "blob": blob,
        "filename": name,
        "item": item,
        "records": records,
        "form": form,
        "current": history[0] if history else None,
        "current_items": labelled[0][1] if labelled else [],
        "history": labelled,
    }


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def declaration(request: HttpRequest, blob_id: int) -> HttpResponse:
    """音像资料说明: the form (pre-filled with the declaration in force: a new one states every fact
    again), the declaration in force and its history."""
    person = _person(request)
    blob = flags.get_declarable_blob(person, blob_id)
    if request.method == "POST":
        form = DeclarationForm(request.POST)
        if form.is_valid():
            d = form.cleaned_data
            try:
                flags.declare(
                    actor=person,
                    blob=blob,
                    field_work=d["field_work"],
                    returned_at=d["returned_at"],
                    consent=d["consent"],
                    secret=d["secret"],
                    privacy=d["privacy"],
                    opening_statement=d["opening_statement"],
                    gap_explanation=d["gap_explanation"],
                    note=d["note"],
                )
            except ValidationError as exc:
                apply_service_errors(form, exc)
            except PermissionDenied as exc:
                form.add_error(None, error_messages(exc))
            else:
                messages.success(request, "已保存音像资料说明，所在案件的期限和合规检查已按新说明更新。")
                return redirect("av:declaration", blob_id=blob.pk)
        context = _declaration_context(person, blob, form)
        return render(request, "av/declaration.html", context, status=400)
    current = flags.current_declaration(agency_id=person.agency_id or 0, blob_id=blob.pk)
    form = DeclarationForm(initial=DeclarationForm.initial_from(current))
    return render(request, "av/declaration.html", _declaration_context(person, blob, form))
