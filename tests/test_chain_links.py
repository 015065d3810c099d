"""Task ⇄ sampling form ⇄ sample ⇄ report: each page of a spot check links the others its viewer may open."""

import pytest
from django.urls import reverse

from choujian.accounts.models import User
from choujian.testing.models import Report

pytestmark = pytest.mark.django_db


@pytest.fixture
def chain(demo):
    report = Report.objects.select_related("lab_sample__portion__sample__task", "lab_sample__portion__sample__record")
    report = report.filter(lab_sample__laboratory__memberships__user__username="tester").order_by("code").first()
    sample = report.lab_sample.portion.sample
    return {
        "task": reverse("planning:task_detail", args=[sample.task.code]),
        "record": reverse("sampling:record", args=[sample.record.code]),
        "sample": reverse("sampling:sample", args=[sample.code]),
        "report": reverse("testing:report", args=[report.code]),
        "codes": (sample.task.code, sample.record.code, sample.code),
    }


def page(client, username, url) -> str:
    client.force_login(User.objects.get(username=username))
    response = client.get(url)
    assert response.status_code == 200, (username, url, response.status_code)
    return response.content.decode()


@pytest.mark.parametrize("start", ["task", "record", "sample", "report"])
def test_a_regulator_goes_along_the_whole_chain_from_any_page(client, chain, start):
    text = page(client, "regulator", chain[start])
    nav = text[text.index('class="chain"') :].split("</nav>")[0]
    for other in {"task", "record", "sample", "report"} - {start}:
        assert f'href="{chain[other]}"' in nav, other
    assert 'aria-current="page"' in nav


def test_every_link_of_the_chain_opens_for_its_viewer(client, chain):
    seen = 0
    for username in ("regulator", "intake", "approver", "tester", "sampler1", "manufacturer", "contractor"):
        client.force_login(User.objects.get(username=username))
        for start in ("report", "sample"):
            response = client.get(chain[start])
            text = response.content.decode()
            if response.status_code == 200 and 'class="chain"' in text:
                break
        else:
            assert username not in ("regulator", "intake"), username
            continue
        seen += 1
        nav = text[text.index('class="chain"') :].split("</nav>")[0]
        for url in [chain[k] for k in ("task", "record", "sample", "report") if f'href="{chain[k]}"' in nav]:
            assert client.get(url).status_code == 200, (username, url)
    assert seen >= 2
