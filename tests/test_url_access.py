"""Invariant 2: every URL declares who may reach it; a view without a declaration fails here."""

from django.core.checks import run_checks
from django.urls import path as route

from choujian.core import access
from choujian.core.checks import every_route_declares_its_access


def test_it_requires_every_url_to_declare_its_access_control():
    assert access.undeclared_routes() == []
    assert [e for e in run_checks() if e.id == "choujian.E001"] == []


def test_it_refuses_to_start_with_a_route_that_declares_no_access(monkeypatch):
    def forgotten(request):
        raise AssertionError("never called")

    undeclared = [route("forgotten/", forgotten)]
    real_routes = access.routes
    monkeypatch.setattr(access, "routes", lambda: [*real_routes(), *real_routes(undeclared)])
    errors = every_route_declares_its_access(None)
    assert [e.id for e in errors] == ["choujian.E001"] and "forgotten/" in errors[0].msg


def test_it_finds_the_registry_and_api_urls_while_walking():
    routes = {route for route, _ in access.routes()}
    assert any(route.startswith("api/v1/") and "enterprises" in route for route in routes)
    assert any(route.startswith("registry/") for route in routes)


def test_it_refuses_anonymous_users_on_every_login_only_api(client, db):
    for path in [
        "/api/v1/enterprises/",
        "/api/v1/products/",
        "/api/v1/projects/",
        "/api/v1/deliveries/",
        "/api/v1/organisations/",
        "/api/v1/me/",
    ]:
        assert client.get(path).status_code == 401, path


def test_it_redirects_anonymous_users_from_pages_to_the_login(client, db):
    assert client.get("/").status_code == 200  # a visitor's home is the public portal
    for path in ["/registry/enterprise/", "/ledger/", "/open/manage/"]:
        response = client.get(path)
        assert response.status_code == 302 and "/login/" in response["Location"], path
