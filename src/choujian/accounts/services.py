"""Writes to organisations, users and memberships; each is ledgered."""

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction

from choujian.accounts.choices import Role
from choujian.accounts.models import ApiToken, Membership, Organisation, User
from choujian.accounts.scope import in_region, regulator_prefixes
from choujian.core.errors import NotPermitted, ServiceError
from choujian.core.recording import record_create, record_update


def _admin_over(actor: User, region: str) -> bool:
    return in_region(regulator_prefixes(actor, {Role.ROLE_REGULATOR_ADMIN}), region)


def organisation_create(*, actor: User | None, **fields) -> Organisation:
    organisation = Organisation(**fields)
    if actor is not None and not _admin_over(actor, organisation.region or ""):
        raise NotPermitted("只有本辖区的监管管理员可以登记机构")
    return record_create(organisation, actor=actor, event="organisation.created")


def organisation_update(
    *, actor: User, organisation: Organisation, version: int | None = None, **changes
) -> Organisation:
    if not _admin_over(actor, organisation.region) or not _admin_over(
        actor, changes.get("region", organisation.region)
    ):
        raise NotPermitted("只有本辖区的监管管理员可以修改机构")
    return record_update(organisation, actor=actor, event="organisation.updated", changes=changes, version=version)


@transaction.atomic
def user_create(*, actor: User | None, username: str, password: str, display_name: str = "", **extra) -> User:
    if User.objects.filter(username=username).exists():
        raise ServiceError({"username": [f"用户名“{username}”已被使用"]})
    user = User(username=username, display_name=display_name, **extra)
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ServiceError({"password": exc.messages}) from None
    user.set_password(password)
    user.save()
    return user


def membership_grant(*, actor: User | None, user: User, organisation: Organisation, role: str) -> Membership:
    if actor is not None and not _admin_over(actor, organisation.region):
        raise NotPermitted("只有本辖区的监管管理员可以分配角色")
    existing = Membership.objects.filter(user=user, organisation=organisation, role=role).first()
    if existing is not None:
        if existing.active:
            return existing
        return record_update(
            existing, actor=actor, event="membership.reactivated", changes={"active": True}, version=None
        )
    return record_create(
        Membership(user=user, organisation=organisation, role=role), actor=actor, event="membership.granted"
    )


def api_token_issue(*, user: User, two_factor: bool) -> tuple[ApiToken, str]:
    """A new API token for `user`; returns the row and the key, which is shown once and never stored."""
    import datetime as dt
    import secrets

    from django.conf import settings
    from django.utils import timezone

    from choujian.accounts.authentication import token_hash

    key = secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        key_hash=token_hash(key),
        prefix=key[:8],
        two_factor=two_factor,
        expires_at=timezone.now() + dt.timedelta(hours=settings.CHOUJIAN_API_TOKEN_HOURS),
    )
    ApiToken.objects.filter(user=user, expires_at__lte=timezone.now()).delete()
    return token, key


ENROLMENT_CODE_HOURS = 72


def may_issue_enrolment_code(actor: User, user: User) -> bool:
    from choujian.accounts.scope import organisations_visible_to

    if actor.is_superuser:
        return True
    if not actor.has_any_role({Role.ROLE_REGULATOR_ADMIN}) or actor.pk == user.pk:
        return False
    visible = organisations_visible_to(actor)
    return visible.filter(memberships__user=user, memberships__active=True).exists()


@transaction.atomic
def enrolment_code_issue(*, actor: User | None, user: User) -> str:
    """A one-time code (shown once) with which `user` may enrol a first TOTP device; earlier unused codes lapse."""
    import datetime as dt
    import secrets

    from django.utils import timezone

    from choujian.accounts.authentication import token_hash
    from choujian.accounts.models import EnrolmentCode

    if actor is not None and not may_issue_enrolment_code(actor, user):
        raise NotPermitted("只能为本辖区单位的人员签发绑定码")
    code = "".join(secrets.choice("23456789ABCDEFGHJKLMNPQRSTUVWXYZ") for _ in range(10))
    EnrolmentCode.objects.filter(user=user, used_at__isnull=True).delete()
    EnrolmentCode.objects.create(
        user=user,
        code_hash=token_hash(code),
        issued_by=actor,
        expires_at=timezone.now() + dt.timedelta(hours=ENROLMENT_CODE_HOURS),
    )
    return code


@transaction.atomic
def enrolment_code_redeem(*, user: User, code: str) -> bool:
    from django.utils import timezone

    from choujian.accounts.authentication import token_hash
    from choujian.accounts.models import EnrolmentCode

    normalised = "".join((code or "").split()).upper().replace("-", "")
    found = (
        EnrolmentCode.objects.select_for_update()
        .filter(user=user, code_hash=token_hash(normalised), used_at__isnull=True, expires_at__gt=timezone.now())
        .first()
    )
    if found is None:
        return False
    found.used_at = timezone.now()
    found.save(update_fields=["used_at"])
    return True
