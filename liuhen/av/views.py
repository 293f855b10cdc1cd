"""Staff pages for audio-visual items: the officer's 待确认音像 inbox, the equipment office's list of
unattributed files, the browsable list of all items (AV-8 filters) and an item's page with its
metadata, flags, suggestions and the confirm / reassign / not-case-related actions. Reads go
through :mod:`liuhen.av.selectors`, writes through :mod:`liuhen.av.services`."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from liuhen.av import selectors, services
from liuhen.av.forms import ConfirmForm, ItemFilterForm, NoCaseForm, ReassignForm
from liuhen.av.models import MediaItem
from liuhen.cases.forms import apply_service_errors, error_messages
from liuhen.equipment.selectors import can_lookup_holder
from liuhen.org.models import Department, Person, Role
from liuhen.records.models import Record
from liuhen.records.selectors import get_record_for

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
        "confirm_form": bound.get("confirm") or ConfirmForm(cases=cases),
        "reassign_form": bound.get("reassign")
        or ReassignForm(
            officers=selectors.reassign_candidates(item).exclude(pk=state.officer.pk if state.officer else 0)
        ),
        "no_case_form": bound.get("no_case") or NoCaseForm(),
        **_nav(person),
    }


@login_required
def item_detail(request: HttpRequest, pk: int) -> HttpResponse:
    person = _person(request)
    item = selectors.get_item_for(person, pk)
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
