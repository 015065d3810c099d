"""Registry writes through the API: validation errors name fields, edits need the version, documents are hashed."""

import hashlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from choujian.ledger.models import LedgerEntry
from choujian.registry.models import Delivery, Enterprise
from tests.factories import DeliveryFactory, EnterpriseFactory, ProductFactory, member
from tests.ledger_entries import entries_data


@pytest.fixture
def enterprise_payload():
    return {"uscc": EnterpriseFactory.build(region="350102").uscc, "name": "福州路桥材料有限公司", "region": "350102"}


def test_it_creates_an_enterprise_and_ledgers_it(world, api, enterprise_payload):
    response = api(world.county_officer).post("/api/v1/enterprises/", enterprise_payload, format="json")
    assert response.status_code == 201, response.json()
    created = response.json()
    assert created["version"] == 1 and created["status"] == "active"
    assert LedgerEntry.objects.filter(object=f"enterprise:{created['id']}", type="enterprise.created").exists()


def test_it_names_the_wrong_character_of_a_bad_uscc(world, api, enterprise_payload):
    bad = enterprise_payload["uscc"][:-1] + ("0" if enterprise_payload["uscc"][-1] != "0" else "1")
    response = api(world.county_officer).post(
        "/api/v1/enterprises/", {**enterprise_payload, "uscc": bad}, format="json"
    )
    assert response.status_code == 400
    assert "第 18 位" in " ".join(response.json()["uscc"])
    assert not Enterprise.objects.exists()


def test_it_refuses_an_enterprise_outside_the_users_region(world, api, enterprise_payload):
    response = api(world.other_county_officer).post("/api/v1/enterprises/", enterprise_payload, format="json")
    assert response.status_code == 403
    assert not Enterprise.objects.exists()


def test_it_rejects_an_unknown_region_code(world, api, enterprise_payload):
    response = api(world.provincial_officer).post(
        "/api/v1/enterprises/", {**enterprise_payload, "region": "359999"}, format="json"
    )
    assert response.status_code == 400 and "region" in response.json()


def test_it_returns_409_when_someone_else_changed_the_row_first(world, api):
    enterprise = EnterpriseFactory(region="350102")
    url = f"/api/v1/enterprises/{enterprise.public_id}/"
    client = api(world.county_officer)
    assert client.patch(url, {"name": "第一次修改", "version": 1}, format="json").status_code == 200
    stale = client.patch(url, {"name": "覆盖修改", "version": 1}, format="json")
    assert stale.status_code == 409 and stale.json()["version"] == 2
    enterprise.refresh_from_db()
    assert enterprise.name == "第一次修改"


def test_it_requires_the_version_on_every_edit(world, api):
    enterprise = EnterpriseFactory(region="350102")
    response = api(world.county_officer).patch(
        f"/api/v1/enterprises/{enterprise.public_id}/", {"name": "无版本"}, format="json"
    )
    assert response.status_code == 400 and "version" in response.json()


def test_it_accepts_the_version_in_an_if_match_header(world, api):
    enterprise = EnterpriseFactory(region="350102")
    response = api(world.county_officer).patch(
        f"/api/v1/enterprises/{enterprise.public_id}/", {"name": "头部版本"}, format="json", HTTP_IF_MATCH='"1"'
    )
    assert response.status_code == 200 and response.json()["version"] == 2


def test_it_refuses_to_delete_an_enterprise_that_still_has_products(world, api):
    product = ProductFactory(enterprise__region="350102")
    response = api(world.county_officer).delete(f"/api/v1/enterprises/{product.enterprise.public_id}/")
    assert response.status_code == 400 and "产品" in str(response.json())
    assert Enterprise.objects.filter(pk=product.enterprise.pk).exists()


def test_it_lets_a_contractor_record_a_delivery_on_its_own_section_only(world, api):
    delivery = DeliveryFactory(section__project__region="350102")
    contractor = member(delivery.section.contractor, "contractor_staff")
    other = DeliveryFactory(section__project__region="350102")
    payload = {
        "product": str(delivery.product.public_id),
        "batch_no": "B-NEW-1",
        "quantity": "12.5",
        "unit": "t",
        "delivered_on": "2026-06-01",
    }
    ok = api(contractor).post(
        "/api/v1/deliveries/", {**payload, "section": str(delivery.section.public_id)}, format="json"
    )
    assert ok.status_code == 201, ok.json()
    refused = api(contractor).post(
        "/api/v1/deliveries/", {**payload, "section": str(other.section.public_id)}, format="json"
    )
    assert refused.status_code == 400 and "section" in refused.json()
    assert Delivery.objects.filter(batch_no="B-NEW-1").count() == 1


def test_it_stores_a_delivery_document_under_its_sha256(world, api):
    delivery = DeliveryFactory(section__project__region="350102")
    contractor = member(delivery.section.contractor, "contractor_staff")
    content = b"%PDF-1.4\n% certificate of conformity\n"
    upload = SimpleUploadedFile("合格证.pdf", content, content_type="application/pdf")
    response = api(contractor).post(
        f"/api/v1/deliveries/{delivery.public_id}/documents/",
        {"kind": "certificate", "file": upload},
        format="multipart",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["sha256"] == hashlib.sha256(content).hexdigest()
    entry = LedgerEntry.objects.filter(type="delivery.document_attached").get()
    # A delivery names a project and a maker: its entries publish digests only, the file's hash among the
    # private data that `data_digest` commits to.
    assert "data_digest" in entry.body
    (attached,) = entries_data(delivery, "delivery.document_attached")
    assert attached["document"]["sha256"] == hashlib.sha256(content).hexdigest()
    # The state ledgered is the delivery with its new document, so an honest upload never looks tampered.
    from choujian.ledger.objects import object_ref
    from choujian.ledger.verify import check_object

    assert check_object(object_ref(delivery)) is None


def test_it_refuses_a_document_that_is_not_a_pdf_or_image(world, api):
    delivery = DeliveryFactory(section__project__region="350102")
    contractor = member(delivery.section.contractor, "contractor_staff")
    upload = SimpleUploadedFile("x.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    response = api(contractor).post(
        f"/api/v1/deliveries/{delivery.public_id}/documents/",
        {"kind": "certificate", "file": upload},
        format="multipart",
    )
    assert response.status_code == 400 and "file" in response.json()


@pytest.mark.parametrize("body", [{"uscc": None}, {"name": ["x"]}, {"region": 12}, {"status": "bogus"}, "[]", "null"])
def test_it_answers_malformed_input_with_400(world, api, enterprise_payload, body):
    data = {**enterprise_payload, **body} if isinstance(body, dict) else body
    response = api(world.county_officer).post(
        "/api/v1/enterprises/",
        data,
        format="json" if isinstance(body, dict) else None,
        content_type=None if isinstance(body, dict) else "application/json",
    )
    assert response.status_code == 400


def test_it_stores_a_full_width_lower_case_uscc_in_canonical_form(world, api, enterprise_payload):
    canonical = enterprise_payload["uscc"]
    typed = "".join(chr(ord(c) + 0xFEE0) for c in canonical.lower())
    response = api(world.county_officer).post(
        "/api/v1/enterprises/", {**enterprise_payload, "uscc": typed}, format="json"
    )
    assert response.status_code == 201 and response.json()["uscc"] == canonical


def test_it_refuses_to_delete_a_project_that_still_has_sections(world, api):
    from tests.factories import SectionFactory

    section = SectionFactory(project__region="350102")
    response = api(world.county_officer).delete(f"/api/v1/projects/{section.project.public_id}/")
    assert response.status_code == 400 and "标段" in str(response.json())
