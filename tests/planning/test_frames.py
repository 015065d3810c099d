"""Frames built from the demo registry: what a lower level may not check again, closed makers, risk weights.

The demo (built once for the module, rolled back afterwards) has the province's drawn plan (its tasks are recent
sampling, and its frame is frozen) and its bridge-bearing plan with a frozen frame, waiting in its ceremony. A
city regulator below the province then builds a frame for the same products.
"""

from datetime import timedelta
from itertools import count

import pytest
from django.utils import timezone

from choujian.accounts import services as accounts
from choujian.accounts.models import Organisation, User
from choujian.demo.plans import DRAWN_PLAN, WAITING_PLAN
from choujian.draws import services as draws
from choujian.draws.models import FrameItem
from choujian.planning.models import Plan, Task
from choujian.planning.services import plan_approve, plan_create, plan_line_add, plan_submit
from choujian.registry.models import Product, ProductCategory

_numbers = count(1)
QUANZHOU = "350500"  # a city with a demo regulator, 道路交通标志板 tasks of the province and two closed makers


def _person(organisation: Organisation, role: str, username: str) -> User:
    user = accounts.user_create(actor=None, username=username, password="frames-test-Pa55", display_name=username)
    accounts.membership_grant(actor=None, user=user, organisation=organisation, role=role)
    return User.objects.get(pk=user.pk)


def _approved_plan(regulator: Organisation, region: str, lines: list[str], **fields) -> tuple[Plan, User]:
    number = next(_numbers)
    drafter = _person(regulator, "regulator_officer", f"frames-drafter{number}")
    approver = _person(regulator, "regulator_admin", f"frames-approver{number}")
    plan = plan_create(
        actor=drafter,
        regulator=regulator,
        name="交通工程产品质量监督抽查",
        year=Plan.objects.get(name=DRAWN_PLAN).year,
        region=region,
        participants=["监管代表", "社会监督员"],
        **fields,
    )
    agency = Organisation.objects.filter(kind="sampling_agency").order_by("name").first()
    laboratory = Organisation.objects.filter(kind="laboratory").order_by("name").first()
    for code in lines:
        plan_line_add(
            actor=drafter,
            plan=plan,
            category=ProductCategory.objects.get(code=code),
            quota=2,
            sampling_mode="production",
            agency=agency,
            laboratory=laboratory,
        )
    plan_submit(actor=drafter, plan=plan)
    return plan_approve(actor=approver, plan=Plan.objects.get(pk=plan.pk)), drafter


@pytest.mark.django_db
def test_it_excludes_recent_samples_closed_makers_and_higher_plans_with_their_reasons(demo):
    province_plan = Plan.objects.get(name=DRAWN_PLAN)
    waiting_plan = Plan.objects.get(name=WAITING_PLAN)
    recent, older = province_plan.tasks.filter(stratum=f"JT-0104/{QUANZHOU}").exclude(status="replaced")
    # Drawn before the city's look-back window: what keeps it out now is the province's current plan itself.
    Task.objects.filter(pk=older.pk).update(drawn_at=timezone.now() - timedelta(days=200))
    city = Organisation.objects.get(kind="regulator", region=QUANZHOU)
    plan, drafter = _approved_plan(city, QUANZHOU, ["JT-0104", "JT-0203"])

    frame = draws.frame_build(actor=drafter, plan=plan)

    reasons = dict(frame.exclusions.values_list("product_id", "reason"))
    province = province_plan.regulator.name
    assert reasons[recent.product_id] == f"180 天内已被 {province} 抽查（任务 {recent.code}）"
    assert reasons[older.product_id] == f"已被上级计划 {province_plan.code} 抽取（任务 {older.code}）"
    closed = Product.objects.filter(
        category__code="JT-0104", enterprise__region__startswith="3505", enterprise__status="closed"
    )
    assert closed.exists()
    assert all(reasons[product.pk] == "企业状态为“停产/歇业”" for product in closed)
    framed_above = set(
        FrameItem.objects.filter(
            frame__plan=waiting_plan, product__category__code="JT-0203", enterprise__region__startswith="3505"
        ).values_list("product_id", flat=True)
    )
    assert framed_above
    assert all(reasons[pk] == f"已纳入上级计划 {waiting_plan.code} 的抽样框" for pk in framed_above)
    excluded = set(reasons) & set(frame.items.values_list("product_id", flat=True))
    assert not excluded, "an excluded product is in the frame"
    assert frame.exclusions.filter(reason__contains="上级计划").count() >= 2


@pytest.mark.django_db
def test_it_weights_enterprises_with_past_nonconformities_in_risk_based_plans(demo):
    province_plan = Plan.objects.get(name=DRAWN_PLAN)
    task = (
        province_plan.tasks.filter(line__category__code="JT-0303").exclude(status="replaced").order_by("code").first()
    )
    # A non-conforming result, sampled long enough ago that the product is eligible again.
    Task.objects.filter(pk=task.pk).update(outcome="nonconforming", drawn_at=timezone.now() - timedelta(days=400))
    province = province_plan.regulator

    weighted, drafter = _approved_plan(province, province.region, ["JT-0303"], risk_based=True)
    frame = draws.frame_build(actor=drafter, plan=weighted)
    item = frame.items.get(product_id=task.product_id)
    assert (item.weight, item.weight_reason) == (3, "历史不合格 1 次")  # base 1 + 2 per non-conformity
    others = frame.items.exclude(enterprise_id=task.enterprise_id)
    assert others.exists() and set(others.values_list("weight", flat=True)) == {1}

    plain, drafter = _approved_plan(province, province.region, ["JT-0303"])
    frame = draws.frame_build(actor=drafter, plan=plain)
    assert set(frame.items.values_list("weight", flat=True)) == {1}


@pytest.mark.django_db
def test_it_applies_the_plans_own_risk_rule(demo):
    province_plan = Plan.objects.get(name=DRAWN_PLAN)
    task = (
        province_plan.tasks.filter(line__category__code="JT-0303").exclude(status="replaced").order_by("code").first()
    )
    Task.objects.filter(pk=task.pk).update(outcome="nonconforming", drawn_at=timezone.now() - timedelta(days=400))
    rule = {"base": 1, "per_nonconformity": 5, "max": 4}
    plan, drafter = _approved_plan(province_plan.regulator, "350000", ["JT-0303"], risk_based=True, risk_rule=rule)
    item = draws.frame_build(actor=drafter, plan=plan).items.get(product_id=task.product_id)
    assert item.weight == 4  # 1 + 5 capped at the rule's maximum
