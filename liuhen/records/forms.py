"""Django forms built from the record-type catalogue.

``form_class_for(rtype)`` turns a ``RecordType`` into a form with Chinese labels and suitable
widgets. The form's ``clean()`` delegates to ``catalogue.validate_record_data``, so the browser,
the API and the services apply one set of rules and report the same Chinese messages per field.
"""

from __future__ import annotations

import contextlib
import functools
from datetime import datetime
from typing import Any

from django import forms
from django.utils import timezone

from liuhen.records.catalogue import (
    MSG_REQUIRED,
    FieldSpec,
    RecordDataError,
    RecordType,
    validate_record_data,
)
from liuhen.records.models import Confidentiality

_LIST_HELP = "每行一项。"
_PERSON_HELP = "每行一人：姓名 证件号。"
_INVALID_CHOICE = "选项无效：%(value)s。"


class RecordForm(forms.Form):
    """Base class of the generated forms; ``record_type`` is set on each generated subclass."""

    record_type: RecordType
    correction: bool = False

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.record_data: dict[str, Any] = {}

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        names = [spec.name for spec in self.record_type.fields]
        # Fields that already failed their own checks are left out, so each gets one message.
        failed = {name for name in names if name in self.errors}
        raw = {name: cleaned[name] for name in names if name in cleaned and name not in failed}
        try:
            self.record_data = validate_record_data(self.record_type, raw)
        except RecordDataError as exc:
            for name, messages in exc.errors.items():
                if name in failed:
                    continue
                for message in messages:
                    self.add_error(name if name in self.fields else None, message)
        return cleaned


def _input_attrs(spec: FieldSpec) -> dict[str, Any]:
    attrs: dict[str, Any] = {}
    if spec.required and spec.type != "boolean":
        attrs["required"] = True
    if spec.type in ("text", "textarea") and spec.max_length:
        attrs["maxlength"] = spec.max_length
    if spec.type in ("integer", "decimal", "money"):
        attrs["step"] = {"integer": "1", "decimal": "any", "money": "0.01"}[spec.type]
        if spec.min is not None:
            attrs["min"] = str(spec.min)
        elif spec.type == "money":
            attrs["min"] = "0"
        if spec.max is not None:
            attrs["max"] = str(spec.max)
    return attrs


def _form_field(spec: FieldSpec) -> forms.Field:
    attrs = _input_attrs(spec)
    common: dict[str, Any] = {
        "label": spec.label,
        "help_text": spec.help,
        "required": spec.required and spec.type != "boolean",
        "error_messages": {"required": MSG_REQUIRED},
    }
    if spec.type == "choice":
        common["error_messages"]["invalid_choice"] = _INVALID_CHOICE
        return forms.ChoiceField(choices=[("", "——请选择——"), *spec.choices], **common)
    if spec.type == "multichoice":
        common["error_messages"]["invalid_choice"] = _INVALID_CHOICE
        return forms.MultipleChoiceField(
            choices=list(spec.choices), widget=forms.CheckboxSelectMultiple, **common
        )
    if spec.type == "boolean":
        return forms.BooleanField(label=spec.label, help_text=spec.help, required=False)
    widget: forms.Widget
    if spec.type == "textarea":
        widget = forms.Textarea(attrs={"rows": 5, **attrs})
    elif spec.type in ("person_list", "list"):
        common["help_text"] = spec.help or (_PERSON_HELP if spec.type == "person_list" else _LIST_HELP)
        widget = forms.Textarea(attrs={"rows": 3, **attrs})
    elif spec.type == "date":
        widget = forms.DateInput(attrs={"type": "date", **attrs}, format="%Y-%m-%d")
    elif spec.type == "datetime":
        widget = forms.DateTimeInput(attrs={"type": "datetime-local", **attrs}, format="%Y-%m-%dT%H:%M")
    elif spec.type in ("integer", "decimal", "money"):
        widget = forms.NumberInput(attrs=attrs)
    else:
        widget = forms.TextInput(attrs=attrs)
    # Parsing and length checks are left to validate_record_data (one set of messages).
    return forms.CharField(widget=widget, strip=True, **common)


@functools.cache
def form_class_for(rtype: RecordType, correction: bool = False) -> type[RecordForm]:
    """A form class for ``rtype``; with ``correction`` it also asks for the 更正理由."""
    attrs: dict[str, Any] = {spec.name: _form_field(spec) for spec in rtype.fields}
    attrs["confidentiality"] = forms.ChoiceField(
        label="密级",
        choices=Confidentiality.choices,
        initial=Confidentiality.NORMAL,
        error_messages={"required": MSG_REQUIRED, "invalid_choice": "密级无效。"},
        help_text="涉及国家秘密、商业秘密或个人隐私的，按保密规定限定查阅范围。",
    )
    if correction:
        attrs["correction_reason"] = forms.CharField(
            label="更正理由",
            widget=forms.Textarea(attrs={"rows": 3, "required": True}),
            error_messages={"required": "请填写更正理由。"},
            help_text="原记录保持不变，更正后的内容作为新版本保存。",
        )
    attrs["record_type"] = rtype
    attrs["correction"] = correction
    attrs["__module__"] = __name__
    camel = "".join(part.title() for part in rtype.code.split("_"))
    name = f"{camel}{'Correction' if correction else ''}Form"
    return type(name, (RecordForm,), attrs)


def form_to_data(form: RecordForm) -> dict[str, Any]:
    """The validated record content of a bound, valid form (as ``validate_record_data`` returns it)."""
    if not form.is_valid():
        raise ValueError("form is not valid")
    return dict(form.record_data)


def initial_from_data(rtype: RecordType, data: dict[str, Any]) -> dict[str, Any]:
    """Turn stored record content back into form initial values (for a correction form)."""
    initial: dict[str, Any] = {}
    for spec in rtype.fields:
        if spec.name not in data:
            continue
        value = data[spec.name]
        if spec.type == "datetime" and isinstance(value, str):
            with contextlib.suppress(ValueError):  # left as stored if it is not a valid aware time
                value = timezone.localtime(datetime.fromisoformat(value)).strftime("%Y-%m-%dT%H:%M")
        elif spec.type == "person_list" and isinstance(value, list):
            value = "\n".join(
                " ".join(part for part in (item.get("name", ""), item.get("number", "")) if part)
                if isinstance(item, dict)
                else str(item)
                for item in value
            )
        elif spec.type == "list" and isinstance(value, list):
            value = "\n".join(str(item) for item in value)
        initial[spec.name] = value
    return initial
