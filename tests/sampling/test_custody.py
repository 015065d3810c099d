"""After sealing: delivery deadlines on the working-day calendar, overdue samples, retained portions, handovers and
their ledger entries, alternate requests, the label scan page and the inspected party's own copy."""

import datetime as dt
import uuid

import chinese_calendar
import pytest
from django.utils import timezone

from choujian.core.errors import NotPermitted, ServiceError
from choujian.planning.models import Task
from choujian.sampling import custody, selectors, services
from choujian.sampling.models import AlternateRequest, Sample, SamplingRecord, Signature
from tests.factories import OrganisationFactory, member
from tests.ledger_entries import entries_data
from tests.sampling.conftest import complete_form, face, ink, photo, sha, sign_all

pytestmark = pytest.mark.django_db


def _sealed(field) -> tuple[Sample, object]:
    sampler = field.samplers[0]
    record = services.record_start(actor=sampler, task=field.task, client_uuid=uuid.uuid4())
    complete_form(record, sampler)
    sign_all(record, sampler, field.samplers)
    return services.record_seal(actor=sampler, record=SamplingRecord.objects.get(pk=record.pk)), sampler


def _data(obj, type_: str) -> list[dict]:
    return entries_data(obj, type_)


def test_the_delivery_deadline_skips_public_holidays_and_counts_make_up_days(field):
    field.plan.delivery_working_days = 5
    sealed_on = dt.date(2026, 9, 29)  # the Tuesday before National Day
    due, note = services._delivery_due(Sample(code="CJ-2026-999999", task=field.task), sealed_on)
    day, counted = sealed_on, 0
    while counted < 5:
        day += dt.timedelta(days=1)
        counted += chinese_calendar.is_workday(day)
    assert due == day
    assert due > sealed_on + dt.timedelta(days=7)  # plain weekdays would end on 2026-10-06
    assert all(not chinese_calendar.is_holiday(d) for d in [due])
    assert "5 个工作日" in note


def test_a_deadline_beyond_the_entered_holidays_is_a_provisional_date(field):
    from choujian.workcalendar.selectors import deadline_display

    sample = Sample(code="CJ-2026-999998", task=field.task)
    due, note = services._delivery_due(sample, dt.date(2030, 12, 30))
    assert due > dt.date(2030, 12, 30)
    assert deadline_display(sample, "delivery_due") == f"{due:%Y-%m-%d}（暂定，待2030年节假日安排公布后确认）"


@pytest.mark.tampers  # a shortcut to the state under test, written straight into the database
def test_overdue_samples_are_listed_for_the_regulator(field):
    sample, _ = _sealed(field)
    assert not selectors.overdue_samples(field.setting.drafter).exists()
    Sample.objects.filter(pk=sample.pk).update(delivery_due=timezone.localdate() - dt.timedelta(days=1))
    assert list(selectors.overdue_samples(field.setting.drafter)) == [Sample.objects.get(pk=sample.pk)]
    assert not selectors.overdue_samples(field.tester).exists()


@pytest.mark.tampers  # a shortcut to the state under test, written straight into the database
def test_a_backup_kept_on_a_construction_site_needs_owner_and_supervisor_signatures(field):
    sample, sampler = _sealed(field)
    SamplingRecord.objects.filter(pk=sample.record_id).update(place_kind="site")
    backup = sample.portions.get(kind="backup")
    with pytest.raises(ServiceError) as missing:
        custody.portion_store(
            actor=sampler,
            portion=backup,
            storage_place="工地试验室",
            custodian_signature=ink(),
            client_uuid=uuid.uuid4(),
        )
    assert "signatures" in missing.value.errors
    with pytest.raises(NotPermitted):
        custody.portion_store(
            actor=field.samplers[1],
            portion=backup,
            storage_place="工地试验室",
            custodian_signature=ink(),
            client_uuid=uuid.uuid4(),
        )
    stored = custody.portion_store(
        actor=sampler,
        portion=backup,
        storage_place="工地试验室 2 号柜",
        custodian_signature=ink(),
        client_uuid=uuid.uuid4(),
        owner_signature=ink(),
        owner_name="李明辉",
        supervisor_signature=ink(),
        supervisor_name="周振宇",
    )
    assert stored.status == "retained" and stored.storage_place == "工地试验室 2 号柜"
    entry = _data(stored, "portion.stored")[-1]
    assert sorted(s["role"] for s in entry["signatures"]) == ["custodian", "owner_witness", "supervisor_witness"]
    stored_hashes = {s.image_sha256 for s in Signature.objects.filter(portion=stored)}
    assert {s["image_sha256"] for s in entry["signatures"]} == stored_hashes


