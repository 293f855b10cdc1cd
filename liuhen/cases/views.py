"""Staff web UI for cases: the "my cases" dashboard (with the 期限 panel), the case list, the case
page (with the live checklist of what the policy packs still require, the case's deadlines, and
stage/branch buttons that show beforehand why a step is blocked), opening a case and stage
changes. Every lookup goes through :mod:`liuhen.cases.selectors` (other departments get 404); every
write through :mod:`liuhen.cases.services`, whose errors are shown in Chinese."""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from liuhen.cases import services
from liuhen.cases.forms import (
    CaseSearchForm,
    OpenCaseForm,
    PartyFormSet,
    StageChangeForm,
    apply_service_errors,
    error_messages,
)
from liuhen.cases.models import STAGE_ORDER, Branch, Case, Stage
from liuhen.cases.selectors import can_write_case, cases_visible_to, get_case_for, search_cases
from liuhen.org.models import Department, Person, Role
from liuhen.policy.engine import explain
from liuhen.policy.findings import Finding, FindingStatus, Severity
from liuhen.policy.models import Deadline, DeadlineState
from liuhen.policy.selectors import compliance_of, deadline_panel, deadlines_of_case
from liuhen.records.catalogue import catalogue
from liuhen.records.models import Record
from liuhen.records.selectors import records_of_case
from liuhen.review.selectors import case_panel as review_case_panel
from liuhen.review.selectors import overdue_reviews

PAGE_SIZE = 20


def _person(request: HttpRequest) -> Person:
    user = request.user
    assert isinstance(user, Person)
    return user


def _stage_counts(qs: QuerySet[Case]) -> list[tuple[str, str, int]]:
    rows = qs.order_by().values("stage").annotate(n=Count("pk", distinct=True))
    counts = {row["stage"]: row["n"] for row in rows}
    return [(s, Stage(s).label, counts.get(s, 0)) for s in STAGE_ORDER]


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    """我的案件: the cases I handle, counted by stage; heads see their scope too."""
    person = _person(request)
    mine = search_cases(person, mine=True)
    open_mine = mine.filter(branch="").exclude(stage__in=[Stage.CLOSING, Stage.FOLLOWUP])
    visible = search_cases(person)
    context = {
        "mine_counts": _stage_counts(mine),
        "mine_total": mine.count(),
        "open_cases": open_mine.prefetch_related("parties")[:PAGE_SIZE],
        "open_total": open_mine.count(),
        "visible_total": visible.count(),
        "visible_counts": _stage_counts(visible),
        "can_open": _open_departments(person).exists(),
        "deadlines": deadline_panel(person),
        "alerts": overdue_reviews(person),  # the legal office and the agency head (LR-3)
    }
    return render(request, "cases/dashboard.html", context)


@login_required
def case_list(request: HttpRequest) -> HttpResponse:
    person = _person(request)
    departments = Department.objects.filter(agency_id=person.agency_id or 0).order_by("pk")
    form = CaseSearchForm(request.GET or None, departments=departments)
    filters: dict[str, Any] = {}
    if form.is_valid():
        d = form.cleaned_data
        filters = {
            "query": d["q"].strip(),
            "stage": d["stage"],
            "case_type": d["case_type"],
            "department_id": d["department"],
        }
    mine = request.GET.get("mine") == "1"
    qs = search_cases(person, mine=mine, **filters).prefetch_related("parties", "handlers__person")
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "cases/case_list.html",
        {"form": form, "page": page, "querystring": params.urlencode(), "mine": mine},
    )


def _grouped_records(person: Person, case: Case) -> list[tuple[str, str, list[Any]]]:
    groups: OrderedDict[str, list[Any]] = OrderedDict((s, []) for s in STAGE_ORDER)
    for record in records_of_case(person, case).order_by("created_at", "pk"):
        groups.setdefault(record.stage, []).append(record)
    return [(s, Stage(s).label if s in Stage.values else s, rs) for s, rs in groups.items() if rs]


SEVERITY_LABELS = {Severity.BLOCKING: "阻断", Severity.WARNING: "提示"}
STATUS_LABELS = {
    FindingStatus.MISSING: "待补",
    FindingStatus.VIOLATED: "违反",
    FindingStatus.DUE: "期限中",
    FindingStatus.OVERDUE: "已逾期",
    FindingStatus.LATE: "逾期完成",
}


@dataclass(frozen=True)
class RecordTypeLink:
    code: str
    label: str
    url: str  # the add-record form for that type; "" when the person cannot add records here


@dataclass(frozen=True)
class ChecklistItem:
    """One line of the case page's checklist: a finding, labelled for the officer."""

    finding: Finding
    severity_label: str
    status_label: str
    record_types: list[RecordTypeLink]

    @property
    def blocking(self) -> bool:
        return self.finding.severity is Severity.BLOCKING


