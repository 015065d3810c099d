"""The laboratory end to end through the services: intake under a blind code, results judged by the rules, review
and approval by other people, notice, objection, a re-test at a drawn laboratory, and the final outcome."""

import json
import uuid
from datetime import timedelta

import pytest

from choujian.core.errors import NotPermitted, ServiceError
from choujian.draws import verify
from choujian.planning.models import Task
from choujian.sampling import custody
from choujian.testing import objections, services
from choujian.testing.models import Outcome, Report, Result
from tests.sampling.conftest import ink
from tests.testing.conftest import value_for

pytestmark = pytest.mark.django_db


def _url(report) -> str:
    return f"https://choujian.example/r/{report.verify_token}/"


def _test_all(lab, lab_sample, tester, *, fail_first: bool = False):
    for index, item in enumerate(services.item_details(lab_sample)):
        values = value_for(item, passing=not (fail_first and index == 0))
        services.result_enter(
            actor=tester, lab_sample=lab_sample, item=item["code"], values=values, instrument="万能试验机 WE-01"
        )
    return services.report_submit(actor=tester, lab_sample=lab_sample)


def _approved(lab, *, fail_first: bool = False):
    lab_sample = services.intake_accept(
        actor=lab.intake, sample=lab.sample, seals_intact=True, matches_form=True, condition="完好"
    )
    report = _test_all(lab, lab_sample, lab.tester, fail_first=fail_first)
    services.report_review(actor=lab.reviewer, report=report, approve=True)
    return services.report_approve(actor=lab.approver, report=report, verify_url=_url)


def test_intake_gives_an_unguessable_lab_code_unrelated_to_the_sample(lab):
    lab_sample = services.intake_accept(
        actor=lab.intake, sample=lab.sample, seals_intact=True, matches_form=True, condition="包装完好"
    )
    assert lab_sample.lab_code.startswith("L") and len(lab_sample.lab_code) == 11
    assert lab.sample.code[-6:] not in lab_sample.lab_code
    assert lab_sample.due_on > lab_sample.received_on
    with pytest.raises(ServiceError):
        services.intake_accept(actor=lab.intake, sample=lab.sample, seals_intact=True, matches_form=True, condition="x")


def test_a_broken_seal_cannot_be_accepted_and_a_rejection_needs_photos(lab):
    with pytest.raises(ServiceError) as broken:
        services.intake_accept(
            actor=lab.intake, sample=lab.sample, seals_intact=False, matches_form=True, condition="破"
        )
    assert "seals_intact" in broken.value.errors
    with pytest.raises(ServiceError) as no_photo:
        services.intake_reject(
            actor=lab.intake,
            sample=lab.sample,
            seals_intact=False,
            matches_form=True,
            condition="破",
            reason="封条断",
            photos=[],
        )
    assert "photos" in no_photo.value.errors
    with pytest.raises(NotPermitted):
        services.intake_accept(
            actor=lab.tester, sample=lab.sample, seals_intact=True, matches_form=True, condition="好"
        )


def test_results_are_rounded_judged_and_corrections_keep_the_old_value(lab):
    lab_sample = services.intake_accept(
        actor=lab.intake, sample=lab.sample, seals_intact=True, matches_form=True, condition="完好"
    )
    item = services.item_details(lab_sample)[0]
    first = services.result_enter(
        actor=lab.tester, lab_sample=lab_sample, item=item["code"], values=value_for(item), instrument="卡尺 C-3"
    )
    assert first.judgment == "pass"
    with pytest.raises(ServiceError) as no_reason:
        services.result_enter(
            actor=lab.tester,
            lab_sample=lab_sample,
            item=item["code"],
            values=value_for(item, False),
            instrument="卡尺 C-3",
        )
    assert "reason" in no_reason.value.errors
    second = services.result_enter(
        actor=lab.tester,
        lab_sample=lab_sample,
        item=item["code"],
        values=value_for(item, False),
        instrument="卡尺 C-3",
        reason="复核原始记录发现抄录错误",
    )
    assert second.judgment == "fail" and second.replaces == first
    assert list(Result.objects.filter(lab_sample=lab_sample, item=item["code"]).values_list("current", flat=True)) == [
        False,
        True,
    ]


