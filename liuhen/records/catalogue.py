"""The record-type catalogue (记录类型目录): which records exist, their fields, signers and legal basis.

The catalogue is data (``catalogue.toml`` beside this module), checked when it is loaded so a
mistake in it names the entry and field at fault instead of failing later. ``validate_record_data``
is the one place a record's content is checked and normalised before it is written; services,
forms, the API and the CLI all go through it.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from django.utils import timezone

from liuhen.core.tomlcheck import TomlChecker, read_toml

CATALOGUE_PATH = Path(__file__).with_name("catalogue.toml")

FIELD_TYPES = (
    "text",
    "textarea",
    "date",
    "datetime",
    "integer",
    "decimal",
    "money",
    "choice",
    "multichoice",
    "boolean",
    "person_list",
    "list",
)
RECORD_KINDS = ("text", "media")
_NUMERIC_TYPES = ("integer", "decimal", "money")
_LIST_TYPES = ("multichoice", "person_list", "list")
_STRING_TYPES = ("text", "textarea")
_CODE_RE = re.compile(r"^[a-z][a-z0-9_]*$")
_REQUIREMENT_RE = re.compile(r"^[A-Z]{2}-\d+$")
_DEFAULT_MAX_LENGTH = {"text": 200, "textarea": 20000}
_PERSON_SPLIT_RE = re.compile(r"[\s,，:：、/]+")
# Form fields every record form adds next to the catalogue's own (see records/forms.py).
RESERVED_FIELD_NAMES = frozenset({"confidentiality", "correction_reason", "title"})

MSG_REQUIRED = "此项为必填项。"
MSG_DATE = "日期格式应为 YYYY-MM-DD。"
MSG_DATETIME = "时间格式应为 YYYY-MM-DD HH:MM。"


class CatalogueError(Exception):
    """The catalogue file is malformed, or a record type is not in it."""


class UnknownRecordType(CatalogueError, KeyError):
    """``Catalogue.get`` with a code that is not in the catalogue."""

    def __init__(self, code: str) -> None:
        super().__init__(f"未知的记录类型：{code}")
        self.code = code

    def __str__(self) -> str:
        return str(self.args[0])


class RecordDataError(Exception):
    """Record content failed validation; ``errors`` maps field name (or ``__all__``) to messages."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__("；".join(f"{key}: {' '.join(msgs)}" for key, msgs in errors.items()))
        self.errors = errors


@dataclass(frozen=True)
class FieldSpec:
    name: str
    label: str
    type: str
    required: bool = False
    choices: tuple[tuple[str, str], ...] = ()
    help: str = ""
    min: Decimal | None = None
    max: Decimal | None = None
    max_length: int | None = None
    # For date/datetime fields: the name of an earlier field this one may not precede.
    after: str = ""
    # Conditionally required: (field name, values) — required when that choice, multichoice or
    # boolean field holds one of the values (e.g. a return reason when "returned" is true).
    required_if: tuple[str, tuple[str | bool, ...]] | None = None

    @property
    def choice_labels(self) -> dict[str, str]:
        return dict(self.choices)


@dataclass(frozen=True)
class RecordType:
    code: str
    name: str
    stage: str
    kind: str
    media: tuple[str, ...]
    requirements: tuple[str, ...]
    citations: tuple[str, ...]
    description: str
    signers: tuple[str, ...]
    fields: tuple[FieldSpec, ...]

    @property
    def is_media(self) -> bool:
        return self.kind == "media"

    def field(self, name: str) -> FieldSpec:
        for spec in self.fields:
            if spec.name == name:
                return spec
        raise KeyError(name)

    def accepts(self, media_type: str) -> bool:
        """Whether a file of ``media_type`` fits this (media) record type."""
        return any(media_type.startswith(prefix) for prefix in self.media)


class Catalogue:
    def __init__(self, types: list[RecordType]) -> None:
        self._types = {rtype.code: rtype for rtype in types}

    def get(self, code: str) -> RecordType:
        try:
            return self._types[code]
        except KeyError:
            raise UnknownRecordType(code) from None

    def all(self) -> list[RecordType]:
        return list(self._types.values())

    def for_stage(self, stage: str) -> list[RecordType]:
        return [rtype for rtype in self._types.values() if rtype.stage == stage]

    def choices(self) -> list[tuple[str, str]]:
        return [(rtype.code, rtype.name) for rtype in self._types.values()]

    def __contains__(self, code: object) -> bool:
        return code in self._types

    def __iter__(self) -> Iterator[RecordType]:
        return iter(self._types.values())

    def __len__(self) -> int:
        return len(self._types)


