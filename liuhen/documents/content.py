"""What a 执法文书 says, built once from a record and laid out by both renderers (PDF and DOCX).

Each record type gets a *layout*: ``penalty_decision`` (行政处罚决定书, running text),
``service_receipt`` (送达回证, the standard table form) or ``generic`` (any other type: its fields in
catalogue order under their Chinese labels). Dedicated layouts read fields with ``.get`` and list
any field they do not place themselves at the end, so a catalogue that gains fields loses nothing.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils import timezone

from liuhen.documents.chinese import chinese_date, money, money_upper, numeric_date, numeric_datetime
from liuhen.documents.verification import document_digest, qr_payload
from liuhen.records.catalogue import FieldSpec, RecordType, UnknownRecordType, catalogue
from liuhen.records.models import Confidentiality, Record, SignerRole

BLANK = "________"
# Fields whose value is the date a document is issued / signed, in order of preference.
DATE_FIELDS = ("decided_on", "issued_on", "served_at", "approved_on", "signed_on", "notice_date", "ended_at")
_UNSAFE_FILENAME = re.compile(r'[\\/:*?"<>|\r\n\t]+')


@dataclass(frozen=True)
class Para:
    """A paragraph of running text, optionally led by a bold label (``违法事实：…``)."""

    label: str
    text: str

    @property
    def lines(self) -> list[str]:
        """One printed paragraph per line of ``text``; the label leads the first."""
        return self.text.split("\n")


@dataclass(frozen=True)
class Row:
    """A row of a form table; ``tall`` rows leave room for handwriting."""

    label: str
    value: str
    tall: bool = False


@dataclass(frozen=True)
class SignLine:
    label: str
    names: str  # empty: a blank line to sign on paper


@dataclass(frozen=True)
class DocumentContent:
    layout: str
    record_id: int
    version: int
    agency_name: str
    title: str
    doc_no: str  # this document's number, or "案号：<case number>" for a form about another document
    case_number: str
    case_title: str
    confidentiality: str  # "" for ordinary records, else e.g. "商业秘密"
    paragraphs: tuple[Para, ...]
    rows: tuple[Row, ...]
    sign_lines: tuple[SignLine, ...]
    date_cn: str
    digest: str
    payload: str
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def footer(self) -> str:
        return f"留痕 记录 {self.record_id} · 第 {self.version} 版 · 摘要 {self.digest}"

    @property
    def filename_stem(self) -> str:
        stem = f"{self.title}-{self.case_number}-第{self.version}版"
        return _UNSAFE_FILENAME.sub("_", stem)

    def as_context(self) -> dict[str, Any]:
        return {
            "doc": self,
            "layout": self.layout,
            "record_id": self.record_id,
            "version": self.version,
            "agency_name": self.agency_name,
            "title": self.title,
            "doc_no": self.doc_no,
            "case_number": self.case_number,
            "case_title": self.case_title,
            "confidentiality": self.confidentiality,
            "paragraphs": self.paragraphs,
            "lines": [
                Para(p.label if i == 0 else "", line)
                for p in self.paragraphs
                for i, line in enumerate(p.lines)
            ],
            "rows": self.rows,
            "sign_lines": self.sign_lines,
            "date_cn": self.date_cn,
            "digest": self.digest,
            "payload": self.payload,
            "footer": self.footer,
            **self.extra,
        }


# --- values ------------------------------------------------------------------------------------


def _as_decimal(value: Any) -> Decimal | None:
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


def _parse_when(value: Any) -> date | datetime | None:
    if not isinstance(value, str):
        return None
    try:
        if len(value) == 10:
            return date.fromisoformat(value)
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return timezone.localtime(parsed) if timezone.is_aware(parsed) else parsed


def _person(item: Any) -> str:
    if isinstance(item, Mapping):
        name, number = str(item.get("name", "")), str(item.get("number", ""))
        return f"{name}（{number}）" if number else name
    return str(item)


def display(value: Any, spec: FieldSpec | None = None) -> str:
    """A stored field value as the document prints it."""
    if value is None or value == "" or value == []:
        return ""
    ftype = spec.type if spec is not None else ""
    labels = spec.choice_labels if spec is not None else {}
    if isinstance(value, bool):
        return "是" if value else "否"
    if ftype == "date" or ftype == "datetime":
        when = _parse_when(value)
        if isinstance(when, datetime):
            return numeric_datetime(when)
        if isinstance(when, date):
            return numeric_date(when)
    if ftype == "money":
        amount = _as_decimal(value)
        if amount is not None:
            return money(amount)
    if ftype == "person_list" and isinstance(value, list):
        return "、".join(_person(item) for item in value)
    if ftype == "list" and isinstance(value, list):
        return "\n".join(f"{i}. {item}" for i, item in enumerate(value, 1))
    if isinstance(value, list):
        return "、".join(labels.get(str(item), _person(item)) for item in value)
    if isinstance(value, Mapping):
        return _person(value)
    return labels.get(str(value), str(value))


class _Fields:
    """The record's values with their specs; remembers which ones a layout has placed."""

    def __init__(
        self, rtype: RecordType | None, values: Mapping[str, Any], signed: Mapping[str, list[str]]
    ) -> None:
        self.rtype = rtype
        self.values = values
        self.signed = signed  # role -> names of the signers recorded on this version
        self.specs = {spec.name: spec for spec in rtype.fields} if rtype else {}
        self.used: set[str] = set()
        self.extra: dict[str, Any] = {}  # what a layout passes to its templates besides paras/rows

    def raw(self, name: str) -> Any:
        self.used.add(name)
        return self.values.get(name)

    def text(self, name: str, default: str = "") -> str:
        return display(self.raw(name), self.specs.get(name)) or default

    def label(self, name: str) -> str:
        spec = self.specs.get(name)
        return spec.label if spec else name

    def remaining(self, *, later: Iterable[str] = ()) -> list[tuple[str, str]]:
        """(label, text) of the fields not placed yet, except ``later`` (which the layout places
        further down): catalogue order first, then keys the catalogue does not know."""
        skip = self.used | set(later)
        names = [name for name in self.specs if name in self.values]
        names += [name for name in self.values if name not in self.specs]
        return [(self.label(n), text) for n in names if n not in skip and (text := self.text(n))]


