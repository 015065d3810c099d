"""What the load test's simulated people work on, read from a demo installation: `python -m bench.load.prepare DIR`.

Writes DIR/fixture.json (who signs in as whom, which pages and records each kind of person opens) and DIR/photo.jpg
(an evidence photo of a phone camera's size). The sampling forms of the tasks that are still to be sampled are opened
here, through the services, by a sampler drawn for each, so that samplers have draft forms to fill in.
"""

from __future__ import annotations

import io
import json
import random
import sys
import uuid
from pathlib import Path

PHOTO_PIXELS = (1600, 1200)


def photo() -> bytes:
    """A JPEG like a phone's evidence photo (noise does not compress: ~600 KB at this size and quality)."""
    from PIL import Image

    rng = random.Random(7)
    width, height = PHOTO_PIXELS
    image = Image.frombytes("RGB", (width // 4, height // 4), rng.randbytes(width * height * 3 // 16))
    buffer = io.BytesIO()
    image.resize(PHOTO_PIXELS).save(buffer, "JPEG", quality=80)
    return buffer.getvalue()


def _samplers() -> list[dict]:
    from choujian.planning.choices import TaskStatus
    from choujian.planning.models import Task
    from choujian.sampling import services
    from choujian.sampling.choices import RecordStatus
    from choujian.sampling.models import SamplingRecord

    for task in Task.objects.filter(status__in=TaskStatus.SAMPLABLE, sampling_record=None).order_by("code"):
        inspector = task.inspectors.order_by("rank").first()
        if inspector is not None:
            services.record_start(actor=inspector.inspector, task=task, client_uuid=uuid.uuid4())
    records = SamplingRecord.objects.filter(status=RecordStatus.STATUS_DRAFT).select_related("task").order_by("code")
    return [
        {"record": record.code, "usernames": [row.inspector.username for row in record.task.inspectors.all()]}
        for record in records
    ]


def _testers() -> list[dict]:
    from choujian.demo.values import example_values
    from choujian.testing import services
    from choujian.testing.choices import LabStatus
    from choujian.testing.models import LabSample

    out = []
    for lab_sample in LabSample.objects.filter(status=LabStatus.STATUS_TESTING).order_by("lab_code"):
        testers = lab_sample.laboratory.memberships.filter(role="tester").select_related("user")
        items = [{"item": item["code"], "values": example_values(item)} for item in services.item_details(lab_sample)]
        out.append({"lab_code": lab_sample.lab_code, "usernames": [m.user.username for m in testers], "items": items})
    return out


REGULATORS = ("regulator", "county", "jinjiang", "auditor")


def _pages_each_may_open(pages: list[str]) -> dict[str, list[str]]:
    """A county officer does not open another county's case: each person's pages are those that answer them 200."""
    from django.test import Client

    from choujian.accounts.models import User

    out = {}
    for username in REGULATORS:
        client = Client()
        client.force_login(User.objects.get(username=username))
        out[username] = [path for path in pages if client.get(path).status_code == 200]
    return out


def _regulator_pages() -> list[str]:
    from choujian.enforcement.models import Case
    from choujian.planning.models import Plan, Task
    from choujian.registry.models import Enterprise
    from choujian.sampling.models import Sample

    pages = ["/", "/plans/", "/plans/tasks/", "/sampling/", "/sampling/samples/", "/enforcement/", "/inbox/"]
    pages += ["/analytics/", "/analytics/rates/", "/analytics/results/", "/analytics/risk/", "/analytics/warnings/"]
    pages += ["/registry/enterprise/", "/registry/product/", "/enforcement/blacklist/", "/lab/reports/"]
    pages += [f"/plans/{code}/" for code in Plan.objects.values_list("code", flat=True)[:5]]
    pages += [f"/plans/tasks/{code}/" for code in Task.objects.values_list("code", flat=True)[:10]]
    pages += [f"/sampling/samples/{code}/" for code in Sample.objects.values_list("code", flat=True)[:10]]
    pages += [f"/enforcement/{code}/" for code in Case.objects.values_list("code", flat=True)[:10]]
    pages += [f"/registry/enterprise/{pk}/" for pk in Enterprise.objects.values_list("public_id", flat=True)[:10]]
    return pages


def _public() -> dict:
    from django.contrib.auth.models import AnonymousUser

    from choujian.disclosure.selectors import published_rows

    rows = published_rows(AnonymousUser()).values("enterprise_name", "enterprise_uscc", "product_name", "row_id")
    return {
        "terms": sorted({row["enterprise_name"][:4] for row in rows} | {row["product_name"][:2] for row in rows}),
        "usccs": sorted({row["enterprise_uscc"] for row in rows}),
        "rows": [str(row["row_id"]) for row in rows],
    }


def prepare(directory: Path) -> dict:
    from django.db import transaction

    with transaction.atomic():
        fixture = {
            "regulator_pages": _pages_each_may_open(_regulator_pages()),
            "regulator_api": [
                "/api/v1/todo/",
                "/api/v1/tasks/",
                "/api/v1/plans/",
                "/api/v1/enterprises/",
                "/api/v1/stats/pass-rates/?by=category",
                "/api/v1/enforcement/cases/",
                "/api/v1/reports/",
                "/api/v1/inbox/",
            ],  # fmt: skip
            "samplers": _samplers(),
            "testers": _testers(),
            "public": _public(),
            "password": "choujian-demo",
        }
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "fixture.json").write_text(json.dumps(fixture, ensure_ascii=False, indent=1))
    (directory / "photo.jpg").write_bytes(photo())
    return fixture


def main(argv: list[str]) -> int:
    import django

    django.setup()
    fixture = prepare(Path(argv[0]))
    print(f"{len(fixture['samplers'])} draft sampling forms, {len(fixture['testers'])} samples in testing")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