# --- loading -----------------------------------------------------------------------------------

_TYPE_KEYS = {
    "code",
    "name",
    "stage",
    "kind",
    "media",
    "requirements",
    "citations",
    "description",
    "signers",
    "fields",
}
_FIELD_KEYS = {
    "name",
    "label",
    "type",
    "required",
    "choices",
    "help",
    "min",
    "max",
    "max_length",
    "after",
    "required_if",
}
_TRIGGER_TYPES = ("choice", "multichoice", "boolean")


class _Loader(TomlChecker):
    error = CatalogueError

    def __init__(self, source: str) -> None:
        from liuhen.cases.models import Stage
        from liuhen.records.models import SignerRole

        super().__init__(f"记录类型目录 {source} 有误")
        self.source = source
        self.stages = set(Stage.values)
        self.roles = set(SignerRole.values)

    def load(self, document: Mapping[str, Any]) -> Catalogue:
        self.unknown(document, {"record_type"}, "顶层", "（应为 [[record_type]]）")
        entries = document.get("record_type")
        if not isinstance(entries, list) or not entries:
            raise self.fail("顶层", "没有任何 [[record_type]]")
        types: list[RecordType] = []
        seen: set[str] = set()
        for index, entry in enumerate(entries):
            rtype = self.record_type(entry, f"record_type[{index}]")
            if rtype.code in seen:
                raise self.fail(f"record_type[{index}]", f"代码 {rtype.code} 重复")
            seen.add(rtype.code)
            types.append(rtype)
        return Catalogue(types)

    def record_type(self, entry: Any, where: str) -> RecordType:
        if not isinstance(entry, dict):
            raise self.fail(where, "应为表")
        code = self.string(entry, "code", where)
        where = f"{where}（{code}）"
        self.unknown(entry, _TYPE_KEYS, where)
        if not _CODE_RE.match(code):
            raise self.fail(where, "code 只能由小写字母、数字和下划线组成")
        stage = self.string(entry, "stage", where)
        if stage not in self.stages:
            raise self.fail(where, f"阶段 {stage!r} 无效，应为 {', '.join(sorted(self.stages))} 之一")
        kind = self.string(entry, "kind", where)
        if kind not in RECORD_KINDS:
            raise self.fail(where, f"kind {kind!r} 无效，应为 text 或 media")
        media = self.strings(entry, "media", where)
        if (kind == "media") != bool(media):
            raise self.fail(where, "音像类记录（kind = media）必须且只有它可以列出 media")
        requirements = self.strings(entry, "requirements", where)
        for requirement in requirements:
            if not _REQUIREMENT_RE.match(requirement):
                raise self.fail(where, f"要求编号 {requirement!r} 格式应如 IV-2")
        signers = self.strings(entry, "signers", where)
        bad_roles = [role for role in signers if role not in self.roles]
        if bad_roles:
            raise self.fail(where, f"签名身份 {', '.join(bad_roles)} 无效")
        raw_fields = entry.get("fields", [])
        if not isinstance(raw_fields, list) or not raw_fields:
            raise self.fail(where, "至少需要一个字段（[[record_type.fields]]）")
        fields = [self.field(raw, f"{where}.fields[{i}]") for i, raw in enumerate(raw_fields)]
        names = [spec.name for spec in fields]
        duplicates = sorted({name for name in names if names.count(name) > 1})
        if duplicates:
            raise self.fail(where, f"字段名重复：{', '.join(duplicates)}")
        for spec in fields:
            if spec.after:
                if spec.after not in names or spec.after == spec.name:
                    raise self.fail(f"{where}.{spec.name}", f"after 指向不存在的字段 {spec.after!r}")
                if fields[names.index(spec.after)].type != spec.type:
                    raise self.fail(f"{where}.{spec.name}", "after 指向的字段类型必须相同")
            if spec.required_if:
                self.check_required_if(spec, fields, f"{where}.{spec.name}")
        if kind == "media" and "description" not in names:
            raise self.fail(where, "音像类记录必须有 description 字段")
        return RecordType(
            code=code,
            name=self.string(entry, "name", where),
            stage=stage,
            kind=kind,
            media=media,
            requirements=requirements,
            citations=self.strings(entry, "citations", where),
            description=self.string(entry, "description", where, required=False),
            signers=signers,
            fields=tuple(fields),
        )

    def field(self, raw: Any, where: str) -> FieldSpec:
        if not isinstance(raw, dict):
            raise self.fail(where, "应为表")
        name = self.string(raw, "name", where)
        where = f"{where}（{name}）"
        self.unknown(raw, _FIELD_KEYS, where)
        if not _CODE_RE.match(name):
            raise self.fail(where, "字段名只能由小写字母、数字和下划线组成")
        if name in RESERVED_FIELD_NAMES:
            raise self.fail(where, f"字段名 {name} 为保留字")
        ftype = self.string(raw, "type", where)
        if ftype not in FIELD_TYPES:
            raise self.fail(where, f"字段类型 {ftype!r} 无效，应为 {', '.join(FIELD_TYPES)} 之一")
        required = raw.get("required", False)
        if not isinstance(required, bool):
            raise self.fail(where, "required 应为 true 或 false")
        choices = self.choices(raw.get("choices"), where)
        if (ftype in ("choice", "multichoice")) != bool(choices):
            raise self.fail(where, "choices 只能且必须用于 choice/multichoice 字段")
        low, high = self.number(raw, "min", where), self.number(raw, "max", where)
        if (low is not None or high is not None) and ftype not in (*_NUMERIC_TYPES, *_LIST_TYPES):
            raise self.fail(where, "min/max 只能用于数字或列表字段")
        if low is not None and high is not None and low > high:
            raise self.fail(where, "min 大于 max")
        max_length = raw.get("max_length")
        if max_length is not None:
            if isinstance(max_length, bool) or not isinstance(max_length, int) or max_length < 1:
                raise self.fail(where, "max_length 应为正整数")
            if ftype not in (*_STRING_TYPES, "person_list", "list"):
                raise self.fail(where, "max_length 只能用于文本或列表字段")
        after = self.string(raw, "after", where, required=False)
        if after and ftype not in ("date", "datetime"):
            raise self.fail(where, "after 只能用于 date/datetime 字段")
        required_if = self.required_if(raw.get("required_if"), where)
        if required_if and required:
            raise self.fail(where, "required 与 required_if 不能同时使用")
        return FieldSpec(
            name=name,
            label=self.string(raw, "label", where),
            type=ftype,
            required=required,
            choices=choices,
            help=self.string(raw, "help", where, required=False),
            min=low,
            max=high,
            max_length=max_length if max_length is not None else _DEFAULT_MAX_LENGTH.get(ftype),
            after=after,
            required_if=required_if,
        )

    def required_if(self, raw: Any, where: str) -> tuple[str, tuple[str | bool, ...]] | None:
        if raw is None:
            return None
        message = "required_if 应为 { field = 字段名, values = [取值, ...] }"
        if not isinstance(raw, dict) or set(raw) != {"field", "values"}:
            raise self.fail(where, message)
        field, values = raw["field"], raw["values"]
        if not isinstance(field, str) or not field.strip() or not isinstance(values, list) or not values:
            raise self.fail(where, message)
        if not all(isinstance(value, str | bool) for value in values):
            raise self.fail(where, message)
        return field.strip(), tuple(values)

    def check_required_if(self, spec: FieldSpec, fields: list[FieldSpec], where: str) -> None:
        assert spec.required_if is not None
        name, values = spec.required_if
        trigger = next((other for other in fields if other.name == name and other is not spec), None)
        if trigger is None:
            raise self.fail(where, f"required_if 指向不存在的字段 {name!r}")
        if trigger.type not in _TRIGGER_TYPES:
            raise self.fail(where, "required_if 指向的字段应为 choice、multichoice 或 boolean")
        if trigger.type == "boolean":
            valid = all(isinstance(value, bool) for value in values)
        else:
            valid = all(isinstance(value, str) and value in trigger.choice_labels for value in values)
        if not valid:
            raise self.fail(where, f"required_if 的取值不是字段 {name} 的有效选项")

    def choices(self, raw: Any, where: str) -> tuple[tuple[str, str], ...]:
        if raw is None:
            return ()
        if not isinstance(raw, list):
            raise self.fail(where, "choices 应为列表")
        result: list[tuple[str, str]] = []
        for item in raw:
            if isinstance(item, str) and item.strip():
                result.append((item.strip(), item.strip()))
            elif (
                isinstance(item, list)
                and len(item) == 2
                and all(isinstance(part, str) and part.strip() for part in item)
            ):
                result.append((item[0].strip(), item[1].strip()))
            else:
                raise self.fail(where, f"choices 的每一项应为字符串或 [值, 显示名]：{item!r}")
        values = [value for value, _ in result]
        if len(set(values)) != len(values):
            raise self.fail(where, "choices 的值重复")
        return tuple(result)


