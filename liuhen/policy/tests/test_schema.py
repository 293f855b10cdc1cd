"""Pack files: validation errors name the file, rule and key; the shipped packs are valid."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import pytest

from liuhen.policy.schema import PACKS_DIR, PackError, check_unique, load_pack, load_packs, packs_for
from liuhen.policy.tests.engine_snaps import pack_from

REQUIREMENTS_MD = Path("/work/shared/REQUIREMENTS.md")

GOOD = """
[[rule]]
id = "YC-1-ok"
requirements = ["IN-1"]
citation = "YC 第七条"
severity = "blocking"
message = "立案须有立案审批表。"
stage = "initiation"
[rule.require]
records = ["filing_approval"]
"""


def test_a_good_pack_loads(tmp_path: Path) -> None:
    pack = pack_from(tmp_path, GOOD)
    assert pack.code == "YC" and pack.extends == ("baseline",)
    (rule,) = pack.rules
    assert rule.pack == "YC" and rule.require is not None and rule.require.records == ("filing_approval",)
    assert rule.record_types == ("filing_approval",)


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (('stage = "initiation"', 'stage = "filing"'), r"规则 YC-1-ok：stage 的阶段 'filing' 无效"),
        (('severity = "blocking"', 'severity = "fatal"'), r"规则 YC-1-ok：severity 'fatal' 无效"),
        (
            ('records = ["filing_approval"]', 'records = ["no_such_type"]'),
            r"记录类型 'no_such_type' 不在记录类型目录中",
        ),
        (('requirements = ["IN-1"]', 'requirements = ["IN1"]'), r"requirements 中的 'IN1' 格式应如"),
        (("message =", 'colour = "red"\nmessage ='), r"规则 YC-1-ok：未知的键 colour"),
        (
            ('records = ["filing_approval"]', 'records = ["filing_approval"]\nmin_handlers = 2'),
            r"须有且只有一个要求",
        ),
        (
            ('[rule.require]\nrecords = ["filing_approval"]', ""),
            r"须有且只有 \[rule.require\] 或 \[rule.deadline\]",
        ),
        (('id = "YC-1-ok"', 'id = "HY-1-ok"'), r"id 应以 YC- 开头"),
        (
            ("[rule.require]", '[rule.when]\nprocedure = ["quick"]\n[rule.require]'),
            r"procedure 的值 quick 无效",
        ),
    ],
)
def test_errors_name_file_rule_and_key(tmp_path: Path, change: tuple[str, str], expected: str) -> None:
    assert change[0] in GOOD
    with pytest.raises(PackError, match=r"规则包 yc\.toml 有误：.*" + expected):
        pack_from(tmp_path, GOOD.replace(change[0], change[1], 1))


@pytest.mark.parametrize(
    ("rules", "expected"),
    [
        (
            '[rule.when]\nrecord_type = "inquiry"\nfield = { name = "colour", op = "eq", value = 1 }\n'
            '[rule.require]\nfields = ["place"]\n',
            "记录类型 inquiry 没有字段 'colour'",
        ),
        (
            '[rule.when]\nrecord_type = "inquiry"\nfield = { name = "place", op = "like", value = 1 }\n'
            '[rule.require]\nfields = ["place"]\n',
            "op 'like' 无效",
        ),
        ('[rule.require]\nfields = ["place"]\n', "fields 只能用于逐条记录的规则"),
        (
            '[rule.deadline]\nfrom = "record:inquiry.place"\ndays = 5\nunit = "working"\nuntil = "stage:review"\n',
            "字段 inquiry.place 的类型是 text",
        ),
        ('[rule.deadline]\nfrom = "tomorrow"\ndays = 5\nuntil = "stage:review"\n', "'tomorrow' 无效"),
        (
            '[rule.deadline]\nfrom = "opened"\ndays = 5\nunit = "weeks"\nuntil = "stage:review"\n',
            "unit 'weeks' 无效",
        ),
    ],
)
def test_condition_and_deadline_errors(tmp_path: Path, rules: str, expected: str) -> None:
    text = (
        '[[rule]]\nid = "YC-2-x"\nrequirements = ["IV-3"]\ncitation = "YC 第五条"\n'
        'severity = "warning"\nmessage = "测试。"\n' + rules
    )
    with pytest.raises(PackError, match=re.escape(expected)):
        pack_from(tmp_path, text)


def test_bad_toml_and_bad_header(tmp_path: Path) -> None:
    path = tmp_path / "yc.toml"
    path.write_text("[pack\n", encoding="utf-8")
    with pytest.raises(PackError, match=re.escape("yc.toml 不是有效的 TOML")):
        load_pack(path)
    path.write_text(
        '[pack]\ncode = "YC"\nname = "x"\nregulation = "x"\nextends = []\n' + GOOD, encoding="utf-8"
    )
    with pytest.raises(PackError, match=r"yc\.toml 有误：\[pack\]：extends 必须包含 baseline"):
        load_pack(path)
    path.write_text(
        '[pack]\ncode = "XX"\nname = "x"\nregulation = "x"\nextends = []\n' + GOOD, encoding="utf-8"
    )
    with pytest.raises(PackError, match=re.escape("code 'XX' 无效")):
        load_pack(path)


def _hy(directory: Path, rules: str) -> Path:
    directory.mkdir()
    path = directory / "hy.toml"
    header = '[pack]\ncode = "HY"\nname = "x"\nregulation = "x"\nextends = ["baseline"]\n'
    path.write_text(header + rules, encoding="utf-8")
    return path


def test_duplicate_rule_ids_across_packs(tmp_path: Path) -> None:
    yc = pack_from(tmp_path, GOOD)
    with pytest.raises(PackError, match="id 应以 HY- 开头"):
        load_pack(_hy(tmp_path / "wrong", GOOD))
    hy = load_pack(_hy(tmp_path / "hy", GOOD.replace('id = "YC-1-ok"', 'id = "HY-1-ok"')))
    check_unique([yc, hy])  # distinct ids: fine
    clash = replace(hy, rules=(*hy.rules, yc.rules[0]))
    with pytest.raises(PackError, match=re.escape("规则 YC-1-ok：id 与 yc.toml 中的规则重复")):
        check_unique([yc, clash])
    with pytest.raises(PackError, match="规则包代码 YC 重复"):
        check_unique([yc, yc])
    directory = tmp_path / "dup"
    _hy(directory, GOOD.replace('id = "YC-1-ok"', 'id = "HY-1-ok"') * 2)
    with pytest.raises(PackError, match=re.escape("hy.toml 有误：规则 HY-1-ok：id 重复")):
        load_packs(directory)


def test_the_shipped_packs_are_valid() -> None:
    packs = load_packs(PACKS_DIR)
    assert "baseline" in packs
    for code, pack in packs.items():
        assert pack.rules, code
        assert packs_for(code)[0].code == "baseline"


def test_requirement_ids_exist_in_requirements_md() -> None:
    if not REQUIREMENTS_MD.exists():
        pytest.skip("shared/REQUIREMENTS.md not available")
    known = set(re.findall(r"^- ([A-Z]{2}-\d+) ", REQUIREMENTS_MD.read_text(encoding="utf-8"), re.M))
    assert len(known) > 50
    for path in sorted(PACKS_DIR.glob("*.toml")):
        for rule in load_pack(path).rules:
            unknown = set(rule.requirements) - known
            assert not unknown, f"{path.name} {rule.id}: {sorted(unknown)}"


HEADER = (
    '[[rule]]\nid = "YC-3-x"\nrequirements = ["SV-2"]\ncitation = "YC 第五条"\n'
    'severity = "warning"\nmessage = "测试。"\nstage = "service"\n'
)
RECEIPT = '[rule.when]\nrecord_type = "service_receipt"\n'


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        # several when.field conditions
        (
            RECEIPT.replace(
                "\n",
                '\nfield = [{ name = "method", op = "eq", value = "lodged" }, '
                '{ name = "method", op = "like", value = 1 }]\n',
                1,
            )
            + '[rule.require]\nfields = ["reason"]\n',
            "[rule.when] field[1]：op 'like' 无效",
        ),
        (
            '[rule.when]\nrecord_type = "service_receipt"\nfield = []\n[rule.require]\nfields = ["reason"]\n',
            "field：不能为空",
        ),
        # case_has / case_lacks / complex_case
        (
            '[rule.when]\ncase_has = { record_type = "no_such" }\n[rule.require]\nrecords = ["inquiry"]\n',
            "case_has：记录类型 'no_such' 不在记录类型目录中",
        ),
        (
            '[rule.when]\ncase_lacks = { record_type = "hearing_notice", field = { name = "kind", op = "eq", '
            'value = "x" } }\n[rule.require]\nrecords = ["inquiry"]\n',
            "case_lacks field：记录类型 hearing_notice 没有字段 'kind'",
        ),
        (
            '[rule.when]\ncase_has = { record_type = "video", colour = "red" }\n[rule.require]\nrecords = ["inquiry"]\n',
            "case_has：未知的键 colour",
        ),
        (
            '[rule.when]\ncomplex_case = "yes"\n[rule.require]\nrecords = ["inquiry"]\n',
            "complex_case 应为 true 或 false",
        ),
        # any_of
        (RECEIPT + '[rule.require]\nany_of = [{ fields = ["reason"] }]\n', "any_of 应为至少两组要求的列表"),
        (
            RECEIPT + '[rule.require]\nany_of = [{ fields = ["reason"] }, { any_of = [] }]\n',
            "any_of[1]：any_of 的每一组不能再用 any_of",
        ),
        (
            RECEIPT
            + '[rule.require]\nany_of = [{ fields = ["reason"], media = ["video/"] }, { fields = ["place"] }]\n',
            "any_of[0]：须有且只有一个要求",
        ),
        (
            RECEIPT + '[rule.require]\nany_of = [{ fields = ["nope"] }, { fields = ["place"] }]\n',
            "any_of[0] fields：记录类型 service_receipt 没有字段 'nope'",
        ),
        # min_count
        (
            RECEIPT + '[rule.require]\nmin_count = { items = "servers" }\n',
            "须有且只有 count 或 count_of 之一",
        ),
        (RECEIPT + "[rule.require]\nmin_count = { count = 2 }\n", "须有且只有 records、items、signers 之一"),
        (
            RECEIPT + '[rule.require]\nmin_count = { items = "place", count = 2 }\n',
            "字段 service_receipt.place 的类型是 text",
        ),
        (RECEIPT + '[rule.require]\nmin_count = { items = "servers", count = 0 }\n', "count 应为正整数"),
        (
            RECEIPT + '[rule.require]\nmin_count = { records = ["inquiry"], count_of = "servers" }\n',
            "count_of 只能与 signers 一起使用",
        ),
        ('[rule.require]\nmin_count = { signers = "server", count = 2 }\n', "signers 只能用于逐条记录的规则"),
        (RECEIPT + '[rule.require]\nmin_count = { signers = "boss", count = 1 }\n', "signers 的值 boss 无效"),
        # preceded_by / own_time
        (
            RECEIPT + '[rule.require]\npreceded_by = "stage:review"\n',
            "'stage:review' 无效，应为 record:<类型>",
        ),
        (
            RECEIPT + '[rule.require]\npreceded_by = "record:inquiry.place"\n',
            "字段 inquiry.place 的类型是 text，应为 date/datetime",
        ),
        (
            RECEIPT + '[rule.require]\npreceded_by = "record:inquiry"\nown_time = "place"\n',
            "own_time：字段 service_receipt.place 的类型是 text",
        ),
        (
            RECEIPT + '[rule.require]\nfields = ["place"]\nown_time = "served_at"\n',
            "own_time 只能与 preceded_by 一起使用",
        ),
        ('[rule.require]\npreceded_by = "record:inquiry"\n', "preceded_by 只能用于逐条记录的规则"),
        # anchors
        (
            '[rule.deadline]\nfrom = "uploaded"\ndays = 1\nuntil = "stage:review"\n',
            "from：'uploaded' 无效",
        ),
        (
            '[rule.deadline]\nfrom = "opened"\ndays = 1\nunit = "hours"\nuntil = "uploaded"\n',
            "'uploaded' 只能用于逐条记录的规则",
        ),
        (
            '[rule.deadline]\nfrom = "branch:closed"\ndays = 1\nuntil = "stage:review"\n',
            "'branch:closed' 无效",
        ),
    ],
)
def test_new_keys_errors_name_the_rule_and_key(tmp_path: Path, body: str, expected: str) -> None:
    with pytest.raises(PackError) as exc:
        pack_from(tmp_path, HEADER + body)
    message = str(exc.value)
    assert message.startswith("规则包 yc.toml 有误：规则 YC-3-x"), message
    assert expected in message, message


def test_new_keys_load_into_the_model(tmp_path: Path) -> None:
    pack = pack_from(
        tmp_path,
        HEADER
        + RECEIPT
        + 'field = { name = "method", op = "eq", value = "lodged" }\ncomplex_case = true\n'
        + 'case_has = [{ record_type = "refusal_record" }]\n'
        + '[rule.require]\nany_of = [\n  { min_count = { items = "servers", count = 2 } },\n'
        + '  { preceded_by = ["record:penalty_decision.decided_on"], own_time = "served_at" },\n'
        + '  { records = ["mailing_receipt"], any_stage = true },\n]\n',
    )
    (rule,) = pack.rules
    assert rule.when.complex_case is True and rule.when.case_has[0].record_type == "refusal_record"
    assert rule.when.fields[0].value == "lodged"
    assert rule.require is not None
    counted, ordered, records = rule.require.any_of
    assert (
        counted.min_count is not None
        and counted.min_count.items == "servers"
        and counted.min_count.count == 2
    )
    assert ordered.preceded_by == ("record:penalty_decision.decided_on",) and ordered.own_time == "served_at"
    assert records.any_stage and rule.record_types == ("penalty_decision", "mailing_receipt")
