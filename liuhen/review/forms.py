"""Forms of the legal-review pages. They only collect input; :mod:`liuhen.review.services` decides."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms
from django.utils import timezone

from liuhen.org.models import Person
from liuhen.policy.reviewconfig import ReviewConfig
from liuhen.review.models import CheckItem, CheckResult, OpinionType, Position
from liuhen.review.selectors import ChecklistLine


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


class LocalDateTimeField(forms.DateTimeField):
    widget = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"], **kwargs)


class SubmitForm(forms.Form):
    draft_decision = forms.CharField(
        label="拟作出的重大执法决定",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="处理决定（草案）要点，随案卷移送，法制机构留存（HY-FS 第十三条第（二）项）。",
    )
    materials = forms.CharField(
        label="移交材料",
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text="每行一项。已按本案现行记录自动列出，可增删。",
    )
    place = forms.CharField(label="移交地点", max_length=200)

    def clean_materials(self) -> list[str]:
        items = _lines(self.cleaned_data["materials"])
        if not items:
            raise forms.ValidationError("请列出移交的案卷材料。")
        return items


class DisputeForm(forms.Form):
    position = forms.ChoiceField(label="意见", choices=Position.choices)
    reason = forms.CharField(label="理由", widget=forms.Textarea(attrs={"rows": 3}))


class ResolveForm(forms.Form):
    major = forms.TypedChoiceField(
        label="协商确定",
        choices=[("1", "属于重大执法决定"), ("0", "不属于重大执法决定")],
        coerce=lambda v: v == "1",
    )
    participants = forms.CharField(
        label="参加协商人员", max_length=500, help_text="承办科室（单位）和法制机构的参加人员。"
    )
    conclusion = forms.CharField(label="协商意见", widget=forms.Textarea(attrs={"rows": 3}))


class ReceiptForm(forms.Form):
    place = forms.CharField(label="接收地点", max_length=200)
    received_at = LocalDateTimeField(label="接收时间", required=False, help_text="留空为现在。")


class ExtensionForm(forms.Form):
    working_days = forms.IntegerField(label="延长工作日数", min_value=1)
    reason = forms.CharField(label="延长理由（特殊情况）", widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, max_days: int = 3, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["working_days"]
        assert isinstance(field, forms.IntegerField)
        field.max_value = max_days
        field.widget.attrs["max"] = str(max_days)
        field.help_text = f"只能延长一次，最长不超过{max_days}个工作日。"


class ChecklistForm(forms.Form):
    """One result and one note per LR-4 item, prefilled with the latest entry."""

    def __init__(self, *args: Any, lines: Iterable[ChecklistLine] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lines = list(lines)
        choices = [("", "—"), *list(CheckResult.choices)]
        for line in self.lines:
            self.fields[f"result_{line.item}"] = forms.ChoiceField(
                label=line.label,
                choices=choices,
                required=False,
                initial=line.entry.result if line.entry else "",
            )
            self.fields[f"note_{line.item}"] = forms.CharField(
                label=f"{line.label}：意见",
                required=False,
                widget=forms.Textarea(attrs={"rows": 2}),
                initial=line.entry.note if line.entry else "",
            )

    def entries(self) -> list[tuple[str, str, str]]:
        """(item, result, note) for every item given a result."""
        found = []
        for item in CheckItem.values:
            result = self.cleaned_data.get(f"result_{item}") or ""
            if result:
                found.append((item, result, self.cleaned_data.get(f"note_{item}") or ""))
        return found

    def rows(self) -> list[tuple[ChecklistLine, forms.BoundField, forms.BoundField]]:
        return [(line, self[f"result_{line.item}"], self[f"note_{line.item}"]) for line in self.lines]


class DiscretionForm(forms.Form):
    benchmark_code = forms.ChoiceField(label="裁量基准条目", required=False)
    base_amount = forms.DecimalField(
        label="涉案金额（元）",
        required=False,
        min_value=0,
        decimal_places=2,
        max_digits=14,
        help_text="按倍数确定罚款幅度的条目须填写（造成损失金额、骗取金额或违法所得）。",
    )
    proposed_fine = forms.DecimalField(
        label="拟罚款金额（元）", required=False, min_value=0, decimal_places=2, max_digits=14
    )
    note = forms.CharField(label="核对意见", required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, config: ReviewConfig | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        entries = config.benchmarks if config is not None else ()
        field = self.fields["benchmark_code"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", "（未选择，写明核对意见）")] + [
            (b.code, f"{b.code} {b.violation}：{b.range_text}") for b in entries
        ]
        if config is not None and config.benchmark_name:
            field.help_text = f"依据{config.benchmark_name}。"


class QuestionForm(forms.Form):
    text = forms.CharField(label="问题", widget=forms.Textarea(attrs={"rows": 2}))


class AnswerForm(forms.Form):
    text = forms.CharField(label="答复", widget=forms.Textarea(attrs={"rows": 2}))


class OpinionForm(forms.Form):
    opinion_type = forms.ChoiceField(label="审核意见类型", choices=[("", "—"), *list(OpinionType.choices)])
    text = forms.CharField(label="审核意见及理由", widget=forms.Textarea(attrs={"rows": 4}))


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.full_name or obj.username)


class ReturnForm(forms.Form):
    received_by = PersonChoiceField(label="接收人", queryset=Person.objects.none())
    place = forms.CharField(label="移交地点", max_length=200)
    returned_materials = forms.CharField(
        label="退还材料",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="每行一项；留空为送审时的全部材料。",
    )

    def __init__(self, *args: Any, people: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["received_by"]
        assert isinstance(field, forms.ModelChoiceField)
        if people is not None:
            field.queryset = people

    def clean_returned_materials(self) -> list[str]:
        return _lines(self.cleaned_data.get("returned_materials") or "")


class FilingForm(forms.Form):
    """LR-8: the filing register (decision_filing record)."""

    filing_kind = forms.ChoiceField(
        label="备案类型", choices=[("decision", "重大行政执法决定"), ("revocation", "撤销立案或者受理决定")]
    )
    document_name = forms.CharField(label="备案文书名称", max_length=200)
    document_no = forms.CharField(label="文书文号", max_length=100)
    decided_on = forms.DateField(label="决定（撤销）日期", widget=forms.DateInput(attrs={"type": "date"}))
    filed_on = forms.DateField(
        label="报送备案日期", widget=forms.DateInput(attrs={"type": "date"}), initial=timezone.localdate
    )
    filed_by = forms.CharField(label="报送科室（单位）及经办人", max_length=200)
    received_by = forms.CharField(label="法制机构接收人", max_length=100)
    documents = forms.CharField(
        label="报送的法律文书", widget=forms.Textarea(attrs={"rows": 3}), help_text="每行一项。"
    )

    def data_for_record(self) -> dict[str, Any]:
        d = self.cleaned_data
        return {
            "filing_kind": d["filing_kind"],
            "document_name": d["document_name"],
            "document_no": d["document_no"],
            "decided_on": d["decided_on"].isoformat(),
            "filed_on": d["filed_on"].isoformat(),
            "filed_by": d["filed_by"],
            "received_by": d["received_by"],
            "documents": _lines(d["documents"]),
        }


# --- LR-6: objection, re-review, collective study; DC-5 rooms ------------------------------------------


class ObjectionForm(forms.Form):
    reason = forms.CharField(label="异议及理由", widget=forms.Textarea(attrs={"rows": 3}))


class ReReviewForm(forms.Form):
    opinion_type = forms.ChoiceField(
        label="重新审核意见类型", choices=[("", "—"), *list(OpinionType.choices)]
    )
    text = forms.CharField(label="重新审核意见及理由", widget=forms.Textarea(attrs={"rows": 4}))


class RoomForm(forms.Form):
    name = forms.CharField(label="场所名称", max_length=200)
    equipment = forms.CharField(label="录音录像设施", max_length=200, required=False)


DISCUSSION_DECISIONS = [
    ("penalty", "给予行政处罚"),
    ("no_penalty", "违法行为轻微，不予行政处罚"),
    ("not_established", "违法事实不能成立，不予行政处罚"),
    ("transfer", "移送其他机关处理"),
    ("further_investigation", "补充调查"),
    ("other", "其他"),
]


class CollectiveForm(forms.Form):
    """The 集体讨论记录 of LR-6 (DC-3, DC-5). Attendees one per line ("姓名 职务"), statements one per
    line ("姓名：发言"); the person registering signs in the system, the others on paper."""

    held_at = LocalDateTimeField(label="讨论时间")
    room = forms.ChoiceField(label="讨论场所（指定场所）")
    host = forms.CharField(label="主持人", max_length=100)
    recorder = forms.CharField(label="记录人", max_length=100)
    attendees = forms.CharField(
        label="参加人员", widget=forms.Textarea(attrs={"rows": 4}), help_text="每行一人：姓名 职务。"
    )
    case_report = forms.CharField(
        label="承办人汇报的案情及处理意见", widget=forms.Textarea(attrs={"rows": 3})
    )
    speeches = forms.CharField(
        label="讨论发言（逐人记录）",
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="每行一条：姓名：发言内容。",
    )
    conclusion = forms.CharField(label="讨论结论", widget=forms.Textarea(attrs={"rows": 3}))
    decision = forms.ChoiceField(label="决定类型", choices=DISCUSSION_DECISIONS)
    av_record = forms.ChoiceField(label="本案的录像、录音记录", required=False)
    av_file = forms.FileField(label="或上传全程录音录像", required=False)

    def __init__(self, *args: Any, rooms: Iterable[Any] = (), av_records: Iterable[Any] = (), **kwargs: Any):
        super().__init__(*args, **kwargs)
        room_field = self.fields["room"]
        assert isinstance(room_field, forms.ChoiceField)
        room_field.choices = [(str(r.pk), r.name) for r in rooms]
        av_field = self.fields["av_record"]
        assert isinstance(av_field, forms.ChoiceField)
        av_field.choices = [
            ("", "—"),
            *((str(r.pk), f"{r.title}（{r.created_at:%Y-%m-%d}）") for r in av_records),
        ]

    def clean_attendees(self) -> list[tuple[str, str]]:
        people = []
        for line in _lines(self.cleaned_data["attendees"]):
            name, _, title = line.partition(" ")
            people.append((name.strip(), title.strip()))
        return people

    def clean_speeches(self) -> list[tuple[str, str]]:
        found = []
        for line in _lines(self.cleaned_data["speeches"]):
            for sep in ("：", ":"):
                if sep in line:
                    speaker, _, text = line.partition(sep)
                    found.append((speaker.strip(), text.strip()))
                    break
            else:
                raise forms.ValidationError(f"请按“姓名：发言内容”填写：{line}")
        return found

    def clean_held_at(self) -> Any:
        value = self.cleaned_data["held_at"]
        return timezone.make_aware(value) if timezone.is_naive(value) else value
