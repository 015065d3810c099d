"""Hardening found by a security probe: deep JSON, script policy, HTTPS settings, file permissions, passwords."""

import json
import os
import re
import stat

import pytest
from django.conf import settings
from django.test import Client

from tests.factories import DEMO_PASSWORD

pytestmark = pytest.mark.django_db


def test_json_nested_fifty_thousand_levels_deep_is_a_400(api, world):
    body = "[" * 50000 + "]" * 50000
    response = api(world.provincial_officer).generic("POST", "/api/v1/plans/", body, content_type="application/json")
    assert response.status_code == 400
    assert "嵌套" in response.json()["detail"]
    shallow_but_deep = json.dumps({"name": {"a": "[" * 0} | {"b": json.loads("[" * 40 + "1" + "]" * 40)}})
    response = api(world.provincial_officer).generic(
        "POST", "/api/v1/plans/", shallow_but_deep, content_type="application/json"
    )
    assert response.status_code == 400


@pytest.mark.parametrize("body", [{"category": "JT\x00-0303", "name": "x"}, {"name": ["a", {"b\x00": 1}]}])
def test_a_nul_character_anywhere_in_a_json_body_is_a_400_not_a_500(api, world, body):
    # PostgreSQL refuses NUL even in a lookup: a product posted with such a category code answered 500 there.
    response = api(world.provincial_admin).post("/api/v1/products/", body, format="json")
    assert response.status_code == 400
    assert "空字符" in response.json()["detail"]


@pytest.mark.parametrize("fmt", ["multipart", None])
def test_a_nul_character_in_a_form_body_is_a_400_not_a_500(api, world, fmt):
    body = {"category": "JT\x00-0303", "name": "x"}
    client = api(world.provincial_admin)
    if fmt:
        response = client.post("/api/v1/products/", body, format=fmt)
    else:
        from urllib.parse import urlencode

        response = client.generic(
            "POST", "/api/v1/products/", urlencode(body), content_type="application/x-www-form-urlencoded"
        )
    assert response.status_code == 400 and "空字符" in response.json()["detail"]


def test_pages_carry_a_script_policy_and_no_inline_scripts(client, world):
    client.force_login(world.provincial_officer)
    response = client.get("/")
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy
    page = response.content.decode()
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page), "inline <script> found"
    assert not re.search(r"\son[a-z]+=", page), "inline event handler found"


def test_the_objection_decision_schema_asks_for_accept(client):
    schema = client.get("/api/v1/schema/?format=json").json()
    body = schema["paths"]["/api/v1/objections/{public_id}/decide/"]["post"]["requestBody"]
    ref = body["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
    assert "accept" in schema["components"]["schemas"][ref]["properties"]


def test_the_data_directory_is_private_and_the_ledger_key_lives_elsewhere():
    assert stat.S_IMODE(os.stat(settings.DATA_DIR).st_mode) == 0o700
    assert settings.DATA_DIR not in settings.CHOUJIAN_LEDGER_KEY_FILE.parents
    assert os.umask(0o077) == 0o077


def test_every_user_can_change_their_password(client, world):
    client.force_login(world.county_officer)
    response = client.post(
        "/password/",
        {"old_password": DEMO_PASSWORD, "new_password1": "Qz7-长城-2026-xw", "new_password2": "Qz7-长城-2026-xw"},
    )
    assert response.status_code == 302
    world.county_officer.refresh_from_db()
    assert world.county_officer.check_password("Qz7-长城-2026-xw")


def test_an_administrator_gives_a_one_time_reset_link(world):
    admin = Client()
    admin.force_login(world.provincial_admin)
    page = admin.post("/enrolment-codes/", {"username": "gulou", "action": "reset"}).content.decode()
    link = re.search(r'id="reset-link">https?://[^/]+(/reset/[^<]+)<', page).group(1)
    person = Client()
    form = person.get(link, follow=True)
    assert form.status_code == 200 and "new_password1" in form.content.decode()
    new = {"new_password1": "Wq8-黄山-2026-zr", "new_password2": "Wq8-黄山-2026-zr"}
    done = person.post(form.redirect_chain[-1][0], new)
    assert done.status_code == 302
    assert "无效" in Client().get(link, follow=True).content.decode()  # used once


@pytest.mark.parametrize("setting", ["SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE"])
def test_https_settings_are_switchable(setting, monkeypatch):
    import importlib

    import choujian.settings as module

    monkeypatch.setenv("CHOUJIAN_HTTPS", "true")
    reloaded = importlib.reload(module)
    try:
        assert getattr(reloaded, setting) is True and reloaded.SECURE_HSTS_SECONDS >= 31536000
    finally:
        monkeypatch.delenv("CHOUJIAN_HTTPS")
        importlib.reload(module)
