"""Shared pieces of the strict TOML data-file loaders (the record catalogue, the policy packs).

Both files are data written by people; a mistake must name the file, the entry and the key at
fault, in Chinese, when the file is loaded. ``TomlChecker`` holds the checks both loaders use; a
loader subclasses it and says how its messages begin (``prefix``) and which exception it raises.
No Django imports: the policy engine's side of the project stays pure.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any


def read_toml(path: Path, error: type[Exception], what: str, shown: str) -> dict[str, Any]:
    """The parsed document; ``error`` ("无法读取{what} …", "{what} {shown} 不是有效的 TOML：…")."""
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except OSError as exc:
        raise error(f"无法读取{what} {path}：{exc}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise error(f"{what} {shown} 不是有效的 TOML：{exc}") from exc


class TomlChecker:
    """Typed getters that raise ``error`` with "<prefix>：<where>：<message>"."""

    error: type[Exception] = ValueError

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix

    def fail(self, where: str, message: str) -> Exception:
        return self.error(f"{self.prefix}：{where}：{message}")

    def table(self, raw: Any, where: str) -> Mapping[str, Any]:
        if not isinstance(raw, dict):
            raise self.fail(where, "应为表")
        return raw

    def unknown(self, table: Mapping[str, Any], allowed: set[str], where: str, hint: str = "") -> None:
        extra = set(table) - allowed
        if extra:
            raise self.fail(where, f"未知的键 {', '.join(sorted(extra))}{hint}")

    def string(self, table: Mapping[str, Any], key: str, where: str, *, required: bool = True) -> str:
        value = table.get(key, "")
        if not isinstance(value, str):
            raise self.fail(where, f"{key} 应为字符串")
        if required and not value.strip():
            raise self.fail(where, f"缺少 {key}")
        return value.strip()

    def strings(
        self, table: Mapping[str, Any], key: str, where: str, *, scalar_ok: bool = False
    ) -> tuple[str, ...]:
        value = table.get(key, [])
        if scalar_ok and isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            raise self.fail(where, f"{key} 应为非空字符串的列表")
        return tuple(v.strip() for v in value)

    def boolean(self, table: Mapping[str, Any], key: str, where: str, default: bool = False) -> bool:
        value = table.get(key, default)
        if not isinstance(value, bool):
            raise self.fail(where, f"{key} 应为 true 或 false")
        return value

    def positive_int(self, table: Mapping[str, Any], key: str, where: str) -> int:
        value = table.get(key)
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise self.fail(where, f"{key} 应为正整数")
        return value

    def number(self, table: Mapping[str, Any], key: str, where: str) -> Decimal | None:
        value = table.get(key)
        if value is None:
            return None
        try:
            if isinstance(value, bool) or not isinstance(value, int | float | str):
                raise InvalidOperation
            number = Decimal(str(value))
        except InvalidOperation:
            raise self.fail(where, f"{key} 应为数字") from None
        if not number.is_finite():
            raise self.fail(where, f"{key} 应为数字")
        return number


__all__ = ["TomlChecker", "read_toml"]
