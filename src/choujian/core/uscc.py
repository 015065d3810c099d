"""统一社会信用代码（GB 32100-2015）校验与生成。

Structure of the 18-character code (法人和其他组织统一社会信用代码编码规则)::

    位置   1      2       3–8           9–17                          18
         登记    机构    登记管理机关    主体标识码（组织机构代码，      校验码
         管理    类别    行政区划码      GB 11714，第 17 位为其校验码）  (mod 31)
         部门

* Alphabet: ``0123456789ABCDEFGHJKLMNPQRTUWXY`` — the 31 characters without I, O, Z, S, V.
* Position 18: weights ``W_i = 3^(i-1) mod 31``; ``C18 = 31 - (Σ C_i·W_i mod 31)``, where the value 31 becomes 0
  and ``C_i`` is the index of the character in the alphabet.
* Positions 9–17: a GB 11714 organisation code. Its check character (position 17) uses weights
  ``3, 7, 9, 10, 5, 8, 4, 2`` over positions 9–16 with character values ``0–9`` for digits and ``A=10 … Z=35``;
  ``C = 11 - (Σ mod 11)``, where 10 is written ``X`` and 11 is written ``0``.

Registration departments / institution kinds accepted (:data:`REGISTRATION_DEPARTMENTS`): the original
GB 32100-2015 table (1 机构编制, 5 民政, 9 工商, Y 其他) plus the departments added later by the national
coding authority (2 外交, 3 司法行政, 4 文化, 6 旅游, 7 宗教, 8 工会, A 中央军委改革和编制办公室, N 农业).
Code ``9`` is nowadays issued by 市场监督管理部门 (formerly 工商); the code itself is unchanged.

Because 31 is prime and every weight is non-zero mod 31, changing any single character of a valid code always
changes the required check character, so every single-character substitution is detected.

Pure Python, no Django imports.
"""

from __future__ import annotations

import unicodedata

__all__ = [
    "ALPHABET",
    "REGISTRATION_DEPARTMENTS",
    "USCCError",
    "is_valid_uscc",
    "make_uscc",
    "org_code_check_digit",
    "uscc_check_digit",
    "validate_uscc",
]

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_VALUE = {ch: i for i, ch in enumerate(ALPHABET)}
_WEIGHTS = tuple(pow(3, i, 31) for i in range(17))  # 1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)

#: 登记管理部门代码 → (部门名称, {机构类别代码: 机构类别名称}).
REGISTRATION_DEPARTMENTS: dict[str, tuple[str, dict[str, str]]] = {
    "1": ("机构编制", {"1": "机关", "2": "事业单位", "3": "中央编办直接管理机构编制的群众团体", "9": "其他"}),
    "2": ("外交", {"1": "外国常驻新闻机构", "9": "其他"}),
    "3": (
        "司法行政",
        {
            "1": "律师执业机构",
            "2": "公证处",
            "3": "基层法律服务所",
            "4": "司法鉴定机构",
            "5": "仲裁委员会",
            "9": "其他",
        },
    ),
    "4": ("文化", {"1": "外国在华文化中心", "9": "其他"}),
    "5": ("民政", {"1": "社会团体", "2": "民办非企业单位", "3": "基金会", "9": "其他"}),
    "6": (
        "旅游",
        {"1": "外国旅游部门常驻代表机构", "2": "港澳台地区旅游部门常驻内地（大陆）代表机构", "9": "其他"},
    ),
    "7": ("宗教", {"1": "宗教活动场所", "2": "宗教院校", "9": "其他"}),
    "8": ("工会", {"1": "基层工会", "9": "其他"}),
    "9": ("工商（市场监管）", {"1": "企业", "2": "个体工商户", "3": "农民专业合作社"}),
    "A": ("中央军委改革和编制办公室", {"1": "军队事业单位", "9": "其他"}),
    "N": ("农业", {"1": "组级集体经济组织", "2": "村级集体经济组织", "3": "乡镇级集体经济组织", "9": "其他"}),
    "Y": ("其他", {"1": "其他"}),
}


