"""The random part of the demo, kept free of the database: credit codes, company names and the enterprise list.

Everything is drawn from one `random.Random`, so the same seed gives the same enterprises.
"""

from dataclasses import dataclass
from random import Random

from choujian.core import divisions
from choujian.core.uscc import ALPHABET, make_uscc
from choujian.demo import data
from choujian.demo.categories import CATEGORIES, Category
from choujian.registry.choices import EnterpriseStatus

FUJIAN = data.PROVINCE[0]
EXCLUDED_COUNTIES = {"350527"}  # 金门县: listed in GB/T 2260 but not administered by 福建


@dataclass
class EnterpriseSpec:
    name: str
    trade_name: str
    region: str
    address: str
    category: Category
    status: str
    uscc: str
    licence_no: str


def short_name(name: str) -> str:
    """“江苏省” → “江苏”, “晋江市” → “晋江”, “广西壮族自治区” → “广西”: the place word in a company name."""
    for suffix in ("壮族自治区", "回族自治区", "维吾尔自治区", "自治区", "省", "市", "县", "区"):
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            return name[: -len(suffix)]
    return name


def counties_within(code: str) -> list[str]:
    """Every county-level division at or below `code`, in code order."""
    division = divisions.get_division(code)
    if division.level == "county":
        return [division.code]
    found: list[str] = []
    for child in divisions.children(code):
        found.extend(counties_within(child.code))
    return [c for c in found if c not in EXCLUDED_COUNTIES]


class Codes:
    """Unified social credit codes (GB 32100) with distinct, random organisation-code bodies."""

    def __init__(self, rng: Random) -> None:
        self.rng = rng
        self.used: set[str] = set()

    def org_code(self) -> str:
        """A random, unused 8-character 主体标识码 body: “MA…” as issued since 2015, or an older all-digit code."""
        while True:
            if self.rng.random() < 0.6:
                code = "MA" + "".join(self.rng.choice(ALPHABET) for _ in range(6))
            else:
                code = "".join(self.rng.choice("0123456789") for _ in range(8))
            if code not in self.used:
                self.used.add(code)
                return code

    def uscc(self, region: str, *, public_body: bool = False) -> str:
        # 11 = 机构编制 · 机关 for the regulators, 91 = 市场监管 · 企业 for everyone else.
        dept, kind = ("1", "1") if public_body else ("9", "1")
        return make_uscc(dept, kind, region, self.org_code())


def enterprise_specs(rng: Random, codes: Codes, count: int = data.ENTERPRISE_COUNT) -> list[EnterpriseSpec]:
    """`count` manufacturers: a quarter outside 福建 where their trade clusters, 40 % of the rest in the six counties
    with a demo regulator, the others anywhere in 福建; mostly active, a few closed or deregistered."""
    fujian = counties_within(FUJIAN)
    regulated = [county[0] for county in data.COUNTIES]
    travelling = sum(1 for category in CATEGORIES if category.elsewhere)
    outside_chance = data.OUTSIDE_SHARE * len(CATEGORIES) / travelling
    names: set[str] = set()
    licences: set[str] = set()
    specs = []
    for _ in range(count):
        category = rng.choice(CATEGORIES)
        if category.elsewhere and rng.random() < outside_chance:
            region = rng.choice(counties_within(rng.choice(category.elsewhere)))
        elif rng.random() < 0.4:
            region = rng.choice(regulated)
        else:
            region = rng.choice(fujian)
        trade_name, name = _enterprise_name(rng, region, category, names)
        status = EnterpriseStatus.STATUS_ACTIVE
        draw = rng.random()
        if draw < 0.04:
            status = EnterpriseStatus.STATUS_CLOSED
        elif draw < 0.06:
            status = EnterpriseStatus.STATUS_DEREGISTERED
        licence_no = ""
        if category.licence:
            while not licence_no or licence_no in licences:
                licence_no = f"{category.licence}-{rng.randint(100, 99999):05d}"
            licences.add(licence_no)
        full_name = divisions.get_division(region).full_name
        address = f"{full_name}{rng.choice(data.STREETS)}{rng.randint(1, 999)}号"
        uscc = codes.uscc(region)
        specs.append(EnterpriseSpec(name, trade_name, region, address, category, status, uscc, licence_no))
    return specs


def _enterprise_name(rng: Random, region: str, category: Category, taken: set[str]) -> tuple[str, str]:
    chain = [*divisions.ancestors(region), divisions.get_division(region)]
    province = chain[0]
    places = [province.name, short_name(province.name)]
    if len(chain) == 3:
        places.append(short_name(chain[1].name))
    if not chain[-1].name.endswith("区"):
        places.append(short_name(chain[-1].name))
    trade_names = data.TRADE_NAMES + data.FUJIAN_TRADE_NAMES if province.code == FUJIAN else data.TRADE_NAMES
    while True:
        trade_name = rng.choice(trade_names)
        name = f"{rng.choice(places)}{trade_name}{rng.choice(category.trades)}{rng.choice(data.COMPANY_SUFFIXES)}"
        if name not in taken:
            taken.add(name)
            return trade_name, name
