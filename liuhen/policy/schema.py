"""Policy packs (执法规则包): load and validate the TOML pack files into ``Pack`` / ``Rule`` data.

The format is described in docs/policy-packs.md; the data model is ``liuhen.policy.rules``
(re-exported here). Every mistake in a
pack file is reported with the file, the rule id and the key at fault (``PackError``), at load
time, so a broken pack never reaches the engine. Record types and their fields are checked
against the record catalogue (``liuhen.records.catalogue``) as it is when the pack is loaded.
"""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from liuhen.core.tomlcheck import TomlChecker, read_toml
from liuhen.policy import rules
from liuhen.policy.reviewconfig import (
    FLAG_KINDS,
    THRESHOLD_KINDS,
    Benchmark,
    Flag,
    ReviewConfig,
    Threshold,
    merge_review,
)
from liuhen.policy.rules import (
    FIELD_OPS,
    FILE_ANCHOR,
    FILE_FACTS,
    OPENING_ITEMS,
    REQUIRE_GROUPS,
    SEVERITIES,
    UNITS,
    UPLOADED,
    AvGaps,
    Deadline,
    FieldCondition,
    MaxField,
    MinCount,
    RecordCondition,
    Require,
    Rule,
    When,
)

PACKS_DIR = Path(__file__).with_name("packs")
BASELINE = "baseline"

_REQUIREMENT_RE = re.compile(r"^[A-Z]{2}-\d+$")
_RULE_ID_RE = re.compile(r"^[A-Za-z][A-Za-z0-9]*(-[A-Za-z0-9_]+)+$")
_PACK_KEYS = {"code", "name", "regulation", "extends", "version"}
_RULE_KEYS = {"id", "requirements", "citation", "severity", "message", "stage", "when", "require", "deadline"}
_WHEN_KEYS = {
    "procedure",
    "case_type",
    "source",
    "party_kind",
    "record_type",
    "field",
    "reached_stage",
    "branch",
    "case_has",
    "case_lacks",
    "complex_case",
    "media",
}
_REQUIRE_KEYS = {*REQUIRE_GROUPS, "refusal_with", "any_stage", "own_time", "scenario"}
_DEADLINE_KEYS = {"from", "days", "unit", "until", "optional"}
_MIN_COUNT_KEYS = {"count", "count_of", "records", "items", "signers"}
_DATE_TYPES = ("date", "datetime")
_LIST_TYPES = ("list", "person_list", "multichoice")
# Groups that read the triggering record (they need when.record_type).
_PER_RECORD_GROUPS = ("fields", "media", "signers", "max_field", "preceded_by", "av_gaps")
# Groups a per-file rule (when.media) may use; opening_statement is for per-file rules only.
_PER_FILE_GROUPS = ("fields", "forbidden", "opening_statement", "any_of")
# The record type whose ``scenario`` choices name the AV scenarios (photo / audio / video share them).
_SCENARIO_SOURCE = ("video", "scenario")
_REVIEW_KEYS = {
    "citation",
    "block_citation",
    "consultation_citation",
    "requirements",
    "review_days",
    "max_extension_days",
    "period_citation",
    "benchmark_name",
    "threshold",
    "flag",
    "benchmark",
}
_BENCHMARK_KEYS = {
    "code",
    "violation",
    "basis",
    "citation",
    "fine_min",
    "fine_max",
    "multiple_min",
    "multiple_max",
}
_BENCHMARK_CODE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")

log = logging.getLogger(__name__)


class PackError(Exception):
    """A pack file is malformed; the message names the file, the rule and the key."""


@dataclass(frozen=True)
class Pack(rules.Pack):
    """A loaded pack: ``liuhen.policy.rules.Pack`` plus its ``[review]`` table (legal review of
    major decisions, ``liuhen.policy.reviewconfig``), ``None`` when the pack has none. The engine
    only reads the rules; ``liuhen.review`` reads ``review`` (merged over the agency's packs by
    :func:`review_config_for`)."""

    review: ReviewConfig | None = None


# --- loading -----------------------------------------------------------------------------------


