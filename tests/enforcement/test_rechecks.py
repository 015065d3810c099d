"""复查 through the ordinary chain: the regulator orders it at a sampled step; a new task at the maker gets drawn
inspectors, is sampled, handed over and tested blind; its final conclusion closes or advances the case by itself."""

import dataclasses
import datetime as dt
import json
import uuid

import pytest

from choujian.core.errors import NotPermitted, ServiceError
from choujian.draws.models import Draw
from choujian.draws.verify import verify
from choujian.enforcement import rechecks, services
from choujian.enforcement.models import Case
from choujian.ledger.models import LedgerEntry
from choujian.planning.models import Task
from choujian.sampling import services as sampling
from choujian.testing import objections
from choujian.testing import services as lab
from tests.factories import DEMO_PASSWORD, member
from tests.sampling.conftest import ink, photo
from tests.testing.conftest import activate_rules, seal_and_deliver, value_for

pytestmark = pytest.mark.django_db


def at_recheck(parties) -> Case:
    case = services.case_open(task=parties.field.task, cause="failed")
    case = services.step_take(actor=parties.county, case=case, step="notice", result="done")
    return services.step_take(actor=parties.maker, case=case, step="apply", result="done", note="已整改")


def test_a_recheck_is_a_new_task_at_the_maker_with_drawn_inspectors(parties):
    case = at_recheck(parties)
    with pytest.raises(ServiceError) as by_hand:
        services.step_take(actor=parties.county, case=case, step="recheck", result="passed")
    assert "复查任务" in str(by_hand.value)
    with pytest.raises(NotPermitted):
        rechecks.recheck_order(actor=parties.maker, case=case)
    recheck = rechecks.recheck_order(actor=parties.county, case=case)
    task, original = recheck.task, parties.field.task
    assert task.is_recheck and task.code != original.code and task.delivery is None
    assert (task.enterprise, task.product, task.laboratory) == (
        original.enterprise,
        original.product,
        original.laboratory,
    )
    assert task.status == "assigned" and task.inspectors.count() == 2
    draw = Draw.objects.get(task=task, purpose="inspectors")
    assert "OK" in verify(json.loads(draw.record))  # drawn like any task: anyone can recompute who was sent
    assert LedgerEntry.objects.filter(type="case.recheck_ordered").count() == 1
    with pytest.raises(ServiceError) as twice:
        rechecks.recheck_order(actor=parties.county, case=case)
    assert task.code in str(twice.value)
    assert Case.objects.get(pk=case.pk).stage == "recheck"


def test_only_a_sampled_step_orders_a_recheck_and_not_while_its_clock_stands(parties):
    case = services.case_open(task=parties.field.task, cause="failed")
    with pytest.raises(ServiceError) as not_yet:
        rechecks.recheck_order(actor=parties.county, case=case)
    assert "不是复查" in str(not_yet.value)
    case = at_recheck(parties)
    case = services.step_suspend(actor=parties.county, case=case, reason="企业停产检修，经批准延期")
    with pytest.raises(ServiceError) as stopped:
        rechecks.recheck_order(actor=parties.county, case=case)
    assert "中止" in str(stopped.value)


def test_a_recheck_task_cannot_be_replaced_by_an_alternate(parties):
    from choujian.draws.services import task_replace

    recheck = rechecks.recheck_order(actor=parties.county, case=at_recheck(parties))
    with pytest.raises(ServiceError) as refused:
        task_replace(actor=parties.organiser, task=recheck.task, reason="closed", note="停产", evidence=photo())
    assert "复查任务" in str(refused.value)


