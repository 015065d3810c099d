"""A sample received by the laboratory (sealed on site, handed over, signed for), the rules in force, and the
laboratory's four people; plus values that pass or fail an item's limit."""

import uuid
from dataclasses import dataclass
from decimal import Decimal

import pytest

from choujian.rules import judgment
from choujian.rules.models import RuleSet
from choujian.rules.services import ruleset_activate, ruleset_load_files
from choujian.sampling import custody, services
from choujian.sampling.models import Sample, SamplingRecord
from tests.factories import OrganisationFactory, member
from tests.sampling import conftest as sampling

setting = sampling.setting
field = sampling.field


def value_for(item: dict, passing: bool = True) -> list[str]:
    """Replicate values inside (or outside) an item's limit, written to its rounding step."""
    limit = judgment.parse_limit(item["limit"])
    if limit.qualitative:
        return ["合格" if passing else "不合格"] * item["replicates"]
    if limit.low is not None and limit.high is not None:
        inside, outside = (limit.low + limit.high) / 2, limit.high + abs(limit.high - limit.low) + 1
    elif limit.low is not None:
        inside, outside = limit.low * Decimal("1.2") + 1, limit.low - abs(limit.low) * Decimal("0.5") - 1
    else:
        inside, outside = limit.high / 2 if limit.high > 0 else limit.high - 1, limit.high * 2 + 1
    step = Decimal(item["step"]) if item.get("step") else Decimal("0.01")
    number = (inside if passing else outside).quantize(step if step < 1 else Decimal(1))
    return [str(number)] * item["replicates"]


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