def load_catalogue(path: Path | str = CATALOGUE_PATH) -> Catalogue:
    """Read and check a catalogue file; raises ``CatalogueError`` naming the entry at fault."""
    path = Path(path)
    document = read_toml(path, CatalogueError, "记录类型目录", str(path))
    return _Loader(str(path)).load(document)


@functools.cache
def catalogue() -> Catalogue:
    """The built-in catalogue, loaded once per process."""
    return load_catalogue(CATALOGUE_PATH)


# --- validating record content ------------------------------------------------------------------


def _is_empty(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, list | tuple | set | frozenset | dict):
        return not value
    return False


def _clean_string(spec: FieldSpec, value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError("应为文本。")
    text = value.strip()
    if spec.type == "text" and ("\n" in text or "\r" in text):
        raise ValueError("此项不能换行。")
    if spec.max_length is not None and len(text) > spec.max_length:
        raise ValueError(f"不能超过 {spec.max_length} 个字（现有 {len(text)} 个）。")
    return text.replace("\r\n", "\n")


def _parse_date(value: Any) -> date:
    if isinstance(value, datetime):
        raise ValueError(MSG_DATE)
    if isinstance(value, date):
        return value
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            raise ValueError("日期不存在。") from None
    raise ValueError(MSG_DATE)


def _parse_datetime(value: Any) -> datetime:
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, str) and re.fullmatch(
        r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?", value.strip()
    ):
        try:
            parsed = datetime.fromisoformat(value.strip())
        except ValueError:
            raise ValueError("时间不存在。") from None
    else:
        raise ValueError(MSG_DATETIME)
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed, timezone.get_current_timezone())
    return timezone.localtime(parsed).replace(microsecond=0)


