"""A drawn task in Fujian whose enterprise has staff, ready to become a case (see tests.sampling.conftest)."""

from dataclasses import dataclass
from decimal import Decimal

import pytest

from choujian.enforcement import rechecks, services
from choujian.planning.models import Task
from tests.factories import DeliveryFactory, OrganisationFactory, SectionFactory, member
from tests.sampling import conftest as sampling

setting = sampling.setting
field = sampling.field


@dataclass
class Parties:
    field: object
    organiser: object  # the province's officer who organised the plan
    county: object  # the officer of the enterprise's county
    county_colleague: object  # a second officer of that county
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
        county_colleague=member(county, "regulator_admin", username="county-admin"),
        maker=member(maker_org, "enterprise_staff", username="maker"),
        outsider=member(other_org, "enterprise_staff", username="outsider"),
    )


@pytest.fixture
def site(parties):
    """The same failure on a construction site: the task's lot was delivered to a section (moved there straight in
    the database, so tests using it are marked `tampers`)."""
    owner = OrganisationFactory(kind="owner", name="福建高速建设公司")
    section = SectionFactory(
        project__owner=owner, contractor__name="中铁某局", supervisor__name="某监理公司",
        contract_price=Decimal("12000000.00"),
    )  # fmt: skip
    task = parties.field.task
    delivery = DeliveryFactory(section=section, product=task.product, quantity=Decimal("25.000"))
    Task.objects.filter(pk=task.pk).update(delivery=delivery)
    task.refresh_from_db()
    people = {
        "contractor": member(section.contractor, "contractor_staff", username="site-contractor"),
        "supervisor": member(section.supervisor, "supervisor_staff", username="site-supervisor"),
        "owner": member(owner, "owner_staff", username="site-owner"),
    }
    case = services.case_open(task=task, cause="failed")
    return {"case": case, "section": section, "parties": parties, **people}


def recheck(case, officer, judgment: str, today=None):
    """A 复查 ordered and its sampling task's final conclusion ("pass" or "fail") taken into the case, as the receiver
    does when the laboratory's result becomes final (the whole chain: test_rechecks)."""
    ordered = rechecks.recheck_order(actor=officer, case=case, today=today)
    return rechecks.recheck_conclude(task=ordered.task, judgment=judgment, today=today)
