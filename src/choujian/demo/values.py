"""Made-up measured values for the demo and the tests: inside an item's limit (or, on purpose, outside it)."""

from decimal import Decimal

from choujian.rules import judgment


def example_values(item: dict, *, passing: bool = True) -> list[str]:
    """`item["replicates"]` values for an item of `testing.services.item_details`, written to its rounding step."""
    limit = judgment.parse_limit(item["limit"])
    if limit.qualitative:
        return ["合格" if passing else "不合格"] * item["replicates"]
    if limit.low is not None and limit.high is not None:
        inside, outside = (limit.low + limit.high) / 2, limit.high + abs(limit.high - limit.low) + 1
    elif limit.low is not None:
        inside, outside = limit.low * Decimal("1.2") + 1, limit.low - abs(limit.low) * Decimal("0.5") - 1
    else:
        inside = limit.high / 2 if limit.high > 0 else limit.high - 1
        outside = limit.high * 2 + 1
    step = Decimal(str(item["step"])) if item.get("step") else Decimal("0.01")
    number = (inside if passing else outside).quantize(step if step < 1 else Decimal(1))
    return [str(number)] * item["replicates"]
