"""What the implementation rules (实施细则) of a category ask of sampling: quantities and the minimum lot size."""

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from choujian.registry.models import ProductCategory


@dataclass(frozen=True)
class Requirements:
    unit: str = ""
    test_quantity: str = "1"
    backup_quantity: str = "1"
    backup_portions: int = 1
    min_lot: Decimal | None = None
    min_lot_unit: str = ""
    rule: str = ""  # "title version", or "" when no rule is in force (defaults: 1 test + 1 backup, no minimum)


def requirements_for(category: ProductCategory) -> Requirements:
    """The sampling section of the rule version in force for the category (or the nearest parent category)."""
    from choujian.rules.selectors import ruleset_in_force_for

    ruleset = ruleset_in_force_for(category)
    if ruleset is None:
        return Requirements()
    return _from_content(ruleset.content.get("sampling") or {}, f"{ruleset.title} {ruleset.rule_version}")


def _from_content(sampling: dict, rule: str) -> Requirements:
    unit = str(sampling.get("unit") or "")
    min_lot = sampling.get("min_lot") or {}
    try:
        minimum = Decimal(str(min_lot["quantity"])) if min_lot.get("quantity") not in (None, "") else None
    except (InvalidOperation, KeyError, TypeError):
        minimum = None
    portions = sampling.get("backup_portions", 1)
    return Requirements(
        unit=unit,
        test_quantity=f"{sampling.get('test_quantity', 1)} {unit}".strip(),
        backup_quantity=f"{sampling.get('backup_quantity', 1)} {unit}".strip(),
        backup_portions=portions if isinstance(portions, int) and 0 <= portions <= 4 else 1,
        min_lot=minimum,
        min_lot_unit=str(min_lot.get("unit") or unit),
        rule=rule,
    )
