"""Field work in the demo, through the sampling services (every step ledgered): tasks of the drawn plan at every
stage — assigned, sampling in progress, refused, an alternate requested, sealed (backup stored on site with the
owner's and supervisor's signatures), in transit to the laboratory, and received by the laboratory."""

import io
import uuid
from decimal import Decimal
from random import Random

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageDraw

from choujian.accounts.models import Organisation, User
from choujian.planning.choices import ReplacementReason, SamplingMode, TaskStatus
from choujian.planning.models import Plan, Task
from choujian.sampling import custody, services
from choujian.sampling.models import SamplingRecord
from choujian.sampling.requirements import requirements_for

# A stable namespace: the demo's client UUIDs are derived from it, as a phone would make one per record.
NAMESPACE = uuid.UUID("6c1f3a52-8d2e-4b7a-9e0c-3f5d7a1b2c4d")
PLACE = {"latitude": "26.074500", "longitude": "119.296500", "position_accuracy": 8}


def photo(label: str, colour: tuple[int, int, int], rng: Random) -> SimpleUploadedFile:
    """A made-up site photo (JPEG with EXIF time and GPS, as a phone camera writes them)."""
    image = Image.new("RGB", (480, 360), colour)
    draw = ImageDraw.Draw(image)
    for _ in range(12):
        x, y = rng.randrange(0, 440), rng.randrange(0, 320)
        shade = tuple(min(255, c + rng.randrange(20, 90)) for c in colour)
        draw.rectangle((x, y, x + rng.randrange(20, 120), y + rng.randrange(10, 60)), fill=shade)
    exif = Image.Exif()
    exif[0x0132] = f"2026:11:20 10:{rng.randrange(0, 60):02d}:00"
    exif[0x8825] = {1: "N", 2: (26.0, 4.0, 28.2), 3: "E", 4: (119.0, 17.0, 47.4)}
    out = io.BytesIO()
    image.save(out, "JPEG", quality=80, exif=exif)
    return SimpleUploadedFile(f"{label}.jpg", out.getvalue(), content_type="image/jpeg")


def handwriting(rng: Random) -> SimpleUploadedFile:
    """A signature-like stroke on a transparent canvas, as the phone's signature pad exports it."""
    image = Image.new("RGBA", (360, 140), (0, 0, 0, 0))
    points = [(20 + i * 30, 70 + rng.randrange(-40, 40)) for i in range(11)]
    ImageDraw.Draw(image).line(points, fill=(17, 17, 17, 255), width=4, joint="curve")
    out = io.BytesIO()
    image.save(out, "PNG")
    return SimpleUploadedFile("signature.png", out.getvalue(), content_type="image/png")


def portrait(rng: Random) -> SimpleUploadedFile:
    """The photo the phone takes of a person as they sign (a drawn stand-in for a face)."""
    image = Image.new("RGB", (240, 320), (rng.randrange(200, 240), 205, 190))
    ImageDraw.Draw(image).ellipse((60, 50, 180, 200), fill=(205, 165, 135))
    ImageDraw.Draw(image).rectangle((40, 220, 200, 320), fill=(40, 60, 110))
    out = io.BytesIO()
    image.save(out, "JPEG")
    return SimpleUploadedFile("signer.jpg", out.getvalue(), content_type="image/jpeg")


