"""GB/T 8170-2008 rounding: the standard's worked examples, formatting, refusals, and properties."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from choujian.rules.rounding import (
    FIFTH,
    HALF,
    UNIT,
    NumberError,
    effective_step,
    fmt,
    parse_step,
    round_to_step,
    round_value,
    to_decimal,
)


@pytest.mark.parametrize(
    ("value", "interval", "unit", "expected"),
    [
        # §3.2.1 / §3.2.2: discarded part below or above half a step
        ("12.1498", "0.1", UNIT, "12.1"),
        ("10.5002", "1", UNIT, "11"),
        # §3.2.3: exactly 5 with nothing after it → to the even digit
        ("1.050", "0.1", UNIT, "1.0"),
        ("0.35", "0.1", UNIT, "0.4"),
        ("2500", "1000", UNIT, "2000"),  # 2×10³
        ("3500", "1000", UNIT, "4000"),  # 4×10³
        # §3.2.5: negative numbers round their absolute value
        ("-355", "10", UNIT, "-360"),
        # §3.3.1: 0.5-unit rounding at interval 1 (step 0.5)
        ("60.25", "1", HALF, "60.0"),
        ("60.38", "1", HALF, "60.5"),
        ("-60.75", "1", HALF, "-61.0"),
        # §3.3.2: 0.2-unit rounding at hundreds (step 20)
        ("830", "100", FIFTH, "840"),
        ("842", "100", FIFTH, "840"),
        ("-930", "100", FIFTH, "-920"),
    ],
)
def test_it_reproduces_the_worked_examples_of_the_standard(value, interval, unit, expected):
    assert fmt(round_value(value, interval, unit)) == expected


@pytest.mark.parametrize(
    ("value", "step", "expected"),
    [
        ("60.25", "0.5", "60.0"),
        ("60.38", "0.5", "60.5"),
        ("-60.75", "0.5", "-61.0"),
        ("830", "20", "840"),
        ("842", "20", "840"),
        ("-930", "20", "-920"),
        ("2500", "1E+3", "2000"),
        ("1.05", "0.10", "1.0"),
        ("12.1498", "0.1", "12.1"),
    ],
)
def test_it_rounds_to_a_step_given_directly(value, step, expected):
    assert fmt(round_to_step(value, step)) == expected


def test_it_keeps_the_steps_decimals_and_writes_no_exponent():
    assert fmt(round_to_step("97", "0.1")) == "97.0"
    assert fmt(round_to_step("96.96", "0.1")) == "97.0"
    assert fmt(round_to_step("123456", "1000")) == "123000"
    assert fmt(round_to_step("0.00049", "0.0001")) == "0.0005"


def test_it_writes_zero_without_a_sign():
    assert fmt(round_to_step("-0.04", "0.1")) == "0.0"


def test_it_rounds_once_from_the_original_value_not_stepwise():
    # §3.2.6: 15.4546 → 15 at interval 1; rounding step by step (15.455, 15.46, 15.5, 16) would give 16.
    assert fmt(round_to_step("15.4546", "1")) == "15"


def test_it_accepts_ints_decimals_and_full_width_minus():
    assert round_to_step(2500, "1000") == Decimal("2000")
    assert round_to_step(Decimal("0.35"), "0.1") == Decimal("0.4")
    assert fmt(round_to_step("−355", "10")) == "-360"


def test_it_refuses_floats_with_a_clear_error():
    with pytest.raises(NumberError, match="浮点数"):
        round_to_step(0.35, "0.1")
    with pytest.raises(NumberError, match="浮点数"):
        round_to_step("0.35", 0.1)


@pytest.mark.parametrize("bad", ["abc", "", "1,5", "NaN", "Infinity", "1e99999", "0x10", "1_000", None, True, [1]])
def test_it_refuses_what_is_not_a_finite_decimal(bad):
    with pytest.raises(NumberError):
        to_decimal(bad)


@pytest.mark.parametrize("step", ["0.3", "3", "0", "-1", "0.25", "15"])
def test_it_refuses_steps_the_standard_does_not_know(step):
    with pytest.raises(NumberError, match="修约间隔"):
        parse_step(step)


def test_it_derives_the_half_and_fifth_unit_steps():
    assert effective_step("1", HALF) == Decimal("0.5")
    assert effective_step("100", FIFTH) == Decimal("20")
    assert effective_step("0.1", HALF) == Decimal("0.05")
    assert effective_step("0.5", UNIT) == Decimal("0.5")
    with pytest.raises(NumberError, match="10 的整数次幂"):
        effective_step("0.5", HALF)
    with pytest.raises(NumberError, match="修约单位"):
        effective_step("1", "quarter")


def test_it_handles_values_far_beyond_the_default_decimal_precision():
    value = "1234567890123456789012345678901234567890.45"
    assert fmt(round_to_step(value, "0.1")) == "1234567890123456789012345678901234567890.4"


values = st.builds(
    lambda n, places: Decimal(n).scaleb(-places),
    st.integers(min_value=-(10**12), max_value=10**12),
    st.integers(min_value=0, max_value=6),
)
steps = st.builds(
    lambda k, n: Decimal(k).scaleb(n),
    st.sampled_from([1, 2, 5]),
    st.integers(min_value=-4, max_value=4),
)


@given(values, steps)
def test_the_result_is_a_multiple_of_the_step(value, step):
    assert round_to_step(value, step) % step == 0


@given(values, steps)
def test_the_result_is_within_half_a_step(value, step):
    assert abs(round_to_step(value, step) - value) <= step / 2


@given(values, steps)
def test_a_tie_goes_to_the_even_multiple(value, step):
    result = round_to_step(value, step)
    if abs(result - value) == step / 2:
        assert (result / step) % 2 == 0


@given(values, steps)
def test_it_is_symmetric_under_negation(value, step):
    assert round_to_step(-value, step) == -round_to_step(value, step)


@given(values, steps)
def test_it_is_idempotent(value, step):
    once = round_to_step(value, step)
    assert round_to_step(once, step) == once
    assert fmt(round_to_step(once, step)) == fmt(once)
