"""Start-up checks: a route that declares no access control stops the platform from starting (invariant 2)."""

from django.core import checks

from choujian.core.access import undeclared_routes


@checks.register(checks.Tags.security, checks.Tags.urls)
def every_route_declares_its_access(app_configs, **kwargs) -> list[checks.CheckMessage]:
    return [
        checks.Error(
            f"路由 {route} 没有声明访问控制 / the route declares no access control",
            hint="用 choujian.core.access 的 public、login 或 roles 装饰视图，或在视图类上设置 access。",
            id="choujian.E001",
        )
        for route in undeclared_routes()
    ]
