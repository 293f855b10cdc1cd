"""The ``[archive]`` table of the policy packs: case-file archiving rules (AR-1..4), as data.

``liuhen.policy.schema`` accepts the table and leaves it to this module, which reads it from the
same pack files (``packs_for(code)``: the baseline first, the agency's own pack last) and merges
it: a scalar key set by a later pack wins; a ``[[archive.category]]`` with the same ``code``
replaces the earlier one, new codes are appended. Every mistake raises ``ArchiveConfigError``
naming the file and the key, when the pack is first used (once per process).

No Django models are touched here; the vocabulary (case types, retention codes) is fixed below.
"""

from __future__ import annotations

import functools
import string
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from liuhen.core.tomlcheck import TomlChecker, read_toml

# Retention terms (保管期限) a category may carry; the same codes as the catalogue's
# archive_registration.retention choices. None years = permanent.
RETENTION_TERMS: dict[str, tuple[int | None, str]] = {
    "permanent": (None, "永久"),
    "30y": (30, "30年"),
    "10y": (10, "10年"),
}
CASE_TYPES = ("inspection", "penalty", "coercion", "benefit", "licensing")
PROCEDURES = ("simple", "general")
NUMBER_FIELDS = ("agency_code", "short", "region", "year", "category", "seq")
DEFAULT_PATTERN = "{agency_code}-{year}-{category}-{seq:04d}"
DEFAULT_DEADLINE_DAYS = 30

_ARCHIVE_KEYS = {
    "requirements",
    "deadline_days",
    "deadline_citation",
    "year_end",
    "year_end_citation",
    "number_pattern",
    "record_citation",
    "custodian_citation",
    "category",
}
_CATEGORY_KEYS = {"code", "name", "case_types", "retention", "retention_simple", "citation"}


class ArchiveConfigError(Exception):
    """The ``[archive]`` table of a pack is malformed; the message names the file and the key."""


@dataclass(frozen=True)
class Category:
    """An archive category (类别): which case types file under it and for how long."""

    code: str
    name: str
    case_types: tuple[str, ...]
    retention: str  # a RETENTION_TERMS code
    retention_simple: str  # for simple-procedure cases ("" = same as retention)
    citation: str = ""

    def retention_for(self, procedure: str) -> str:
        if procedure == "simple" and self.retention_simple:
            return self.retention_simple
        return self.retention


@dataclass(frozen=True)
class ArchiveConfig:
    """The merged ``[archive]`` rules an agency runs under."""

    deadline_days: int
    deadline_citation: str
    year_end: bool
    year_end_citation: str
    number_pattern: str
    record_citation: str
    custodian_citation: str
    categories: tuple[Category, ...]
    requirements: tuple[str, ...] = ()

    def category_for(self, case_type: str) -> Category:
        for category in self.categories:
            if case_type in category.case_types:
                return category
        raise ArchiveConfigError(f"案件类型 {case_type} 没有对应的档案类别")

    def category(self, code: str) -> Category:
        for category in self.categories:
            if category.code == code:
                return category
        raise KeyError(code)


