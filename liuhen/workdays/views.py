"""Staff page for system administrators: list, add and withdraw calendar overrides."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from liuhen.org.models import Person
from liuhen.workdays import services
from liuhen.workdays.calendar import official_year_range
from liuhen.workdays.forms import SCOPE_AGENCY, OverrideForm, WithdrawForm
from liuhen.workdays.models import CalendarOverride
from liuhen.workdays.selectors import can_manage_calendar, overrides_visible_to, provisional_years_in_use


def _manager(request: HttpRequest) -> Person:
    user = request.user
    if not isinstance(user, Person) or not can_manage_calendar(user):
        raise PermissionDenied("只有系统管理员可以调整工作日。")
    return user


@login_required
@require_http_methods(["GET", "POST"])
def override_list(request: HttpRequest) -> HttpResponse:
    person = _manager(request)
    agency = person.agency
    form = OverrideForm(request.POST or None, agency_name=agency.name if agency else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.set_override(
                actor=person,
                agency=agency if data["scope"] == SCOPE_AGENCY else None,
                day=data["day"],
                is_workday=data["kind"],
                note=data["note"],
            )
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                form.add_error(None, exc.messages)
        else:
            messages.success(request, f"已录入 {data['day']:%Y-%m-%d} 的工作日调整。")
            return redirect("workdays:list")
    rows = list(overrides_visible_to(person).order_by("-day", "-pk"))
    history = [r for r in rows if r.withdraws_id is not None]
    withdrawn = {r.withdraws_id for r in history}
    first, last = official_year_range()
    context = {
        "form": form,
        "active": [r for r in rows if r.withdraws_id is None and r.pk not in withdrawn],
        "history": history,
        "official_first": first,
        "official_last": last,
        "provisional_years": provisional_years_in_use(timezone.localdate()),
    }
    return render(request, "workdays/override_list.html", context)


@login_required
@require_POST
def override_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    person = _manager(request)
    try:
        override = overrides_visible_to(person).get(pk=pk)
    except CalendarOverride.DoesNotExist:
        raise Http404("调整不存在。") from None
    form = WithdrawForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    try:
        services.withdraw_override(actor=person, override=override, note=note)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, f"已撤销 {override.day:%Y-%m-%d} 的工作日调整。")
    return redirect("workdays:list")
