"""Declared access control for every URL (invariant 2).

Each view says who may reach it: `public`, `login`, or a set of roles. A test walks the URL
resolver and fails for any view without a declaration, so a forgotten check cannot ship.
"""

from collections.abc import Callable, Iterable
from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.urls import URLPattern, URLResolver, get_resolver

PUBLIC = "public"
LOGIN = "login"
STAFF = "staff"

_DECLARED_MODULES: dict[str, str] = {}
_DECLARED_ROUTES: dict[str, str] = {}


def declare(module_prefix: str, level: str) -> None:
    """Declare the access level of third-party views by module (i18n, …)."""
    _DECLARED_MODULES[module_prefix] = level


def declare_route(route_prefix: str, level: str) -> None:
    """Declare a whole URL subtree whose views enforce access themselves (the admin site checks staff)."""
    _DECLARED_ROUTES[route_prefix] = level


def declared_level(callback: Callable, route: str = "") -> object | None:
    for prefix, level in _DECLARED_ROUTES.items():
        if route.startswith(prefix):
            return level
    for holder in (callback, getattr(callback, "cls", None), getattr(callback, "view_class", None)):
        level = getattr(holder, "access", None) if holder is not None else None
        if level:
            return level
    module = getattr(callback, "__module__", "") or ""
    for prefix, level in _DECLARED_MODULES.items():
        if module == prefix or module.startswith(prefix + "."):
            return level
    return None


def routes(patterns=None):
    """Every route of the URL configuration (or of `patterns`), as (route text, view callable)."""

    def walk(patterns, prefix):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern))
            elif isinstance(pattern, URLPattern):
                yield prefix + str(pattern.pattern), pattern.callback

    yield from walk(get_resolver().url_patterns if patterns is None else patterns, "")


def undeclared_routes() -> list[str]:
    return [route for route, callback in routes() if not declared_level(callback, route)]


def public(view: Callable) -> Callable:
    view.access = PUBLIC
    return view


def login(view: Callable) -> Callable:
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        return view(request, *args, **kwargs)

    wrapper.access = LOGIN
    return wrapper


def roles(allowed: Iterable[str]) -> Callable[[Callable], Callable]:
    allowed = frozenset(allowed)

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not request.user.has_any_role(allowed):
                raise PermissionDenied("您的角色无权访问此页面")
            return view(request, *args, **kwargs)

        wrapper.access = ("roles", allowed)
        return wrapper

    return decorator
