"""Deterministic fake data for the demo: Chinese names, companies, addresses and identifiers.

Everything comes from one ``random.Random(seed)``, so the same seed gives the same demo. The
identifiers are structurally valid: 身份证号 carry a correct GB 11643 check character and
统一社会信用代码 a correct GB 32100 one (with a valid GB 11714 organisation code inside), so
they pass the same validators real input passes. They are invented and belong to no one.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

from liuhen.cases.validators import USCC_CHARSET, resident_id_check_char, uscc_check_char


@dataclass(frozen=True)
class Locality:
    """Where an agency sits: its place names and the region code its people and parties carry."""

    province: str
    city: str
    county: str  # "" for a prefecture-level city's own agency (the towns are then its districts)
    region_code: str  # GB/T 2260 code used in 身份证号, 统一社会信用代码 and 执法证号
    area_code: str  # telephone area code
    towns: tuple[str, ...]
    streets: tuple[str, ...]
    communities: tuple[str, ...]
    seat: str  # the town of the county seat, whose addresses are always streets

    @property
    def place(self) -> str:
        """The county (or the city) as the prefix of local names: "盐池县", "本溪市"."""
        return self.county or self.city


# 盐池县 (宁夏回族自治区吴忠市), where the YC regulation was issued; the default locality.
YANCHI = Locality(
    province="宁夏回族自治区",
    city="吴忠市",
    county="盐池县",
    region_code="640323",
    area_code="0953",
    towns=("花马池镇", "大水坑镇", "惠安堡镇", "高沙窝镇", "王乐井乡", "冯记沟乡", "青山乡", "麻黄山乡"),
    streets=(
        "盐州路", "鼓楼南街", "鼓楼北街", "花马池东街", "花马池西街", "永清路",
        "文化街", "振远路", "利民街", "新区大道", "城西路", "长城路",
    ),
    communities=("北塘", "南苑", "城西滩", "盐林", "柳杨堡", "东顺", "隰宁堡", "红井子"),
    seat="花马池镇",
)  # fmt: skip

# Common surnames, most frequent first (weights roughly follow their frequency).
SURNAMES: tuple[str, ...] = (
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡",
    "郭", "何", "高", "林", "罗", "郑", "梁", "谢", "宋", "唐", "许", "韩", "冯", "邓", "曹",
    "彭", "曾", "田", "萧", "潘", "袁", "蒋", "蔡", "余", "杜", "叶", "程", "魏", "苏", "吕",
    "丁", "任", "沈", "姚", "卢", "姜", "崔", "钟", "谭", "陆", "汪", "范", "金", "石", "廖",
)  # fmt: skip
MALE_GIVEN: tuple[str, ...] = (
    "伟", "强", "磊", "军", "勇", "杰", "涛", "斌", "超", "明", "刚", "平", "辉", "鹏", "华",
    "飞", "鑫", "波", "宁", "建国", "建华", "志强", "志明", "海涛", "文博", "子轩", "浩然",
    "俊杰", "国庆", "晓东", "永福", "振华", "学军", "红军", "宏伟", "立新", "德胜", "天佑",
)  # fmt: skip
FEMALE_GIVEN: tuple[str, ...] = (
    "芳", "娜", "敏", "静", "丽", "艳", "娟", "霞", "燕", "玲", "婷", "雪", "慧", "琳", "洁",
    "秀英", "桂英", "秀兰", "玉兰", "海燕", "晓红", "丽娟", "雅琴", "春梅", "梦瑶", "欣怡",
    "思雨", "佳怡", "淑珍", "凤英", "晓燕", "红梅", "美玲", "文静",
)  # fmt: skip

BRAND_WORDS: tuple[str, ...] = (
    "康民", "仁和", "同仁", "益民", "万家", "福寿", "济生", "惠民", "安康", "百草", "德仁",
    "春晖", "长城", "和顺", "瑞祥", "宁康", "天元", "永安", "广济", "众生",
)  # fmt: skip

_ORG_CODE_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # letters valid in both GB 11714 and GB 32100
_ORG_CODE_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


@dataclass(frozen=True)
class FakePerson:
    name: str
    male: bool
    birth: date
    id_number: str
    address: str
    phone: str


@dataclass(frozen=True)
class FakeOrganisation:
    name: str
    kind: str  # see Faker.organisation
    uscc: str
    legal_representative: str
    legal_representative_id: str
    address: str
    phone: str


def organisation_code_check_char(first8: str) -> str:
    """GB 11714 check character of a 9-character organisation code (positions 9-17 of a USCC)."""
    total = sum(
        _ORG_CODE_CHARSET.index(char) * weight for char, weight in zip(first8, _ORG_CODE_WEIGHTS, strict=True)
    )
    check = 11 - total % 11
    return {10: "X", 11: "0"}.get(check, str(check))


class Faker:
    """A seeded source of fake but well-formed Chinese demo data, placed in ``locality``."""

    def __init__(self, seed: int = 0, locality: Locality = YANCHI) -> None:
        self.rng = random.Random(seed)
        self.locality = locality
        self._used_names: set[str] = set()
        self._used_ids: set[str] = set()

    # --- names -------------------------------------------------------------------------------
    def surname(self) -> str:
        weights = [len(SURNAMES) - i for i in range(len(SURNAMES))]
        return self.rng.choices(SURNAMES, weights=weights)[0]

    def person_name(self, *, male: bool | None = None, unique: bool = True) -> str:
        """A full name; with ``unique`` each call in this Faker returns a name not given before."""
        is_male = self.rng.random() < 0.5 if male is None else male
        given = MALE_GIVEN if is_male else FEMALE_GIVEN
        for _ in range(200):
            name = self.surname() + self.rng.choice(given)
            if not unique or name not in self._used_names:
                break
        self._used_names.add(name)
        return name

    # --- places and phones -------------------------------------------------------------------
    def town(self) -> str:
        return self.rng.choice(self.locality.towns)

    def address(self, *, town: str | None = None, full: bool = True) -> str:
        loc = self.locality
        place = town or self.town()
        if place == loc.seat or self.rng.random() < 0.6:
            street = f"{self.rng.choice(loc.streets)}{self.rng.randint(1, 388)}号"
        else:
            street = (
                f"{self.rng.choice(loc.communities)}村{self.rng.randint(1, 9)}组{self.rng.randint(1, 60)}号"
            )
        prefix = f"{loc.province}{loc.city}{loc.county}" if full else loc.place
        return f"{prefix}{place}{street}"

    def mobile(self) -> str:
        prefix = self.rng.choice(
            ("139", "138", "135", "136", "150", "151", "152", "158", "187", "189", "177")
        )
        return prefix + "".join(str(self.rng.randint(0, 9)) for _ in range(8))

    def landline(self) -> str:
        return f"{self.locality.area_code}-{self.rng.choice('6789')}{self.rng.randint(0, 999999):06d}"

    # --- identifiers -------------------------------------------------------------------------
    def birth_date(self, *, min_age: int = 22, max_age: int = 78, today: date | None = None) -> date:
        today = today or date(2025, 1, 1)
        days = self.rng.randint(min_age * 365, max_age * 365)
        return today - timedelta(days=days)

    def resident_id(self, *, birth: date, male: bool, region: str | None = None) -> str:
        """An 18-digit 居民身份证号码 with a valid GB 11643 check character; the 17th digit is odd
        for men and even for women."""
        region = region or self.locality.region_code
        while True:
            order = self.rng.randint(0, 99)
            sex_digit = self.rng.choice((1, 3, 5, 7, 9) if male else (0, 2, 4, 6, 8))
            first17 = f"{region}{birth:%Y%m%d}{order:02d}{sex_digit}"
            number = first17 + resident_id_check_char(first17)
            if number not in self._used_ids:
                self._used_ids.add(number)
                return number

    def organisation_code(self) -> str:
        first8 = "".join(self.rng.choice(_ORG_CODE_CHARSET) for _ in range(8))
        return first8 + organisation_code_check_char(first8)

    def uscc(self, *, authority: str = "9", entity: str = "1", region: str | None = None) -> str:
        """A 统一社会信用代码: authority (9 工商, 5 民政, 1 机构编制), entity type, region, organisation
        code, GB 32100 check character."""
        if authority not in USCC_CHARSET or entity not in USCC_CHARSET:
            raise ValueError("authority and entity must be GB 32100 characters")
        region = region or self.locality.region_code
        while True:
            first17 = f"{authority}{entity}{region}{self.organisation_code()}"
            code = first17 + uscc_check_char(first17)
            if code not in self._used_ids:
                self._used_ids.add(code)
                return code

    def certificate_number(self, sequence: int, *, region: str | None = None) -> str:
        """An officer's 执法证号: region code, year of issue and a 4-digit serial (14 digits)."""
        return f"{region or self.locality.region_code}{self.rng.randint(2018, 2024)}{sequence:04d}"

    # --- composite ---------------------------------------------------------------------------
    def person(self, *, male: bool | None = None) -> FakePerson:
        is_male = self.rng.random() < 0.5 if male is None else male
        birth = self.birth_date()
        return FakePerson(
            name=self.person_name(male=is_male),
            male=is_male,
            birth=birth,
            id_number=self.resident_id(birth=birth, male=is_male),
            address=self.address(),
            phone=self.mobile(),
        )

    def organisation(self, kind: str | None = None) -> FakeOrganisation:
        """A party of a 医保 or 卫生监督 case: a pharmacy, clinic, private hospital or township health
        centre under the 医保 agreement, or a hotel, bathhouse, hair and beauty salon, village
        water-supply station or dental clinic under health supervision."""
        kind = kind or self.rng.choice(("pharmacy", "pharmacy", "clinic", "hospital", "health_centre"))
        town = self.town()
        brand = self.rng.choice(BRAND_WORDS)
        representative = self.person()
        owner = representative.name
        place = self.locality.place
        authority, entity = "9", "1"
        if kind == "pharmacy":
            name = f"{place}{town}{brand}大药房有限公司"
        elif kind == "clinic":
            name = self.rng.choice((f"{place}{owner}诊所", f"{place}{town}{brand}中医诊所"))
            entity = "2"
        elif kind == "hospital":
            name = f"{place}{brand}{self.rng.choice(('医院', '中西医结合医院', '骨科医院'))}有限公司"
        elif kind == "health_centre":
            name = f"{place}{town}卫生院"
            authority, entity = "1", "2"
        elif kind == "hotel":
            name = f"{place}{brand}{self.rng.choice(('宾馆', '商务酒店', '快捷酒店'))}有限公司"
        elif kind == "bathhouse":
            name = f"{place}{town}{brand}{self.rng.choice(('洗浴中心', '浴池'))}"
            entity = "2"
        elif kind == "salon":
            name = f"{place}{brand}{self.rng.choice(('美容美发店', '美发工作室', '美容养生馆'))}"
            entity = "2"
        elif kind == "water_plant":
            name = f"{place}{town}{self.rng.choice(self.locality.communities)}村供水站"
            authority, entity = "5", "2"
        elif kind == "dental":
            name = f"{place}{brand}口腔诊所有限公司"
        else:
            raise ValueError(f"unknown organisation kind {kind!r}")
        return FakeOrganisation(
            name=name,
            kind=kind,
            uscc=self.uscc(authority=authority, entity=entity),
            legal_representative=owner,
            legal_representative_id=representative.id_number,
            address=self.address(town=town),
            phone=self.rng.choice((self.mobile(), self.landline())),
        )