def _checklist_item(case: Case, finding: Finding, writable: bool) -> ChecklistItem:
    known = catalogue()
    links = []
    for code in finding.record_types:
        if code in known:
            label = known.get(code).name
            url = reverse("records:create", args=[case.pk, code]) if writable else ""
        else:
            label, url = code, ""
        links.append(RecordTypeLink(code, label, url))
    return ChecklistItem(
        finding=finding,
        severity_label=SEVERITY_LABELS.get(finding.severity, str(finding.severity)),
        status_label=STATUS_LABELS.get(finding.status, str(finding.status)),
        record_types=links,
    )


@dataclass(frozen=True)
class StageAction:
    """A button of the case page: a stage to move to or a branch to take, and what blocks it."""

    field: str  # "to_stage" | "branch"
    value: str
    label: str
    reasons: list[str]  # each with its citation; empty = allowed

    @property
    def blocked(self) -> bool:
        return bool(self.reasons)


@dataclass(frozen=True)
class DeadlineRow:
    deadline: Deadline
    state: str  # effective: a due row whose date passed is overdue even before the daily refresh
    state_label: str
    stopped: bool  # the case took a branch: a running period no longer runs


def _deadline_rows(person: Person, case: Case, today: date) -> list[DeadlineRow]:
    rows = []
    for d in deadlines_of_case(person, case):
        state = d.state
        if state == DeadlineState.DUE and d.due < today:
            state = DeadlineState.OVERDUE
        stopped = d.stopped and d.is_open
        label = "已停止计算" if stopped else DeadlineState(state).label
        rows.append(DeadlineRow(d, state, label, stopped))
    return rows


def _case_context(person: Person, case: Case, stage_form: StageChangeForm | None = None) -> dict[str, Any]:
    writable = can_write_case(person, case) and not case.branch
    next_stages = services.allowed_next_stages(case)
    branches = services.allowed_branches(case) if writable else []
    compliance = compliance_of(case, stages=next_stages if writable else (), branches=branches)
    here = [f for f in compliance.findings if f.stage in (case.stage, "")]
    elsewhere: OrderedDict[str, list[ChecklistItem]] = OrderedDict()
    for f in compliance.findings:
        if f.stage not in (case.stage, ""):
            label = Stage(f.stage).label if f.stage in Stage.values else f.stage
            elsewhere.setdefault(str(label), []).append(_checklist_item(case, f, writable))
    actions = []
    for s in next_stages if writable else []:
        problem = services.transition_precondition(case, s)
        reasons = [problem] if problem else [explain(f) for f in compliance.stage_blockers.get(s, [])]
        actions.append(StageAction("to_stage", s, f"进入“{Stage(s).label}”", reasons))
    branch_actions = [
        StageAction(
            "branch", b, str(Branch(b).label), [explain(f) for f in compliance.branch_blockers.get(b, [])]
        )
        for b in branches
    ]
    today = timezone.localdate()
    return {
        "case": case,
        "parties": case.parties.filter(superseded_by__isnull=True),
        "handlers": case.handlers.select_related("person"),
        "timeline": case.stage_changes.select_related("actor"),
        "stage_order": [(s, Stage(s).label, _stage_state(case, s)) for s in STAGE_ORDER],
        "groups": _grouped_records(person, case),
        "can_write": writable,
        "stage_form": stage_form or StageChangeForm(next_stages=next_stages),
        "next_stages": next_stages,
        "stage_actions": actions,
        "branch_actions": branch_actions,
        "branch_label": Branch(case.branch).label if case.branch else "",
        "checklist": [_checklist_item(case, f, writable) for f in here],
        "checklist_blocking": sum(1 for f in here if f.blocking),
        "other_findings": list(elsewhere.items()),
        "other_total": sum(len(items) for items in elsewhere.values()),
        "case_deadlines": _deadline_rows(person, case, today),
        "today": today,
        "origin": case.origin
        if case.origin_id and cases_visible_to(person).filter(pk=case.origin_id).exists()
        else None,
        "followup_cases": cases_visible_to(person).filter(origin=case),
        "unrectified": _unrectified_reinspections(case) if can_write_case(person, case) else [],
        "review_panel": review_case_panel(person, case),
    }


def _unrectified_reinspections(case: Case) -> list[Record]:
    """FU-1: current re-inspection records finding the party not rectified, with no new case yet."""
    records = Record.objects.filter(case=case, record_type="reinspection_record", superseded_by__isnull=True)
    opened = list(case.followup_cases.values_list("created_at", flat=True))
    return [
        r
        for r in records.order_by("created_at")
        if r.fields.get("rectified") is False and not any(at >= r.created_at for at in opened)
    ]


def _stage_state(case: Case, stage: str) -> str:
    current = STAGE_ORDER.index(case.stage)
    index = STAGE_ORDER.index(stage)
    if index < current:
        return "done"
    return "current" if index == current else "todo"


