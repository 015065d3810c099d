"""The laboratory API end to end: intake → blind results → review → approval → PDF → notice → objection → decision
→ re-test confirmation; the evaluate endpoint; and who may not do what."""

import uuid

import pytest

from choujian.sampling.models import Sample
from choujian.testing.models import Report
from tests.testing.conftest import value_for

pytestmark = pytest.mark.django_db


def test_it_runs_intake_results_review_approval_and_objection_through_the_api(api, lab):
    queue = api(lab.intake).get("/api/v1/lab/intake/").json()
    assert [row["sample"] for row in queue] == [lab.sample.code]
    assert api(lab.tester).get("/api/v1/lab/intake/").json() == []
    bad = api(lab.intake).post(
        "/api/v1/lab/intake/", {"sample": lab.sample.code, "accept": True, "seals_intact": True}, format="json"
    )
    assert bad.status_code == 400 and {"matches_form", "condition"} <= set(bad.json())
    made = api(lab.intake).post(
        "/api/v1/lab/intake/",
        {"sample": lab.sample.code, "accept": True, "seals_intact": True, "matches_form": True, "condition": "完好"},
        format="json",
    )
    assert made.status_code == 201, made.json()
    code = made.json()["lab_code"]

    tester = api(lab.tester)
    blind = tester.get(f"/api/v1/lab/worklist/{code}/").json()
    assert blind["lab_code"] == code and "sample" not in blind and blind["items"]
    for item in blind["items"]:
        entered = tester.post(
            f"/api/v1/lab/worklist/{code}/results/",
            {"item": item["code"], "values": value_for(item), "instrument": "万能试验机"},
            format="json",
        )
        assert entered.status_code == 201, entered.json()
    wrong = tester.post(
        f"/api/v1/lab/worklist/{code}/results/",
        {"item": "nonexistent", "values": ["1"], "instrument": "x"},
        format="json",
    )
    assert wrong.status_code == 400 and "item" in wrong.json()
    assert tester.post(f"/api/v1/lab/worklist/{code}/submit/").status_code == 200
    assert tester.post(f"/api/v1/lab/worklist/{code}/review/", {"approve": True}, format="json").status_code == 403
    reviewed = api(lab.reviewer).post(f"/api/v1/lab/worklist/{code}/review/", {"approve": True}, format="json")
    assert reviewed.status_code == 200 and reviewed.json()["status"] == "reviewed"
    approved = api(lab.approver).post(f"/api/v1/lab/worklist/{code}/approve/")
    assert approved.status_code == 200, approved.json()
    report_code = approved.json()["code"]
    assert approved.json()["judgment"] == "pass"

    assert tester.get(f"/api/v1/reports/{report_code}/").status_code == 404  # testers never see the unblinded report
    party = api(lab.party)
    pdf = party.get(f"/api/v1/reports/{report_code}/pdf/")
    assert pdf.status_code == 200 and b"".join(pdf.streaming_content).startswith(b"%PDF")
    assert party.post(f"/api/v1/reports/{report_code}/acknowledge/").status_code == 200
    short = party.post(
        f"/api/v1/reports/{report_code}/objection/", {"reasons": "不服", "client_uuid": str(uuid.uuid4())}
    )
    assert short.status_code == 400 and "reasons" in short.json()
    filed = party.post(
        f"/api/v1/reports/{report_code}/objection/",
        {"reasons": "企业自检合格，对检验结果有异议，申请复检", "client_uuid": str(uuid.uuid4())},
    )
    assert filed.status_code == 201, filed.json()
    objection = filed.json()["id"]
    organiser = api(lab.field.setting.drafter)
    assert party.post(f"/api/v1/objections/{objection}/decide/", {"accept": True, "note": "x"}).status_code in (
        403,
        404,
    )
    decided = organiser.post(f"/api/v1/objections/{objection}/decide/", {"accept": True, "note": "安排复检"})
    assert decided.status_code == 200 and decided.json()["retest"]
    retest = decided.json()["retest"]
    assert party.post(f"/api/v1/retests/{retest}/confirm/", {"condition": "封条完好"}).status_code == 200
    confirmed = organiser.post(f"/api/v1/retests/{retest}/confirm/", {"condition": "封条完好"})
    assert confirmed.status_code == 200 and confirmed.json()["status"] == "confirmed"
    assert confirmed.json()["laboratory"] == lab.other_lab.name


def test_the_public_report_check_finds_a_genuine_pdf_and_a_changed_one(client, api, lab):
    from tests.testing.test_lab_flow import _approved

    report = _approved(lab)
    page = client.get(f"/r/{report.verify_token}/")
    text = page.content.decode()
    assert page.status_code == 200 and report.code in text and report.pdf_sha256 in text
    assert lab.sample.task.enterprise.name not in text
    assert "状态：有效" in text and lab.sample.record.product_name in text and "合格" in text
    genuine = report.pdf.open("rb").read()
    from django.core.files.uploadedfile import SimpleUploadedFile

    ok = client.post(f"/r/{report.verify_token}/", {"pdf": SimpleUploadedFile("r.pdf", genuine)})
    assert "未被改动" in ok.content.decode()
    changed = client.post(f"/r/{report.verify_token}/", {"pdf": SimpleUploadedFile("r.pdf", genuine + b"%")})
    assert "不一致" in changed.content.decode()
    assert client.get(f"/r/{'x' * 30}/").status_code == 404


def test_the_sampling_agency_cannot_enter_results_and_a_stranger_sees_no_report(api, lab):
    from tests.testing.test_lab_flow import _approved

    report = _approved(lab)
    sampler = api(lab.field.samplers[0])
    assert sampler.get("/api/v1/lab/worklist/").json()["results"] == []
    assert sampler.get(f"/api/v1/reports/{report.code}/").status_code == 404  # reports are not the agency's
    assert api(lab.other_intake).get(f"/api/v1/reports/{report.code}/").status_code == 404
    assert Report.objects.count() == 1 and Sample.objects.count() == 1


def test_the_evaluate_endpoint_shows_where_the_two_comparison_methods_disagree(api, lab):
    client = api(lab.tester)
    body = {"values": ["96.96"], "limit": ">=97.0", "unit_step": "0.1"}
    full = client.post("/api/v1/rules/evaluate/", {**body, "method": "full"}, format="json").json()
    rounded = client.post("/api/v1/rules/evaluate/", {**body, "method": "rounded"}, format="json").json()
    assert (full["judgment"], rounded["judgment"], rounded["rounded"]) == ("fail", "pass", "97.0")
