"""A drawn task in Fujian whose enterprise has staff, ready to become a case (see tests.sampling.conftest)."""

from dataclasses import dataclass

import pytest

from tests.factories import OrganisationFactory, member
from tests.sampling import conftest as sampling

setting = sampling.setting
field = sampling.field


@dataclass
class Parties:
    field: object
    organiser: object  # the province's officer who organised the plan
    county: object  # the officer of the enterprise's county
    maker: object  # the enterprise's staff
    outsider: object  # another enterprise's staff


@pytest.fixture
def parties(field) -> Parties:
    world = field.setting.world
    maker_org = OrganisationFactory(kind="manufacturer", level="", region="350102", name="被抽查钢绞线厂")
    enterprise = field.task.enterprise
    type(enterprise).objects.filter(pk=enterprise.pk).update(organisation=maker_org)
    field.task.refresh_from_db()
    other_org = OrganisationFactory(kind="manufacturer", level="", region="350102", name="别的厂")
    county = world.county if enterprise.region == world.county.region else world.other_county
    return Parties(
        field=field,
        organiser=world.provincial_officer,
        county=member(county, "regulator_officer", username="county-officer"),
        maker=member(maker_org, "enterprise_staff", username="maker"),
        outsider=member(other_org, "enterprise_staff", username="outsider"),
    )