class _Loader(TomlChecker):
    error = ArchiveConfigError

    def __init__(self, path: Path) -> None:
        super().__init__(f"规则包 {path.name} 的 [archive] 有误")

    def load(self, raw: Any) -> dict[str, Any]:
        """The keys this pack sets (validated), with ``category`` as a list of ``Category``."""
        where = "[archive]"
        table = self.table(raw, where)
        self.unknown(table, _ARCHIVE_KEYS, where)
        found: dict[str, Any] = {}
        if "requirements" in table:
            found["requirements"] = self.strings(table, "requirements", where)
        if "deadline_days" in table:
            found["deadline_days"] = self.positive_int(table, "deadline_days", where)
        if "year_end" in table:
            found["year_end"] = self.boolean(table, "year_end", where)
        for key in ("deadline_citation", "year_end_citation", "record_citation", "custodian_citation"):
            if key in table:
                found[key] = self.string(table, key, where)
        if "number_pattern" in table:
            found["number_pattern"] = self.pattern(self.string(table, "number_pattern", where), where)
        raw_categories = table.get("category", [])
        if not isinstance(raw_categories, list):
            raise self.fail(where, "category 应为表的数组（[[archive.category]]）")
        categories: list[Category] = []
        for index, item in enumerate(raw_categories):
            category = self.category(item, f"{where} category[{index}]")
            if any(c.code == category.code for c in categories):
                raise self.fail(f"{where} category[{index}]", f"code {category.code!r} 重复")
            categories.append(category)
        found["category"] = categories
        return found

    def pattern(self, value: str, where: str) -> str:
        try:
            names = {name for _, name, _, _ in string.Formatter().parse(value) if name is not None}
        except ValueError as exc:
            raise self.fail(where, f"number_pattern 格式无效：{exc}") from None
        unknown = names - set(NUMBER_FIELDS)
        if unknown or "seq" not in names:
            raise self.fail(
                where,
                f"number_pattern 只能使用 {', '.join('{' + n + '}' for n in NUMBER_FIELDS)}，且必须包含 {{seq}}",
            )
        try:
            value.format(agency_code="X", short="X", region="X", year=2026, category="X", seq=1)
        except (ValueError, IndexError, KeyError) as exc:
            raise self.fail(where, f"number_pattern 格式无效：{exc}") from None
        return value

    def retention(self, table: Mapping[str, Any], key: str, where: str, *, required: bool) -> str:
        value = self.string(table, key, where, required=required)
        if value and value not in RETENTION_TERMS:
            raise self.fail(where, f"{key} {value!r} 无效，应为 {', '.join(RETENTION_TERMS)} 之一")
        return value

    def category(self, raw: Any, where: str) -> Category:
        item = self.table(raw, where)
        self.unknown(item, _CATEGORY_KEYS, where)
        code = self.string(item, "code", where)
        if not code.isascii() or not code.replace("_", "").isalnum():
            raise self.fail(where, f"code {code!r} 只能由字母、数字和 _ 组成")
        case_types = self.strings(item, "case_types", where)
        bad = [c for c in case_types if c not in CASE_TYPES]
        if bad:
            raise self.fail(
                where, f"case_types 的值 {', '.join(bad)} 无效，应为 {', '.join(CASE_TYPES)} 之一"
            )
        return Category(
            code=code,
            name=self.string(item, "name", where),
            case_types=case_types,
            retention=self.retention(item, "retention", where, required=True),
            retention_simple=self.retention(item, "retention_simple", where, required=False),
            citation=self.string(item, "citation", where, required=False),
        )


def parse_archive_table(path: Path, raw: Any) -> dict[str, Any]:
    """Validate one pack's ``[archive]`` table (exposed for tests)."""
    return _Loader(path).load(raw)


def merge(parts: Iterable[tuple[str, Mapping[str, Any]]]) -> ArchiveConfig:
    """Merge the validated tables of the packs (in order; later wins) into one config."""
    merged: dict[str, Any] = {
        "deadline_days": DEFAULT_DEADLINE_DAYS,
        "deadline_citation": "",
        "year_end": False,
        "year_end_citation": "",
        "number_pattern": DEFAULT_PATTERN,
        "record_citation": "",
        "custodian_citation": "",
        "requirements": (),
    }
    categories: dict[str, Category] = {}
    for _name, part in parts:
        for key, value in part.items():
            if key == "category":
                for category in value:
                    categories[category.code] = category
            else:
                merged[key] = value
    config = ArchiveConfig(categories=tuple(categories.values()), **merged)
    for case_type in CASE_TYPES:
        if not any(case_type in c.case_types for c in config.categories):
            raise ArchiveConfigError(f"[archive] 案件类型 {case_type} 没有对应的档案类别")
    return config


@functools.cache
def archive_config_for(pack_code: str) -> ArchiveConfig:
    """The merged ``[archive]`` rules of the packs an agency under ``pack_code`` runs."""
    from liuhen.policy.schema import PackError, packs_for

    parts: list[tuple[str, Mapping[str, Any]]] = []
    for pack in packs_for(pack_code):
        path = Path(pack.path)
        document = read_toml(path, PackError, "规则包", path.name)
        if "archive" in document:
            parts.append((path.name, parse_archive_table(path, document["archive"])))
    return merge(parts)


__all__ = [
    "CASE_TYPES",
    "DEFAULT_PATTERN",
    "RETENTION_TERMS",
    "ArchiveConfig",
    "ArchiveConfigError",
    "Category",
    "archive_config_for",
    "merge",
    "parse_archive_table",
]
