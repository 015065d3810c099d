"""The sampling form on site: who may fill it, idempotent creates, signatures bound to content, sealing."""

import uuid

import pytest
from django.core.files.storage import default_storage

from choujian.core.errors import NotPermitted, ServiceError
from choujian.ledger.models import LedgerEntry
from choujian.sampling import services
from choujian.sampling.models import Evidence, Portion, Sample, SamplingRecord
from tests.factories import DEMO_PASSWORD
from tests.ledger_entries import entries_data
from tests.sampling.conftest import complete_form, face, ink, photo, sha, sign_all


class _Entry:
    def __init__(self, data: dict):
        self.data = data


def _entries(obj, type_: str) -> list[_Entry]:
    return [_Entry(data) for data in entries_data(obj, type_)]


def test_it_opens_one_form_per_client_uuid_even_when_the_phone_retries(field):
    sampler = field.samplers[0]
    key = uuid.uuid4()
    first = services.record_start(actor=sampler, task=field.task, client_uuid=key)
    again = services.record_start(actor=sampler, task=field.task, client_uuid=str(key))
    assert first.pk == again.pk
    assert SamplingRecord.objects.count() == 1
    assert first.party_name == field.task.enterprise.name  # prefilled from the drawn enterprise
    assert {u.pk for u in first.samplers.all()} == {u.pk for u in field.samplers}
    field.task.refresh_from_db()
    assert field.task.status == "sampling"


def test_it_refuses_a_sampler_who_was_not_drawn_for_the_task(field):
    with pytest.raises(NotPermitted):
        services.record_start(actor=field.outsider_sampler, task=field.task, client_uuid=uuid.uuid4())


def test_it_refuses_to_seal_with_fewer_than_two_drawn_samplers(field):
    sampler = field.samplers[0]
    record = services.record_start(actor=sampler, task=field.task, client_uuid=uuid.uuid4())
    complete_form(record, sampler)
    services.record_update(actor=sampler, record=record, samplers=[str(sampler.public_id)])
    sign_all(record, sampler, [sampler])
    with pytest.raises(ServiceError) as refused:
        services.record_seal(actor=sampler, record=record)
    assert "samplers" in refused.value.errors
    with pytest.raises(ServiceError) as foreign:
        services.record_update(actor=sampler, record=record, samplers=[str(field.outsider_sampler.public_id)])
    assert "随机抽中" in foreign.value.errors["samplers"][0]


def test_a_change_after_signing_voids_every_signature(field):
    sampler = field.samplers[0]
    record = services.record_start(actor=sampler, task=field.task, client_uuid=uuid.uuid4())
    complete_form(record, sampler)
    sign_all(record, sampler, field.samplers)
    record.refresh_from_db()
    assert record.signatures.filter(voided_at=None).count() == 3
    assert services.missing_signatures(record) == []
    signed_hash = record.content_sha256
    services.record_update(actor=sampler, record=record, batch_no="20261101-B")
    record.refresh_from_db()
    assert record.content_sha256 != signed_hash
    assert record.signatures.filter(voided_at=None).count() == 0
    assert len(services.missing_signatures(record)) == 3
    entry = _entries(record, "sampling.updated")[-1]
    assert len(entry.data["voided_signatures"]) == 3
    with pytest.raises(ServiceError) as stale:
        services.signature_add(
            actor=sampler,
            record=record,
            role="party",
            signer_name="陈经理",
            signer_id_digits="123X",
            person_photo=face(),
            image=ink(),
            content_sha256=signed_hash,
            client_uuid=uuid.uuid4(),
        )
    assert "content_sha256" in stale.value.errors


def test_it_seals_a_complete_form_into_a_sample_with_test_and_backup_portions(field):
    sampler = field.samplers[0]
    record = services.record_start(actor=sampler, task=field.task, client_uuid=uuid.uuid4())
    complete_form(record, sampler)
    sign_all(record, sampler, field.samplers)
    sample = services.record_seal(actor=sampler, record=SamplingRecord.objects.get(pk=record.pk))
    assert sample.code.startswith("CJ-") and len(sample.code.split("-")[-1]) == 6
    portions = list(sample.portions.order_by("number"))
    assert [(p.kind, p.seal_no) for p in portions] == [("test", "FT-000101"), ("backup", "FT-000102")]
    assert len({p.label_token for p in portions}) == 2 and all(len(p.label_token) >= 32 for p in portions)
    assert sample.delivery_due is not None and sample.delivery_due > sample.sealed_at.date()
    field.task.refresh_from_db()
    assert field.task.status == "sealed"
    sealed = _entries(record, "sampling.sealed")[-1].data
    stored = {e.sha256 for e in Evidence.objects.filter(record=record)}
    assert {e["sha256"] for e in sealed["evidence"]} == stored
    assert len(sealed["signatures"]) == 3
    assert _entries(sample, "sample.sealed") and all(_entries(p, "portion.sealed") for p in portions)


