"""What a browser gets from the platform: static files under hashed names it may keep for a year, and pages
compressed when it accepts gzip (but never files that are compressed already)."""

import gzip

import pytest
from django.core.management import call_command
from django.template import Context, Template
from django.test import Client, RequestFactory
from whitenoise.middleware import WhiteNoiseMiddleware

pytestmark = pytest.mark.django_db


def test_collected_static_files_get_hashed_names_and_a_year_long_cache(settings, tmp_path):
    settings.STATIC_ROOT = tmp_path / "static"
    call_command("collectstatic", interactive=False, verbosity=0)
    url = Template("{% load static %}{% static 'choujian/site.css' %}").render(Context())
    assert url.startswith("/static/choujian/site.") and url.endswith(".css") and url != "/static/choujian/site.css"

    served = WhiteNoiseMiddleware(lambda request: None)  # reads STATIC_ROOT as a started server does
    response = served(RequestFactory().get(url, HTTP_ACCEPT_ENCODING="br, gzip"))
    assert response.status_code == 200
    assert "immutable" in response["Cache-Control"] and "max-age=315360000" in response["Cache-Control"]
    assert response["Content-Encoding"] == "br"
    plain = served(RequestFactory().get("/static/choujian/site.css"))
    assert plain.status_code == 200 and "immutable" not in plain.get("Cache-Control", "")


def test_without_collected_files_a_static_name_stays_plain_and_is_served():
    url = Template("{% load static %}{% static 'choujian/site.css' %}").render(Context())
    assert url == "/static/choujian/site.css"
    assert Client().get(url).status_code == 200


def test_pages_and_json_are_gzipped_when_the_browser_accepts_it(world):
    client = Client()
    client.force_login(world.county_officer)
    page = client.get("/plans/tasks/", HTTP_ACCEPT_ENCODING="gzip, deflate")
    assert page.status_code == 200 and page["Content-Encoding"] == "gzip"
    assert "</html>" in gzip.decompress(page.content).decode()
    api = client.get("/api/v1/schema/?format=json", HTTP_ACCEPT_ENCODING="gzip")
    assert api["Content-Encoding"] == "gzip"
    assert "openapi" in gzip.decompress(api.content).decode()
    assert "Content-Encoding" not in client.get("/plans/tasks/")


def test_files_that_are_compressed_already_are_sent_as_they_are():
    response = Client().get("/open/results.xlsx", HTTP_ACCEPT_ENCODING="gzip")
    assert response.status_code == 200 and "Content-Encoding" not in response
    assert response.content[:2] == b"PK"
