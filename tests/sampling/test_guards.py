"""Guards of the field workflow: one open alternate request at a time, no editing a form whose task moved on,
handovers only to bodies that can receive, never to oneself, never of a portion already under test."""

import uuid

import pytest

from choujian.accounts.models import Membership
from choujian.core.errors import NotPermitted, ServiceError
from choujian.planning.models import Task
from choujian.sampling import custody, services
from choujian.sampling.models import SamplingRecord
from tests.factories import OrganisationFactory
from tests.sampling.conftest import complete_form, ink, photo, sign_all

pytestmark = pytest.mark.django_db


def _sealed(field):
    sampler = field.samplers[0]
    record = services.record_start(actor=sampler, task=field.task, client_uuid=uuid.uuid4())
    complete_form(record, sampler)
    sign_all(record, sampler, field.samplers)
    return services.record_seal(actor=sampler, record=SamplingRecord.objects.get(pk=record.pk)), sampler


def test_a_second_alternate_request_waits_for_the_first_and_a_sealed_task_is_never_replaced(field):
    sampler = field.samplers[0]
    record = services.record_start(actor=sampler, task=field.task, client_uuid=uuid.uuid4())
    first = services.alternate_request(
        actor=sampler, task=field.task, reason="no_stock", note="暂无库存", client_uuid=uuid.uuid4(), photos=[photo()]
    )
    with pytest.raises(ServiceError) as again:
        services.alternate_request(
            actor=sampler, task=field.task, reason="closed", note="停产", client_uuid=uuid.uuid4(), photos=[photo()]
        )
    assert "task" in again.value.errors
    with pytest.raises(ServiceError):  # the form waits while the organiser decides
        services.record_update(actor=sampler, record=record, batch_no="X")
    services.alternate_decide(actor=field.setting.drafter, request=first, approve=False, note="有库存，继续抽样")
    assert Task.objects.get(pk=field.task.pk).status == "sampling"
    services.record_update(actor=sampler, record=record, batch_no="X")
    with pytest.raises(ServiceError):
        services.alternate_decide(actor=field.setting.drafter, request=first, approve=True)


def test_a_sealed_task_cannot_be_replaced(field):
    from choujian.draws.services import task_replace

    _sealed(field)
    with pytest.raises(ServiceError):
        task_replace(actor=field.setting.drafter, task=field.task, reason="closed", note="x", evidence=photo())


def test_handovers_go_only_to_bodies_that_receive_and_never_to_oneself(field):
    sample, sampler = _sealed(field)
    test_portion = sample.portions.get(kind="test")
    maker = OrganisationFactory(kind="manufacturer", level="", region="350102")
    with pytest.raises(ServiceError) as wrong:
        custody.handover_start(
            actor=sampler,
            sample=sample,
            portions=[test_portion],
            to_org=maker,
            place="x",
            signature=ink(),
            client_uuid=uuid.uuid4(),
        )
    assert "to_org" in wrong.value.errors
    handover = custody.handover_start(
        actor=sampler,
        sample=sample,
        portions=[test_portion],
        to_org=field.setting.lab,
        place="检验中心",
        signature=ink(),
        client_uuid=uuid.uuid4(),
    )
    Membership.objects.create(user=sampler, organisation=field.setting.lab, role="lab_intake")
    sampler = type(sampler).objects.get(pk=sampler.pk)
    with pytest.raises(NotPermitted):
        custody.handover_accept(actor=sampler, handover=handover, seal_intact=True, condition="好", signature=ink())


def test_a_refused_handover_gives_a_stored_backup_back_its_stored_state(field):
    sample, sampler = _sealed(field)
    backup = sample.portions.get(kind="backup")
    custody.portion_store(
        actor=sampler, portion=backup, storage_place="机构备样室", custodian_signature=ink(), client_uuid=uuid.uuid4()
    )
    handover = custody.handover_start(
        actor=sampler,
        sample=sample,
        portions=[backup],
        to_org=field.setting.lab,
        place="检验中心",
        signature=ink(),
        client_uuid=uuid.uuid4(),
    )
    custody.handover_reject(actor=field.intake, handover=handover, reason="未经确认的送样")
    backup.refresh_from_db()
    assert backup.status == "retained" and backup.custodian == sampler


def test_the_giver_withdraws_a_handover_nobody_signed_for(api, field):
    sample, sampler = _sealed(field)
    test_portion = sample.portions.get(kind="test")
    handover = custody.handover_start(
        actor=sampler,
        sample=sample,
        portions=[test_portion],
        to_org=field.setting.lab,
        place="检验中心",
        signature=ink(),
        client_uuid=uuid.uuid4(),
    )
    assert Task.objects.get(pk=field.task.pk).status == "in_transit"
    url = f"/api/v1/handovers/{handover.public_id}/withdraw/"
    assert api(field.intake).post(url, {"reason": "不是我"}).status_code in (403, 404)
    assert api(sampler).post(url, {}).status_code == 400
    withdrawn = api(sampler).post(url, {"reason": "接收单位选错"})
    assert withdrawn.status_code == 200 and withdrawn.json()["status"] == "withdrawn"
    test_portion.refresh_from_db()
    assert test_portion.status == "sealed" and test_portion.custodian == sampler
    assert Task.objects.get(pk=field.task.pk).status == "sealed"
    with pytest.raises(ServiceError):
        custody.handover_accept(
            actor=field.intake, handover=handover, seal_intact=True, condition="好", signature=ink()
        )
