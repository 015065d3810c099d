"""The blind label printed at intake: the lab code and a QR to the blind sample's page, the dates — nothing that
names the source (sample code, enterprise, product, place)."""

import pytest

from choujian.testing import services
from tests.sampling.test_documents import _qr_codes, _render, pdf_text

pytestmark = pytest.mark.django_db


def test_the_intake_clerk_prints_a_label_that_names_only_the_lab_code(client, lab, tmp_path):
    lab_sample = services.intake_accept(
        actor=lab.intake, sample=lab.sample, seals_intact=True, matches_form=True, condition="完好"
    )
    client.force_login(lab.intake)
    page = client.get(f"/lab/samples/{lab_sample.lab_code}/")
    assert "打印盲样标签" in page.content.decode()
    response = client.get(f"/lab/samples/{lab_sample.lab_code}/label.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    pdf = response.content
    text = pdf_text(pdf, tmp_path)
    assert lab_sample.lab_code in text and "盲样编号" in text and "检验期限" in text
    record = lab.sample.record
    for secret in (lab.sample.code, record.party_name, record.product_name, record.place_address, record.brand):
        assert not secret or secret.replace(" ", "") not in text
    (png,) = _render(pdf, f"blind-label-{lab_sample.lab_code}", 300)
    assert _qr_codes(png) == [f"http://testserver/lab/samples/{lab_sample.lab_code}/"]


def test_someone_outside_the_laboratory_gets_no_label(client, lab):
    lab_sample = services.intake_accept(
        actor=lab.intake, sample=lab.sample, seals_intact=True, matches_form=True, condition="完好"
    )
    client.force_login(lab.other_intake)
    assert client.get(f"/lab/samples/{lab_sample.lab_code}/label.pdf").status_code == 404
