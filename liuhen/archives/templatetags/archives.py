"""Inclusion tags that put the archive state on pages other apps own (the case page and the
dashboard) without changing their views: ``{% load archives %}{% archive_case_panel case %}`` and
``{% archive_overdue_panel %}``."""

from __future__ import annotations

from typing import Any

from django import template

from liuhen.archives import selectors
from liuhen.cases.models import Case
from liuhen.org.models import Person

register = template.Library()


def _person(context: template.Context) -> Person | None:
    user = context.get("user")
    return user if isinstance(user, Person) and user.is_authenticated else None


@register.inclusion_tag("archives/_case_panel.html", takes_context=True)
def archive_case_panel(context: template.Context, case: Case) -> dict[str, Any]:
    person = _person(context)
    if person is None:
        return {"show": False}
    status = selectors.status_of(case)
    return {
        "show": status.state != selectors.State.NOT_ENDED,
        "case": case,
        "s": status,
        "can_submit": status.state in (selectors.State.TO_COMPILE, selectors.State.RETURNED)
        and selectors.can_compile(person, case),
        "custodian": selectors.custodian_of(case.agency, case.department),
        "csrf_token": context.get("csrf_token"),
    }


@register.inclusion_tag("archives/_overdue_panel.html", takes_context=True)
def archive_overdue_panel(context: template.Context) -> dict[str, Any]:
    person = _person(context)
    return {"rows": selectors.overdue(person) if person is not None else []}
