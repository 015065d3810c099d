"""Laboratory work in the demo, through the testing services: samples received and waiting for intake, in testing,
under review, approved as conforming, and one approved as non-conforming whose objection led to a re-test at a
drawn laboratory, which confirmed the failure (final, so enforcement begins). Results come from
`values.example_values`, inside the limits of the rules in force."""

import uuid
from random import Random

from choujian.accounts.models import Organisation, User
from choujian.demo import data
from choujian.demo.draw import FUJIAN
from choujian.demo.field import handwriting, photo
from choujian.demo.values import example_values
from choujian.sampling import custody
from choujian.sampling.models import Sample
from choujian.testing import objections, services
from choujian.testing.links import verify_path
from choujian.testing.models import LabSample

NAMESPACE = uuid.UUID("0b8d6a3e-4f21-4c55-9a7e-5d2c8e1f7a90")
OBJECTOR = "objector"
RECIPIENT = "recipient"
# Logins made on the way, for enterprises the draw picks: username → display name.
# maker2–maker5 are the makers of the demo's enforcement history (`demo.history`).
PARTY_LOGINS = {
    OBJECTOR: "陈志远",
    RECIPIENT: "林晓燕",
    "maker2": "许志坚",
    "maker3": "蔡雅芬",
    "maker4": "梁国华",
    "maker5": "黄启明",
}
INSTRUMENT = "微机控制电液伺服万能试验机 WAW-1000（设备编号 SY-017）"


