"""The parties of a construction project (owner, supervisor, contractor) see the results of the lots delivered to it;
other projects' parties do not."""

import pytest

from choujian.planning.models import Task
from tests.factories import DeliveryFactory, member
from tests.testing.test_lab_flow import _approved

# Delivering the sampled lot to a project is written straight into the database: the field flow samples at a maker.
pytestmark = [pytest.mark.django_db, pytest.mark.tampers]


def test_the_projects_parties_see_its_results_and_others_do_not(client, lab):
    report = _approved(lab, fail_first=True)
    delivery = DeliveryFactory(section__project__name="福厦高速扩建", section__project__region="350102")
    Task.objects.filter(pk=lab.sample.task_id).update(delivery=delivery)
    section, project = delivery.section, delivery.section.project
    parties = [
        member(project.owner, "owner_staff", username="owner"),
        member(section.supervisor, "supervisor_staff", username="supervisor"),
        member(section.contractor, "contractor_staff", username="builder"),
    ]
    for person in parties:
        client.force_login(person)
        page = client.get(f"/lab/projects/{project.public_id}/results/")
        assert page.status_code == 200, person
        text = page.content.decode()
        assert report.code in text and delivery.batch_no in text and "不合格" in text
        assert client.get(f"/lab/reports/{report.code}/").status_code == 200
    stranger = member(DeliveryFactory().section.project.owner, "owner_staff", username="other-owner")
    client.force_login(stranger)
    assert client.get(f"/lab/reports/{report.code}/").status_code == 404
    assert client.get(f"/lab/projects/{project.public_id}/results/").status_code == 404
