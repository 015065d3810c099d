"""GB/T 8170-2008 rounding (数值修约) on exact decimals. Pure: no Django.

The rounding step (修约间隔) is 10ⁿ ("0.1", "1", "1000"), or the 0.5 unit (5×10ⁿ, "0.5", "50") or the 0.2 unit
(2×10ⁿ, "0.2", "20") of the interval above it:

- 进舍规则 (§3.2): a discarded part above half a step rounds up, below half rounds down, exactly half (a 5 with
  nothing but zeros after it) rounds to the even multiple — ``decimal.ROUND_HALF_EVEN`` on the exact value.
- 0.5 单位修约 (§3.3.1): multiply by 2, round to the interval, divide by 2.
- 0.2 单位修约 (§3.3.2): multiply by 5, round to the interval, divide by 5.
- Negative numbers (§3.2.5): round the absolute value, then put the sign back (half-even is symmetric).
- No repeated rounding (§3.2.6, 不允许连续修约): always round the original value once, never a rounded one.

Numbers come in as strings, ints or Decimals, never floats: ``0.35`` as a float is 0.34999…, which would round
the wrong way at exactly the halfway points the standard cares about. The result keeps the step's decimals
(``1.050`` at 0.1 → ``1.0``; ``60.25`` at 0.5 → ``60.0``) and is written without exponent (``2000``, not
``2E+3``).
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation, localcontext

UNIT, HALF, FIFTH = "unit", "half", "fifth"
UNIT_FACTORS = {UNIT: Decimal(1), HALF: Decimal("0.5"), FIFTH: Decimal("0.2")}
UNIT_LABELS = {UNIT: "1 单位修约", HALF: "0.5 单位修约", FIFTH: "0.2 单位修约"}

# Bounds keep the arithmetic exact and cheap: no laboratory value has 200 digits, and a step of 1E+60 is a typo.
MAX_DIGITS = 200
MAX_EXPONENT = 60

_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d{1,4})?$")
_SIGNS = str.maketrans({"−": "-", "－": "-", "＋": "+", "．": "."})


class NumberError(ValueError):
    """A number or rounding parameter that cannot be used; the message is Chinese and names what is wrong."""


def to_decimal(value: object, what: str = "数值") -> Decimal:
    """Parse an exact decimal from a string, int or Decimal; floats and anything else are refused."""
    if isinstance(value, bool):
        raise NumberError(f"{what}应为数字字符串，不能是布尔值")
    if isinstance(value, float):
        raise NumberError(f'{what}不能以浮点数给出（{value!r} 在二进制中不精确），请写成字符串，如 "{value}"')
    if isinstance(value, Decimal):
        number = value
    elif isinstance(value, int):
        number = Decimal(value)
    elif isinstance(value, str):
        if len(value) > MAX_DIGITS + 20:
            raise NumberError(f"{what}的位数过多")
        text = value.strip().translate(_SIGNS)
        if not _NUMBER.match(text):
            shown = value if len(value) <= 40 else value[:37] + "…"
            raise NumberError(f"{what}“{shown}”不是有效的数字")
        number = Decimal(text)
    else:
        raise NumberError(f"{what}应为数字字符串，而不是 {type(value).__name__}")
    if not number.is_finite():
        raise NumberError(f"{what}必须是有限的数字")
    digits = len(number.as_tuple().digits)
    if digits > MAX_DIGITS or abs(number.as_tuple().exponent) > MAX_DIGITS:
        raise NumberError(f"{what}的位数过多")
    return number


def decimals_of(number: Decimal) -> int:
    """Digits after the decimal point as written; trailing zeros count ("97.0" → 1), so a limit tells its place."""
    return max(0, -number.as_tuple().exponent)


def step_decimals(step: Decimal) -> int:
    """Decimals a result rounded to `step` is written with: those of the step's value ("0.10" → 1, "20.0" → 0)."""
    return max(0, -step.normalize().as_tuple().exponent)


def _step_parts(step: Decimal) -> tuple[int, int]:
    """(k, n) with step = k × 10ⁿ and k in 1, 2, 5; raises NumberError otherwise."""
    if step <= 0:
        raise NumberError(f"修约间隔必须大于 0，而不是 {step}")
    normal = step.normalize()
    sign, digits, exponent = normal.as_tuple()
    if len(digits) != 1 or digits[0] not in (1, 2, 5):
        raise NumberError(
            f"修约间隔“{step}”不符合 GB/T 8170：应为 10 的整数次幂（如 0.1、1、10），"
            "或其 0.5 单位（如 0.5、5）、0.2 单位（如 0.2、20）"
        )
    if abs(exponent) > MAX_EXPONENT:
        raise NumberError(f"修约间隔“{step}”超出可用范围")
    return digits[0], exponent


def parse_step(step: object, what: str = "修约间隔") -> Decimal:
    """A valid rounding step as a Decimal (1, 2 or 5 times a power of ten), keeping the decimals as written."""
    number = to_decimal(step, what)
    _step_parts(number)
    return number


def effective_step(interval: object, unit: str = UNIT) -> Decimal:
    """The step of rounding at `interval` (a power of ten) by the 1, 0.5 or 0.2 unit: ("1", "half") → 0.5."""
    if unit not in UNIT_FACTORS:
        raise NumberError(f"修约单位“{unit}”无效，应为 unit、half 或 fifth")
    number = parse_step(interval)
    k, _ = _step_parts(number)
    if unit == UNIT:
        return number
    if k != 1:
        raise NumberError(f"{UNIT_LABELS[unit]}的修约间隔应为 10 的整数次幂（如 1、10），而不是“{number}”")
    step = (number * UNIT_FACTORS[unit]).normalize()
    return step.quantize(Decimal(1).scaleb(min(step.as_tuple().exponent, 0)))


def _plain(number: Decimal, places: int) -> Decimal:
    """`number` written with exactly `places` decimals and no exponent; zero without a sign."""
    result = number.quantize(Decimal(1).scaleb(-places))
    return abs(result) if result == 0 else result


def round_to_step(value: object, step: object) -> Decimal:
    """Round `value` to a multiple of `step` by GB/T 8170 (see module docstring)."""
    number = to_decimal(value)
    step_number = parse_step(step)
    k, n = _step_parts(step_number)
    factor = {1: 1, 5: 2, 2: 5}[k]
    interval_exponent = n if k == 1 else n + 1
    places = step_decimals(step_number)
    with localcontext() as ctx:
        # Exact throughout: room for every digit of the value and of the rounded result, plus a carry.
        ctx.prec = max(34, len(number.as_tuple().digits) + 4, number.adjusted() - interval_exponent + 6)
        ctx.Emax, ctx.Emin = 10_000, -10_000
        try:
            scaled = number * factor
            rounded = scaled.quantize(Decimal(1).scaleb(interval_exponent), rounding=ROUND_HALF_EVEN)
            return _plain(rounded / factor, places)
        except InvalidOperation as exc:  # pragma: no cover - bounded inputs keep quantize in range
            raise NumberError(f"无法把 {number} 修约到 {step_number}") from exc


def round_value(value: object, interval: object = "1", unit: str = UNIT) -> Decimal:
    """Round to `interval` (a power of ten) by the 1, 0.5 or 0.2 unit (GB/T 8170 §3.2, §3.3)."""
    return round_to_step(value, effective_step(interval, unit))


def fmt(number: Decimal) -> str:
    """A Decimal written out without exponent, as it is reported."""
    return format(number, "f")