class LabWork:
    def __init__(self, orgs: dict[str, Organisation], users: dict[str, User], password: str) -> None:
        self.orgs, self.users, self.password = orgs, users, password

    def _staff(self, laboratory: Organisation, role: str) -> User:
        suffix = {"lab1": "", "lab2": "2", "lab3": "3"}[next(k for k, o in self.orgs.items() if o.pk == laboratory.pk)]
        return self.users[f"{role}{suffix}"]

    def intake(self, sample: Sample, laboratory: Organisation | None = None, retest=None) -> LabSample:
        laboratory = laboratory or sample.laboratory
        ruleset = services.ruleset_for(sample)
        return services.intake_accept(
            variant=services.variant_for(ruleset, sample),
            actor=self._staff(laboratory, "intake"),
            sample=sample,
            seals_intact=True,
            matches_form=True,
            condition="包装完好，封条完整，数量与抽样单一致",
            retest=retest,
        )

    def _results(self, lab_sample: LabSample, *, fail_first: bool = False, only: int | None = None) -> None:
        tester = self._staff(lab_sample.laboratory, "tester")
        items = services.item_details(lab_sample)
        for index, item in enumerate(items[:only] if only else items):
            values = example_values(item, passing=not (fail_first and index == 0))
            services.result_enter(
                actor=tester, lab_sample=lab_sample, item=item["code"], values=values, instrument=INSTRUMENT
            )

    def approved(self, lab_sample: LabSample, verify_url, *, fail_first: bool = False):
        self._results(lab_sample, fail_first=fail_first)
        report = services.report_submit(actor=self._staff(lab_sample.laboratory, "tester"), lab_sample=lab_sample)
        services.report_review(actor=self._staff(lab_sample.laboratory, "reviewer"), report=report, approve=True)
        return services.report_approve(
            actor=self._staff(lab_sample.laboratory, "approver"), report=report, verify_url=verify_url
        )

    def build(self, received: list[Sample]) -> None:
        """Stages in order of the received samples: conforming, non-conforming with a re-test, under review, in
        testing, waiting for intake."""
        verify_url = self.verify_url
        stages = [self.conforming, self.objected, self.under_review, self.in_testing]
        remaining, enterprises = list(received), set()
        for stage in stages:
            # each stage at an enterprise of its own: the recipient's and the objector's logins stay apart
            sample = next((s for s in remaining if s.task.enterprise_id not in enterprises), None)
            if sample is None:
                break
            remaining.remove(sample)
            enterprises.add(sample.task.enterprise_id)
            stage(sample, verify_url)

    @staticmethod
    def verify_url(report) -> str:
        """No request while building the demo: the configured public address, else the local site."""
        from django.conf import settings

        base = settings.CHOUJIAN_PUBLIC_URL or f"http://127.0.0.1:{settings.PORT}"
        return base.rstrip("/") + verify_path(report)

    def conforming(self, sample: Sample, verify_url) -> None:
        """Approved and sent; the enterprise (login `recipient`) has not yet acknowledged it, and may still object."""
        self.approved(self.intake(sample), verify_url)
        self.party(sample, RECIPIENT)

    def under_review(self, sample: Sample, verify_url) -> None:
        lab_sample = self.intake(sample)
        self._results(lab_sample)
        services.report_submit(actor=self._staff(lab_sample.laboratory, "tester"), lab_sample=lab_sample)

    def in_testing(self, sample: Sample, verify_url) -> None:
        self._results(self.intake(sample), only=3)

    def objected(self, sample: Sample, verify_url) -> None:
        report = self.approved(self.intake(sample), verify_url, fail_first=True)
        party = self.party(sample, OBJECTOR)
        objection = objections.objection_file(
            actor=party,
            report=report,
            reasons="我司该批次出厂检验及委托第三方检验均合格，对本次检验结果有异议，申请对备用样品复检。",
            client_uuid=uuid.uuid5(NAMESPACE, f"{sample.code}/objection"),
            attachments=[photo("第三方检验报告", (236, 232, 220), Random(f"{sample.code}/objection"))],
        )
        organiser = self.users["regulator"]
        objections.objection_decide(
            actor=organiser, objection=objection, accept=True, note="异议理由具体，依法安排复检"
        )
        retest = objection.retest
        objections.retest_confirm(actor=party, retest=retest, condition=f"备用样品封条 {retest.portion.seal_no} 完好")
        objections.retest_confirm(actor=organiser, retest=retest, condition="封条完好，状况正常")
        backup = retest.portion
        handover = custody.handover_start(
            actor=backup.custodian,
            sample=sample,
            portions=[backup],
            to_org=retest.laboratory,
            place=f"{retest.laboratory.name} 样品接收室",
            signature=handwriting(_rng(sample)),
            client_uuid=uuid.uuid5(NAMESPACE, f"{sample.code}/retest-handover"),
        )
        custody.handover_accept(
            actor=self._staff(retest.laboratory, "intake"),
            handover=handover,
            seal_intact=True,
            condition="备样封条完好",
            signature=handwriting(_rng(sample)),
        )
        # The re-test confirms the failure: the result is final and non-conforming, and enforcement begins.
        self.approved(self.intake(sample, retest.laboratory, retest), verify_url, fail_first=True)

    def party(self, sample: Sample, username: str) -> User:
        """A login for the staff of an enterprise whose result the demo shows: the draw decides which enterprise that
        is, so its organisation and login are made here."""
        from choujian.accounts import services as accounts
        from choujian.registry import services as registry

        enterprise = sample.task.enterprise
        if enterprise.organisation_id is None:
            organisation = accounts.organisation_create(
                actor=None,
                name=enterprise.name,
                kind="manufacturer",
                sector="transport",
                region=enterprise.region,
                address=enterprise.address,
                uscc=enterprise.uscc,
            )
            # a provincial regulator edits only its province's records; the ministry's registrar the others
            editor = "regulator" if enterprise.region.startswith(FUJIAN[:2]) else data.REGISTRAR.username
            registry.enterprise_update(actor=self.users[editor], enterprise=enterprise, organisation=organisation)
            enterprise.refresh_from_db()
        user = accounts.user_create(
            actor=None,
            username=username,
            password=self.password,
            display_name=PARTY_LOGINS[username],
            two_factor_exempt=True,
        )
        accounts.membership_grant(actor=None, user=user, organisation=enterprise.organisation, role="enterprise_staff")
        return type(user).objects.get(pk=user.pk)


def _rng(sample: Sample):
    from random import Random

    return Random(sample.code)


def build_lab_work(orgs: dict[str, Organisation], users: dict[str, User], password: str, received: list) -> None:
    LabWork(orgs, users, password).build(received)