@pytest.mark.parametrize("passing", [True, False])
def test_the_laboratory_s_final_conclusion_on_the_recheck_decides_the_step(
    parties, passing, django_capture_on_commit_callbacks
):
    case = at_recheck(parties)
    recheck = rechecks.recheck_order(actor=parties.county, case=case)
    task = Task.objects.get(pk=recheck.task_id)
    field = parties.field
    sampled = dataclasses.replace(field, task=task, samplers=[ti.inspector for ti in task.inspectors.all()])
    activate_rules(field.setting.world.provincial_admin)
    sample = seal_and_deliver(sampled)
    lab_sample = lab.intake_accept(
        actor=field.intake, sample=sample, seals_intact=True, matches_form=True, condition="完好"
    )
    for index, item in enumerate(lab.item_details(lab_sample)):
        values = value_for(item, passing=passing or index > 0)
        lab.result_enter(
            actor=field.tester, lab_sample=lab_sample, item=item["code"], values=values, instrument="WE-01"
        )
    report = lab.report_submit(actor=field.tester, lab_sample=lab_sample)
    reviewer = member(field.setting.lab, "reviewer", username="recheck-reviewer")
    approver = member(field.setting.lab, "approver", username="recheck-approver")
    lab.report_review(actor=reviewer, report=report, approve=True)
    report = lab.report_approve(
        actor=approver, report=report, verify_url=lambda r: f"https://x.example/r/{r.verify_token}/"
    )
    notice = objections.notice_acknowledge(actor=parties.maker, notice=report.notice)
    assert Case.objects.get(pk=case.pk).stage == "recheck"  # not final while an objection may still come
    with django_capture_on_commit_callbacks(execute=True):  # the receivers run once the result is committed
        objections.outcomes_settle(today=notice.objection_due + dt.timedelta(days=1))
    case = Case.objects.get(pk=case.pk)
    assert Case.objects.count() == 1  # the failed 复查 opened no case of its own
    step = case.steps.get(code="recheck")
    assert step.result == ("passed" if passing else "failed") and step.done_by is None and task.code in step.note
    assert (case.status, case.conclusion) == ("closed", "@passed" if passing else "@failed")
    assert case.rechecks.get().judgment == ("pass" if passing else "fail")


def _refuse(task, samplers) -> None:
    sampler = samplers[0]
    record = sampling.record_start(actor=sampler, task=task, client_uuid=uuid.uuid4())
    sampling.record_update(actor=sampler, record=record, refusal_reason="企业负责人拒绝复查抽样")
    sampling.evidence_attach(actor=sampler, record=record, kind="refusal", upload=photo(), client_uuid=uuid.uuid4())
    record.refresh_from_db()
    for signer in samplers:
        sampling.signature_add(
            actor=sampler, record=record, role="sampler", signer=signer, signer_password=DEMO_PASSWORD, image=ink(),
            content_sha256=record.content_sha256, client_uuid=uuid.uuid4(),
        )  # fmt: skip
    sampling.record_refuse(actor=sampler, record=record)


def _ordered(parties) -> tuple[Case, Task]:
    case = at_recheck(parties)
    recheck = rechecks.recheck_order(actor=parties.county, case=case)
    return case, Task.objects.get(pk=recheck.task_id)


def test_a_refused_recheck_sampling_counts_as_failed(parties, django_capture_on_commit_callbacks):
    case, task = _ordered(parties)
    with django_capture_on_commit_callbacks(execute=True):
        _refuse(task, [ti.inspector for ti in task.inspectors.all()])
    case = Case.objects.get(pk=case.pk)
    assert case.conclusion == "@failed" and "拒绝复查抽样" in case.steps.get(code="recheck").note
    assert Case.objects.count() == 1  # the refusal of a 复查 opens no refusal case


def test_the_scheduled_job_takes_in_a_recheck_result_the_moment_missed(parties):
    case, task = _ordered(parties)
    _refuse(task, [ti.inspector for ti in task.inspectors.all()])  # never committed here: no receiver heard it
    assert Case.objects.get(pk=case.pk).stage == "recheck"
    assert services.cases_open_pending() == []  # a 复查 task is not a case of its own
    assert rechecks.rechecks_conclude_pending() == [Case.objects.get(pk=case.pk)]
    assert Case.objects.get(pk=case.pk).conclusion == "@failed"
    assert rechecks.rechecks_conclude_pending() == []
