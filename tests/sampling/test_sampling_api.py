"""The sampling API end to end: open the form, fill it, upload, sign, seal, print, hand over, receive; with the
three personas (the drawn sampler, a colleague of the same agency, an outsider) and the inspected party."""

import uuid

import pytest

from choujian.sampling.models import Evidence, Handover, Sample, SamplingRecord, Signature
from tests.factories import OrganisationFactory, member
from tests.sampling.conftest import face, ink, photo, sha

pytestmark = pytest.mark.django_db


def _open(api, field):
    client = api(field.samplers[0])
    key = str(uuid.uuid4())
    first = client.post("/api/v1/sampling-records/", {"task": field.task.code, "client_uuid": key}, format="json")
    assert first.status_code == 201, first.json()
    again = client.post("/api/v1/sampling-records/", {"task": field.task.code, "client_uuid": key}, format="json")
    assert again.status_code == 200 and again.json()["code"] == first.json()["code"]
    return client, first.json()


def _fill_and_sign(client, field, record, api_for) -> dict:
    url = f"/api/v1/sampling-records/{record['code']}/"
    patch = {
        "version": record["version"],
        "batch_no": "B-20261101",
        "lot_size": "800",
        "lot_unit": "t",
        "seal_numbers": ["S-1", "S-2"],
        "latitude": "26.1",
        "longitude": "119.3",
        "place_address": "福州市测试路 1 号",
    }
    response = client.patch(url, patch, format="json")
    assert response.status_code == 200, response.json()
    for kind in ("label", "seal"):
        upload = photo(f"{kind}.jpg")
        response = client.post(
            url + "evidence/",
            {"kind": kind, "file": upload, "client_uuid": str(uuid.uuid4()), "sha256": sha(upload)},
            format="multipart",
        )
        assert response.status_code == 201, response.json()
    body = client.get(url).json()
    for person in field.samplers:
        response = api_for(person).post(
            url + "signatures/",
            {
                "role": "sampler",
                "signer": str(person.public_id),
                "image": ink(),
                "content_sha256": body["content_sha256"],
                "client_uuid": str(uuid.uuid4()),
            },
            format="multipart",
        )
        assert response.status_code == 201, response.json()
    party = {
        "role": "party",
        "signer_name": "陈经理",
        "signer_id_digits": "123X",
        "person_photo": face(),
        "image": ink(),
        "content_sha256": body["content_sha256"],
        "client_uuid": str(uuid.uuid4()),
    }
    assert client.post(url + "signatures/", party, format="multipart").status_code == 201
    return client.get(url).json()


def test_it_runs_the_field_flow_through_the_api(api, field):
    client, record = _open(api, field)
    record = _fill_and_sign(client, field, record, api)
    assert record["problems"] == {}
    sealed = client.post(f"/api/v1/sampling-records/{record['code']}/seal/")
    assert sealed.status_code == 201, sealed.json()
    code = sealed.json()["code"]
    listed = client.get("/api/v1/samples/").json()["results"]
    assert code in [s["code"] for s in listed]

    labels = client.get(f"/api/v1/samples/{code}/labels.pdf")
    assert labels.status_code == 200 and labels["Content-Type"] == "application/pdf"
    assert labels.content.startswith(b"%PDF")
    sheet = client.get(f"/api/v1/samples/{code}/labels.pdf?layout=a4")
    assert sheet.status_code == 200
    assert client.get(f"/api/v1/samples/{code}/labels.pdf?layout=poster").status_code == 400
    form_pdf = client.get(f"/api/v1/samples/{code}/sampling-form.pdf")
    assert form_pdf.status_code == 200 and form_pdf.content.startswith(b"%PDF")

    key = str(uuid.uuid4())
    handover = {
        "sample": code,
        "portions": [1],
        "to_org": str(field.setting.lab.public_id),
        "place": "检验中心样品室",
        "client_uuid": key,
        "signature": ink(),
    }
    made = client.post("/api/v1/handovers/", handover, format="multipart")
    assert made.status_code == 201, made.json()
    handover["signature"] = ink()
    assert client.post("/api/v1/handovers/", handover, format="multipart").status_code == 200
    assert Handover.objects.count() == 1

    lab = api(field.intake)
    accept = {"seal_intact": "true", "condition": "完好", "signature": ink()}
    accepted = lab.post(f"/api/v1/handovers/{made.json()['id']}/accept/", accept, format="multipart")
    assert accepted.status_code == 200, accepted.json()
    assert Sample.objects.get(code=code).status == "received"
    assert lab.get(f"/api/v1/samples/{code}/sampling-form.pdf?copy=laboratory").status_code == 200
    assert lab.get(f"/api/v1/samples/{code}/sampling-form.pdf?copy=party").status_code == 404


