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

from choujian.accounts import lockout, services
from choujian.accounts.choices import Role
from choujian.accounts.forms import LoginForm
from choujian.core.access import login, public, roles

login_view = public(auth_views.LoginView.as_view(template_name="accounts/login.html", authentication_form=LoginForm))
logout_view = public(auth_views.LogoutView.as_view())


def _safe_next(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or "/"
    return target if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}) else "/"


ENROLMENT_SESSION_KEY = "choujian_enrolment_ok"


@login
def two_factor(request):
    """Ask for the 6-digit code at every sign-in. A first device is enrolled only after the one-time enrolment code
    an administrator gave the person: the password alone must not be enough to attach a phone to an account."""
    user = request.user
    confirmed = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    next_url = _safe_next(request)
    if confirmed is None and not request.session.get(ENROLMENT_SESSION_KEY):
        if request.method == "POST" and "enrolment_code" in request.POST:
            if services.enrolment_code_redeem(user=user, code=request.POST["enrolment_code"]):
                request.session[ENROLMENT_SESSION_KEY] = True
                TOTPDevice.objects.filter(user=user, confirmed=False).delete()
                return redirect(f"{request.path}?next={next_url}")
            messages.error(request, _("绑定码不正确、已使用或已过期，请向管理员重新申领"))
        return render(request, "accounts/two_factor.html", {"needs_code": True, "next": next_url})
    device = confirmed or TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="手机令牌", confirmed=False)
    if request.method == "POST":
        token = (request.POST.get("token") or "").strip()
        if token.isdigit() and len(token) == 6 and device.verify_token(token):
            if not device.confirmed:
                device.confirmed = True
                device.save(update_fields=["confirmed"])
                request.session.pop(ENROLMENT_SESSION_KEY, None)
            otp_login(request, device)
            messages.success(request, _("二次验证成功"))
            return redirect(next_url)
        messages.error(request, _("验证码不正确或已过期，请输入手机令牌上当前显示的 6 位数字"))
    context = {"enrolling": not device.confirmed, "next": next_url}
    if not device.confirmed:
        context["qr_svg"] = segno.make(device.config_url, error="m").svg_inline(scale=4)
        context["secret"] = device.bin_key.hex()
    return render(request, "accounts/two_factor.html", context)


@roles({Role.ROLE_REGULATOR_ADMIN})
@require_http_methods(["GET", "HEAD", "POST"])
def enrolment_codes(request):
    """Administrators give a person a one-time code to enrol their phone (shown once, valid 72 hours), or a one-time
    link to set a new password."""
    from django.contrib.auth.tokens import default_token_generator
    from django.urls import reverse
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    from choujian.accounts.models import User

    context = {}
    if request.method == "POST":
        username = (request.POST.get("username") or "").strip()
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None or not services.may_issue_enrolment_code(request.user, user):
            context["error"] = _("没有这个账号，或该账号不属于您管辖的单位")
        elif request.POST.get("action") == "reset":
            uid = urlsafe_base64_encode(force_bytes(user.pk))
            path = reverse("password_reset_confirm", args=[uid, default_token_generator.make_token(user)])
            context |= {"issued_for": user, "reset_link": request.build_absolute_uri(path)}
        else:
            context |= {"issued_for": user, "code": services.enrolment_code_issue(actor=request.user, user=user)}
    return render(request, "accounts/enrolment_codes.html", context)


password_change = login(
    auth_views.PasswordChangeView.as_view(template_name="accounts/password_form.html", success_url="/")
)
password_reset_confirm = public(
    auth_views.PasswordResetConfirmView.as_view(
        template_name="accounts/password_form.html", success_url="/login/", reset_url_token="set-password"
    )
)


def _lockout_scope(user):
    from choujian.accounts.selectors import users_visible_to

    if user.is_superuser:
        return None
    return users_visible_to(user).values_list("username", flat=True)


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
