"""Blind testing (invariant 3): a tester and a reviewer walk every URL of the platform and every API endpoint they
can reach — pages, API responses, PDFs, label and report checks, errors — and nothing names the manufacturer, its
credit code, the brand, the project or the sampling address of a sample in testing.

The only pages excepted are the draw publications (双随机、一公开): by law they list every enterprise of the frame
before anything is sampled; they are checked instead for never naming a lab code, a sample code or a report."""

import re
import uuid

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from choujian.planning.models import Task
from choujian.sampling.models import SamplingRecord
from choujian.testing import services
from tests.factories import DeliveryFactory
from tests.testing.conftest import value_for

pytestmark = pytest.mark.django_db
PUBLICATIONS = re.compile(r"^/(draws/|api/v1/draws/)")
PARAM = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>[^>]+)>")


def _routes(patterns, prefix: str = ""):
    for pattern in patterns:
        text = prefix + str(pattern.pattern).lstrip("^").rstrip("$")
        if isinstance(pattern, URLResolver):
            yield from _routes(pattern.url_patterns, text)
        elif isinstance(pattern, URLPattern) and "(?P<format>" not in text:
            yield text


def _concrete(route: str, strings: list[str], uuids: list[str]) -> list[str]:
    """Every way to fill the route's parameters from the known codes, tokens and ids (regex routes included)."""
    route = route.replace("\\.", ".")
    route = re.sub(r"\(\?P<(\w+)>\[0-9a-fA-F-\]\{36\}\)", r"<uuid:\1>", route)
    route = re.sub(r"\(\?P<(\w+)>[^)]*\)", r"<str:\1>", route)
    paths = ["/" + route]
    for match in PARAM.finditer(route):
        candidates = uuids if match.group("converter") == "uuid" else strings
        paths = [p.replace(match.group(0), value, 1) for p in paths for value in candidates]
    return [p for p in paths if "<" not in p and "(" not in p]


@pytest.fixture
def in_testing(lab):
    """Two samples at the laboratory: one in testing, one submitted for review; the task of the first is a lot
    delivered to a construction project."""
    delivery = DeliveryFactory(section__project__name="福州滨海新城综合交通枢纽工程")
    Task.objects.filter(pk=lab.sample.task_id).update(delivery=delivery)
    SamplingRecord.objects.filter(pk=lab.sample.record_id).update(place_address="福州市长乐区滨海大道 88 号堆场")
    lab_sample = services.intake_accept(
        actor=lab.intake, sample=lab.sample, seals_intact=True, matches_form=True, condition="完好"
    )
    for item in services.item_details(lab_sample)[:2]:
        services.result_enter(
            actor=lab.tester, lab_sample=lab_sample, item=item["code"], values=value_for(item), instrument="卡尺"
        )
    return lab, lab_sample, delivery


def _secrets(lab, delivery) -> list[str]:
    record = SamplingRecord.objects.get(pk=lab.sample.record_id)
    task = Task.objects.select_related("enterprise", "product").get(pk=lab.sample.task_id)
    found = [
        task.enterprise.name,
        task.enterprise.uscc,
        task.product.brand,
        record.brand,
        record.party_name,
        record.party_uscc,
        record.maker_name,
        record.place_address,
        delivery.section.project.name,
    ]
    return sorted({s for s in found if s and len(s) >= 2})


@pytest.mark.undated  # walks every route; no answer depends on today
@pytest.mark.tampers  # a shortcut to the state under test, written straight into the database
@pytest.mark.parametrize("role", ["tester", "reviewer"])
def test_testers_and_reviewers_never_see_who_made_a_sample(client, in_testing, settings, role):
    lab, lab_sample, delivery = in_testing
    settings.DEBUG = False
    secrets = _secrets(lab, delivery)
    assert "闽力" in secrets and "福州滨海新城综合交通枢纽工程" in secrets
    portion = lab.sample.portions.get(kind="test")
    strings = [
        lab_sample.lab_code,
        lab.sample.code,
        lab.sample.record.code,
        lab.sample.task.code,
        lab.sample.task.plan.code,
        portion.label_token,
        "enterprise",
        "product",
        "project",
        "delivery",
        "x",
    ]
    uuids = [
        str(x)
        for x in (
            lab.sample.public_id,
            portion.public_id,
            lab.sample.task.public_id,
            lab.sample.record.public_id,
            lab.sample.task.enterprise.public_id,
            delivery.public_id,
            uuid.uuid4(),
        )
    ]
    routes = sorted(set(_routes(get_resolver().url_patterns)))
    assert len(routes) > 80
    for user in (getattr(lab, role),):
        client.force_login(user)
        checked = 0
        for route in routes:
            for path in _concrete(route, strings, uuids):
                if path.startswith("/admin/") or path.endswith("/logout/"):
                    continue
                response = client.get(path)
                assert response.status_code < 500, path
                body = b"".join(response) if response.streaming else response.content
                text = body.decode("utf-8", errors="replace")
                checked += 1
                if PUBLICATIONS.match(path):
                    assert lab_sample.lab_code not in text and lab.sample.code not in text, path
                    continue
                leaked = [s for s in secrets if s in text]
                assert leaked == [], f"{user.username} {path} shows {leaked}"
        assert checked > 200
        worklist = client.get("/api/v1/lab/worklist/").json()["results"]
        assert [row["lab_code"] for row in worklist] == [lab_sample.lab_code]
        assert client.get(f"/lab/samples/{lab_sample.lab_code}/").status_code == 200