@login_required
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    person = _person(request)
    case = get_case_for(person, pk)
    return render(request, "cases/case_detail.html", _case_context(person, case))


@login_required
@require_POST
def case_stage(request: HttpRequest, pk: int) -> HttpResponse:
    """Move the case to an allowed next stage, or take a branch; both need a reason (ST-1)."""
    person = _person(request)
    case = get_case_for(person, pk)
    form = StageChangeForm(request.POST, next_stages=services.allowed_next_stages(case))
    if not can_write_case(person, case):
        messages.error(request, "只有本案承办人员或科室负责人可以变更阶段。")
        return redirect("cases:detail", pk=case.pk)
    if form.is_valid():
        d = form.cleaned_data
        try:
            if d["branch"]:
                case = services.take_branch(actor=person, case=case, branch=d["branch"], reason=d["reason"])
                messages.success(request, f"案件已{Branch(case.branch).label}。")
            else:
                case = services.change_stage(
                    actor=person, case=case, to_stage=d["to_stage"], reason=d["reason"]
                )
                messages.success(request, f"案件已进入“{Stage(case.stage).label}”阶段。")
            return redirect("cases:detail", pk=case.pk)
        except services.TransitionError as exc:
            # Refused by the rules: say why, with each citation, at the top of the case page
            # (post/redirect/get), right above the checklist of what is still missing.
            for message in exc.messages:
                messages.error(request, message)
            return redirect("cases:detail", pk=case.pk)
        except ValidationError as exc:
            apply_service_errors(form, exc)
        except PermissionDenied as exc:
            form.add_error(None, error_messages(exc)[0])
    case = get_case_for(person, pk)
    return render(request, "cases/case_detail.html", _case_context(person, case, form), status=400)


@login_required
@require_POST
def case_followup(request: HttpRequest, pk: int, record_pk: int) -> HttpResponse:
    """FU-1: open a new case because the follow-up found the party had not rectified."""
    person = _person(request)
    case = get_case_for(person, pk)
    if not can_write_case(person, case):
        messages.error(request, "只有本案承办人员或科室负责人可以另行立案。")
        return redirect("cases:detail", pk=case.pk)
    record = get_object_or_404(Record, pk=record_pk, case=case)
    try:
        new = services.open_case_for_unrectified(actor=person, reinspection=record)
    except ValidationError as exc:
        for message in error_messages(exc):
            messages.error(request, message)
        return redirect("cases:detail", pk=case.pk)
    messages.success(request, f"已另行立案：{new.number}。")
    return redirect("cases:detail", pk=new.pk)


def _open_departments(person: Person) -> QuerySet[Department]:
    """Departments the person may open a case in: their own (officers, heads); any of the agency
    for the agency head."""
    qs = Department.objects.filter(agency_id=person.agency_id or 0).order_by("pk")
    if person.has_role(Role.AGENCY_HEAD):
        return qs
    if person.department_id is not None and person.has_role(Role.OFFICER, Role.DEPARTMENT_HEAD):
        return qs.filter(pk=person.department_id)
    return qs.none()


@login_required
@require_http_methods(["GET", "POST"])
def case_open(request: HttpRequest) -> HttpResponse:
    """立案登记 (IN-1..3, ST-2): number by the agency's pattern, ≥2 handlers, validated parties."""
    person = _person(request)
    departments = _open_departments(person)
    if not departments.exists():
        raise PermissionDenied("只有执法人员或负责人可以登记案件。")
    initial_handlers = [person.pk] if person.certificate_no else []
    if request.method == "POST":
        form = OpenCaseForm(request.POST, actor=person, departments=departments)
        parties = PartyFormSet(request.POST, prefix="party")
        if form.is_valid() and parties.is_valid():
            try:
                case = services.open_case(
                    actor=person,
                    department=form.cleaned_data["department"],
                    title=form.cleaned_data["title"],
                    case_type=form.cleaned_data["case_type"],
                    procedure=form.cleaned_data["procedure"],
                    source=form.cleaned_data["source"],
                    summary=form.cleaned_data["summary"],
                    handlers=form.ordered_handlers(person),
                    parties=[p.to_input() for p in parties.forms if p.has_changed() or not p.empty_permitted],
                )
            except ValidationError as exc:
                apply_service_errors(
                    form, exc, prefix_map={f"parties[{i}]": f for i, f in enumerate(parties.forms)}
                )
            else:
                messages.success(request, f"已立案登记：{case.number}")
                return redirect("cases:detail", pk=case.pk)
        status = 400
    else:
        form = OpenCaseForm(actor=person, departments=departments, initial={"handlers": initial_handlers})
        parties = PartyFormSet(prefix="party")
        status = 200
    return render(request, "cases/case_open.html", {"form": form, "parties": parties}, status=status)
