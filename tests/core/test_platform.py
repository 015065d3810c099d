"""Platform plumbing a deployer relies on: strict settings, readable codes, locally served API docs."""

import os
import re
import subprocess
import sys

import pytest

from choujian.core.codes import next_code


def _settings_with(env: dict) -> subprocess.CompletedProcess:
    code = (
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='choujian.settings'; django.setup(); "
        "from django.conf import settings; print(settings.PORT, settings.DATABASES['default']['ENGINE'])"
    )
    return subprocess.run([sys.executable, "-c", code], env={**os.environ, **env}, capture_output=True, text=True)


def test_it_refuses_to_start_with_a_malformed_port(tmp_path):
    result = _settings_with({"PORT": "80a", "CHOUJIAN_DATA_DIR": str(tmp_path)})
    assert result.returncode != 0 and "PORT='80a' is not an integer" in result.stderr


def test_it_reads_port_and_database_url_from_the_environment(tmp_path):
    result = _settings_with(
        {"PORT": "8123", "CHOUJIAN_DATA_DIR": str(tmp_path), "DATABASE_URL": "postgres://u@127.0.0.1:5432/x"}
    )
    assert result.stdout.split() == ["8123", "django.db.backends.postgresql"]


def test_it_defaults_to_sqlite_inside_the_data_dir(tmp_path):
    if "DATABASE_URL" in os.environ:
        pytest.skip("DATABASE_URL is set for this run")
    result = _settings_with({"CHOUJIAN_DATA_DIR": str(tmp_path)})
    assert result.stdout.split() == ["8000", "django.db.backends.sqlite3"]


def test_it_rejects_a_bad_boolean(tmp_path):
    result = _settings_with({"CHOUJIAN_ENFORCE_2FA": "maybe", "CHOUJIAN_DATA_DIR": str(tmp_path)})
    assert result.returncode != 0 and "CHOUJIAN_ENFORCE_2FA" in result.stderr


@pytest.mark.django_db
def test_it_issues_gap_free_readable_codes_per_year():
    assert [next_code("CJ", 2026) for _ in range(3)] == ["CJ-2026-000001", "CJ-2026-000002", "CJ-2026-000003"]
    assert next_code("CJ", 2027) == "CJ-2027-000001"


@pytest.mark.django_db
def test_it_serves_the_api_docs_and_schema_without_any_cdn(client):
    page = client.get("/api/v1/docs/").content.decode()
    assert "swagger" in page.lower()
    # The page carries a random CSRF token, which now and then spells "cdn" by chance: not an address.
    page = re.sub(r"[A-Za-z0-9]{32,}", "", page)
    assert "cdn" not in page.lower() and "https://" not in page
    schema = client.get("/api/v1/schema/")
    assert schema.status_code == 200 and b"/api/v1/enterprises/" in schema.content


@pytest.mark.django_db
def test_it_switches_the_interface_to_english_on_request(client):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/login/"})
    assert response.status_code == 302
    assert 'lang="en"' in client.get("/login/").content.decode()


@pytest.mark.django_db
def test_it_stays_in_chinese_for_a_browser_that_prefers_english(client):
    page = client.get("/login/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert 'lang="zh-hans"' in page


@pytest.mark.django_db
@pytest.mark.parametrize("query", ["search=a%00b", "plan=%00", "q%00=x"])
def test_it_answers_a_nul_character_in_the_query_with_400(client, query):
    from tests.factories import OrganisationFactory, member

    client.force_login(member(OrganisationFactory(), "regulator_officer"))
    for path in ("/api/v1/draws/", "/api/v1/enterprises/", "/registry/enterprise/"):
        response = client.get(f"{path}?{query}")
        assert response.status_code == 400, path


def test_it_names_regions_in_templates():
    from choujian.core.templatetags.regions import region

    assert region("350102") == "福建省福州市鼓楼区（350102）"
    assert region("999999") == "999999"