class _Vocabulary:
    """The names a pack may use, read from the models and the record catalogue at load time."""

    def __init__(self) -> None:
        from liuhen.cases.models import Branch, CaseType, PartyKind, Procedure, Source, Stage
        from liuhen.org.models import PolicyPack
        from liuhen.records.catalogue import catalogue
        from liuhen.records.models import SignerRole

        self.stages = tuple(Stage.values)
        self.branches = tuple(v for v in Branch.values if v)
        self.case_types = tuple(CaseType.values)
        self.procedures = tuple(Procedure.values)
        self.sources = tuple(Source.values)
        self.party_kinds = tuple(PartyKind.values)
        self.roles = tuple(SignerRole.values)
        self.pack_codes = tuple(PolicyPack.values)
        self.catalogue = catalogue()


class _Loader(TomlChecker):
    error = PackError

    def __init__(self, path: Path, vocab: _Vocabulary) -> None:
        super().__init__(f"规则包 {path.name} 有误")
        self.path = path
        self.vocab = vocab

    # -- primitives
    def choices(
        self, table: Mapping[str, Any], key: str, where: str, allowed: Sequence[str]
    ) -> tuple[str, ...]:
        values = self.strings(table, key, where, scalar_ok=True)
        bad = [v for v in values if v not in allowed]
        if bad:
            raise self.fail(where, f"{key} 的值 {', '.join(bad)} 无效，应为 {', '.join(allowed)} 之一")
        return values

    def tables(self, raw: Any, where: str) -> list[Mapping[str, Any]]:
        """One table or a list of tables (``key = {…}`` or ``key = [{…}, {…}]``)."""
        items = raw if isinstance(raw, list) else [raw]
        if not items:
            raise self.fail(where, "不能为空")
        return [
            self.table(item, f"{where}[{i}]" if isinstance(raw, list) else where)
            for i, item in enumerate(items)
        ]

    def record_type(self, code: str, where: str) -> str:
        if code not in self.vocab.catalogue:
            raise self.fail(where, f"记录类型 {code!r} 不在记录类型目录中")
        return code

    def record_field(self, record_type: str, name: str, where: str, *, types: Sequence[str] = ()) -> str:
        if record_type == FILE_ANCHOR:
            kind = FILE_FACTS.get(name)
            if kind is None:
                raise self.fail(where, f"音像文件没有 {name!r} 这一项，应为 {', '.join(FILE_FACTS)} 之一")
            if types and kind not in types:
                raise self.fail(where, f"音像文件的 {name} 的类型是 {kind}，应为 {'/'.join(types)}")
            return name
        if not record_type:
            raise self.fail(where, f"字段 {name!r} 须与 when.record_type 一起使用")
        rtype = self.vocab.catalogue.get(record_type)
        try:
            spec = rtype.field(name)
        except KeyError:
            raise self.fail(where, f"记录类型 {record_type} 没有字段 {name!r}") from None
        if types and spec.type not in types:
            raise self.fail(where, f"字段 {record_type}.{name} 的类型是 {spec.type}，应为 {'/'.join(types)}")
        return name

    def stage(self, value: str, where: str, key: str) -> str:
        if value and value not in self.vocab.stages:
            raise self.fail(where, f"{key} 的阶段 {value!r} 无效，应为 {', '.join(self.vocab.stages)} 之一")
        return value

    # -- the document
    def load(self, document: Mapping[str, Any]) -> Pack:
        # [archive] (case-file archiving, AR-1..4) is read and validated by liuhen.archives.config.
        # [retention] (AV and document retention, RT-1..5) is read by liuhen.retention.config.
        self.unknown(document, {"pack", "rule", "review", "archive", "retention"}, "顶层")
        header = self.table(document.get("pack"), "[pack]")
        self.unknown(header, _PACK_KEYS, "[pack]")
        code = self.string(header, "code", "[pack]")
        if code not in self.vocab.pack_codes:
            raise self.fail("[pack]", f"code {code!r} 无效，应为 {', '.join(self.vocab.pack_codes)} 之一")
        extends = self.strings(header, "extends", "[pack]")
        for parent in extends:
            if parent not in self.vocab.pack_codes or parent == code:
                raise self.fail("[pack]", f"extends 的值 {parent!r} 无效")
        if code != BASELINE and BASELINE not in extends:
            raise self.fail("[pack]", "extends 必须包含 baseline（规则包总是与国家基线一起适用）")
        version = header.get("version", "1")
        if not isinstance(version, str | int) or isinstance(version, bool):
            raise self.fail("[pack]", "version 应为字符串")
        raw_rules = document.get("rule", [])
        if not isinstance(raw_rules, list) or not raw_rules:
            raise self.fail("顶层", "没有任何 [[rule]]")
        rules: list[Rule] = []
        seen: set[str] = set()
        for index, raw in enumerate(raw_rules):
            rule = self.rule(code, raw, f"rule[{index}]")
            if rule.id in seen:
                raise self.fail(f"规则 {rule.id}", "id 重复")
            seen.add(rule.id)
            rules.append(rule)
        return Pack(
            code=code,
            name=self.string(header, "name", "[pack]"),
            regulation=self.string(header, "regulation", "[pack]"),
            extends=extends,
            version=str(version),
            rules=tuple(rules),
            path=str(self.path),
            review=self.review(code, document["review"]) if "review" in document else None,
        )

    # -- [review]: legal review of major decisions (LR-1, LR-3, LR-4)
    def review(self, pack: str, raw: Any) -> ReviewConfig:
        where = "[review]"
        table = self.table(raw, where)
        self.unknown(table, _REVIEW_KEYS, where)
        requirements = self.strings(table, "requirements", where) if "requirements" in table else ()
        for requirement in requirements:
            if not _REQUIREMENT_RE.match(requirement):
                raise self.fail(where, f"requirements 中的 {requirement!r} 格式应如 LR-1")
        review_days: int | None = None
        max_extension = 0
        period_citation = ""
        if "review_days" in table:
            review_days = self.positive_int(table, "review_days", where)
            period_citation = self.string(table, "period_citation", where)
            if "max_extension_days" in table:
                max_extension = self.positive_int(table, "max_extension_days", where)
        elif "max_extension_days" in table or "period_citation" in table:
            raise self.fail(where, "max_extension_days、period_citation 须与 review_days 一起使用")
        thresholds = tuple(
            self.threshold(t, w) for t, w in self._review_items(table, "threshold", THRESHOLD_KINDS)
        )
        flags = tuple(
            Flag(kind=self.string(t, "kind", w), citation=self.string(t, "citation", w))
            for t, w in self._review_items(table, "flag", FLAG_KINDS, keys={"kind", "citation"})
        )
        benchmarks: list[Benchmark] = []
        for index, raw_entry in enumerate(self._list_of_tables(table, "benchmark", where)):
            entry = self.benchmark_entry(raw_entry, f"{where} benchmark[{index}]")
            if any(b.code == entry.code for b in benchmarks):
                raise self.fail(f"{where} benchmark[{index}]", f"code {entry.code!r} 重复")
            benchmarks.append(entry)
        benchmark_name = self.string(table, "benchmark_name", where, required=bool(benchmarks))
        return ReviewConfig(
            citation=self.string(table, "citation", where),
            block_citation=self.string(table, "block_citation", where),
            consultation_citation=self.string(table, "consultation_citation", where, required=False),
            requirements=requirements,
            thresholds=thresholds,
            flags=flags,
            review_days=review_days,
            max_extension_days=max_extension,
            period_citation=period_citation,
            benchmark_name=benchmark_name,
            benchmarks=tuple(benchmarks),
            pack=pack,
        )

    def _list_of_tables(self, table: Mapping[str, Any], key: str, where: str) -> list[Any]:
        raw = table.get(key, [])
        if not isinstance(raw, list):
            raise self.fail(where, f"{key} 应为表的数组（[[review.{key}]]）")
        return raw

    def _review_items(
        self,
        table: Mapping[str, Any],
        key: str,
        kinds: Mapping[str, str],
        *,
        keys: set[str] | None = None,
    ) -> list[tuple[Mapping[str, Any], str]]:
        found: list[tuple[Mapping[str, Any], str]] = []
        seen: set[str] = set()
        for index, raw in enumerate(self._list_of_tables(table, key, "[review]")):
            where = f"[review] {key}[{index}]"
            item = self.table(raw, where)
            self.unknown(item, keys or {"kind", "min", "citation"}, where)
            kind = self.string(item, "kind", where)
            if kind not in kinds:
                raise self.fail(where, f"kind {kind!r} 无效，应为 {', '.join(kinds)} 之一")
            if kind in seen:
                raise self.fail(where, f"kind {kind} 重复")
            seen.add(kind)
            found.append((item, where))
        return found

    def threshold(self, item: Mapping[str, Any], where: str) -> Threshold:
        minimum = self.number(item, "min", where)
        if minimum is None or minimum <= 0:
            raise self.fail(where, "min 应为正数")
        return Threshold(
            kind=self.string(item, "kind", where), min=minimum, citation=self.string(item, "citation", where)
        )

    def benchmark_entry(self, raw: Any, where: str) -> Benchmark:
        item = self.table(raw, where)
        self.unknown(item, _BENCHMARK_KEYS, where)
        code = self.string(item, "code", where)
        if not _BENCHMARK_CODE_RE.match(code):
            raise self.fail(where, f"code {code!r} 只能由字母、数字和 _ . - 组成")
        bounds: dict[str, Decimal | None] = {}
        for key in ("fine_min", "fine_max", "multiple_min", "multiple_max"):
            bounds[key] = self.number(item, key, where)
            value = bounds[key]
            if value is not None and value < 0:
                raise self.fail(where, f"{key} 不能为负数")
        fixed = bounds["fine_min"] is not None or bounds["fine_max"] is not None
        multiple = bounds["multiple_min"] is not None or bounds["multiple_max"] is not None
        if fixed == multiple:
            raise self.fail(
                where, "须有且只有 fine_min/fine_max（固定金额）或 multiple_min/multiple_max（倍数）之一"
            )
        for low, high in (("fine_min", "fine_max"), ("multiple_min", "multiple_max")):
            lo, hi = bounds[low], bounds[high]
            if lo is not None and hi is not None and lo > hi:
                raise self.fail(where, f"{low} 不能大于 {high}")
        return Benchmark(
            code=code,
            violation=self.string(item, "violation", where),
            basis=self.string(item, "basis", where),
            citation=self.string(item, "citation", where),
            **bounds,
        )

    def rule(self, pack: str, raw: Any, where: str) -> Rule:
        table = self.table(raw, where)
        rule_id = self.string(table, "id", where)
        where = f"规则 {rule_id}"
        self.unknown(table, _RULE_KEYS, where)
        if not _RULE_ID_RE.match(rule_id):
            raise self.fail(where, "id 应形如 YC-5-6-inquiry-av（规则包代码-条款-说明）")
        prefix = "BL" if pack == BASELINE else pack
        if not rule_id.startswith(prefix + "-"):
            raise self.fail(where, f"id 应以 {prefix}- 开头")
        requirements = self.strings(table, "requirements", where)
        if not requirements:
            raise self.fail(where, "requirements 不能为空")
        for requirement in requirements:
            if not _REQUIREMENT_RE.match(requirement):
                raise self.fail(where, f"requirements 中的 {requirement!r} 格式应如 IV-3")
        severity = self.string(table, "severity", where)
        if severity not in SEVERITIES:
            raise self.fail(where, f"severity {severity!r} 无效，应为 blocking 或 warning")
        message = self.string(table, "message", where)
        if "\n" in message:
            raise self.fail(where, "message 只能有一行")
        stage = self.stage(self.string(table, "stage", where, required=False), where, "stage")
        when = self.when(table.get("when", {}), f"{where} [rule.when]")
        require = (
            self.require(table["require"], when, f"{where} [rule.require]") if "require" in table else None
        )
        deadline = (
            self.deadline(table["deadline"], when, f"{where} [rule.deadline]")
            if "deadline" in table
            else None
        )
        if (require is None) == (deadline is None):
            raise self.fail(where, "每条规则须有且只有 [rule.require] 或 [rule.deadline] 之一")
        if require is not None and not stage and _uses_any_stage(require):
            raise self.fail(where, "any_stage 只能用于有 stage 的规则")
        return Rule(
            id=rule_id,
            pack=pack,
            requirements=requirements,
            citation=self.string(table, "citation", where),
            severity=severity,
            message=message,
            stage=stage,
            when=when,
            require=require,
            deadline=deadline,
        )

    def conditions(self, raw: Any, record_type: str, where: str) -> tuple[FieldCondition, ...]:
        """``field = {name, op, value}`` or a list of them (all must hold)."""
        return tuple(self.condition(t, record_type, w) for t, w in self._indexed(raw, where))

    def _indexed(self, raw: Any, where: str) -> list[tuple[Mapping[str, Any], str]]:
        tables = self.tables(raw, where)
        if isinstance(raw, list):
            return [(t, f"{where}[{i}]") for i, t in enumerate(tables)]
        return [(tables[0], where)]

    def condition(self, ftable: Mapping[str, Any], record_type: str, fwhere: str) -> FieldCondition:
        self.unknown(ftable, {"name", "op", "value"}, fwhere)
        name = self.record_field(record_type, self.string(ftable, "name", fwhere), fwhere)
        op = self.string(ftable, "op", fwhere)
        if op not in FIELD_OPS:
            raise self.fail(fwhere, f"op {op!r} 无效，应为 {', '.join(FIELD_OPS)} 之一")
        has_value = "value" in ftable
        if op in ("present", "absent") and has_value:
            raise self.fail(fwhere, f"op {op} 不需要 value")
        if op not in ("present", "absent") and not has_value:
            raise self.fail(fwhere, "缺少 value")
        value = ftable.get("value")
        if op in ("in", "not_in") and not isinstance(value, list):
            raise self.fail(fwhere, f"op {op} 的 value 应为列表")
        if op in ("gt", "ge", "lt", "le") and (
            isinstance(value, bool) or not isinstance(value, int | float | str)
        ):
            raise self.fail(fwhere, f"op {op} 的 value 应为数字或日期")
        return FieldCondition(name, op, tuple(value) if isinstance(value, list) else value)

    def when(self, raw: Any, where: str) -> When:
        table = self.table(raw, where)
        self.unknown(table, _WHEN_KEYS, where)
        v = self.vocab
        record_type = self.string(table, "record_type", where, required=False)
        if record_type:
            self.record_type(record_type, f"{where} record_type")
        media: tuple[str, ...] = ()
        if "media" in table:
            media = self.strings(table, "media", where)
            if not media or any("/" not in m for m in media):
                raise self.fail(where, 'media 应为媒体类型前缀的列表，如 ["video/", "audio/"]')
            if record_type:
                raise self.fail(where, "media（逐个音像文件的规则）不能与 record_type 同用")
        subject = FILE_ANCHOR if media else record_type
        fields = self.conditions(table["field"], subject, f"{where} field") if "field" in table else ()
        case_has = self.record_conditions(table, "case_has", where)
        case_lacks = self.record_conditions(table, "case_lacks", where)
        complex_case: bool | None = None
        if "complex_case" in table:
            complex_case = self.boolean(table, "complex_case", where)
        return When(
            procedure=self.choices(table, "procedure", where, v.procedures),
            case_type=self.choices(table, "case_type", where, v.case_types),
            source=self.choices(table, "source", where, v.sources),
            party_kind=self.choices(table, "party_kind", where, v.party_kinds),
            record_type=record_type,
            fields=fields,
            reached_stage=self.stage(
                self.string(table, "reached_stage", where, required=False), where, "reached_stage"
            ),
            branch=self.choices(table, "branch", where, v.branches),
            case_has=case_has,
            case_lacks=case_lacks,
            complex_case=complex_case,
            media=media,
        )

    def record_conditions(
        self, table: Mapping[str, Any], key: str, where: str
    ) -> tuple[RecordCondition, ...]:
        """``case_has`` / ``case_lacks``: ``{ record_type, field? }`` or a list of them."""
        if key not in table:
            return ()
        found: list[RecordCondition] = []
        for ctable, cwhere in self._indexed(table[key], f"{where} {key}"):
            self.unknown(ctable, {"record_type", "field"}, cwhere)
            code = self.record_type(self.string(ctable, "record_type", cwhere), cwhere)
            conds = self.conditions(ctable["field"], code, f"{cwhere} field") if "field" in ctable else ()
            found.append(RecordCondition(code, conds))
        return tuple(found)

    def require(self, raw: Any, when: When, where: str, *, nested: bool = False) -> Require:
        table = self.table(raw, where)
        self.unknown(table, _REQUIRE_KEYS, where)
        groups = [g for g in REQUIRE_GROUPS if g in table]
        if len(groups) != 1:
            raise self.fail(
                where, f"须有且只有一个要求（{', '.join(REQUIRE_GROUPS)}），现有 {len(groups)} 个"
            )
        group = groups[0]
        if when.media and group not in _PER_FILE_GROUPS:
            raise self.fail(
                where, f"逐个音像文件的规则（when.media）只能用 {', '.join(_PER_FILE_GROUPS)}，不能用 {group}"
            )
        if group == "opening_statement" and not when.media:
            raise self.fail(where, "opening_statement 只能用于逐个音像文件的规则（须有 when.media）")
        if group in _PER_RECORD_GROUPS and not when.record_type and not (when.media and group == "fields"):
            raise self.fail(where, f"{group} 只能用于逐条记录的规则（须有 when.record_type）")
        if "scenario" in table and group != "media":
            raise self.fail(where, "scenario 只能与 media 一起使用")
        if nested and group in ("any_of", "forbidden"):
            raise self.fail(where, f"any_of 的每一组不能再用 {group}")
        if "refusal_with" in table and group != "signers":
            raise self.fail(where, "refusal_with 只能与 signers 一起使用")
        if "any_stage" in table and group not in ("records", "all_records", "min_count"):
            raise self.fail(where, "any_stage 只能与 records / all_records / min_count 一起使用")
        if "own_time" in table and group != "preceded_by":
            raise self.fail(where, "own_time 只能与 preceded_by 一起使用")
        kw: dict[str, Any] = {}
        if group in ("records", "all_records"):
            types = self.strings(table, group, where)
            if not types:
                raise self.fail(where, f"{group} 不能为空")
            for code in types:
                self.record_type(code, f"{where} {group}")
            kw[group] = types
        elif group == "fields":
            kw["fields"] = self.strings(table, "fields", where)
            if not kw["fields"]:
                raise self.fail(where, "fields 不能为空")
            for name in kw["fields"]:
                self.record_field(FILE_ANCHOR if when.media else when.record_type, name, f"{where} fields")
        elif group == "media":
            kw["media"] = self.strings(table, "media", where)
            if not kw["media"] or any("/" not in m for m in kw["media"]):
                raise self.fail(where, 'media 应为媒体类型前缀的列表，如 "video/"')
            if "scenario" in table:
                kw["scenario"] = self.choices(table, "scenario", where, self.scenarios())
                if not kw["scenario"]:
                    raise self.fail(where, "scenario 不能为空")
        elif group == "opening_statement":
            kw["opening_statement"] = self.choices(table, "opening_statement", where, tuple(OPENING_ITEMS))
            if not kw["opening_statement"]:
                raise self.fail(where, "opening_statement 不能为空")
        elif group == "av_gaps":
            kw["av_gaps"] = self.av_gaps(table["av_gaps"], when, f"{where} av_gaps")
        elif group == "signers":
            kw["signers"] = self.choices(table, "signers", where, self.vocab.roles)
            if not kw["signers"]:
                raise self.fail(where, "signers 不能为空")
            if "refusal_with" in table:
                kw["refusal_with"] = self.choices(table, "refusal_with", where, self.vocab.roles)[0]
        elif group == "min_handlers":
            kw["min_handlers"] = self.positive_int(table, "min_handlers", where)
        elif group == "max_field":
            kw["max_field"] = self.max_field(table["max_field"], when, f"{where} max_field")
        elif group == "min_count":
            kw["min_count"] = self.min_count(table["min_count"], when, f"{where} min_count")
        elif group == "preceded_by":
            anchors = self.strings(table, "preceded_by", where, scalar_ok=True)
            if not anchors:
                raise self.fail(where, "preceded_by 不能为空")
            kw["preceded_by"] = tuple(self.record_anchor(a, f"{where} preceded_by") for a in anchors)
            own = self.string(table, "own_time", where, required=False)
            if own:
                kw["own_time"] = self.record_field(
                    when.record_type, own, f"{where} own_time", types=_DATE_TYPES
                )
        elif group == "any_of":
            raw_groups = table["any_of"]
            if not isinstance(raw_groups, list) or len(raw_groups) < 2:
                raise self.fail(
                    where, "any_of 应为至少两组要求的列表，如 [{ signers = [...] }, { media = [...] }]"
                )
            kw["any_of"] = tuple(
                self.require(item, when, f"{where} any_of[{i}]", nested=True)
                for i, item in enumerate(raw_groups)
            )
        elif group == "forbidden":
            if table["forbidden"] is not True:
                raise self.fail(where, "forbidden 只能为 true")
            kw["forbidden"] = True
        kw["any_stage"] = self.boolean(table, "any_stage", where)
        return Require(**kw)

    def scenarios(self) -> tuple[str, ...]:
        """The AV scenario codes (the ``scenario`` choices of the photo / audio / video records)."""
        code, name = _SCENARIO_SOURCE
        spec = self.vocab.catalogue.get(code).field(name)
        return tuple(value for value, _ in spec.choices)

    def av_gaps(self, raw: Any, when: When, where: str) -> AvGaps:
        table = self.table(raw, where)
        self.unknown(table, {"start", "end", "tolerance_minutes"}, where)
        start = self.record_field(
            when.record_type, self.string(table, "start", where), where, types=_DATE_TYPES
        )
        end = self.record_field(when.record_type, self.string(table, "end", where), where, types=_DATE_TYPES)
        return AvGaps(
            start=start, end=end, tolerance_minutes=self.positive_int(table, "tolerance_minutes", where)
        )

    def max_field(self, raw: Any, when: When, where: str) -> MaxField:
        mtable = self.table(raw, where)
        self.unknown(mtable, {"name", "max"}, where)
        name = self.record_field(
            when.record_type, self.string(mtable, "name", where), where, types=("integer", "decimal", "money")
        )
        limit = self.number(mtable, "max", where)
        if limit is None:
            raise self.fail(where, "缺少 max")
        return MaxField(name, limit)

    def min_count(self, raw: Any, when: When, where: str) -> MinCount:
        table = self.table(raw, where)
        self.unknown(table, _MIN_COUNT_KEYS, where)
        what = [k for k in ("records", "items", "signers") if k in table]
        if len(what) != 1:
            raise self.fail(where, "须有且只有 records、items、signers 之一")
        if ("count" in table) == ("count_of" in table):
            raise self.fail(where, "须有且只有 count 或 count_of 之一")
        count = self.positive_int(table, "count", where) if "count" in table else 0
        count_of = ""
        if "count_of" in table:
            if what[0] != "signers":
                raise self.fail(where, "count_of 只能与 signers 一起使用")
            count_of = self.record_field(
                when.record_type,
                self.string(table, "count_of", where),
                f"{where} count_of",
                types=_LIST_TYPES,
            )
        kind = what[0]
        if kind == "records":
            types = self.strings(table, "records", where, scalar_ok=True)
            if not types:
                raise self.fail(where, "records 不能为空")
            for code in types:
                self.record_type(code, f"{where} records")
            return MinCount(count=count, records=types)
        if not when.record_type:
            raise self.fail(where, f"{kind} 只能用于逐条记录的规则（须有 when.record_type）")
        if kind == "items":
            name = self.record_field(
                when.record_type, self.string(table, "items", where), f"{where} items", types=_LIST_TYPES
            )
            return MinCount(count=count, items=name)
        role = self.choices(table, "signers", where, self.vocab.roles)
        if len(role) != 1:
            raise self.fail(where, "signers 应为一个签名身份")
        return MinCount(count=count, count_of=count_of, signers=role[0])

    def record_anchor(self, value: str, where: str) -> str:
        kind, _, rest = value.partition(":")
        if kind != "record" or not rest:
            raise self.fail(where, f"{value!r} 无效，应为 record:<类型>[.<日期字段>]")
        return self.anchor(value, where, until=True)

    def anchor(self, value: str, where: str, *, until: bool, per_record: str = "") -> str:
        kind, _, rest = value.partition(":")
        if value == "opened" and not until:
            return value
        if kind == "stage" and rest in self.vocab.stages:
            return value
        if kind == "branch" and rest in self.vocab.branches:
            return value
        if kind == "record" and rest:
            code, _, field = rest.partition(".")
            self.record_type(code, where)
            if field:
                self.record_field(code, field, where, types=_DATE_TYPES)
            return value
        if kind == FILE_ANCHOR and not until:
            if per_record != FILE_ANCHOR:
                raise self.fail(where, f"{value!r} 只能用于逐个音像文件的规则（须有 when.media）")
            self.record_field(FILE_ANCHOR, rest, where, types=("datetime",))
            return value
        if kind == UPLOADED and until and (not rest or "/" in rest):
            if not per_record:
                raise self.fail(where, f"{value!r} 只能用于逐条记录的规则（须有 when.record_type）")
            return value
        options = ["record:<类型>[.<日期字段>]", "stage:<阶段>", "branch:<分支>"]
        options.append("uploaded[:<媒体类型前缀>]" if until else "opened、file:<音像文件时间>")
        raise self.fail(where, f"{value!r} 无效，应为 {'、'.join(options)} 之一")

    def deadline(self, raw: Any, when: When, where: str) -> Deadline:
        table = self.table(raw, where)
        self.unknown(table, _DEADLINE_KEYS, where)
        start = self.strings(table, "from", where, scalar_ok=True)
        until = self.strings(table, "until", where, scalar_ok=True)
        if not start or not until:
            raise self.fail(where, "缺少 from 或 until")
        subject = FILE_ANCHOR if when.media else when.record_type
        start = tuple(self.anchor(a, f"{where} from", until=False, per_record=subject) for a in start)
        until = tuple(self.anchor(a, f"{where} until", until=True, per_record=subject) for a in until)
        days = table.get("days")
        if isinstance(days, bool) or not isinstance(days, int) or days == 0:
            raise self.fail(where, "days 应为非零整数")
        unit = self.string(table, "unit", where, required=False) or "calendar"
        if unit not in UNITS:
            raise self.fail(where, f"unit {unit!r} 无效，应为 {', '.join(UNITS)} 之一")
        if unit == "hours" and days < 0:
            raise self.fail(where, "以小时计的期限不能为负数")
        optional = self.boolean(table, "optional", where)
        return Deadline(start=start, days=days, unit=unit, until=until, optional=optional)