def _parse_decimal(spec: FieldSpec, value: Any) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
        raise ValueError("应为数字。")
    text = str(value).strip().replace(",", "").replace("，", "")
    if spec.type == "integer":
        if not re.fullmatch(r"[+-]?\d+", text):
            raise ValueError("应为整数。")
        return Decimal(text)
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise ValueError("应为数字。") from None
    if not number.is_finite():
        raise ValueError("应为数字。")
    if spec.type == "money":
        if number.as_tuple().exponent < -2:  # type: ignore[operator]
            raise ValueError("金额最多保留两位小数。")
        if number < 0:
            raise ValueError("金额不能为负数。")
        number = number.quantize(Decimal("0.01"))
    return number


def _check_range(spec: FieldSpec, amount: Decimal, what: str = "") -> None:
    if spec.min is not None and amount < spec.min:
        raise ValueError(f"{what}不能小于 {spec.min}。")
    if spec.max is not None and amount > spec.max:
        raise ValueError(f"{what}不能大于 {spec.max}。")


def _as_lines(value: Any) -> list[Any]:
    if isinstance(value, str):
        return [line for line in (part.strip() for part in value.splitlines()) if line]
    if isinstance(value, list | tuple):
        return list(value)
    raise ValueError("应为列表（每行一项）。")


def _clean_person(item: Any) -> dict[str, str]:
    if isinstance(item, Mapping):
        unknown = set(item) - {"name", "number"}
        if unknown:
            raise ValueError(f"人员信息含未知项：{', '.join(sorted(map(str, unknown)))}。")
        name, number = item.get("name", ""), item.get("number", "")
        if not isinstance(name, str) or not isinstance(number, str):
            raise ValueError("人员姓名和证件号应为文本。")
    elif isinstance(item, str):
        parts = _PERSON_SPLIT_RE.split(item.strip(), maxsplit=1)
        name, number = parts[0], parts[1] if len(parts) > 1 else ""
    else:
        raise ValueError("人员应写作“姓名 证件号”。")
    name, number = name.strip(), number.strip()
    if not name:
        raise ValueError("人员姓名不能为空。")
    return {"name": name, "number": number} if number else {"name": name}


