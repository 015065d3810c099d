"""Invariant 2: every URL declares who may reach it; a view without a declaration fails here."""

from django.urls import URLPattern, URLResolver, get_resolver

from choujian.core.access import declared_level


def _walk(patterns, prefix=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), pattern.callback


def test_it_requires_every_url_to_declare_its_access_control():
    undeclared = [
        route for route, callback in _walk(get_resolver().url_patterns) if not declared_level(callback, route)
    ]
    assert undeclared == []


def test_it_finds_the_registry_and_api_urls_while_walking():
    routes = {route for route, _ in _walk(get_resolver().url_patterns)}
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
    for path in ["/", "/registry/enterprise/", "/ledger/"]:
        response = client.get(path)
        assert response.status_code == 302 and "/login/" in response["Location"], path