def _uses_any_stage(require: Require) -> bool:
    return require.any_stage or any(_uses_any_stage(group) for group in require.any_of)


def load_pack(path: Path | str) -> Pack:
    """Read and validate one pack file; raises ``PackError`` naming the file, rule and key at fault."""
    path = Path(path)
    document = read_toml(path, PackError, "规则包", path.name)
    return _Loader(path, _Vocabulary()).load(document)


def check_unique(packs: Iterable[Pack]) -> None:
    """Rule ids are unique across all packs; pack codes too."""
    rule_owner: dict[str, str] = {}
    pack_files: dict[str, str] = {}
    for pack in packs:
        if pack.code in pack_files:
            raise PackError(f"规则包代码 {pack.code} 重复：{pack_files[pack.code]} 与 {Path(pack.path).name}")
        pack_files[pack.code] = Path(pack.path).name
        for rule in pack.rules:
            if rule.id in rule_owner:
                raise PackError(
                    f"规则包 {Path(pack.path).name} 有误：规则 {rule.id}：id 与 {rule_owner[rule.id]} 中的规则重复"
                )
            rule_owner[rule.id] = Path(pack.path).name


def review_config_for(code: str) -> ReviewConfig | None:
    """The ``[review]`` tables of the packs an agency under ``code`` runs, merged (baseline first,
    the agency's own pack last and winning); ``None`` when none of them has one."""
    return merge_review(pack.review for pack in packs_for(code))


