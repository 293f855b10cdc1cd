"""How long a stored item (a vault blob: an AV original, a scan) must be kept (RT-1..5).

Pure: facts in, a :class:`Retention` out, no Django and no I/O, so it is fast, testable and
explainable (DESIGN principle 4). :mod:`liuhen.retention.selectors` gathers the facts from the
database, :mod:`liuhen.retention.config` reads the numbers from the agency's policy packs.

Every use of the item yields candidate terms; **the longest applicable term wins**:

- RT-1 every AV item: at least ``routine_av_months`` from the day it was stored (PL 第十四条第二款,
  BX 第十七条). The day it was stored is never before it was recorded, so the term is never short.
- RT-2 AV used as evidence in a case of a covered type (penalty/coercion; BX: general-procedure
  penalty): the case file's term (``case_file_term`` of ``liuhen.archives``). A case file without
  a term yet (not archived) keeps the item indefinitely until it has one.
- RT-3 AV of a case not used as evidence: until the litigation period has run out — the case's
  latest decision date plus 6 months (1 year when the decision did not tell the party the
  remedies; 行政诉讼法 第四十六条, 法释〔2018〕1号 第六十四条) plus a grace period for a last day
  that moves past rest days and for complaints in the post.
- RT-5 documents (scans, text-record attachments): in a case, the case file's term; otherwise
  ``document_years_without_case``.
- A record that declares ``retention = "long_term"`` keeps its items indefinitely (RT-4).

Then, whatever the terms: an item under a current hold (RT-4) or used in a case that is still
open never expires; nor does an item some other table refers to in a way this module does not
know (it is listed, so the records office can look).

Dates are legal dates (Asia/Shanghai). A term of months ends on the corresponding day of the
final month, or that month's last day when it has none (民法典 第二百零二条). ``expires_on`` is the
last day the item must be kept: it is due for disposal from the day after.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import date, timedelta

# Record field values (records/catalogue.toml, media types): what the officer declared.
DECLARED_LONG_TERM = "long_term"
DECLARED_CASE_FILE = "case_file"
DECLARED_LITIGATION = "litigation"


@dataclass(frozen=True)
class RetentionConfig:
    """The ``[retention]`` table of the agency's packs, merged (see :mod:`liuhen.retention.config`)."""

    routine_av_months: int = 6
    routine_av_citation: str = ""
    evidence_case_types: tuple[str, ...] = ("penalty", "coercion")
    evidence_procedures: tuple[str, ...] = ()  # empty: any procedure
    evidence_citation: str = ""
    litigation_months_told: int = 6
    litigation_months_not_told: int = 12
    litigation_grace_days: int = 15
    litigation_citation: str = ""
    decision_record_types: tuple[str, ...] = (
        "penalty_decision",
        "no_penalty_decision",
        "coercive_measure_decision",
    )
    decision_date_field: str = "decided_on"
    remedy_fields: tuple[str, ...] = ("litigation_months", "remedies")
    document_years_without_case: int = 10
    document_citation: str = ""
    long_term_citation: str = ""
    packs: tuple[str, ...] = ()


@dataclass(frozen=True)
class Decision:
    """A decision in a case (行政处罚决定书 …): its date and whether it told the party the remedies."""

    record_type: str
    decided_on: date
    remedies_told: bool


@dataclass(frozen=True)
class CaseFileTerm:
    """The case file's retention term: ``until`` the last day, or ``None`` for permanent (永久)."""

    until: date | None
    label: str


@dataclass(frozen=True)
class CaseFacts:
    case_id: int
    number: str
    case_type: str
    procedure: str
    is_open: bool
    case_file: CaseFileTerm | None  # None: no term yet (not archived)
    decisions: tuple[Decision, ...] = ()


@dataclass(frozen=True)
class Use:
    """One place the item is used: an attachment of a record (of a case or not), or an AV item."""

    label: str
    av: bool
    case: CaseFacts | None = None
    used_as_evidence: bool | None = None  # None: the record does not say (in a case: evidence)
    declared: str = ""  # the record's "retention" field


@dataclass(frozen=True)
class ItemFacts:
    stored_on: date
    av: bool  # the content is audio, video or a photo (for an item without any use)
    uses: tuple[Use, ...] = ()
    holds: tuple[str, ...] = ()  # descriptions of the current holds covering the item
    other_uses: tuple[str, ...] = ()  # references this module does not know


@dataclass(frozen=True)
class Term:
    rule: str  # "RT-1" … "RT-5"
    until: date | None  # None: indefinite
    reason: str
    citation: str = ""

    def text(self) -> str:
        when = f"保存至 {self.until.isoformat()}" if self.until else "长期保存（无到期日）"
        basis = f"（依据：{self.citation}）" if self.citation else ""
        return f"{self.rule} {self.reason}：{when}{basis}"


class Status:
    EXPIRING = "expiring"  # has a last day
    HELD = "held"  # under a current hold (RT-4)
    OPEN_CASE = "open_case"  # used in a case not yet closed
    INDEFINITE = "indefinite"  # permanent, long-term, unknown case-file term or an unknown use

    LABELS = {
        EXPIRING: "有保存期限",
        HELD: "长期保存中",
        OPEN_CASE: "案件未结",
        INDEFINITE: "长期/暂不到期",
    }


@dataclass(frozen=True)
class Retention:
    status: str
    expires_on: date | None  # the last day to keep it; None: it does not expire (see status)
    rule: str  # which rule decided ("RT-2", "RT-4", "open_case", …)
    explanation: str  # Chinese, for people: which rule gave the term and why
    terms: tuple[Term, ...] = field(default=())

    def due(self, today: date) -> bool:
        return self.status == Status.EXPIRING and self.expires_on is not None and today > self.expires_on

    @property
    def status_label(self) -> str:
        return Status.LABELS[self.status]


