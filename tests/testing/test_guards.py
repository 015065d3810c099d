"""Guards of the laboratory workflow: blindness per person (the intake clerk and the samplers never test or
review), objections replayed by someone else, repeated confirmations, and actions a report does not allow."""

import uuid

import pytest

from choujian.accounts.models import Membership
from choujian.core.errors import NotPermitted, ServiceError
from choujian.testing import objections, services
from tests.testing.conftest import value_for
from tests.testing.test_lab_flow import _approved

pytestmark = pytest.mark.django_db


def _fresh(user):
    return type(user).objects.get(pk=user.pk)


def test_the_intake_clerk_who_assigned_the_code_cannot_test_the_sample(lab):
    Membership.objects.create(user=lab.intake, organisation=lab.field.setting.lab, role="tester")
    lab_sample = services.intake_accept(
        actor=lab.intake, sample=lab.sample, seals_intact=True, matches_form=True, condition="完好"
    )
    item = services.item_details(lab_sample)[0]
    with pytest.raises(NotPermitted):
        services.result_enter(
            actor=_fresh(lab.intake), lab_sample=lab_sample, item=item["code"], values=value_for(item), instrument="x"
        )


def test_a_sampler_of_the_sample_cannot_review_it(lab):
    sampler = lab.field.samplers[0]
    Membership.objects.create(user=sampler, organisation=lab.field.setting.lab, role="reviewer")
    lab_sample = services.intake_accept(
        actor=lab.intake, sample=lab.sample, seals_intact=True, matches_form=True, condition="完好"
    )
    for item in services.item_details(lab_sample):
        services.result_enter(
            actor=lab.tester, lab_sample=lab_sample, item=item["code"], values=value_for(item), instrument="x"
        )
    report = services.report_submit(actor=lab.tester, lab_sample=lab_sample)
    with pytest.raises(NotPermitted):
        services.report_review(actor=_fresh(sampler), report=report, approve=True)


def test_an_objection_uuid_replayed_by_someone_else_is_refused_and_a_second_confirmation_too(lab):
    report = _approved(lab, fail_first=True)
    key = uuid.uuid4()
    objection = objections.objection_file(
        actor=lab.party, report=report, reasons="企业自检合格，对检验结果有异议", client_uuid=key
    )
    with pytest.raises(NotPermitted):
        objections.objection_file(actor=lab.approver, report=report, reasons="重放他人的异议编号", client_uuid=key)
    objections.objection_decide(actor=lab.field.setting.drafter, objection=objection, accept=True, note="复检")
    retest = objection.retest
    objections.retest_confirm(actor=lab.party, retest=retest, condition="封条完好")
    with pytest.raises(ServiceError):
        objections.retest_confirm(actor=lab.party, retest=retest, condition="再确认一次")


def test_actions_a_report_does_not_allow_answer_with_a_message_not_an_error(client, lab):
    report = _approved(lab)
    client.force_login(lab.field.setting.drafter)
    for action in ("accept", "confirm", "nonsense"):
        response = client.post(f"/lab/reports/{report.code}/action/", {"action": action, "note": "x"})
        assert response.status_code == 302
    page = client.get(f"/lab/reports/{report.code}/", follow=True).content.decode()
    assert "该报告当前不能进行此操作" in page
