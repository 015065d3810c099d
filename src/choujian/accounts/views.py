"""Sign-in, sign-out, two-factor and the home page."""

import segno
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from choujian.accounts import lockout
from choujian.accounts.choices import Role
from choujian.accounts.forms import LoginForm
from choujian.accounts.selectors import home_summary
from choujian.core.access import login, public, roles

login_view = public(auth_views.LoginView.as_view(template_name="accounts/login.html", authentication_form=LoginForm))
logout_view = public(auth_views.LogoutView.as_view())


@login
def home(request):
    return render(request, "accounts/home.html", {"summary": home_summary(request.user)})


def _safe_next(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or "/"
    return target if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}) else "/"


@login
def two_factor(request):
    """Enrol a TOTP device on first use, then ask for the 6-digit code at every sign-in."""
    user = request.user
    confirmed = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    device = confirmed or TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="手机令牌", confirmed=False)
    if request.method == "POST":
        token = (request.POST.get("token") or "").strip()
        if token.isdigit() and len(token) == 6 and device.verify_token(token):
            if not device.confirmed:
                device.confirmed = True
                device.save(update_fields=["confirmed"])
            otp_login(request, device)
            messages.success(request, _("二次验证成功"))
            return redirect(_safe_next(request))
        messages.error(request, _("验证码不正确或已过期，请输入手机令牌上当前显示的 6 位数字"))
    context = {"enrolling": not device.confirmed, "next": _safe_next(request)}
    if not device.confirmed:
        context["qr_svg"] = segno.make(device.config_url, error="m").svg_inline(scale=4)
        context["secret"] = device.bin_key.hex()
    return render(request, "accounts/two_factor.html", context)


def _lockout_scope(user):
    from choujian.accounts.models import User
    from choujian.accounts.scope import organisations_visible_to

    if user.is_superuser:
        return None
    return User.objects.filter(memberships__organisation__in=organisations_visible_to(user)).values_list(
        "username", flat=True
    )


@roles({Role.ROLE_REGULATOR_ADMIN})
@require_http_methods(["GET", "HEAD", "POST"])
def lockouts(request):
    """Sign-ins locked for an address after repeated failures, for the administrators of the people concerned."""
    scope = _lockout_scope(request.user)
    if request.method == "POST":
        username = request.POST.get("username", "")
        ip_address = request.POST.get("ip_address") or None
        allowed = scope is None or username in set(scope)
        if allowed and lockout.locked_attempts([username]).filter(ip_address=ip_address).exists():
            lockout.unlock(username=username, ip_address=ip_address)
            messages.success(
                request, _("已解除 %(username)s 在 %(ip)s 的登录锁定") % {"username": username, "ip": ip_address}
            )
        else:
            messages.error(request, _("没有可解除的锁定"))
        return redirect("lockouts")
    attempts = lockout.locked_attempts(scope)[:200]
    return render(request, "accounts/lockouts.html", {"attempts": attempts})
