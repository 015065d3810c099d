"""API authentication: hashed expiring tokens, and sessions held to the same second factor as the pages."""

import hashlib

from django.conf import settings
from django.utils import timezone
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, SessionAuthentication, get_authorization_header

from choujian.accounts.models import ApiToken

TWO_FACTOR_MISSING = "此账号须经二次验证：请先在网页上输入手机令牌验证码，或用验证码重新获取接口令牌"


def token_hash(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def _needs_second_factor(user) -> bool:
    return bool(settings.CHOUJIAN_ENFORCE_2FA and user.needs_two_factor)


class ApiTokenAuthentication(BaseAuthentication):
    """`Authorization: Token <key>`: the key is looked up by its SHA-256, refused once expired, and refused for a
    user who must use two factors unless it was issued after a TOTP check."""

    keyword = "Token"

    def authenticate(self, request):
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() != self.keyword.lower().encode():
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed("令牌格式应为 “Token <令牌>”")
        try:
            key = parts[1].decode("ascii")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed("令牌格式不正确") from None
        token = ApiToken.objects.select_related("user").filter(key_hash=token_hash(key)).first()
        if token is None or not token.user.is_active:
            raise exceptions.AuthenticationFailed("令牌无效")
        now = timezone.now()
        if token.expires_at <= now:
            raise exceptions.AuthenticationFailed("令牌已过期，请重新获取")
        if _needs_second_factor(token.user) and not token.two_factor:
            raise exceptions.AuthenticationFailed(TWO_FACTOR_MISSING)
        if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 300:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        return token.user, token

    def authenticate_header(self, request):
        return self.keyword


class TwoFactorSessionAuthentication(SessionAuthentication):
    """The browser session, with the pages' rule: a user who must use two factors and has not entered a code in this
    session gets nothing from the API either."""

    def authenticate(self, request):
        result = super().authenticate(request)
        if result is None:
            return None
        user = request._request.user
        if _needs_second_factor(user) and not (hasattr(user, "is_verified") and user.is_verified()):
            raise exceptions.PermissionDenied(TWO_FACTOR_MISSING)
        return result
