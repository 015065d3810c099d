"""Sign-in by page and by token, lockout after failures, mandatory TOTP for admins and approvers."""

import pytest
from django.core.exceptions import ValidationError
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.test import APIClient

from choujian.accounts import services
from choujian.accounts.models import Membership
from choujian.core.errors import NotPermitted, ServiceError
from tests.factories import DEMO_PASSWORD, OrganisationFactory, member


def _code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def test_it_issues_a_token_that_authenticates_the_me_endpoint(world):
    client = APIClient()
    response = client.post("/api/v1/auth/token/", {"username": "gulou", "password": DEMO_PASSWORD}, format="json")
    assert response.status_code == 200
    client.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
    me = client.get("/api/v1/me/").json()
    assert me["username"] == "gulou"
    assert me["roles"] == ["regulator_officer"]
    assert me["organisation"] == {
        "id": str(world.county.public_id),
        "name": "鼓楼区交通运输局",
        "kind": "regulator",
        "region": "350102",
    }


def test_it_refuses_a_token_for_a_wrong_password(world):
    response = APIClient().post("/api/v1/auth/token/", {"username": "gulou", "password": "nope"}, format="json")
    assert response.status_code == 400
    assert "token" not in response.json()


def test_it_locks_an_account_after_five_failed_logins(world, client):
    for _ in range(5):
        response = client.post("/login/", {"username": "gulou", "password": "wrong-password"})
        assert response.status_code in (200, 429)
    locked = client.post("/login/", {"username": "gulou", "password": DEMO_PASSWORD})
    assert locked.status_code == 429
    assert "锁定" in locked.content.decode()


def test_it_signs_in_with_chinese_pages(world, client):
    page = client.get("/login/")
    assert "登录" in page.content.decode()
    response = client.post("/login/", {"username": "gulou", "password": DEMO_PASSWORD})
    assert response.status_code == 302
    assert "您好" in client.get("/").content.decode()


def test_it_explains_a_failed_login_in_chinese(world, client):
    response = client.post("/login/", {"username": "gulou", "password": "wrong-password"})
    assert "用户名或密码不正确" in response.content.decode()


@pytest.fixture
def approver(db):
    lab = OrganisationFactory(kind="laboratory", level="", region="350100")
    return member(lab, "approver", username="approver1", two_factor_exempt=False)


def test_it_sends_an_approver_to_two_factor_before_any_page(approver, client):
    client.post("/login/", {"username": "approver1", "password": DEMO_PASSWORD})
    response = client.get("/registry/enterprise/")
    assert response.status_code == 302 and response["Location"].startswith("/two-factor/")


def test_it_lets_the_approver_in_after_enrolling_a_totp_device(approver, client):
    client.post("/login/", {"username": "approver1", "password": DEMO_PASSWORD})
    enrol = client.get("/two-factor/")
    assert "扫描二维码" in enrol.content.decode()
    device = TOTPDevice.objects.get(user=approver)
    wrong = "000000" if _code(device) != "000000" else "111111"
    assert "验证码不正确" in client.post("/two-factor/", {"token": wrong}).content.decode()
    device.refresh_from_db()
    device.throttle_reset()  # django-otp slows down guessing after a failure; the test should not wait
    response = client.post("/two-factor/", {"token": _code(device), "next": "/"})
    assert response.status_code == 302
    assert client.get("/").status_code == 200
    device.refresh_from_db()
    assert device.confirmed


def test_it_requires_the_totp_code_for_an_approvers_api_token(approver):
    device = TOTPDevice.objects.create(user=approver, name="t", confirmed=True)
    client = APIClient()
    body = {"username": "approver1", "password": DEMO_PASSWORD}
    assert client.post("/api/v1/auth/token/", body, format="json").status_code == 400
    assert client.post("/api/v1/auth/token/", {**body, "otp": _code(device)}, format="json").status_code == 200


def test_it_rejects_weak_passwords(db):
    with pytest.raises(ServiceError) as caught:
        services.user_create(actor=None, username="weak", password="12345678")
    assert "password" in caught.value.errors


def test_it_keeps_roles_to_the_organisations_that_may_hold_them(world):
    lab = OrganisationFactory(kind="laboratory", level="", region="350100")
    with pytest.raises(ServiceError) as caught:
        services.membership_grant(actor=None, user=world.county_officer, organisation=lab, role="sampler")
    assert "抽样人员" in str(caught.value)
    assert not Membership.objects.filter(organisation=lab).exists()


def test_it_keeps_a_county_regulator_inside_its_parents_region(world):
    county = OrganisationFactory.build(
        name="思明区交通运输局", kind="regulator", level="county", region="350203", parent=world.city
    )
    with pytest.raises(ValidationError) as caught:
        county.full_clean()
    assert "parent" in caught.value.message_dict


def test_it_lets_only_a_regional_admin_register_organisations(world):
    with pytest.raises(NotPermitted):
        services.organisation_create(actor=world.county_officer, name="新检测所", kind="laboratory", region="350102")
    created = services.organisation_create(
        actor=world.provincial_admin, name="新检测所", kind="laboratory", region="350102"
    )
    assert created.public_id
