"""The ``[review]`` table of a policy pack: legal review of major decisions (重大执法决定法制审核).

Pure data, no Django, no I/O (like :mod:`liuhen.policy.rules`). ``liuhen.policy.schema`` reads the
table into :class:`ReviewConfig`; ``liuhen.review`` applies it: which draft decisions are major
(LR-1), how long the legal office has (LR-3), and the discretion benchmark (裁量基准) the review
checks the proposed penalty against (LR-4). The format is in docs/policy-packs.md, section 7.

An agency runs the baseline plus its own pack; :func:`merge_review` combines their tables (the
agency's own pack wins on the same threshold, flag or benchmark entry).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

# Amount thresholds (LR-1; HY-FS 第二条第（一）、（二）项): which value of the draft decision they read.
# The value is the Chinese wording, ``{min}`` the threshold in yuan.
THRESHOLD_KINDS: dict[str, str] = {
    "fine_person": "对公民处以{min}元以上罚款",
    "fine_organisation": "对法人或者其他组织处以{min}元以上罚款",
    "confiscation": "没收违法所得数额{min}元以上",
    "late_fee_per_day": "加收的滞纳金每日在{min}元以上",
    "arrears_transfer": "划拨欠缴社会保险费数额{min}元以上",
}
# Circumstances that make a decision major whatever the amount (HY-FS 第二条第（三）、（四）项;
# 行政处罚法 第五十八条第一款第（三）项).
FLAG_KINDS: dict[str, str] = {
    "circumstances_conflict": "不予、减轻、从轻、从重处罚的情节相互冲突",
    "opinions_differ": "承办科室（单位）与法制机构意见不一致",
    "complex_case": "案情重大、复杂、疑难",
}


@dataclass(frozen=True)
class Threshold:
    kind: str  # a THRESHOLD_KINDS key
    min: Decimal  # major when the amount is at least this
    citation: str

    @property
    def label(self) -> str:
        return THRESHOLD_KINDS[self.kind].format(min=_money(self.min))


@dataclass(frozen=True)
class Flag:
    kind: str  # a FLAG_KINDS key
    citation: str

    @property
    def label(self) -> str:
        return FLAG_KINDS[self.kind]


@dataclass(frozen=True)
class Benchmark:
    """One entry of the discretion benchmark (裁量基准): the allowed fine for a kind of violation,
    either a fixed range in yuan (``fine_min``/``fine_max``) or a multiple of the amount involved
    (造成损失金额、骗取金额、违法所得: ``multiple_min``/``multiple_max``)."""

    code: str
    violation: str
    basis: str
    citation: str
    fine_min: Decimal | None = None
    fine_max: Decimal | None = None
    multiple_min: Decimal | None = None
    multiple_max: Decimal | None = None

    @property
    def by_multiple(self) -> bool:
        return self.multiple_min is not None or self.multiple_max is not None

    def allowed_range(self, base_amount: Decimal | None) -> tuple[Decimal | None, Decimal | None]:
        """(lowest, highest) allowed fine; ``None`` for an open end (or when the base is missing)."""
        if not self.by_multiple:
            return self.fine_min, self.fine_max
        if base_amount is None:
            return None, None
        low = base_amount * self.multiple_min if self.multiple_min is not None else None
        high = base_amount * self.multiple_max if self.multiple_max is not None else None
        return low, high

    @property
    def range_text(self) -> str:
        if self.by_multiple:
            return f"{_bounds(self.multiple_min, self.multiple_max, '倍')}（以涉案金额为基数）"
        return _bounds(self.fine_min, self.fine_max, "元")


@dataclass(frozen=True)
class ReviewConfig:
    """One pack's ``[review]`` table (or several merged: :func:`merge_review`)."""

    citation: str  # what makes a decision major, e.g. "HY-FS 第二条"
    block_citation: str  # cited when a major decision is refused without review (LR-7)
    # cited for the consultation that settles whether a decision is major (HY-FS 第四条第二款);
    # "" → ``citation``
    consultation_citation: str = ""
    requirements: tuple[str, ...] = ()
    thresholds: tuple[Threshold, ...] = ()
    flags: tuple[Flag, ...] = ()
    review_days: int | None = None  # working days from receipt (LR-3), None: no period
    max_extension_days: int = 0  # one extension of at most this many working days
    period_citation: str = ""
    benchmark_name: str = ""
    benchmarks: tuple[Benchmark, ...] = ()
    pack: str = ""

    def threshold(self, kind: str) -> Threshold | None:
        return next((t for t in self.thresholds if t.kind == kind), None)

    def flag(self, kind: str) -> Flag | None:
        return next((f for f in self.flags if f.kind == kind), None)

    def benchmark(self, code: str) -> Benchmark | None:
        return next((b for b in self.benchmarks if b.code == code), None)


def merge_review(configs: Iterable[ReviewConfig | None]) -> ReviewConfig | None:
    """The tables of the packs an agency runs (baseline first, its own pack last), combined: a later
    pack's threshold, flag or benchmark entry replaces an earlier one of the same kind/code; the
    period and citations come from the last pack that sets them. ``None`` when no pack has one."""
    present = [c for c in configs if c is not None]
    if not present:
        return None
    thresholds: dict[str, Threshold] = {}
    flags: dict[str, Flag] = {}
    benchmarks: dict[str, Benchmark] = {}
    requirements: dict[str, None] = {}
    review_days: int | None = None
    max_extension = 0
    period_citation = benchmark_name = ""
    for config in present:
        thresholds.update({t.kind: t for t in config.thresholds})
        flags.update({f.kind: f for f in config.flags})
        benchmarks.update({b.code: b for b in config.benchmarks})
        requirements.update(dict.fromkeys(config.requirements))
        if config.review_days is not None:
            review_days, max_extension = config.review_days, config.max_extension_days
            period_citation = config.period_citation
        benchmark_name = config.benchmark_name or benchmark_name
    last = present[-1]
    return ReviewConfig(
        citation=last.citation,
        block_citation=last.block_citation,
        consultation_citation=last.consultation_citation or last.citation,
        requirements=tuple(requirements),
        thresholds=tuple(thresholds.values()),
        flags=tuple(flags.values()),
        review_days=review_days,
        max_extension_days=max_extension,
        period_citation=period_citation,
        benchmark_name=benchmark_name,
        benchmarks=tuple(benchmarks.values()),
        pack=last.pack,
    )


def _money(value: Decimal) -> str:
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _bounds(low: Decimal | None, high: Decimal | None, unit: str) -> str:
    if low is not None and high is not None:
        return f"{_money(low)}{unit}以上{_money(high)}{unit}以下"
    if low is not None:
        return f"{_money(low)}{unit}以上"
    if high is not None:
        return f"{_money(high)}{unit}以下"
    return "不限"


__all__ = [
    "FLAG_KINDS",
    "THRESHOLD_KINDS",
    "Benchmark",
    "Flag",
    "ReviewConfig",
    "Threshold",
    "merge_review",
]