def test_separation_of_duties_between_tester_reviewer_and_approver(lab):
    lab_sample = services.intake_accept(
        actor=lab.intake, sample=lab.sample, seals_intact=True, matches_form=True, condition="完好"
    )
    report = _test_all(lab, lab_sample, lab.tester)
    lab.tester.memberships.create(organisation=lab.field.setting.lab, role="reviewer")
    fresh = type(lab.tester).objects.get(pk=lab.tester.pk)  # now holds both roles
    with pytest.raises(NotPermitted):
        services.report_review(actor=fresh, report=report, approve=True)
    services.report_review(actor=lab.reviewer, report=report, approve=True)
    reviewer_as_approver = type(lab.reviewer).objects.get(pk=lab.reviewer.pk)
    reviewer_as_approver.memberships.create(organisation=lab.field.setting.lab, role="approver")
    with pytest.raises(NotPermitted):
        services.report_approve(
            actor=type(lab.reviewer).objects.get(pk=lab.reviewer.pk), report=report, verify_url=_url
        )
    sampler = lab.field.samplers[0]
    with pytest.raises(NotPermitted):
        services.result_enter(actor=sampler, lab_sample=lab_sample, item="x", values=["1"], instrument="y")


def test_approval_issues_a_pdf_and_a_notice_and_silence_after_service_makes_the_result_final(lab):
    report = _approved(lab)
    assert report.pdf_sha256 and len(report.content_sha256) == 64
    assert report.pdf.open("rb").read(5) == b"%PDF-"
    notice = report.notice
    # Sent is not served: no period runs, and nothing becomes final however long nobody signs.
    assert notice.served_at is None and notice.objection_due is None
    assert objections.outcomes_settle(today=notice.sent_at.date() + timedelta(days=400)) == []
    notice = objections.notice_acknowledge(actor=lab.party, notice=notice)
    assert notice.service_method == "platform" and notice.served_by == lab.party
    assert notice.objection_due >= notice.served_at.date() + timedelta(days=15)
    assert objections.outcomes_settle(today=notice.objection_due) == []
    settled = objections.outcomes_settle(today=notice.objection_due + timedelta(days=1))
    assert len(settled) == 1 and settled[0].basis == "no_objection"
    assert Task.objects.get(pk=lab.sample.task_id).outcome == "conforming"


def _task_status(lab) -> str:
    return Task.objects.get(pk=lab.sample.task_id).status


def test_the_task_follows_its_sample_from_intake_to_a_final_result(lab):
    assert _task_status(lab) == "received"
    lab_sample = services.intake_accept(
        actor=lab.intake, sample=lab.sample, seals_intact=True, matches_form=True, condition="完好"
    )
    assert _task_status(lab) == "testing"
    report = _test_all(lab, lab_sample, lab.tester)
    services.report_review(actor=lab.reviewer, report=report, approve=True)
    report = services.report_approve(actor=lab.approver, report=report, verify_url=_url)
    assert _task_status(lab) == "notified"  # issued (reported) and sent in one step
    notice = objections.notice_acknowledge(actor=lab.party, notice=report.notice)
    objections.outcomes_settle(today=notice.objection_due + timedelta(days=1))
    assert _task_status(lab) == "final"
    api_status = _api_task(lab)["status"]
    assert api_status == "final"


def _api_task(lab) -> dict:
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(lab.field.setting.drafter)
    return client.get(f"/api/v1/tasks/{Task.objects.get(pk=lab.sample.task_id).code}/").json()