def add_months(day: date, months: int) -> date:
    """The corresponding day ``months`` later, or the last day of that month (民法典 第二百零二条)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def add_years(day: date, years: int) -> date:
    return add_months(day, 12 * years)


def _case_file_term(case: CaseFacts, rule: str, reason: str, citation: str) -> Term:
    if case.case_file is None:
        return Term(rule, None, f"{reason}；案卷保管期限尚未确定（未归档），暂不到期", citation)
    return Term(
        rule, case.case_file.until, f"{reason}，与案卷保管期限（{case.case_file.label}）相同", citation
    )


def _litigation_term(case: CaseFacts, config: RetentionConfig, reason: str) -> Term | None:
    if not case.decisions:
        return None
    latest = max(case.decisions, key=lambda d: (d.decided_on, d.remedies_told))
    months = config.litigation_months_told if latest.remedies_told else config.litigation_months_not_told
    told = "已告知救济途径" if latest.remedies_told else "未告知救济途径"
    until = add_months(latest.decided_on, months) + timedelta(days=config.litigation_grace_days)
    return Term(
        "RT-3",
        until,
        f"{reason}，至行政诉讼期限届满：决定日期 {latest.decided_on.isoformat()}（{told}）起"
        f" {months} 个月，另加 {config.litigation_grace_days} 日宽限",
        config.litigation_citation,
    )


def _terms_of_use(use: Use, stored_on: date, config: RetentionConfig) -> list[Term]:
    terms: list[Term] = []
    case = use.case
    where = f"{use.label}" + (f"（案件 {case.number}）" if case else "")
    if use.declared == DECLARED_LONG_TERM:
        terms.append(Term("RT-4", None, f"{where} 标注为长期保存", config.long_term_citation))
    if not use.av:
        if case is not None:
            terms.append(_case_file_term(case, "RT-5", f"{where} 为案卷材料", config.document_citation))
        else:
            years = config.document_years_without_case
            terms.append(
                Term(
                    "RT-5",
                    add_years(stored_on, years),
                    f"{where} 为不属于案件的文书材料，自入库起 {years} 年",
                    config.document_citation,
                )
            )
        return terms
    months = config.routine_av_months
    terms.append(
        Term(
            "RT-1",
            add_months(stored_on, months),
            f"{where} 为执法音像资料，自入库起不少于 {months} 个月",
            config.routine_av_citation,
        )
    )
    if case is None:
        return terms
    evidence = use.used_as_evidence is not False
    covered = case.case_type in config.evidence_case_types and (
        not config.evidence_procedures or case.procedure in config.evidence_procedures
    )
    if (evidence and covered) or use.declared == DECLARED_CASE_FILE:
        why = "作为证据使用" if evidence and covered else "标注与案卷同期保存"
        terms.append(_case_file_term(case, "RT-2", f"{where} {why}", config.evidence_citation))
    if not (evidence and covered) or use.declared == DECLARED_LITIGATION:
        why = "不作为证据使用" if not evidence else "所在案件类型不适用案卷同期保存"
        litigation = _litigation_term(case, config, f"{where} {why}")
        if litigation is not None:
            terms.append(litigation)
    return terms


def compute_retention(item: ItemFacts, config: RetentionConfig) -> Retention:
    """The retention of one item: the longest applicable term, unless a hold or an open case keeps
    it. The explanation names the deciding rule first, then every other term considered."""
    terms: list[Term] = []
    for use in item.uses:
        terms.extend(_terms_of_use(use, item.stored_on, config))
    if not item.uses:
        if item.av:
            months = config.routine_av_months
            terms.append(
                Term(
                    "RT-1",
                    add_months(item.stored_on, months),
                    f"未归入任何案件或记录的音像资料，自入库起不少于 {months} 个月",
                    config.routine_av_citation,
                )
            )
        else:
            years = config.document_years_without_case
            terms.append(
                Term(
                    "RT-5",
                    add_years(item.stored_on, years),
                    f"未归入任何记录的文件，自入库起 {years} 年",
                    config.document_citation,
                )
            )
    # Longest first: indefinite before any date, later dates before earlier ones; stable by rule.
    terms.sort(key=lambda t: (t.until is not None, -(t.until.toordinal() if t.until else 0), t.rule))
    others = "；".join(t.text() for t in terms)
    considered = f"。适用的期限：{others}" if others else ""
    if item.holds:
        return Retention(
            Status.HELD,
            None,
            "RT-4",
            f"RT-4 长期保存：{'；'.join(item.holds)}，解除前不得销毁{considered}",
            tuple(terms),
        )
    open_cases = sorted({u.case.number for u in item.uses if u.case is not None and u.case.is_open})
    if open_cases:
        return Retention(
            Status.OPEN_CASE,
            None,
            "open_case",
            f"案件 {'、'.join(open_cases)} 尚未办结，其中的材料不到期{considered}",
            tuple(terms),
        )
    if item.other_uses:
        return Retention(
            Status.INDEFINITE,
            None,
            "other_use",
            f"另被 {'、'.join(item.other_uses)} 引用，不自动到期，请人工核查{considered}",
            tuple(terms),
        )
    longest = terms[0]
    if longest.until is None:
        return Retention(Status.INDEFINITE, None, longest.rule, f"{longest.text()}{considered}", tuple(terms))
    return Retention(
        Status.EXPIRING,
        longest.until,
        longest.rule,
        f"取最长期限 {longest.text()}{considered}",
        tuple(terms),
    )


__all__ = [
    "CaseFacts",
    "CaseFileTerm",
    "Decision",
    "ItemFacts",
    "Retention",
    "RetentionConfig",
    "Status",
    "Term",
    "Use",
    "add_months",
    "add_years",
    "compute_retention",
]
