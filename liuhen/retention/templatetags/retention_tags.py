"""``{% retention_case_panel case %}``: the case page's 长期保存 box (RT-4) — the holds of the case,
and the button to place one — without the case view having to know about retention."""

from __future__ import annotations

from typing import Any

from django import template

from liuhen.cases.models import Case
from liuhen.org.models import Person
from liuhen.retention import selectors
from liuhen.retention.forms import HoldForm

register = template.Library()


@register.inclusion_tag("retention/_case_panel.html", takes_context=True)
def retention_case_panel(context: dict[str, Any], case: Case) -> dict[str, Any]:
    request = context.get("request")
    person = getattr(request, "user", None)
    holds = list(selectors.holds_of_case(case))
    can_hold = isinstance(person, Person) and selectors.can_place_hold(person, case)
    return {
        "case": case,
        "holds": holds,
        "current": [h for h in holds if not hasattr(h, "release")],
        "can_hold": can_hold,
        "hold_form": HoldForm() if can_hold else None,
        "csrf_token": context.get("csrf_token"),
    }
