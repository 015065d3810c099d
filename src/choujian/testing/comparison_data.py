"""The laboratory comparison data set: every finished re-test pairs two laboratories' results on the same sample,
item by item (see `comparison` for the statistics)."""

from decimal import Decimal, InvalidOperation

from choujian.testing.choices import RetestStatus
from choujian.testing.comparison import Pair, performance, summarise
from choujian.testing.models import LabSample
from choujian.testing.selectors import retests_visible_to
from choujian.testing.services import current_results, item_details


def _number(result) -> float | None:
    for text in (result.combined, result.rounded, *(result.values or [])[:1]):
        try:
            return float(Decimal(str(text)))
        except (InvalidOperation, ValueError, TypeError):
            continue
    return None


def pairs_from(retests) -> list[Pair]:
    pairs = []
    for retest in retests:
        original = LabSample.objects.filter(portion__sample=retest.sample, is_retest=False).first()
        again = LabSample.objects.filter(portion=retest.portion, is_retest=True).first()
        if original is None or again is None:
            continue
        first, second = current_results(original), current_results(again)
        names = {item["code"]: item["name"] for item in item_details(original)}
        for item in sorted(set(first) & set(second)):
            a, b = _number(first[item]), _number(second[item])
            if a is None or b is None:
                continue
            agreed = first[item].judgment == second[item].judgment
            name = names.get(item, item)
            pairs.append(Pair(original.laboratory.name, name, a, b, agreed))
            pairs.append(Pair(again.laboratory.name, name, b, a, agreed))
    return pairs


def laboratory_comparison(user) -> dict:
    retests = retests_visible_to(user).filter(status=RetestStatus.STATUS_DONE)
    stats = summarise(pairs_from(retests))
    return {
        "retests": retests.count(),
        "rows": [
            {
                "laboratory": s.laboratory,
                "item": s.item,
                "count": s.count,
                "agreement_rate": s.agreement_rate,
                "mean_relative_difference": s.mean_relative_difference,
                "z": s.z,
                "performance": performance(s.z),
                "note": s.note,
            }
            for s in stats
        ],
    }
