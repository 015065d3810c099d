"""The case's documents: the same PDF from what the case recorded, a QR code to a public check that says whether the
paper matches, and no document before the case reaches it."""

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.urls import reverse

from choujian.enforcement import documents, services

pytestmark = pytest.mark.django_db
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"  # where the browser tests keep what to look at


def test_the_rectification_order_exists_once_served_and_is_checkable(client, parties):
    case = services.case_open(task=parties.field.task, cause="failed")
    client.force_login(parties.county)
    url = reverse("enforcement:document", args=[case.code, "order"])
    assert client.get(url).status_code == 404  # not served yet
    case = services.step_take(actor=parties.county, case=case, step="notice", result="done")
    first, second = client.get(url), client.get(url)
    assert first.status_code == 200 and first["Content-Type"] == "application/pdf"
    assert first.content == second.content  # the same document every time: nothing is stored by reading
    document = documents.build(case, "order")
    assert document.addressee == case.enterprise.name and "整改" in document.paragraphs[0]
    check = client.get(reverse("enforcement-document-verify", args=[documents.token(case, "order")]))
    assert "与平台记录一致" in check.content.decode()
    assert client.get(reverse("enforcement-document-verify", args=["forged"])).status_code == 404
    if shutil.which("pdftotext"):
        ARTIFACTS.mkdir(exist_ok=True)
        path = ARTIFACTS / "enforcement-order.pdf"  # kept to be looked at (pdftoppm)
        path.write_bytes(first.content)
        text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
        assert "责令整改通知书" in text and re.search(r"SHA-256", text)


def test_a_suspension_after_printing_shows_on_the_check(client, parties):
    case = services.case_open(task=parties.field.task, cause="failed")
    case = services.step_take(actor=parties.county, case=case, step="notice", result="done")
    token = documents.token(case, "order")
    services.step_suspend(actor=parties.county, case=case, reason="经批准延期")
    services.step_resume(actor=parties.county, case=case, today=case.steps.get(code="apply").starts_on.replace(day=28))
    page = client.get(reverse("enforcement-document-verify", args=[token])).content.decode()
    assert "已与二维码生成时不同" in page or "与平台记录一致" in page


@pytest.mark.tampers
def test_a_penalty_summary_and_the_referral_letter(client, site):
    import datetime as dt

    case = site["case"]
    services.penalty_decide(actor=site["parties"].county, case=case, kind="art64", rate="3",
                            decision_no="闽交罚〔2026〕9号", decided_on=dt.date.today())  # fmt: skip
    kinds = [(kind, index) for kind, index, _ in documents.available(case)]
    assert ("referral", 0) in kinds and ("penalty", 0) in kinds
    summary = documents.build(case, "penalty", 0)
    assert "360000.00 元" in summary.paragraphs[0] and "第六十四条" in summary.paragraphs[0]
    client.force_login(site["parties"].county)
    assert client.get(reverse("enforcement:document_n", args=[case.code, "penalty", 0])).status_code == 200
    assert client.get(reverse("enforcement:document_n", args=[case.code, "penalty", 5])).status_code == 404
