"""A province ready to plan: registry rows, an agency with qualified samplers, a laboratory, two admins."""

from dataclasses import dataclass

import pytest

from choujian.planning.models import InspectorQualification, Plan, PlanLine
from choujian.planning.services import plan_approve, plan_create, plan_line_add, plan_submit
from choujian.registry.models import ProductCategory
from tests.factories import CategoryFactory, EnterpriseFactory, OrganisationFactory, ProductFactory, member


@dataclass
class Setting:
    world: object
    category: ProductCategory
    agency: object
    lab: object
    samplers: list
    drafter: object
    approver: object


@pytest.fixture
def setting(world) -> Setting:
    category = CategoryFactory(code="JT-0101", name="预应力钢绞线")
    for n in range(12):
        enterprise = EnterpriseFactory(region="350102" if n % 2 else "350103", name=f"钢绞线企业{n:02d}")
        ProductFactory(enterprise=enterprise, category=category)
    agency = OrganisationFactory(kind="sampling_agency", level="", region="350100", name="闽安抽样")
    lab = OrganisationFactory(kind="laboratory", level="", region="350100", name="省交通检测中心")
    samplers = [member(agency, "sampler", username=f"s{n}") for n in range(4)]
    for sampler in samplers:
        InspectorQualification.objects.create(inspector=sampler, category=category)
    drafter = member(world.province, "regulator_admin", username="drafter")
    rules_in_force(world.provincial_admin, category.code)
    return Setting(world, category, agency, lab, samplers, drafter, world.provincial_admin)


def rules_in_force(admin, *codes: str) -> None:
    """The shipped implementation rules of these categories put in force: a plan cannot be approved without them."""
    from choujian.rules import schema
    from choujian.rules.services import ruleset_activate, ruleset_create

    for name, content in schema.load_directory(schema.DATA_DIR):
        if content["category"]["code"] in codes:
            ruleset = ruleset_create(actor=admin, content=content, source_file=name)
            ruleset_activate(actor=admin, ruleset=ruleset)


def approved_plan(setting: Setting, quota: int = 3, **line) -> Plan:
    plan = plan_create(
        actor=setting.drafter,
        regulator=setting.world.province,
        name="2026年预应力钢绞线监督抽查",
        year=2026,
        region="350000",
        participants=["林监管", "王见证"],
    )
    plan_line_add(
        actor=setting.drafter,
        plan=plan,
        category=setting.category,
        quota=quota,
        sampling_mode="production",
        agency=setting.agency,
        laboratory=setting.lab,
        **line,
    )
    plan_submit(actor=setting.drafter, plan=plan)
    return plan_approve(actor=setting.approver, plan=Plan.objects.get(pk=plan.pk))


__all__ = ["approved_plan", "rules_in_force", "PlanLine"]


def link_token(participant) -> str:
    """Issue a participant's personal link as the plan's drafter does on the ceremony page; returns its token."""
    from choujian.draws.services import ceremony_link_issue

    plan = participant.ceremony.plan
    return ceremony_link_issue(actor=plan.drafted_by, participant=participant)