# --- layouts -----------------------------------------------------------------------------------


def _penalty_decision(f: _Fields) -> tuple[list[Para], list[Row]]:
    f.used.add("decided_on")  # printed as the date under the seal
    paras = [Para("当事人", f.text("party", BLANK))]
    if details := f.text("party_details"):
        paras.append(Para("", details))
    paras.append(Para("违法事实", f.text("facts", BLANK)))
    if evidence := f.text("evidence"):
        paras.append(Para("", f"上述事实，有以下证据证明：\n{evidence}"))
    if statement := f.text("statement_handling"):
        paras.append(Para("陈述申辩（听证）情况及采纳理由", statement))
    paras.append(Para("", f"本机关认为，当事人的上述行为违反了{f.text('violated_provisions', BLANK)}。"))
    basis = f"依据{f.text('penalty_basis', BLANK)}"
    if discretion := f.text("discretion"):
        basis += f"，参照{discretion}"
    paras.append(Para("", f"{basis}，本机关决定对当事人作出如下行政处罚："))
    kinds = f.raw("penalty_kinds") or []
    kind_labels = f.specs["penalty_kinds"].choice_labels if "penalty_kinds" in f.specs else {}
    items: list[str] = []
    fine = _as_decimal(f.raw("fine_amount")) if f.values.get("fine_amount") else None
    confiscated = _as_decimal(f.raw("confiscation_amount")) if f.values.get("confiscation_amount") else None
    other = f.text("other_penalty")
    for kind in kinds if isinstance(kinds, list) else [kinds]:
        label = kind_labels.get(str(kind), str(kind))
        if kind == "fine" and fine is not None:
            items.append(f"罚款人民币{money(fine)}（大写：{money_upper(fine)}）")
        elif kind == "confiscation" and confiscated is not None:
            items.append(f"{label}，计人民币{money(confiscated)}（大写：{money_upper(confiscated)}）")
        elif kind == "other" and other:
            items.append(other)
        else:
            items.append(label)
    if other and "other" not in kinds:
        items.append(other)
    numerals = "一二三四五六七八九十"
    listed = "\n".join(
        f"（{numerals[i] if i < len(numerals) else i + 1}）{item}；" for i, item in enumerate(items)
    )
    paras.append(Para("", listed.rstrip("；") + "。" if listed else BLANK))
    for label, text in f.remaining(
        later=(
            "payment",
            "payment_days",
            "reconsideration_body",
            "reconsideration_days",
            "court",
            "litigation_months",
        )
    ):
        paras.append(Para(label, text))
    days = f.text("payment_days", BLANK)
    performance = f"当事人应当自收到本决定书之日起{days}日内履行。{f.text('payment', '')}"
    if "fine" in kinds:
        performance += (
            "到期不缴纳罚款的，本机关可以每日按罚款数额的百分之三加处罚款，加处罚款的数额不超出罚款的数额"
            "（《中华人民共和国行政处罚法》第七十二条）。"
        )
    paras.append(Para("履行方式和期限", performance))
    paras.append(
        Para(
            "救济途径",
            f"当事人如不服本处罚决定，可以在收到本决定书之日起{f.text('reconsideration_days', BLANK)}日内"
            f"向{f.text('reconsideration_body', BLANK)}申请行政复议，或者在"
            f"{f.text('litigation_months', BLANK)}个月内直接向{f.text('court', BLANK)}提起行政诉讼。"
            "申请行政复议或者提起行政诉讼期间，本处罚决定不停止执行，法律另有规定的除外。"
            "当事人逾期不申请行政复议、不提起行政诉讼又不履行本处罚决定的，本机关将依法申请人民法院强制执行。",
        )
    )
    return paras, []


