"""GB 32100-2015 unified social credit code validation."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from choujian.core.uscc import (
    ALPHABET,
    REGISTRATION_DEPARTMENTS,
    USCCError,
    is_valid_uscc,
    make_uscc,
    org_code_check_digit,
    uscc_check_digit,
    validate_uscc,
)

# Codes as printed on public business licences; each was checked by hand against both the position-18 mod-31
# check character and the GB 11714 check character at position 17 (incl. letter bodies and an "X" org check).
VALID = [
    "91350100M000100Y43",
    "91110000600037341L",
    "91440300708461136T",
    "914403001922038216",
    "91110108551385082Q",
    "9144030071526726XG",
]


def test_weights_are_powers_of_three_mod_31() -> None:
    first17 = "91350100M000100Y4"
    weights = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]
    total = sum(ALPHABET.index(c) * w for c, w in zip(first17, weights, strict=True))
    assert uscc_check_digit(first17) == ALPHABET[(31 - total % 31) % 31] == "3"


@pytest.mark.parametrize("code", VALID)
def test_known_valid_codes(code: str) -> None:
    assert validate_uscc(code) == code
    assert is_valid_uscc(code)
    assert org_code_check_digit(code[8:16]) == code[16]


def test_normalises_whitespace_case_and_full_width() -> None:
    assert validate_uscc(" 91350100m000100y43 ") == "91350100M000100Y43"
    assert validate_uscc("9135 0100 M000 100Y 43") == "91350100M000100Y43"
    assert validate_uscc("９１３５０１００Ｍ０００１００Ｙ４３") == "91350100M000100Y43"


def test_gb11714_check_digit() -> None:
    assert org_code_check_digit("M000100Y") == "4"
    assert org_code_check_digit("71526726") == "X"  # remainder 10 → X
    assert org_code_check_digit("00000000") == "0"  # remainder 11 → 0


@pytest.mark.parametrize("code", VALID)
def test_every_single_character_change_fails(code: str) -> None:
    for position in range(18):
        for ch in ALPHABET:
            if ch == code[position]:
                continue
            changed = code[:position] + ch + code[position + 1 :]
            assert not is_valid_uscc(changed), changed
            with pytest.raises(USCCError) as info:
                validate_uscc(changed)
            assert info.value.position is not None


def test_mod31_check_alone_detects_every_substitution() -> None:
    """Stronger than the acceptance criterion: position 18 by itself catches any change in positions 1–17."""
    first17 = VALID[0][:17]
    expected = uscc_check_digit(first17)
    for position in range(17):
        for ch in ALPHABET.replace(first17[position], ""):
            assert uscc_check_digit(first17[:position] + ch + first17[position + 1 :]) != expected


def test_length_error() -> None:
    with pytest.raises(USCCError, match="长度应为 18 位，实际为 17 位") as info:
        validate_uscc("91350100M000100Y4")
    assert info.value.position is None
    with pytest.raises(USCCError, match="不能为空"):
        validate_uscc("   ")


@pytest.mark.parametrize("bad", "IOZSV")
def test_excluded_letters_name_the_position(bad: str) -> None:
    code = "9135" + bad + "100M000100Y43"
    with pytest.raises(USCCError) as info:
        validate_uscc(code)
    assert info.value.position == 5
    assert str(info.value) == f"第 5 位字符“{bad}”不是有效字符（不使用 I、O、Z、S、V）"


def test_check_digit_error_names_expected_character() -> None:
    with pytest.raises(USCCError) as info:
        validate_uscc("91350100M000100Y4Y")
    assert info.value.position == 18
    assert "校验码错误：第 18 位应为“3”，实际为“Y”" in str(info.value)


def test_org_code_check_error_names_position_17() -> None:
    # Valid position-18 check character, but the GB 11714 check character is wrong.
    first17 = "91350100M000100Y5"
    with pytest.raises(USCCError) as info:
        validate_uscc(first17 + uscc_check_digit(first17))
    assert info.value.position == 17
    assert "第 17 位应为“4”，实际为“5”" in str(info.value)


def test_region_must_be_digits() -> None:
    with pytest.raises(USCCError, match="第 3–8 位应为 6 位数字的行政区划码") as info:
        validate_uscc("9135A100M000100Y43")
    assert info.value.position == 5


def test_department_and_kind_codes() -> None:
    with pytest.raises(USCCError, match="第 1 位登记管理部门代码“B”无效") as info:
        validate_uscc("B1350100M000100Y43")
    assert info.value.position == 1
    with pytest.raises(USCCError, match="第 2 位机构类别代码“4”") as info:
        validate_uscc("94350100M000100Y43")
    assert info.value.position == 2


def test_non_string_is_invalid() -> None:
    assert not is_valid_uscc(None)
    assert not is_valid_uscc(913501001)


def test_make_uscc_example() -> None:
    assert make_uscc("9", "1", "350100", "M000100Y") == "91350100M000100Y43"
    with pytest.raises(USCCError, match="行政区划码应为 6 位"):
        make_uscc("9", "1", "3501", "M000100Y")
    with pytest.raises(USCCError) as info:
        make_uscc("9", "1", "350100", "M000I00Y")
    assert info.value.position == 13


_DEPT_KIND = st.sampled_from([(d, k) for d, (_, kinds) in REGISTRATION_DEPARTMENTS.items() for k in kinds])


@given(
    dept_kind=_DEPT_KIND,
    region=st.text(alphabet="0123456789", min_size=6, max_size=6),
    body=st.text(alphabet=ALPHABET, min_size=8, max_size=8),
)
def test_make_uscc_always_validates(dept_kind: tuple[str, str], region: str, body: str) -> None:
    code = make_uscc(dept_kind[0], dept_kind[1], region, body)
    assert len(code) == 18
    assert code[:16] == dept_kind[0] + dept_kind[1] + region + body
    assert validate_uscc(code) == code