def pack_path(code: str, directory: Path = PACKS_DIR) -> Path:
    return directory / f"{code.lower()}.toml"


def load_packs(directory: Path | str = PACKS_DIR) -> dict[str, Pack]:
    """Every ``*.toml`` pack in ``directory``, validated, by code; rule ids unique across them."""
    packs = [load_pack(path) for path in sorted(Path(directory).glob("*.toml"))]
    check_unique(packs)
    for pack in packs:
        if pack_path(pack.code, Path(directory)).name != Path(pack.path).name:
            raise PackError(f"规则包 {Path(pack.path).name} 的 code {pack.code} 应与文件名一致")
    by_code = {pack.code: pack for pack in packs}
    for pack in packs:
        missing = [parent for parent in pack.extends if parent not in by_code]
        if missing:
            raise PackError(f"规则包 {Path(pack.path).name} 扩展的 {', '.join(missing)} 不存在")
    return by_code


@functools.cache
def packs_for(code: str) -> tuple[Pack, ...]:
    """The packs an agency under ``code`` runs: the baseline, what ``code`` extends, and ``code``
    itself (loaded once per process). Only these files are read, so one pack's mistake does not
    stop agencies under another.

    A pack code without a file yet runs under the baseline alone (logged)."""
    order: list[Pack] = []

    def visit(current: str, trail: tuple[str, ...]) -> None:
        if current in trail:
            raise PackError(f"规则包 extends 循环：{' → '.join((*trail, current))}")
        if any(pack.code == current for pack in order):
            return
        path = pack_path(current)
        if not path.exists():
            if current == BASELINE:
                raise PackError(f"缺少国家基线规则包 {path}")
            log.warning("policy pack %s has no file %s; running under the baseline only", current, path)
            return
        pack = load_pack(path)
        for parent in pack.extends:
            visit(parent, (*trail, current))
        order.append(pack)

    visit(BASELINE, ())
    visit(code, ())
    check_unique(order)
    return tuple(order)


__all__ = [
    "BASELINE",
    "PACKS_DIR",
    "Deadline",
    "FieldCondition",
    "MaxField",
    "MinCount",
    "Pack",
    "PackError",
    "RecordCondition",
    "Require",
    "ReviewConfig",
    "Rule",
    "When",
    "check_unique",
    "load_pack",
    "load_packs",
    "pack_path",
    "packs_for",
    "review_config_for",
]