def _service_receipt(f: _Fields) -> tuple[list[Para], list[Row]]:
    name_no = " ".join(part for part in (f.text("document_name"), f.text("document_no")) if part)
    method = f.text("method")
    notes = [
        f"{f.label(name)}：{text}"
        for name in ("reason", "refusal_note", "tracking_no", "returned_note", "notice_medium")
        if (text := f.text(name))
    ]
    signed_by = "、".join(
        part for part in (f.text("signed_by"), *f.signed.get(SignerRole.RECIPIENT, [])) if part
    )
    served_at = f.text("served_at")
    rows = [
        Row("送达文书名称及文号", name_no),
        Row("受送达人", f.text("recipient")),
        Row("送达地点", f.text("place")),
        Row("送达方式", method),
        Row("收件人签名", signed_by, tall=True),
        Row("送达时间", served_at),
        Row("送达人", f.text("servers"), tall=True),
        Row("见证人", f.text("witnesses"), tall=True),
    ]
    notes += [f"{label}：{text}" for label, text in f.remaining()]
    rows.append(Row("备注", "\n".join(notes), tall=True))
    return [], rows


def _advance_notice(f: _Fields) -> tuple[list[Para], list[Row]]:
    """行政处罚事先告知书 as running text (DC-1: proposed decision, facts, evidence, law, the rights,
    the channel and the deadline; 行政处罚法 第四十四条、第四十五条、第六十三条、第六十四条)."""
    f.used.add("issued_on")  # printed as the date under the seal
    paras = [Para("", f"{f.text('party', BLANK)}：")]
    paras.append(Para("", f"经查，{f.text('facts', BLANK)}"))
    if evidence := f.text("evidence"):
        paras.append(Para("", f"上述事实，有以下证据证明：\n{evidence}"))
    paras.append(
        Para(
            "",
            f"依据{f.text('legal_basis', BLANK)}，本机关拟作出如下处理决定：{f.text('proposed_decision', BLANK)}",
        )
    )
    f.used.add("proposed_amount")
    rights = f.raw("rights") or []
    named = [
        label
        for code, label in (("statement", "陈述"), ("defence", "申辩"), ("hearing", "要求听证"))
        if code in rights
    ]
    deadline = f.text("statement_deadline")
    period = f"自收到本告知书之日起{f.text('deadline_days', BLANK)}日内" + (
        f"（至{deadline}）" if deadline else ""
    )
    paras.append(
        Para(
            "",
            "根据《中华人民共和国行政处罚法》第四十四条、第四十五条"
            + ("、第六十三条、第六十四条" if "hearing" in rights else "")
            + f"的规定，你（单位）享有{'、'.join(named) or '陈述、申辩'}的权利。如需行使，请于{period}"
            f"提出：{f.text('channel', BLANK)}逾期未提出的，视为放弃上述权利。",
        )
    )
    for label, text in f.remaining():
        paras.append(Para(label, text))
    return paras, []


@dataclass(frozen=True)
class HandoverLine:
    """A row of the 案卷移交清单 with its 审核前 and 审核后 columns."""

    label: str
    before: str
    after: str