def test_every_handover_step_is_ledgered_with_its_file_hashes(field):
    sample, sampler = _sealed(field)
    signature, picture = ink(), photo("交接.jpg")
    handover = custody.handover_start(
        actor=sampler,
        sample=sample,
        portions=[sample.portions.get(kind="test")],
        to_org=field.setting.lab,
        place="检验中心",
        signature=signature,
        client_uuid=uuid.uuid4(),
        photos=[picture],
    )
    started = _data(handover, "handover.started")[-1]["state"]
    assert sha(picture) in [e["sha256"] for e in started["evidence"]]
    assert sha(signature) in [s["image_sha256"] for s in started["signatures"]]
    assert Task.objects.get(pk=field.task.pk).status == "in_transit"
    receipt = ink()
    custody.handover_accept(
        actor=field.intake, handover=handover, seal_intact=True, condition="完好", signature=receipt
    )
    accepted = _data(handover, "handover.accepted")[-1]["state"]
    assert sha(receipt) in [s["image_sha256"] for s in accepted["signatures"]] and accepted["seal_intact"] is True
    test_portion = sample.portions.get(kind="test")
    assert test_portion.custodian == field.intake and test_portion.status == "received"
    assert _data(sample, "sample.status_changed")[-1]["to"] == "received"


def test_a_broken_seal_needs_a_photo_and_a_refusal_returns_the_portion(field):
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
    with pytest.raises(ServiceError) as no_photo:
        custody.handover_accept(
            actor=field.intake, handover=handover, seal_intact=False, condition="封条撕裂", signature=ink()
        )
    assert "photos" in no_photo.value.errors
    custody.handover_reject(actor=field.intake, handover=handover, reason="封条撕裂", photos=[photo()])
    test_portion.refresh_from_db()
    assert test_portion.custodian == sampler and test_portion.status == "sealed"
    assert Sample.objects.get(pk=sample.pk).status == "sealed"
    assert Task.objects.get(pk=field.task.pk).status == "sealed"


def test_an_alternate_request_is_decided_by_the_organiser(field):
    sampler = field.samplers[0]
    key = uuid.uuid4()
    request = services.alternate_request(
        actor=sampler, task=field.task, reason="trial_sample", note="均标注试制品", client_uuid=key, photos=[photo()]
    )
    again = services.alternate_request(
        actor=sampler, task=field.task, reason="trial_sample", note="均标注试制品", client_uuid=key, photos=[photo()]
    )
    assert again.pk == request.pk and AlternateRequest.objects.count() == 1
    assert Task.objects.get(pk=field.task.pk).status == "alternate_requested"
    with pytest.raises(NotPermitted):
        services.alternate_decide(actor=sampler, request=request, approve=True)
    services.alternate_decide(actor=field.setting.drafter, request=request, approve=True, note="同意")
    replaced = Task.objects.get(pk=field.task.pk)
    assert replaced.status == "replaced"
    assert Task.objects.get(replaces=replaced).inspectors.count() == 2


def test_a_declined_request_sends_the_sampler_back_to_sample(field):
    sampler = field.samplers[0]
    request = services.alternate_request(
        actor=sampler, task=field.task, reason="no_stock", note="仓库暂无", client_uuid=uuid.uuid4(), photos=[photo()]
    )
    with pytest.raises(ServiceError):
        services.alternate_decide(actor=field.setting.drafter, request=request, approve=False)
    services.alternate_decide(actor=field.setting.drafter, request=request, approve=False, note="现场有库存，继续抽样")
    assert Task.objects.get(pk=field.task.pk).status == "assigned"


def test_the_label_page_tells_the_public_only_whether_the_label_is_genuine(client, field):
    sample, _ = _sealed(field)
    portion = sample.portions.get(kind="test")
    page = client.get(f"/q/{sample.code}/{portion.label_token}/")
    text = page.content.decode()
    assert page.status_code == 200 and "标签真实有效" in text and sample.code in text
    for secret in (field.task.enterprise.name, field.task.enterprise.uscc, field.task.product.name):
        assert secret not in text
    forged = client.get(f"/q/{sample.code}/{'x' * 32}/")
    assert forged.status_code == 404 and "无法核验" in forged.content.decode()


def test_the_inspected_party_downloads_its_own_copy_only(api, field):
    sample, _ = _sealed(field)
    maker = OrganisationFactory(kind="manufacturer", level="", region="350102", name="钢绞线企业")
    enterprise = field.task.enterprise
    type(enterprise).objects.filter(pk=enterprise.pk).update(organisation=maker)
    staff = api(member(maker, "enterprise_staff", username="maker"))
    own = staff.get(f"/api/v1/samples/{sample.code}/sampling-form.pdf?copy=party")
    assert own.status_code == 200 and own.content.startswith(b"%PDF")
    assert staff.get(f"/api/v1/samples/{sample.code}/sampling-form.pdf?copy=organiser").status_code == 404
    stranger = api(member(OrganisationFactory(kind="manufacturer", level="", region="350102"), "enterprise_staff"))
    assert stranger.get(f"/api/v1/samples/{sample.code}/sampling-form.pdf?copy=party").status_code == 404


def test_the_same_signature_uuid_twice_makes_one_signature(field):
    sampler = field.samplers[0]
    record = services.record_start(actor=sampler, task=field.task, client_uuid=uuid.uuid4())
    key = uuid.uuid4()
    for _ in range(2):
        services.signature_add(
            actor=sampler,
            record=record,
            role="party",
            signer_name="陈经理",
            signer_id_digits="123X",
            person_photo=face(),
            image=ink(),
            content_sha256=record.content_sha256,
            client_uuid=key,
        )
    assert Signature.objects.filter(record=record).count() == 1