class USCCError(ValueError):
    """An invalid unified social credit code; ``position`` is the 1-based offending position (or None)."""

    def __init__(self, message: str, position: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.position = position


def _normalise(code: str) -> str:
    """NFKC-fold (full-width → ASCII), drop all whitespace and upper-case."""
    return "".join(unicodedata.normalize("NFKC", code).split()).upper()


def _check_alphabet(chars: str, first_position: int) -> None:
    for offset, ch in enumerate(chars):
        if ch not in _VALUE:
            position = first_position + offset
            raise USCCError(f"第 {position} 位字符“{ch}”不是有效字符（不使用 I、O、Z、S、V）", position)


def org_code_check_digit(body8: str) -> str:
    """GB 11714 check character for the 8-character organisation-code body (USCC positions 9–16)."""
    if len(body8) != 8:
        raise USCCError(f"组织机构代码本体应为 8 位，实际为 {len(body8)} 位")
    total = 0
    for ch, weight in zip(body8, _ORG_WEIGHTS, strict=True):
        if ch.isascii() and ch.isdigit():
            value = int(ch)
        elif "A" <= ch <= "Z":
            value = ord(ch) - ord("A") + 10
        else:
            raise USCCError(f"组织机构代码中的字符“{ch}”无效")
        total += value * weight
    check = 11 - total % 11
    return {10: "X", 11: "0"}.get(check, str(check))


def uscc_check_digit(first17: str) -> str:
    """Check character (position 18) for the first 17 characters of a code."""
    if len(first17) != 17:
        raise USCCError(f"计算校验码需要前 17 位，实际为 {len(first17)} 位")
    _check_alphabet(first17, 1)
    total = sum(_VALUE[ch] * weight for ch, weight in zip(first17, _WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def validate_uscc(code: str) -> str:
    """Return the normalised code (whitespace removed, upper-case) or raise :class:`USCCError`.

    Checks, in order: length, alphabet, 登记管理部门代码, 机构类别代码, 行政区划码 (six digits; existence is not
    checked here because historical region codes stay valid in issued codes), the position-18 check character and
    the GB 11714 check character at position 17.
    """
    if not isinstance(code, str):
        raise USCCError("统一社会信用代码应为字符串")
    norm = _normalise(code)
    if not norm:
        raise USCCError("统一社会信用代码不能为空")
    if len(norm) != 18:
        raise USCCError(f"统一社会信用代码长度应为 18 位，实际为 {len(norm)} 位")
    _check_alphabet(norm, 1)
    dept, kind = norm[0], norm[1]
    if dept not in REGISTRATION_DEPARTMENTS:
        allowed = "、".join(REGISTRATION_DEPARTMENTS)
        raise USCCError(f"第 1 位登记管理部门代码“{dept}”无效（应为 {allowed} 之一）", 1)
    dept_name, kinds = REGISTRATION_DEPARTMENTS[dept]
    if kind not in kinds:
        raise USCCError(
            f"第 2 位机构类别代码“{kind}”对登记管理部门“{dept_name}”无效（应为 {'、'.join(kinds)} 之一）", 2
        )
    for offset, ch in enumerate(norm[2:8]):
        if not ch.isdigit():
            raise USCCError(f"第 3–8 位应为 6 位数字的行政区划码，第 {offset + 3} 位为“{ch}”", offset + 3)
    expected = uscc_check_digit(norm[:17])
    if norm[17] != expected:
        raise USCCError(f"校验码错误：第 18 位应为“{expected}”，实际为“{norm[17]}”（或前 17 位有录入错误）", 18)
    expected_org = org_code_check_digit(norm[8:16])
    if norm[16] != expected_org:
        raise USCCError(
            f"主体标识码（组织机构代码）校验码错误：第 17 位应为“{expected_org}”，实际为“{norm[16]}”"
            "（或第 9–16 位有录入错误）",
            17,
        )
    return norm


def is_valid_uscc(code: object) -> bool:
    """True if ``code`` is a valid unified social credit code (after normalisation)."""
    try:
        validate_uscc(code)  # type: ignore[arg-type]
    except USCCError:
        return False
    return True


def make_uscc(dept: str, kind: str, region: str, org_code8: str) -> str:
    """Build a valid code from its parts, computing both check characters (for demo/test data).

    ``dept`` 登记管理部门代码, ``kind`` 机构类别代码, ``region`` six-digit 行政区划码, ``org_code8`` the first eight
    characters of the 主体标识码 (from :data:`ALPHABET`; the GB 11714 check character is appended).
    """
    parts = {
        "登记管理部门代码": (dept, 1),
        "机构类别代码": (kind, 1),
        "行政区划码": (region, 6),
        "主体标识码本体": (org_code8, 8),
    }
    for label, (value, length) in parts.items():
        if not isinstance(value, str) or len(value) != length:
            raise USCCError(f"{label}应为 {length} 位")
    _check_alphabet(org_code8, 9)
    first17 = dept + kind + region + org_code8 + org_code_check_digit(org_code8)
    return validate_uscc(first17 + uscc_check_digit(first17))