def test_the_same_evidence_uuid_twice_stores_one_file_and_one_row(field):
    sampler = field.samplers[0]
    record = services.record_start(actor=sampler, task=field.task, client_uuid=uuid.uuid4())
    key = uuid.uuid4()
    upload = photo(exif=True)
    first = services.evidence_attach(actor=sampler, record=record, kind="label", upload=upload, client_uuid=key)
    second = services.evidence_attach(
        actor=sampler, record=record, kind="label", upload=photo(exif=True), client_uuid=key
    )
    assert first.pk == second.pk and Evidence.objects.count() == 1
    assert first.sha256 == sha(upload)
    assert first.taken_at is not None and float(first.exif_latitude) == pytest.approx(26.075, abs=1e-3)
    assert first.thumbnail.name and default_storage.exists(first.thumbnail.name)


def test_a_failed_upload_leaves_no_record_and_no_file(field, settings):
    sampler = field.samplers[0]
    record = services.record_start(actor=sampler, task=field.task, client_uuid=uuid.uuid4())
    upload = photo()
    with pytest.raises(ServiceError) as cut:
        services.evidence_attach(
            actor=sampler,
            record=record,
            kind="label",
            upload=upload,
            client_uuid=uuid.uuid4(),
            declared_sha256="0" * 64,
        )
    assert "file" in cut.value.errors
    fake = photo()
    fake.file.write(b"not an image at all")
    fake.file.seek(0)
    with pytest.raises(ServiceError):
        services.evidence_attach(
            actor=sampler,
            record=record,
            kind="label",
            upload=type(fake)("x.jpg", b"MZ\x90\x00 executable", content_type="image/jpeg"),
            client_uuid=uuid.uuid4(),
        )
    assert Evidence.objects.count() == 0
    media = settings.MEDIA_ROOT
    assert not any(p.is_file() for p in media.rglob("*")) if media.exists() else True


def test_a_refusal_puts_the_task_in_a_refused_state_the_regulator_sees(field):
    from choujian.planning.selectors import tasks_visible_to

    sampler = field.samplers[0]
    record = services.record_start(actor=sampler, task=field.task, client_uuid=uuid.uuid4())
    services.record_update(actor=sampler, record=record, refusal_reason="企业负责人拒绝抽样并拒绝在抽样单上签字")
    services.evidence_attach(
        actor=sampler, record=record, kind="refusal", upload=photo("现场.jpg"), client_uuid=uuid.uuid4()
    )
    record.refresh_from_db()
    for s in field.samplers:
        services.signature_add(
            actor=sampler,
            record=record,
            role="sampler",
            signer=s,
            signer_password=DEMO_PASSWORD,
            image=ink(),
            content_sha256=record.content_sha256,
            client_uuid=uuid.uuid4(),
        )
    services.record_refuse(actor=sampler, record=record)
    regulator = field.setting.drafter
    seen = tasks_visible_to(regulator).get(pk=field.task.pk)
    assert seen.status == "refused"
    # Sent again by the phone, it changes nothing; sent by the organiser, who did not sample, it is refused.
    entries = len(_entries(record, "sampling.refused"))
    assert services.record_refuse(actor=sampler, record=record).status == "refused"
    assert len(_entries(record, "sampling.refused")) == entries
    with pytest.raises(NotPermitted):
        services.record_refuse(actor=regulator, record=record)
    assert _entries(record, "sampling.refused")[-1].data["reason"].startswith("企业负责人")
    # The public log holds digests of it only: the reason (or a signer's name) never reaches the published bodies.
    assert not LedgerEntry.objects.filter(body__contains="企业负责人").exists()
    assert not LedgerEntry.objects.filter(body__contains=str(field.samplers[1])).exists()


def test_a_blank_signature_is_refused(field):
    sampler = field.samplers[0]
    record = services.record_start(actor=sampler, task=field.task, client_uuid=uuid.uuid4())
    with pytest.raises(ServiceError) as blank:
        services.signature_add(
            actor=sampler,
            record=record,
            role="party",
            signer_name="陈经理",
            signer_id_digits="123X",
            person_photo=face(),
            image=ink(blank=True),
            content_sha256=record.content_sha256,
            client_uuid=uuid.uuid4(),
        )
    assert "空白" in blank.value.errors["image"][0]
    assert not Portion.objects.exists() and not Sample.objects.exists()
