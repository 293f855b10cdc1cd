"""The ``[retention]`` table of the policy packs (RT-1..5), merged for an agency's pack code.

The table lives in the pack files beside the rules (``liuhen/policy/packs/*.toml``); the policy
loader only accepts it as a top-level key, this module reads and checks it. An agency runs the
baseline plus its own pack (``liuhen.policy.schema.packs_for``): the keys of its own pack win over
the baseline's, key by key. Format::

    [retention]
    requirements = ["RT-1", "RT-2", "RT-3"]
    routine_av_months = 6                      # RT-1
    routine_av_citation = "PL 第十四条第二款"
    evidence_case_types = ["penalty", "coercion"]   # RT-2 applies in these case types
    evidence_procedures = []                   # … and these procedures (empty: any)
    evidence_citation = "PL 第十四条第三款"
    litigation_months_told = 6                 # RT-3, remedies told / not told
    litigation_months_not_told = 12
    litigation_grace_days = 15
    litigation_citation = "行政诉讼法 第四十六条"
    decision_record_types = ["penalty_decision"]
    decision_date_field = "decided_on"
    remedy_fields = ["litigation_months", "remedies"]   # any filled in: the party was told
    document_years_without_case = 10           # RT-5
    document_citation = "…"
    long_term_citation = "PL 第十五条"         # RT-4
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import fields, replace
from pathlib import Path
from typing import Any

from liuhen.core.tomlcheck import TomlChecker, read_toml
from liuhen.policy.schema import packs_for
from liuhen.retention.terms import RetentionConfig

_INT_KEYS = {
    "routine_av_months",
    "litigation_months_told",
    "litigation_months_not_told",
    "litigation_grace_days",
    "document_years_without_case",
}
_TUPLE_KEYS = {"evidence_case_types", "evidence_procedures", "decision_record_types", "remedy_fields"}
_STR_KEYS = {f.name for f in fields(RetentionConfig)} - _INT_KEYS - _TUPLE_KEYS - {"packs"}
_KEYS = _INT_KEYS | _TUPLE_KEYS | _STR_KEYS | {"requirements"}


class RetentionConfigError(ValueError):
    pass


class _Checker(TomlChecker):
    error = RetentionConfigError


def parse_table(raw: Any, shown: str) -> dict[str, Any]:
    """The checked values of one ``[retention]`` table (only the keys it sets)."""
    checker = _Checker(f"规则包 {shown} 的 [retention] 有误")
    table: Mapping[str, Any] = checker.table(raw, "[retention]")
    checker.unknown(table, _KEYS, "[retention]")
    values: dict[str, Any] = {}
    for key in table:
        if key in _INT_KEYS:
            if key == "litigation_grace_days" and table[key] == 0:
                values[key] = 0
            else:
                values[key] = checker.positive_int(table, key, "[retention]")
        elif key in _TUPLE_KEYS:
            value = table[key]
            if value == []:
                values[key] = ()
            else:
                values[key] = checker.strings(table, key, "[retention]")
        elif key in _STR_KEYS:
            values[key] = checker.string(table, key, "[retention]")
        else:  # requirements: checked, not used
            checker.strings(table, key, "[retention]")
    return values


def merge(tables: list[tuple[str, dict[str, Any]]]) -> RetentionConfig:
    config = RetentionConfig()
    for code, values in tables:
        config = replace(config, **values, packs=(*config.packs, code))
    return config


@functools.cache
def retention_config_for(code: str) -> RetentionConfig:
    """The merged ``[retention]`` tables of the packs an agency under ``code`` runs (baseline first,
    its own pack last and winning). Loaded once per process."""
    tables: list[tuple[str, dict[str, Any]]] = []
    for pack in packs_for(code):
        path = Path(pack.path)
        document = read_toml(path, RetentionConfigError, "规则包", path.name)
        if "retention" in document:
            tables.append((pack.code, parse_table(document["retention"], path.name)))
    return merge(tables)


__all__ = ["RetentionConfigError", "merge", "parse_table", "retention_config_for"]
