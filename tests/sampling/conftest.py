"""A drawn plan with tasks assigned to two drawn samplers each, and helpers that make real photos and signatures."""

import hashlib
import io
import uuid
from dataclasses import dataclass

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageDraw

from choujian.draws import services as draws
from choujian.planning.models import Plan, Task
from choujian.sampling import services
from tests.factories import DEMO_PASSWORD, member
from tests.planning import conftest as planning

setting = planning.setting  # the planning tests' province, agency, laboratory and samplers
approved_plan = planning.approved_plan

SECRETS = {"林监管": "monday-morning-river-42", "王见证": "public-witness-dice-6153"}


def photo(name: str = "铭牌.jpg", colour=(30, 120, 200), exif: bool = False) -> SimpleUploadedFile:
    image = Image.new("RGB", (640, 480), colour)
    ImageDraw.Draw(image).rectangle((100, 100, 300, 200), fill=(250, 250, 250))
    out = io.BytesIO()
    extra = {}
    if exif:
        data = Image.Exif()
        data[0x0132] = "2026:11:30 10:15:00"
        gps = {1: "N", 2: (26.0, 4.0, 30.0), 3: "E", 4: (119.0, 18.0, 0.0)}
        data[0x8825] = gps
        extra["exif"] = data
    image.save(out, "JPEG", **extra)
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/jpeg")


def ink(name: str = "签名.png", blank: bool = False) -> SimpleUploadedFile:
    image = Image.new("RGBA", (300, 120), (0, 0, 0, 0))
    if not blank:
        ImageDraw.Draw(image).line((10, 80, 80, 20, 150, 90, 280, 30), fill=(0, 0, 0, 255), width=4)
    out = io.BytesIO()
    image.save(out, "PNG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/png")


def face(name: str = "签字人.jpg") -> SimpleUploadedFile:
    """A photo of the person signing, taken as they sign."""
    image = Image.new("RGB", (240, 320), (225, 200, 180))
    ImageDraw.Draw(image).ellipse((60, 60, 180, 200), fill=(200, 160, 130))
    out = io.BytesIO()
    image.save(out, "JPEG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/jpeg")


def sha(upload: SimpleUploadedFile) -> str:
    upload.seek(0)
    value = hashlib.sha256(upload.read()).hexdigest()
    upload.seek(0)
    return value


@dataclass
class Field:
    setting: object
    plan: Plan
    task: Task
    samplers: list
    outsider_sampler: object
    intake: object
    tester: object


@pytest.fixture
def field(setting) -> Field:
    plan = approved_plan(setting, quota=2)
    draws.frame_build(actor=setting.drafter, plan=plan)
    ceremony = draws.frame_freeze(actor=setting.drafter, plan=Plan.objects.get(pk=plan.pk))
    for participant in ceremony.participants.all():
        draws.ceremony_commit(
            participant=participant, commitment=hashlib.sha256(SECRETS[participant.name].encode()).hexdigest()
        )
    for participant in ceremony.participants.all():
        draws.ceremony_reveal(participant=participant, secret=SECRETS[participant.name])
    task = Task.objects.filter(plan=plan).order_by("code").first()
    samplers = [ti.inspector for ti in task.inspectors.all()]
    outsider = next(s for s in setting.samplers if s not in samplers)
    intake = member(setting.lab, "lab_intake", username="intake")
    tester = member(setting.lab, "tester", username="tester")
    return Field(setting, Plan.objects.get(pk=plan.pk), task, samplers, outsider, intake, tester)


def complete_form(record, actor) -> None:
    services.record_update(
        actor=actor,
        record=record,
        party_contact="陈经理",
        party_phone="0591-88888888",
        batch_no="20261101-A",
        lot_size="120",
        lot_unit="t",
        place_address=record.place_address or "福州市鼓楼区测试路 1 号成品库",
        seal_numbers=["FT-000101", "FT-000102"],
        latitude="26.075000",
        longitude="119.300000",
        position_accuracy=12,
    )
    record.refresh_from_db()
    services.evidence_attach(actor=actor, record=record, kind="label", upload=photo(), client_uuid=uuid.uuid4())
    services.evidence_attach(
        actor=actor, record=record, kind="seal", upload=photo("封样.jpg", (200, 30, 30)), client_uuid=uuid.uuid4()
    )


def sign_all(record, actor, samplers) -> None:
    record.refresh_from_db()
    for sampler in samplers:
        services.signature_add(
            actor=actor,
            record=record,
            role="sampler",
            signer=sampler,
            signer_password=DEMO_PASSWORD,
            image=ink(),
            content_sha256=record.content_sha256,
            client_uuid=uuid.uuid4(),
        )
    services.signature_add(
        actor=actor,
        record=record,
        role="party",
        signer_name="陈经理",
        signer_id_digits="123X",
        person_photo=face(),
        image=ink(),
        content_sha256=record.content_sha256,
        client_uuid=uuid.uuid4(),
    )