def test_an_objection_leads_to_a_drawn_retest_whose_result_is_final(lab):
    report = _approved(lab, fail_first=True)
    assert report.judgment == "fail"
    assert _task_status(lab) == "notified"
    with pytest.raises(NotPermitted):
        objections.objection_file(
            actor=lab.tester, report=report, reasons="结果与企业自检不符，申请复检", client_uuid=uuid.uuid4()
        )
    key = uuid.uuid4()
    objection = objections.objection_file(
        actor=lab.party, report=report, reasons="企业出厂检验与第三方检测均合格，对结果有异议", client_uuid=key
    )
    assert (
        objections.objection_file(actor=lab.party, report=report, reasons="重复提交测试一下", client_uuid=key)
        == objection
    )
    assert objection.decide_by is not None
    with pytest.raises(NotPermitted):
        objections.objection_decide(actor=lab.party, objection=objection, accept=True, note="x")
    assert _task_status(lab) == "objection"
    objections.objection_decide(
        actor=lab.field.setting.drafter, objection=objection, accept=True, note="理由充分，安排复检"
    )
    assert _task_status(lab) == "retest"
    retest = objection.retest
    assert retest.laboratory == lab.other_lab  # the only other laboratory; drawn per draw-v1
    record = json.loads(retest.draw.record)
    assert record["purpose"] == "retests" and str(lab.sample.laboratory.public_id) not in json.dumps(record["frame"])
    verify.verify(record)  # raises on the first difference
    objections.retest_confirm(actor=lab.party, retest=retest, condition="备样封条 FT-000102 完好")
    retest = objections.retest_confirm(actor=lab.field.setting.drafter, retest=retest, condition="封条完好")
    assert retest.status == "confirmed"

    backup = retest.portion
    handover = custody.handover_start(
        actor=backup.custodian,
        sample=lab.sample,
        portions=[backup],
        to_org=lab.other_lab,
        place="复检检测中心",
        signature=ink(),
        client_uuid=uuid.uuid4(),
    )
    custody.handover_accept(
        actor=lab.other_intake, handover=handover, seal_intact=True, condition="完好", signature=ink()
    )
    retest_sample = services.intake_accept(
        actor=lab.other_intake,
        sample=lab.sample,
        seals_intact=True,
        matches_form=True,
        condition="完好",
        retest=retest,
    )
    assert retest_sample.is_retest
    from tests.factories import member

    tester = member(lab.other_lab, "tester", username="t2")
    reviewer = member(lab.other_lab, "reviewer", username="r2")
    approver = member(lab.other_lab, "approver", username="a2")
    retest_report = _test_all(lab, retest_sample, tester)
    services.report_review(actor=reviewer, report=retest_report, approve=True)
    services.report_approve(actor=approver, report=retest_report, verify_url=_url)
    outcome = Outcome.objects.get(sample=lab.sample)
    assert outcome.basis == "retest" and outcome.judgment == "pass" and not outcome.ready_for_enforcement
    assert Task.objects.get(pk=lab.sample.task_id).outcome == "conforming"
    assert _task_status(lab) == "final"
    # Whoever holds the first report learns from its QR that the re-test replaced it, and where that report is.
    from django.test import Client

    first = Client().get(f"/r/{report.verify_token}/").content.decode()
    assert "已被复检报告取代" in first and retest_report.code in first and report.code in first
    second = Client().get(f"/r/{Report.objects.get(pk=retest_report.pk).verify_token}/").content.decode()
    assert "状态：有效" in second and "合格" in second


def test_a_rejected_objection_leaves_the_non_conforming_result_final_and_ready_for_enforcement(lab):
    report = _approved(lab, fail_first=True)
    objection = objections.objection_file(
        actor=lab.party, report=report, reasons="我们认为检验方法有误，请重新检验", client_uuid=uuid.uuid4()
    )
    objections.objection_decide(actor=lab.field.setting.drafter, objection=objection, accept=False, note="理由不成立")
    outcome = Outcome.objects.get(sample=lab.sample)
    assert outcome.judgment == "fail" and outcome.ready_for_enforcement
    assert Task.objects.get(pk=lab.sample.task_id).outcome == "nonconforming"