def _clean_value(spec: FieldSpec, value: Any) -> Any:
    """Clean one non-empty value; raises ValueError with a Chinese message."""
    if spec.type in _STRING_TYPES:
        return _clean_string(spec, value)
    if spec.type == "date":
        return _parse_date(value).isoformat()
    if spec.type == "datetime":
        return _parse_datetime(value).isoformat()
    if spec.type in _NUMERIC_TYPES:
        number = _parse_decimal(spec, value)
        _check_range(spec, number)
        return int(number) if spec.type == "integer" else str(number)
    if spec.type == "boolean":
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.strip().lower() in ("true", "1", "on", "yes", "是"):
            return True
        if isinstance(value, str) and value.strip().lower() in ("false", "0", "off", "no", "否"):
            return False
        raise ValueError("应为“是”或“否”。")
    if spec.type == "choice":
        if not isinstance(value, str) or value.strip() not in spec.choice_labels:
            raise ValueError(f"选项无效：{value}。")
        return value.strip()
    if spec.type == "multichoice":
        picked = [value] if isinstance(value, str) else _as_lines(value)
        bad = [str(item) for item in picked if not isinstance(item, str) or item not in spec.choice_labels]
        if bad:
            raise ValueError(f"选项无效：{'、'.join(bad)}。")
        # Keep the catalogue's order and drop duplicates.
        chosen = set(picked)
        result: list[Any] = [choice for choice, _ in spec.choices if choice in chosen]
    else:  # list, person_list
        items = _as_lines(value)
        if spec.type == "person_list":
            result = [_clean_person(item) for item in items]
        else:
            result = []
            for item in items:
                if not isinstance(item, str):
                    raise ValueError("列表的每一项应为文本。")
                if item.strip():
                    result.append(item.strip())
        if spec.max_length is not None:
            for item in result:
                text = item if isinstance(item, str) else " ".join(item.values())
                if len(text) > spec.max_length:
                    raise ValueError(f"每一项不能超过 {spec.max_length} 个字。")
    _check_range(spec, Decimal(len(result)), "项数")
    return result


def _required_if_message(
    rtype: RecordType, condition: tuple[str, tuple[str | bool, ...]], cleaned: Mapping[str, Any]
) -> str:
    """The error for a conditionally required field left empty, or "" when the condition is off."""
    name, values = condition
    if name not in cleaned:
        return ""
    value = cleaned[name]
    held = [item for item in (value if isinstance(value, list) else [value]) if item in values]
    if not held:
        return ""
    trigger = rtype.field(name)
    if trigger.type == "boolean":
        return f"“{trigger.label}”为“是”时此项为必填项。"
    return f"“{trigger.label}”为“{trigger.choice_labels[held[0]]}”时此项为必填项。"


def validate_record_data(rtype: RecordType, data: Mapping[str, Any]) -> dict[str, Any]:
    """Check ``data`` against the type's fields and return the cleaned, JSON-serialisable content.

    Dates become ``YYYY-MM-DD``, datetimes ISO 8601 in local time with offset, decimals and money
    strings (money with two decimals), lists of people ``[{"name", "number"}]``. Empty optional
    fields are left out. Raises ``RecordDataError`` with Chinese messages per field.
    """
    if not isinstance(data, Mapping):
        raise RecordDataError({"__all__": ["记录内容应为键值对。"]})
    errors: dict[str, list[str]] = {}
    known = {spec.name for spec in rtype.fields}
    for key in data:
        if key not in known:
            errors.setdefault(str(key), []).append(f"“{rtype.name}”没有此字段。")
    cleaned: dict[str, Any] = {}
    for spec in rtype.fields:
        value = data.get(spec.name)
        if _is_empty(value):
            if spec.required:
                errors.setdefault(spec.name, []).append(MSG_REQUIRED)
            continue
        try:
            cleaned[spec.name] = _clean_value(spec, value)
        except ValueError as exc:
            errors.setdefault(spec.name, []).append(str(exc))
            continue
        if spec.required and _is_empty(cleaned[spec.name]):
            errors.setdefault(spec.name, []).append(MSG_REQUIRED)
            del cleaned[spec.name]
    for spec in rtype.fields:
        if spec.required_if and spec.name not in cleaned and spec.name not in errors:
            message = _required_if_message(rtype, spec.required_if, cleaned)
            if message:
                errors.setdefault(spec.name, []).append(message)
        if spec.after and spec.name in cleaned and spec.after in cleaned:
            parse = _parse_date if spec.type == "date" else _parse_datetime
            if parse(cleaned[spec.name]) < parse(cleaned[spec.after]):
                earlier = rtype.field(spec.after).label
                errors.setdefault(spec.name, []).append(f"不能早于“{earlier}”。")
    if errors:
        raise RecordDataError(errors)
    return cleaned
