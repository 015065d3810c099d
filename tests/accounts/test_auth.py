"""Sign-in by page and by token, lockout after failures, mandatory TOTP for admins and approvers."""

import re

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
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


def _fail(client, username: str, address: str, times: int) -> None:
    """Wrong passwords from one address, a minute apart (past the doubling delay)."""
    import datetime as dt

    import time_machine
    from django.utils import timezone

    start = timezone.now()
    for i in range(times):
        with time_machine.travel(start + dt.timedelta(minutes=i), tick=False):
            response = client.post("/login/", {"username": username, "password": "wrong-password"}, REMOTE_ADDR=address)
            assert response.status_code in (200, 429)


def test_it_locks_an_account_after_five_failed_logins_from_that_address(world, client):
    import datetime as dt

    import time_machine
    from django.utils import timezone

    _fail(client, "gulou", "10.0.0.66", 5)
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=6), tick=False):
        locked = client.post("/login/", {"username": "gulou", "password": DEMO_PASSWORD}, REMOTE_ADDR="10.0.0.66")
    assert locked.status_code == 429
    assert "锁定" in locked.content.decode()


def test_five_wrong_passwords_from_one_address_do_not_lock_the_owner_out_elsewhere(world, client):
    import datetime as dt

    import time_machine
    from django.test import Client
    from django.utils import timezone

    _fail(client, "gulou", "10.0.0.66", 5)
    owner = Client()
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=6), tick=False):
        response = owner.post("/login/", {"username": "gulou", "password": DEMO_PASSWORD}, REMOTE_ADDR="10.9.9.9")
    assert response.status_code == 302


def test_repeated_failures_slow_down_further_tries_for_the_username(world, client):
    for _ in range(4):
        client.post("/login/", {"username": "gulou", "password": "wrong-password"}, REMOTE_ADDR="10.0.0.7")
    page = client.post("/login/", {"username": "gulou", "password": DEMO_PASSWORD}, REMOTE_ADDR="10.0.0.8")
    assert page.status_code == 200 and "秒后再试" in page.content.decode()
    token = APIClient().post(
        "/api/v1/auth/token/", {"username": "gulou", "password": DEMO_PASSWORD}, format="json", REMOTE_ADDR="10.0.0.8"
    )
    assert token.status_code == 429 and int(token["Retry-After"]) > 0


def test_an_administrator_sees_and_lifts_a_lockout(world, client):
    from axes.models import AccessAttempt

    _fail(client, "gulou", "10.0.0.66", 5)
    admin = Client()
    admin.force_login(world.provincial_admin)
    page = admin.get("/lockouts/").content.decode()
    assert "gulou" in page and "10.0.0.66" in page
    assert admin.post("/lockouts/", {"username": "gulou", "ip_address": "10.0.0.66"}).status_code == 302
    assert not AccessAttempt.objects.filter(username="gulou", ip_address="10.0.0.66").exists()
    assert Client().get("/lockouts/").status_code == 302
    officer = Client()
    officer.force_login(world.county_officer)
    assert officer.get("/lockouts/").status_code == 403


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


def test_the_password_alone_cannot_enrol_a_phone(approver, client):
    client.post("/login/", {"username": "approver1", "password": DEMO_PASSWORD})
    page = client.get("/two-factor/").content.decode()
    assert "绑定码" in page and "扫描二维码" not in page
    assert not TOTPDevice.objects.filter(user=approver).exists()
    wrong = client.post("/two-factor/", {"enrolment_code": "WRONGCODE1"}).content.decode()
    assert "绑定码不正确" in wrong and not TOTPDevice.objects.filter(user=approver).exists()


def test_an_administrator_issues_a_one_time_enrolment_code(approver, world, client):
    from choujian.accounts.models import EnrolmentCode

    admin = Client()
    admin.force_login(world.provincial_admin)
    page = admin.post("/enrolment-codes/", {"username": "approver1"}).content.decode()
    code = re.search(r'id="enrolment-code">([A-Z0-9]{10})<', page).group(1)
    assert not EnrolmentCode.objects.filter(code_hash=code).exists()  # stored hashed
    outsider = OrganisationFactory(kind="laboratory", level="", region="440100")
    stranger = member(outsider, "approver", username="stranger")
    refused = admin.post("/enrolment-codes/", {"username": stranger.username}).content.decode()
    assert "不属于您管辖" in refused
    client.post("/login/", {"username": "approver1", "password": DEMO_PASSWORD})
    assert client.post("/two-factor/", {"enrolment_code": code.lower()}).status_code == 302
    assert "扫描二维码" in client.get("/two-factor/").content.decode()
    other = Client()
    other.post("/login/", {"username": "approver1", "password": DEMO_PASSWORD})
    assert "绑定码不正确" in other.post("/two-factor/", {"enrolment_code": code}).content.decode()  # single use


def test_it_lets_the_approver_in_after_enrolling_a_totp_device(approver, client):
    code = services.enrolment_code_issue(actor=None, user=approver)
    client.post("/login/", {"username": "approver1", "password": DEMO_PASSWORD})
    client.post("/two-factor/", {"enrolment_code": code})
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


def test_a_password_only_session_cannot_use_the_api_of_a_two_factor_account(approver, client):
    # The attack: sign in with the password only, then call the API with the session cookie and the CSRF header.
    client.post("/login/", {"username": "approver1", "password": DEMO_PASSWORD})
    response = client.get("/api/v1/me/")
    assert response.status_code == 403
    assert "二次验证" in response.json()["detail"]
    assert client.post("/api/v1/enterprises/", {"name": "x"}).status_code == 403


def test_a_verified_session_may_use_the_api(approver, client):
    device = TOTPDevice.objects.create(user=approver, name="t", confirmed=True)
    client.post("/login/", {"username": "approver1", "password": DEMO_PASSWORD})
    assert client.post("/two-factor/", {"token": _code(device), "next": "/"}).status_code == 302
    assert client.get("/api/v1/me/").status_code == 200


def test_a_token_issued_without_the_second_factor_does_not_work_for_a_two_factor_account(approver):
    from tests.factories import api_token

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_token(approver, two_factor=False)}")
    response = client.get("/api/v1/me/")
    assert response.status_code in (401, 403) and "二次验证" in response.json()["detail"]


def test_tokens_are_stored_hashed_and_expire(world, settings):
    import datetime as dt

    import time_machine
    from django.utils import timezone

    from choujian.accounts.models import ApiToken

    settings.CHOUJIAN_API_TOKEN_HOURS = 12
    client = APIClient()
    key = client.post("/api/v1/auth/token/", {"username": "gulou", "password": DEMO_PASSWORD}, format="json").json()[
        "token"
    ]
    stored = ApiToken.objects.get(user=world.county_officer)
    assert key not in (stored.key_hash, stored.prefix) and len(stored.key_hash) == 64
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert client.get("/api/v1/me/").status_code == 200
    with time_machine.travel(timezone.now() + dt.timedelta(hours=12, minutes=1)):
        response = client.get("/api/v1/me/")
    assert response.status_code == 401 and "过期" in response.json()["detail"]
    client.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    assert client.get("/api/v1/me/").status_code == 401
