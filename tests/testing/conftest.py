"""A sample received by the laboratory (sealed on site, handed over, signed for), the rules in force, and the
laboratory's four people; plus values that pass or fail an item's limit."""

import uuid
from dataclasses import dataclass

import pytest

from choujian.demo.values import example_values
from choujian.rules.models import RuleSet
from choujian.rules.services import ruleset_activate, ruleset_load_files
from choujian.sampling import custody, services
from choujian.sampling.models import Sample, SamplingRecord
from tests.factories import OrganisationFactory, member
from tests.sampling import conftest as sampling

setting = sampling.setting
field = sampling.field


def value_for(item: dict, passing: bool = True) -> list[str]:
    return example_values(item, passing=passing)


@dataclass
class Lab:
    field: object
    sample: Sample
    intake: object
    tester: object
    reviewer: object
    approver: object
    party: object
    other_lab: object
    other_intake: object


def activate_rules(admin) -> None:
    ruleset_load_files(actor=admin)
    for ruleset in RuleSet.objects.filter(status="draft"):
        ruleset_activate(actor=admin, ruleset=ruleset)


def seal_and_deliver(field) -> Sample:
    sampler = field.samplers[0]
    record = services.record_start(actor=sampler, task=field.task, client_uuid=uuid.uuid4())
    sampling.complete_form(record, sampler)
    sampling.sign_all(record, sampler, field.samplers)
    sample = services.record_seal(actor=sampler, record=SamplingRecord.objects.get(pk=record.pk))
    handover = custody.handover_start(
        actor=sampler,
        sample=sample,
        portions=[sample.portions.get(kind="test")],
        to_org=field.setting.lab,
        place="检验中心样品室",
        signature=sampling.ink(),
        client_uuid=uuid.uuid4(),
    )
    custody.handover_accept(
        actor=field.intake, handover=handover, seal_intact=True, condition="完好", signature=sampling.ink()
    )
    return Sample.objects.get(pk=sample.pk)


@pytest.fixture
def lab(field) -> Lab:
    activate_rules(field.setting.world.provincial_admin)
    maker = OrganisationFactory(kind="manufacturer", level="", region="350102", name="被抽查钢绞线厂")
    enterprise = field.task.enterprise
    type(enterprise).objects.filter(pk=enterprise.pk).update(organisation=maker)
    other = OrganisationFactory(kind="laboratory", level="", region="350100", name="复检检测中心")
    sample = seal_and_deliver(field)
    return Lab(
        field=field,
        sample=sample,
        intake=field.intake,
        tester=field.tester,
        reviewer=member(field.setting.lab, "reviewer", username="reviewer"),
        approver=member(field.setting.lab, "approver", username="approver"),
        party=member(maker, "enterprise_staff", username="maker"),
        other_lab=other,
        other_intake=member(other, "lab_intake", username="otherintake"),
    )
