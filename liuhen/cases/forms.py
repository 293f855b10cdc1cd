"""Forms of the staff web UI for cases: search, opening a case (with parties) and stage changes.

The forms only collect and pre-check input; the rules live in :mod:`liuhen.cases.services`, whose
``ValidationError`` messages are mapped back onto the forms by :func:`apply_service_errors`.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db.models import QuerySet

from liuhen.cases.models import Branch, CaseType, PartyKind, Procedure, Source, Stage
from liuhen.cases.services import PartyInput
from liuhen.cases.validators import validate_phone, validate_resident_id, validate_uscc
from liuhen.org.models import Department, Person, Role

EMPTY = [("", "全部")]


def error_messages(exc: Exception) -> list[str]:
    """Chinese messages of a service error (ValidationError, TransitionError, PermissionDenied)."""
    if isinstance(exc, ValidationError):
        return list(exc.messages)
    if isinstance(exc, PermissionDenied):
        return [str(exc) or "无权执行此操作。"]
    return [str(exc)]


def apply_service_errors(
    form: forms.BaseForm, exc: ValidationError, *, prefix_map: dict[str, Any] | None = None
) -> None:
    """Attach a service's ValidationError to ``form``: known field keys to their fields, the rest to
    the form. ``prefix_map`` routes keys like ``parties[0].uscc`` to other forms (the party formset)."""
    if not hasattr(exc, "error_dict"):
        for message in exc.messages:
            form.add_error(None, message)
        return
    for key, errors in exc.message_dict.items():
        target: forms.BaseForm = form
        field: str | None = key
        if prefix_map is not None and "." in key:
            head, _, field = key.partition(".")
            target = prefix_map.get(head, form)
            if target is form:
                field = None
        if key == NON_FIELD_ERRORS or field not in target.fields:
            field = None
        for message in errors:
            target.add_error(field, message)


class CaseSearchForm(forms.Form):
    q = forms.CharField(label="搜索", required=False, max_length=100)
    stage = forms.ChoiceField(label="阶段", required=False, choices=EMPTY + list(Stage.choices))
    case_type = forms.ChoiceField(label="类型", required=False, choices=EMPTY + list(CaseType.choices))
    department = forms.TypedChoiceField(label="科室", required=False, coerce=int, empty_value=None)

    def __init__(self, *args: Any, departments: QuerySet[Department], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        dept_field = self.fields["department"]
        assert isinstance(dept_field, forms.TypedChoiceField)
        dept_field.choices = EMPTY + [(d.pk, d.name) for d in departments]
        self.fields["q"].widget.attrs.update({"placeholder": "案件编号、名称或当事人", "type": "search"})


class HandlerChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Person) -> str:
        return f"{obj.full_name}（执法证号 {obj.certificate_no}）"


class OpenCaseForm(forms.Form):
    department = forms.ModelChoiceField(
        label="承办科室", queryset=Department.objects.none(), empty_label=None
    )
    title = forms.CharField(label="案件名称", max_length=200)
    case_type = forms.ChoiceField(label="案件类型", choices=CaseType.choices, initial=CaseType.PENALTY)
    procedure = forms.ChoiceField(label="程序", choices=Procedure.choices, initial=Procedure.GENERAL)
    source = forms.ChoiceField(label="案件来源", choices=Source.choices)
    summary = forms.CharField(label="案情摘要", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    handlers = HandlerChoiceField(
        label="承办人员（至少两人；本人在列时为主办）",
        queryset=Person.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, actor: Person, departments: QuerySet[Department], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        dept_field = self.fields["department"]
        handler_field = self.fields["handlers"]
        assert isinstance(dept_field, forms.ModelChoiceField)
        assert isinstance(handler_field, forms.ModelMultipleChoiceField)
        dept_field.queryset = departments
        handler_field.queryset = (
            Person.objects.filter(agency_id=actor.agency_id or 0, is_active=True, roles__role=Role.OFFICER)
            .exclude(certificate_no__isnull=True)
            .exclude(certificate_no="")
            .order_by("department_id", "pk")
            .distinct()
        )

    def clean_handlers(self) -> list[Person]:
        chosen: list[Person] = list(self.cleaned_data["handlers"])
        if len(chosen) < 2:
            raise ValidationError("承办人员不得少于两人（《行政处罚法》第四十二条）。")
        return chosen

    def ordered_handlers(self, actor: Person) -> list[Person]:
        """The actor leads when they are among the handlers."""
        chosen: list[Person] = self.cleaned_data["handlers"]
        return sorted(chosen, key=lambda p: (p.pk != actor.pk, p.pk))


class PartyForm(forms.Form):
    kind = forms.ChoiceField(label="当事人类别", choices=PartyKind.choices, initial=PartyKind.ORGANISATION)
    name = forms.CharField(label="名称/姓名", max_length=200)
    uscc = forms.CharField(label="统一社会信用代码", max_length=18, required=False)
    id_number = forms.CharField(label="身份证号码", max_length=18, required=False)
    legal_representative = forms.CharField(label="法定代表人/负责人", max_length=50, required=False)
    address = forms.CharField(label="住所/地址", max_length=200, required=False)
    phone = forms.CharField(label="联系电话", max_length=20, required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        kind = data.get("kind")
        if kind == PartyKind.PERSON and not data.get("id_number"):
            self.add_error("id_number", "自然人当事人须填写身份证号码。")
        if kind == PartyKind.ORGANISATION and not data.get("uscc"):
            self.add_error("uscc", "单位当事人须填写统一社会信用代码。")
        for field, validator in (
            ("id_number", validate_resident_id),
            ("uscc", validate_uscc),
            ("phone", validate_phone),
        ):
            value = (data.get(field) or "").strip()
            if value:
                try:
                    validator(value)
                except ValidationError as exc:
                    for message in exc.messages:
                        self.add_error(field, message)
        return data

    def to_input(self) -> PartyInput:
        d = self.cleaned_data
        return PartyInput(
            kind=d["kind"],
            name=d["name"],
            id_number=d.get("id_number") or "",
            uscc=d.get("uscc") or "",
            legal_representative=d.get("legal_representative") or "",
            address=d.get("address") or "",
            phone=d.get("phone") or "",
        )


PartyFormSet = forms.formset_factory(PartyForm, extra=0, min_num=1, validate_min=True, max_num=10)


class StageChangeForm(forms.Form):
    """Either a move to one of the allowed next stages or a branch; a reason is always required."""

    to_stage = forms.ChoiceField(label="进入阶段", required=False)
    branch = forms.ChoiceField(label="或终止为", required=False)
    reason = forms.CharField(label="理由", widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)

    def __init__(self, *args: Any, next_stages: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        to_stage = self.fields["to_stage"]
        branch = self.fields["branch"]
        assert isinstance(to_stage, forms.ChoiceField) and isinstance(branch, forms.ChoiceField)
        to_stage.choices = [("", "—")] + [(s, Stage(s).label) for s in next_stages]
        branch.choices = [("", "—")] + [(b.value, b.label) for b in Branch if b.value]
        self.fields["reason"].error_messages["required"] = "请填写理由。"

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if bool(data.get("to_stage")) == bool(data.get("branch")):
            raise ValidationError("请选择要进入的阶段，或选择一个终止分支（二选一）。")
        return data
