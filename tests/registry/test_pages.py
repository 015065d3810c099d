"""Registry pages: create and edit through forms, stale edits refused, visibility enforced, documents uploaded."""

import hashlib

from django.core.files.uploadedfile import SimpleUploadedFile

from choujian.registry.models import Enterprise
from tests.factories import DeliveryFactory, EnterpriseFactory, OrganisationFactory, member


def _form(uscc, **extra):
    return {
        "uscc": uscc,
        "name": "福州交通材料有限公司",
        "region": "350102",
        "address": "",
        "licence_no": "",
        "status": "active",
        **extra,
    }


def test_it_registers_an_enterprise_from_the_form(world, client):
    client.force_login(world.county_officer)
    uscc = EnterpriseFactory.build(region="350102").uscc
    response = client.post("/registry/enterprise/new/", _form(uscc))
    enterprise = Enterprise.objects.get(uscc=uscc)
    assert response.status_code == 302 and str(enterprise.public_id) in response["Location"]
    assert "福建省福州市鼓楼区" in client.get(response["Location"]).content.decode()


def test_it_shows_which_uscc_character_is_wrong(world, client):
    client.force_login(world.county_officer)
    uscc = EnterpriseFactory.build(region="350102").uscc
    bad = uscc[:4] + "I" + uscc[5:]
    page = client.post("/registry/enterprise/new/", _form(bad)).content.decode()
    assert "第 5 位" in page
    assert not Enterprise.objects.exists()


def test_it_refuses_a_stale_edit_from_the_form(world, client):
    enterprise = EnterpriseFactory(region="350102")
    client.force_login(world.county_officer)
    url = f"/registry/enterprise/{enterprise.public_id}/edit/"
    first = client.post(url, _form(enterprise.uscc, name="甲修改", version=1))
    assert first.status_code == 302
    second = client.post(url, _form(enterprise.uscc, name="乙修改", version=1))
    assert "记录已被他人修改" in second.content.decode()
    enterprise.refresh_from_db()
    assert enterprise.name == "甲修改"


def test_it_hides_another_countys_enterprise_page(world, client):
    enterprise = EnterpriseFactory(region="350102")
    client.force_login(world.other_county_officer)
    assert client.get(f"/registry/enterprise/{enterprise.public_id}/").status_code == 404
    assert client.get(f"/registry/enterprise/{enterprise.public_id}/edit/").status_code == 404


def test_it_keeps_laboratory_staff_out_of_the_registry_pages(world, client):
    tester = member(OrganisationFactory(kind="laboratory", level="", region="350100"), "tester")
    client.force_login(tester)
    assert client.get("/registry/enterprise/").status_code == 403


def test_it_searches_and_pages_the_list(world, client):
    for n in range(30):
        EnterpriseFactory(region="350102", name=f"闽江护栏{n:02d}")
    EnterpriseFactory(region="350102", name="榕城钢绞线")
    client.force_login(world.county_officer)
    assert "共 31 条" in client.get("/registry/enterprise/").content.decode()
    found = client.get("/registry/enterprise/?q=钢绞线").content.decode()
    assert "榕城钢绞线" in found and "闽江护栏00" not in found
    assert "没有找到" in client.get("/registry/enterprise/?q=不存在的企业").content.decode()


def test_it_uploads_a_certificate_on_the_delivery_page(world, client):
    delivery = DeliveryFactory(section__project__region="350102")
    contractor = member(delivery.section.contractor, "contractor_staff")
    client.force_login(contractor)
    content = b"\x89PNG\r\n\x1a\n" + b"0" * 64
    upload = SimpleUploadedFile("合格证.png", content, content_type="image/png")
    response = client.post(
        f"/registry/delivery/{delivery.public_id}/documents/", {"kind": "certificate", "file": upload}
    )
    assert response.status_code == 302
    assert hashlib.sha256(content).hexdigest() in client.get(response["Location"]).content.decode()
    document = delivery.documents.get()
    download = client.get(f"/registry/documents/{document.public_id}/")
    assert download.status_code == 200 and b"".join(download.streaming_content) == content
    client.force_login(world.other_county_officer)
    assert client.get(f"/registry/documents/{document.public_id}/").status_code == 404


def test_it_offers_new_and_import_only_to_those_who_may_register(world, client):
    auditor = member(world.province, "auditor")
    client.force_login(auditor)
    page = client.get("/registry/enterprise/").content.decode()
    assert "/registry/enterprise/new/" not in page and "/registry/enterprise/import/" not in page
    assert client.get("/registry/enterprise/new/").status_code == 403
    assert client.get("/registry/enterprise/import/").status_code == 403
    client.force_login(world.county_officer)
    assert "/registry/enterprise/new/" in client.get("/registry/enterprise/").content.decode()


def test_it_exports_what_the_search_found(world, client):
    EnterpriseFactory(region="350102", name="榕城钢绞线")
    client.force_login(world.county_officer)
    fragment = client.get("/registry/enterprise/?q=钢绞线", HTTP_HX_REQUEST="true").content.decode()
    assert "export/?format=csv&amp;q=%E9%92%A2%E7%BB%9E%E7%BA%BF" in fragment


def test_it_explains_a_refusal_on_a_chinese_page(world, client):
    tester = member(OrganisationFactory(kind="laboratory", level="", region="350100"), "tester")
    client.force_login(tester)
    response = client.get("/registry/enterprise/")
    assert response.status_code == 403
    page = response.content.decode()
    assert "无权访问" in page and "返回首页" in page
