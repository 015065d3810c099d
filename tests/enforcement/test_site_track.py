"""A failed lot from a construction site: the contractor removes it with photos, the supervisor witnesses it, the
regulator fines the contractor under art. 64 within 2%–4% of the contract price, the owner records its contract
penalty; each only by whom the law or the contract names."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from choujian.core.errors import NotPermitted, ServiceError
from choujian.enforcement import services
from choujian.registry.models import Section
from tests.sampling.conftest import photo

# The task is moved onto a construction site straight in the database (the demo draws such tasks for real).
pytestmark = [pytest.mark.django_db, pytest.mark.tampers]


def test_the_contractor_removes_the_lot_and_the_supervisor_witnesses_it(site):
    case, today = site["case"], dt.date.today()
    with pytest.raises(NotPermitted):
        services.removal_record(
            actor=site["supervisor"], case=case, quantity="25", unit="t", place="K12 料场", removed_on=today,
            photos=[photo()],
        )  # fmt: skip
    with pytest.raises(ServiceError) as bad:
        services.removal_record(
            actor=site["contractor"], case=case, quantity="30", unit="t", place="", removed_on="明天", photos=[]
        )
    assert set(bad.value.errors) == {"quantity", "place", "removed_on", "photos"}
    services.removal_record(
        actor=site["contractor"], case=case, quantity="20", unit="t", place="K12 料场", removed_on=today,
        photos=[photo("退场一.jpg")],
    )  # fmt: skip
    with pytest.raises(ServiceError) as too_much:  # 25 t delivered: two trips cannot take off 30 t
        services.removal_record(
            actor=site["contractor"], case=case, quantity="10", unit="t", place="K12 料场", removed_on=today,
            photos=[photo("退场二.jpg")],
        )  # fmt: skip
    assert "尚未退场数量 5.000" in str(too_much.value)
    removal = services.removal_record(
        actor=site["contractor"], case=case, quantity="5", unit="t", place="K12 料场", removed_on=today,
        photos=[photo("退场.jpg")],
    )  # fmt: skip
    assert removal.files.get().sha256 and removal.witnessed_at is None
    with pytest.raises(NotPermitted):
        services.removal_witness(actor=site["contractor"], case=case, removal=removal)
    removal = services.removal_witness(actor=site["supervisor"], case=case, removal=removal, note="全程见证装车出场")
    assert removal.witnessed_by == site["supervisor"]
    with pytest.raises(ServiceError):
        services.removal_witness(actor=site["supervisor"], case=case, removal=removal)


def test_an_article_64_fine_is_2_to_4_per_cent_of_the_contract_price(site):
    case, officer = site["case"], site["parties"].county
    assert services.art64_range(Decimal("12000000.00")) == (Decimal("240000.00"), Decimal("480000.00"))
    with pytest.raises(ServiceError) as outside:
        services.penalty_decide(actor=officer, case=case, kind="art64", rate="5", decision_no="闽交罚〔2026〕1号",
                                decided_on=dt.date.today())  # fmt: skip
    assert "2% 至 4%" in str(outside.value)
    penalty = services.penalty_decide(
        actor=officer, case=case, kind="art64", rate="2.5", decision_no="闽交罚〔2026〕1号", decided_on=dt.date.today()
    )
    assert penalty.amount == Decimal("300000.00") and penalty.subject == site["section"].contractor
    assert "第六十四条" in penalty.basis
    with pytest.raises(NotPermitted):
        services.penalty_decide(actor=site["owner"], case=case, kind="art64", rate="3", decision_no="x",
                                decided_on=dt.date.today())  # fmt: skip


def test_a_fine_needs_the_section_s_contract_price(site):
    Section.objects.filter(pk=site["section"].pk).update(contract_price=None)
    with pytest.raises(ServiceError) as missing:
        services.penalty_decide(actor=site["parties"].county, case=site["case"], kind="art64", rate="3",
                                decision_no="闽交罚〔2026〕2号", decided_on=dt.date.today())  # fmt: skip
    assert "contract_price" in missing.value.errors


def test_the_owner_records_a_contract_penalty_on_the_supervisor(site):
    penalty = services.penalty_decide(
        actor=site["owner"], case=site["case"], kind="contract", subject="supervisor", amount="50000",
        basis="监理合同第 8.3 条", decision_no="建管〔2026〕7号", decided_on=dt.date.today(),
    )  # fmt: skip
    assert penalty.subject == site["section"].supervisor and penalty.rate is None


def test_the_enterprise_attaches_its_rectification_report_to_its_step(site):
    parties, case = site["parties"], site["case"]
    case = services.step_take(actor=parties.county, case=case, step="notice", result="done")
    report = SimpleUploadedFile("整改报告.pdf", b"%PDF-1.4\n% rectification\n%%EOF\n")
    with pytest.raises(NotPermitted):
        services.step_file_attach(actor=parties.county, case=case, upload=report)
    record = services.step_file_attach(actor=parties.maker, case=case, upload=report)
    assert record.step.code == "apply" and len(record.sha256) == 64
    with pytest.raises(ServiceError):
        services.step_file_attach(actor=parties.maker, case=case, upload=SimpleUploadedFile("a.exe", b"MZ\x90\x00"))


def test_the_project_s_parties_are_told_the_lot_must_leave_the_site(site):
    from choujian.ledger.objects import object_ref
    from choujian.notifications.models import Message

    told = Message.objects.filter(about=object_ref(site["case"]), kind="case.site")
    assert {m.recipient for m in told} == {site["contractor"], site["supervisor"], site["owner"]}
    assert all("退场" in m.subject and "第二十九条" in m.body for m in told)