def test_only_the_drawn_sampler_writes_and_an_outsider_sees_nothing(api, field):
    client, record = _open(api, field)
    url = f"/api/v1/sampling-records/{record['code']}/"
    colleague = api(field.outsider_sampler)  # same agency, not drawn for this task
    assert colleague.get(url).status_code == 404
    assert colleague.patch(url, {"version": 1, "batch_no": "X"}, format="json").status_code == 404
    jiangxi = OrganisationFactory(name="江西省交通运输厅", level="province", region="360000")
    outsider = api(member(jiangxi, "regulator_officer", username="elsewhere"))
    assert outsider.get(url).status_code == 404
    assert api(None).get(url).status_code in (401, 403)
    assert api(field.tester).get("/api/v1/samples/").json()["results"] == []
    stale = client.patch(url, {"version": record["version"] + 5, "batch_no": "X"}, format="json")
    assert stale.status_code == 409


def test_bad_input_names_the_field_and_changes_nothing(api, field):
    client, record = _open(api, field)
    url = f"/api/v1/sampling-records/{record['code']}/"
    before = SamplingRecord.objects.get(code=record["code"]).content_sha256
    bad = client.patch(url, {"version": record["version"], "latitude": "123.5"}, format="json")
    assert bad.status_code == 400 and "latitude" in bad.json()
    unknown = client.post(url + "evidence/", {"kind": "selfie", "client_uuid": str(uuid.uuid4())}, format="multipart")
    assert unknown.status_code == 400 and {"kind", "file"} <= set(unknown.json())
    exe = client.post(
        url + "evidence/",
        {"kind": "label", "file": photo("x.jpg").__class__("x.jpg", b"MZ\x90\x00"), "client_uuid": str(uuid.uuid4())},
        format="multipart",
    )
    assert exe.status_code == 400 and "file" in exe.json()
    seal = client.post(url + "seal/")
    assert seal.status_code == 400 and "signatures" in seal.json() and "seal_numbers" in seal.json()
    assert SamplingRecord.objects.get(code=record["code"]).content_sha256 == before
    assert not Evidence.objects.exists() and not Signature.objects.exists() and not Sample.objects.exists()


def test_a_custodian_of_another_organisation_cannot_act_on_the_sample(api, field):
    client, record = _open(api, field)
    _fill_and_sign(client, field, record, api)
    code = client.post(f"/api/v1/sampling-records/{record['code']}/seal/").json()["code"]
    handover = {
        "sample": code,
        "portions": [1],
        "to_org": str(field.setting.lab.public_id),
        "place": "样品室",
        "client_uuid": str(uuid.uuid4()),
        "signature": ink(),
    }
    other_lab_clerk = member(
        type(field.setting.lab).objects.create(name="另一检测公司", kind="laboratory", region="350100"),
        "lab_intake",
        username="otherlab",
    )
    assert api(field.samplers[1]).post("/api/v1/handovers/", handover, format="multipart").status_code == 403
    handover["signature"] = ink()
    made = client.post("/api/v1/handovers/", handover, format="multipart").json()
    accept = {"seal_intact": "true", "condition": "完好", "signature": ink()}
    refused = api(other_lab_clerk).post(f"/api/v1/handovers/{made['id']}/accept/", accept, format="multipart")
    assert refused.status_code in (403, 404)
    tester = api(field.tester).post(f"/api/v1/handovers/{made['id']}/accept/", accept, format="multipart")
    assert tester.status_code in (403, 404)
    assert Handover.objects.get().status == "pending"


def _signature(client, record, **fields):
    body = client.get(f"/api/v1/sampling-records/{record['code']}/").json()
    data = {"image": ink(), "content_sha256": body["content_sha256"], "client_uuid": str(uuid.uuid4())} | fields
    return client.post(f"/api/v1/sampling-records/{record['code']}/signatures/", data, format="multipart")


def test_a_sampler_cannot_sign_for_the_other_sampler(api, field):
    client, record = _open(api, field)
    other = field.samplers[1]
    response = _signature(client, record, role="sampler", signer=str(other.public_id))
    assert response.status_code == 400 and "signer_password" in response.json()
    response = _signature(client, record, role="sampler", signer=str(other.public_id), signer_password="guess-1234")
    assert response.status_code == 400
    assert not Signature.objects.filter(signer=other).exists()
    from tests.factories import DEMO_PASSWORD

    handed = _signature(client, record, role="sampler", signer=str(other.public_id), signer_password=DEMO_PASSWORD)
    assert handed.status_code == 201  # the other sampler typed their own password on the phone
    assert Signature.objects.get(signer=other).signer_confirmed == "password"


def test_the_party_signature_needs_who_signed_and_a_photo_and_no_double_role(api, field):
    client, record = _open(api, field)
    bare = _signature(client, record, role="party", signer_name="陈经理")
    assert bare.status_code == 400 and "signer_id_digits" in bare.json()
    no_photo = _signature(client, record, role="party", signer_name="陈经理", signer_id_digits="1234")
    assert no_photo.status_code == 400 and "person_photo" in no_photo.json()
    sampler_name = str(field.samplers[0])
    twice = _signature(
        client, record, role="party", signer_name=sampler_name, signer_id_digits="1234", person_photo=face()
    )
    assert twice.status_code == 400 and "两种身份" in twice.json()["signer_name"][0]
    ok = _signature(client, record, role="party", signer_name="陈经理", signer_phone="13800138000", person_photo=face())
    assert ok.status_code == 201
    signature = Signature.objects.get(role="party")
    assert signature.person_photo_sha256 and signature.signer_phone == "13800138000"