def _case_file_handover(f: _Fields) -> tuple[list[Para], list[Row]]:
    """重大行政执法决定案卷移交清单 as the annex form of HY-FS: 序号, 案卷名称, then 审核前 / 审核后
    columns of 移交人, 接收人, 移交时间, 移交地点 and 案卷材料 (LR-2, LR-5)."""
    lines = [
        HandoverLine("移交人", f.text("handed_by_before"), f.text("handed_by_after")),
        HandoverLine("接收人", f.text("received_by_before"), f.text("received_by_after")),
        HandoverLine("移交时间", f.text("handed_at_before"), f.text("handed_at_after")),
        HandoverLine("移交地点", f.text("place_before"), f.text("place_after")),
    ]

    def numbered(name: str) -> list[str]:
        items = f.raw(name) or []
        return [f"{i}. {item}" for i, item in enumerate(items if isinstance(items, list) else [items], 1)]

    before, after = numbered("materials"), numbered("returned_materials")
    remaining = f.remaining()
    f.extra["handover"] = {
        "note_label": "备　注",
        "note": "\n".join(f"{label}：{text}" for label, text in remaining),
        "register_no": f.text("register_no"),
        "case_file_name": f.text("case_file_name"),
        "lines": lines,
        "materials_before": before,
        "materials_after": after,
        "materials_before_text": "\n".join(before),
        "materials_after_text": "\n".join(after),
    }
    return [], [Row(label, text, tall="\n" in text) for label, text in remaining]


def _generic(f: _Fields) -> tuple[list[Para], list[Row]]:
    return [], [Row(label, text, tall="\n" in text) for label, text in f.remaining()]


def _case_row(case_title: str) -> Row:
    return Row("案件名称", case_title)


_LAYOUTS: dict[str, Callable[[_Fields], tuple[list[Para], list[Row]]]] = {
    "penalty_decision": _penalty_decision,
    "service_receipt": _service_receipt,
    "case_file_handover": _case_file_handover,
    "advance_notice": _advance_notice,
}


def _signed(record: Record) -> dict[str, list[str]]:
    signed: dict[str, list[str]] = {}
    for signer in record.signers.all():
        signed.setdefault(signer.role, []).append(signer.name + ("（拒绝签名）" if signer.refused else ""))
    return signed


def _sign_lines(signed: Mapping[str, list[str]], rtype: RecordType | None) -> list[SignLine]:
    roles = list(rtype.signers if rtype else ())
    roles += [role for role in signed if role not in roles]
    labels = dict(SignerRole.choices)
    return [SignLine(str(labels.get(role, role)), "、".join(signed.get(role, []))) for role in roles]


def _document_date(record: Record, values: Mapping[str, Any]) -> date:
    for name in DATE_FIELDS:
        when = _parse_when(values.get(name))
        if isinstance(when, datetime):
            return when.date()
        if isinstance(when, date):
            return when
    return timezone.localtime(record.created_at).date()


# Layouts that print the signers under the form.
_SIGNED_LAYOUTS = frozenset({"generic", "case_file_handover"})


def layout_of(record_type: str) -> str:
    return record_type if record_type in _LAYOUTS else "generic"


def build_document(record: Record) -> DocumentContent:
    """The content of the 执法文书 for ``record`` (one version)."""
    case = record.case
    if case is None:
        raise ValueError("只能为案件中的记录生成文书。")
    try:
        rtype: RecordType | None = catalogue().get(record.record_type)
    except UnknownRecordType:
        rtype = None
    values = record.fields
    signed = _signed(record)
    fields = _Fields(rtype, values, signed)
    doc_no = f"案号：{case.number}"
    # ``document_no`` is this document's own number, except on forms about another document
    # (送达回证, 邮寄凭证, 公告送达记录), which name that document in ``document_name``.
    if "document_name" not in fields.specs:
        fields.used.add("document_no")  # printed as the number line
        if isinstance(values.get("document_no"), str) and values["document_no"]:
            doc_no = values["document_no"]
    layout = layout_of(record.record_type)
    paragraphs, rows = _LAYOUTS.get(layout, _generic)(fields)
    if layout == "generic":
        rows.insert(0, _case_row(case.title))
    return DocumentContent(
        layout=layout,
        record_id=record.pk,
        version=record.version,
        agency_name=case.agency.name,
        title=rtype.name if rtype else record.title,
        doc_no=doc_no,
        case_number=case.number,
        case_title=case.title,
        confidentiality=""
        if record.confidentiality == Confidentiality.NORMAL
        else str(Confidentiality(record.confidentiality).label),
        paragraphs=tuple(paragraphs),
        rows=tuple(rows),
        # Dedicated layouts place their signatures in the form itself (or need only the seal).
        sign_lines=tuple(_sign_lines(signed, rtype)) if layout in _SIGNED_LAYOUTS else (),
        date_cn=chinese_date(_document_date(record, values)),
        digest=document_digest(record),
        payload=qr_payload(record),
        extra=fields.extra,
    )