class FieldWork:
    def __init__(
        self, orgs: dict[str, Organisation], users: dict[str, User], plan: Plan, *, production_date: str = "2026-10-12",
        device_time: str = "2026-11-20T02:15:00Z",
    ) -> None:  # fmt: skip
        self.orgs, self.users, self.plan = orgs, users, plan
        self.production_date, self.device_time = production_date, device_time
        self.rng = Random(20261130)

    def _key(self, *parts: str) -> uuid.UUID:
        return uuid.uuid5(NAMESPACE, "/".join(parts))

    def _samplers(self, task: Task) -> list[User]:
        return [ti.inspector for ti in task.inspectors.select_related("inspector").order_by("rank")]

    def build(self) -> list:
        """Put the drawn plan's tasks through the stages, keeping at least one task simply assigned. Returns the
        samples the laboratory has signed for (the laboratory stages follow in `demo.lab`)."""
        tasks = list(self.plan.tasks.filter(status=TaskStatus.STATUS_ASSIGNED).select_related("line", "laboratory"))
        lab1 = [t for t in tasks if t.laboratory_id == self.orgs["lab1"].pk]
        site = [t for t in tasks if t.line.sampling_mode == SamplingMode.MODE_CONSTRUCTION]
        other = [t for t in tasks if t not in lab1 and t not in site]
        received = [self.received(lab1.pop(0)) for _ in range(min(5, len(lab1) - 1))]
        if lab1:
            self.in_transit(lab1.pop(0))
        if site:
            self.sealed_on_site(site.pop(0))
        rest = other + lab1 + site
        for step in (self.refused, self.in_progress, self.alternate_requested):
            if len(rest) > 1:
                step(rest.pop(0))
        return received

    # ── stages ────────────────────────────────────────────────────────────────────────────────────────────────────
    def _start(self, task: Task) -> tuple[SamplingRecord, User, list[User]]:
        samplers = self._samplers(task)
        actor = samplers[0]
        record = services.record_start(actor=actor, task=task, client_uuid=self._key(task.code, "record"))
        return record, actor, samplers

    def _fill(self, record: SamplingRecord, actor: User) -> SamplingRecord:
        task = record.task
        fields = {
            "party_contact": "陈经理",
            "party_phone": "0591-8761" + f"{self.rng.randrange(1000, 9999)}",
            "batch_no": record.batch_no or f"2026{self.rng.randrange(1000, 9999)}",
            "production_date": self.production_date,
            "lot_size": self._lot(record),
            "lot_unit": record.lot_unit or "件",
            "seal_numbers": [f"FJ-{task.code[-6:]}-{n}" for n in range(1, 2 + record.backup_portions)],
            "device_time": self.device_time,
            "remarks": "现场核对产品标识、合格证与批次信息一致",
            **PLACE,
        }
        if not record.place_address:
            fields["place_address"] = task.enterprise.address or "企业成品库"
        if task.delivery_id and task.delivery.documents.exists():
            fields["paper_matches"] = True
            fields["paper_note"] = "纸质合格证、出厂检验报告与预传文件一致"
        services.record_update(actor=actor, record=record, **fields)
        for kind, label, colour in (
            ("label", "铭牌标签", (60, 90, 140)),
            ("lot", "抽样批次", (110, 100, 80)),
            ("seal", "封样", (150, 40, 40)),
        ):
            services.evidence_attach(
                actor=actor,
                record=record,
                kind=kind,
                upload=photo(label, colour, self.rng),
                client_uuid=self._key(record.code, kind),
            )
        return SamplingRecord.objects.get(pk=record.pk)

    def _lot(self, record: SamplingRecord) -> Decimal:
        """The lot on site: the delivered quantity, or a stock count; never below the rules' minimum lot."""
        minimum = requirements_for(record.task.line.category).min_lot or Decimal(0)
        lot = record.lot_size if record.lot_size is not None else Decimal(self.rng.randrange(150, 900))
        return max(lot, minimum * 2)

    def _sign(self, record: SamplingRecord, actor: User, samplers: list[User], *, party: bool = True) -> None:
        record = SamplingRecord.objects.get(pk=record.pk)
        signers = [("sampler", s, "") for s in samplers]
        if party:
            signers.append(("party", None, "陈经理"))
        if record.place_kind == "site":
            signers.append(("supervisor_witness", None, "周振宇"))
        for role, signer, name in signers:
            person = (
                {}
                if signer
                else {"signer_id_digits": f"{self.rng.randrange(1000):03d}X", "person_photo": portrait(self.rng)}
            )
            services.signature_add(
                actor=actor,
                record=record,
                role=role,
                signer=signer,
                signer_password=settings.CHOUJIAN_DEMO_PASSWORD if signer and signer != actor else "",
                **person,
                signer_name=name,
                image=handwriting(self.rng),
                content_sha256=record.content_sha256,
                client_uuid=self._key(record.code, role, str(signer.public_id) if signer else name),
            )

    def _sealed(self, task: Task):
        record, actor, samplers = self._start(task)
        record = self._fill(record, actor)
        self._sign(record, actor, samplers)
        return services.record_seal(actor=actor, record=SamplingRecord.objects.get(pk=record.pk)), actor

    def _hand_to_lab(self, sample, actor: User):
        test = sample.portions.get(kind="test")
        return custody.handover_start(
            actor=actor,
            sample=sample,
            portions=[test],
            to_org=sample.laboratory,
            place=f"{sample.laboratory.name} 样品接收室",
            signature=handwriting(self.rng),
            client_uuid=self._key(sample.code, "handover"),
        )

    def received(self, task: Task):
        sample, actor = self._sealed(task)
        handover = self._hand_to_lab(sample, actor)
        custody.handover_accept(
            actor=self.users["intake"],
            handover=handover,
            seal_intact=True,
            condition="包装完好，封条完整，数量与抽样单一致",
            signature=handwriting(self.rng),
        )
        return sample

    def in_transit(self, task: Task) -> None:
        sample, actor = self._sealed(task)
        self._hand_to_lab(sample, actor)

    def sealed_on_site(self, task: Task) -> None:
        sample, actor = self._sealed(task)
        backup = sample.portions.get(kind="backup")
        custody.portion_store(
            actor=actor,
            portion=backup,
            storage_place="项目部工地试验室 备样柜 2 号",
            custodian_signature=handwriting(self.rng),
            client_uuid=self._key(sample.code, "store"),
            owner_signature=handwriting(self.rng),
            owner_name="李明辉",
            supervisor_signature=handwriting(self.rng),
            supervisor_name="周振宇",
        )

    def refused(self, task: Task) -> None:
        record, actor, samplers = self._start(task)
        services.record_update(
            actor=actor,
            record=record,
            refusal_reason="企业负责人以“产品已售出、库存为客户定制”为由拒绝抽样，经告知拒检后果后仍拒绝，拒绝签字",
            **PLACE,
        )
        services.evidence_attach(
            actor=actor,
            record=record,
            kind="refusal",
            upload=photo("拒检现场", (90, 90, 90), self.rng),
            client_uuid=self._key(record.code, "refusal"),
        )
        self._sign(record, actor, samplers, party=False)
        services.record_refuse(actor=actor, record=SamplingRecord.objects.get(pk=record.pk))

    def in_progress(self, task: Task) -> None:
        record, actor, _ = self._start(task)
        services.record_update(actor=actor, record=record, party_contact="陈经理", **PLACE)
        services.evidence_attach(
            actor=actor,
            record=record,
            kind="product",
            upload=photo("产品外观", (40, 110, 80), self.rng),
            client_uuid=self._key(record.code, "product"),
        )

    def alternate_requested(self, task: Task) -> None:
        actor = self._samplers(task)[0]
        services.alternate_request(
            actor=actor,
            task=task,
            reason=ReplacementReason.REASON_TRIAL_SAMPLE,
            note="现场库存产品均标注“试制品”，无正式批量产品可供抽样",
            client_uuid=self._key(task.code, "alternate"),
            photos=[photo("试制品标识", (170, 140, 60), self.rng)],
        )


def build_field_work(orgs: dict[str, Organisation], users: dict[str, User], plan: Plan) -> list:
    return FieldWork(orgs, users, plan).build()