@pytest.mark.tampers  # a shortcut to the state under test, written straight into the database
def test_the_regulator_sees_overdue_testing_and_rejected_intakes(client, lab):
    from datetime import date

    from choujian.testing import selectors
    from choujian.testing.models import LabSample

    regulator = lab.field.setting.drafter
    lab_sample = services.intake_accept(
        actor=lab.intake, sample=lab.sample, seals_intact=True, matches_form=True, condition="完好"
    )
    assert not selectors.overdue_testing(regulator).exists()
    LabSample.objects.filter(pk=lab_sample.pk).update(due_on=date(2026, 1, 5))
    assert list(selectors.overdue_testing(regulator)) == [LabSample.objects.get(pk=lab_sample.pk)]
    assert selectors.overdue_testing(lab.tester).exists()  # the laboratory sees its own, blind
    assert not selectors.overdue_testing(lab.party).exists()
    client.force_login(regulator)
    page = client.get("/lab/oversight/").content.decode()
    assert lab_sample.lab_code in page and "超过检验期限" in page


def test_a_rejected_intake_is_listed_for_the_organiser(client, lab):
    from choujian.testing import selectors
    from tests.sampling.conftest import photo

    services.intake_reject(
        actor=lab.intake,
        sample=lab.sample,
        seals_intact=False,
        matches_form=True,
        condition="封条断裂",
        reason="封条断裂，无法确认样品未被调换",
        photos=[photo()],
    )
    assert selectors.rejected_intakes(lab.field.setting.drafter).count() == 1
    client.force_login(lab.field.setting.drafter)
    assert "封条断裂，无法确认样品未被调换" in client.get("/lab/oversight/").content.decode()


def test_a_paper_service_starts_the_objection_period_on_the_day_of_the_receipt(lab, client):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.utils import timezone

    from choujian.ledger.verify import check_object
    from choujian.testing.models import Notice

    report = _approved(lab)
    organiser = lab.field.setting.drafter
    proof = SimpleUploadedFile("送达回证.pdf", b"%PDF-1.4\n% receipt signed by the enterprise\n", "application/pdf")
    served_on = timezone.localdate()
    with pytest.raises(NotPermitted):
        objections.notice_serve_paper(actor=lab.party, notice=report.notice, served_on=served_on, proof=proof)
    with pytest.raises(ServiceError) as refused:
        objections.notice_serve_paper(
            actor=organiser, notice=report.notice, served_on=served_on + timedelta(days=2), proof=proof
        )
    assert "served_on" in refused.value.errors
    with pytest.raises(ServiceError) as missing:
        objections.notice_serve_paper(actor=organiser, notice=report.notice, served_on=served_on, proof=None)
    assert "proof" in missing.value.errors
    assert Notice.objects.get(pk=report.notice.pk).served_at is None  # nothing changed by a refusal
    notice = objections.notice_serve_paper(actor=organiser, notice=report.notice, served_on=served_on, proof=proof)
    assert notice.service_method == "paper" and len(notice.service_proof_sha256) == 64
    assert check_object(f"notice:{notice.public_id}") is None  # the ledgered state is the row as stored (UTC)
    assert timezone.localdate(notice.served_at) == served_on and notice.objection_due >= served_on + timedelta(days=15)
    with pytest.raises(ServiceError):
        objections.notice_serve_paper(actor=organiser, notice=notice, served_on=served_on, proof=proof)
    # Acknowledging afterwards records the signature but does not move the day the period started.
    acknowledged = objections.notice_acknowledge(actor=lab.party, notice=notice)
    assert acknowledged.objection_due == notice.objection_due and acknowledged.service_method == "paper"
    client.force_login(lab.party)
    served = client.get(f"/api/v1/reports/{report.code}/").json()["notice"]
    assert served["service_method"] == "paper" and served["served_at"] and served["objection_due"]
