"""The monthly rollups give the dashboards exactly what counting the results gives, whatever part of the results
has been rolled up, for any date range (whole months, partial months at either end, one day), for the country and
for a province; a county reads the results themselves and sees only its own."""

import datetime as dt
import random

import pytest

from choujian.analytics import rollups, selectors
from choujian.analytics.models import ResultFact, ResultRollup
from tests.factories import OrganisationFactory, member

pytestmark = pytest.mark.django_db
REGIONS = ["350102", "350203", "350582", "360102", "360403", "330106"]
CATEGORIES = [("JT-0101", "波形梁钢护栏"), ("JT-0303", "预应力混凝土用钢绞线"), ("JT-0403", "土工合成材料")]


def _facts(rng: random.Random, n: int) -> None:
    rows = []
    for _ in range(n):
        region = rng.choice(REGIONS)
        code, name = rng.choice(CATEGORIES)
        refused = rng.random() < 0.05
        rows.append(ResultFact(
            source="imported", final_on=dt.date(2025, 1, 1) + dt.timedelta(days=rng.randrange(500)),
            enterprise_name="企业", uscc="91350100MA2Y0000X0", region=region, category_code=code, category_name=name,
            laboratory=rng.choice(["福建检测院", "江西检测院"]),
            regulator_region=rng.choice([region[:2] + "0000", region]),
            recheck=rng.random() < 0.05, refused=refused, passed=not refused and rng.random() > 0.15,
        ))  # fmt: skip
    rollups.pending(ResultFact.objects.bulk_create(rows))


def _expected(user, by: str, level: int, date_from, date_to) -> dict:
    """Counting the visible results one by one."""
    found: dict = {}
    for fact in selectors.facts_visible_to(user).filter(recheck=False):
        if (date_from and fact.final_on < date_from) or (date_to and fact.final_on > date_to):
            continue
        key = {"category": fact.category_code, "lab": fact.laboratory, "region": fact.region[:level].ljust(6, "0"),
               "month": f"{fact.final_on:%Y-%m}",
               "quarter": f"{fact.final_on.year}-Q{(fact.final_on.month - 1) // 3 + 1}"}[by]  # fmt: skip
        entry = found.setdefault(key, [0, 0, 0])
        entry[0] += not fact.refused
        entry[1] += not fact.refused and not fact.passed
        entry[2] += fact.refused
    return found


RANGES = [
    (None, None), (dt.date(2025, 3, 1), dt.date(2025, 8, 31)), (dt.date(2025, 3, 17), dt.date(2025, 9, 2)),
    (dt.date(2025, 2, 10), dt.date(2025, 2, 20)), (dt.date(2025, 12, 31), dt.date(2025, 12, 31)),
    (None, dt.date(2025, 6, 15)), (dt.date(2025, 11, 2), None), (dt.date(2025, 4, 30), dt.date(2025, 5, 1)),
]  # fmt: skip


def test_the_rollups_count_what_the_results_count_at_every_stage_of_rolling_up():
    rng = random.Random(7)
    nation = member(OrganisationFactory(level="national", region="100000"), "regulator_officer")
    province = member(OrganisationFactory(level="province", region="350000"), "regulator_officer")
    county = member(OrganisationFactory(level="county", region="350582"), "regulator_officer")
    _facts(rng, 400)
    for stage in ("none rolled up", "all rolled up", "some rolled up"):
        if stage == "all rolled up":
            assert rollups.rollups_refresh() == 400 and ResultRollup.objects.exists()
        if stage == "some rolled up":
            _facts(rng, 150)  # arrived after the last refresh
        for user in (nation, province, county):
            for by in ("category", "lab", "region", "month", "quarter"):
                for date_from, date_to in RANGES:
                    level = 4 if by == "region" else 6
                    rates = selectors.pass_rates(user, by, region_level="city", date_from=date_from, date_to=date_to)
                    got = {r.key: [r.lots, r.failed, r.refused] for r in rates}
                    assert got == _expected(user, by, level, date_from, date_to), (stage, user, by, date_from, date_to)
    assert rollups.rollups_refresh() == 150 and rollups.rollups_refresh() == 0


def test_a_county_never_reads_the_rollups_and_a_province_reads_only_its_own():
    from choujian.analytics.policy import rollups_cover
    from choujian.core.policy import VIEW, restrict

    _facts(random.Random(3), 200)
    rollups.rollups_refresh()
    county = member(OrganisationFactory(level="county", region="350582"), "regulator_officer")
    province = member(OrganisationFactory(level="province", region="360000"), "regulator_officer")
    assert not rollups_cover(county) and rollups_cover(province)
    assert not restrict(ResultRollup.objects.all(), county, VIEW).exists()
    seen = restrict(ResultRollup.objects.all(), province, VIEW)
    assert seen.exists() and all("36" in (r.province, r.regulator_province) for r in seen)


@pytest.mark.django_db(transaction=True)
def test_the_workers_job_rolls_up_in_transactions_of_its_own():
    """As the scheduled job runs it: no caller's transaction (on PostgreSQL each chunk takes one snapshot)."""
    nation = member(OrganisationFactory(level="national", region="100000"), "regulator_officer")
    _facts(random.Random(11), 120)
    assert rollups.rollups_refresh() == 120
    assert not rollups.PendingFact.objects.exists()
    rates = selectors.pass_rates(nation, "category")
    assert {r.key: [r.lots, r.failed, r.refused] for r in rates} == _expected(nation, "category", 6, None, None)
