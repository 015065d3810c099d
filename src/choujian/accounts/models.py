"""Organisations, users and the roles they hold."""

from functools import cached_property

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from choujian.accounts.choices import OrganisationKind, RegulatorLevel, Role, Sector
from choujian.core.models import PublicModel
from choujian.core.validators import validate_region, validate_uscc_field


class Organisation(PublicModel):
    """A body taking part in spot checks: regulator, sampling agency, laboratory, owner, supervisor, contractor or
    manufacturer. Regulators form a hierarchy national → province → city → county through `parent`."""

    ledger_kind = "organisation"
    ledger_fields = ("name", "kind", "sector", "level", "region", "parent", "uscc", "address", "active")

    @property
    def ledger_private(self) -> bool:
        """A manufacturer's organisation names an enterprise: digest-only in the public log, like the enterprise."""
        return self.kind == "manufacturer"

    name = models.CharField(_("名称"), max_length=200)
    kind = models.CharField(_("类型"), max_length=20, choices=OrganisationKind.CHOICES)
    sector = models.CharField(_("系统"), max_length=12, choices=Sector.CHOICES, default=Sector.SECTOR_TRANSPORT)
    level = models.CharField(_("层级"), max_length=10, choices=RegulatorLevel.CHOICES, blank=True)
    region = models.CharField(_("行政区划"), max_length=6, validators=[validate_region])
    parent = models.ForeignKey(
        "self", verbose_name=_("上级机构"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    uscc = models.CharField(_("统一社会信用代码"), max_length=18, blank=True, validators=[validate_uscc_field])
    address = models.CharField(_("地址"), max_length=300, blank=True)
    active = models.BooleanField(_("有效"), default=True)

    class Meta:
        verbose_name = _("机构")
        verbose_name_plural = pgettext_lazy("plural", "机构")
        ordering = ["region", "name"]
        indexes = [models.Index(fields=["kind", "region"])]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        errors: dict[str, str] = {}
        is_regulator = self.kind == OrganisationKind.KIND_REGULATOR
        if is_regulator and not self.level:
            errors["level"] = "监管部门必须填写层级"
        if not is_regulator and self.level:
            errors["level"] = "只有监管部门有层级"
        if self.parent_id:
            parent = self.parent
            if not is_regulator or parent.kind != OrganisationKind.KIND_REGULATOR:
                errors["parent"] = "只有监管部门可以有上级监管部门"
            elif (
                parent.level != RegulatorLevel.LEVEL_NATIONAL
                and self.region
                and not self.region.startswith(region_prefix(parent.region))
            ):
                errors["parent"] = f"上级机构所辖区域（{parent.region}）不包含本机构区域（{self.region}）"
        if errors:
            raise ValidationError(errors)

    def ledger_state(self) -> dict:
        return {
            "name": self.name,
            "kind": self.kind,
            "sector": self.sector,
            "level": self.level,
            "region": self.region,
            "parent": str(self.parent.public_id) if self.parent_id else None,
            "uscc": self.uscc,
            "address": self.address,
            "active": self.active,
        }


def region_prefix(code: str) -> str:
    from choujian.core.divisions import region_prefix as prefix

    try:
        return prefix(code)
    except ValueError:
        return code


class User(AbstractUser):
    """A person who signs in. What they may see and do follows from their active memberships."""

    ledger_exempt = (
        "身份与登录信息；角色与权限由已记入日志的成员角色决定 / "
        "identity and sign-in; what a person may do follows from memberships, which are ledgered"
    )

    public_id = models.UUIDField(_("公开编号"), unique=True, editable=False, null=True)
    display_name = models.CharField(_("姓名"), max_length=100, blank=True)
    phone = models.CharField(_("手机号"), max_length=20, blank=True)
    two_factor_exempt = models.BooleanField(_("免二次验证（演示账号）"), default=False)

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = pgettext_lazy("plural", "用户")

    def save(self, *args, **kwargs):
        if self.public_id is None:
            import uuid

            self.public_id = uuid.uuid4()
        super().save(*args, **kwargs)

    def __str__(self) -> str:
        return self.display_name or self.username

    @cached_property
    def active_memberships(self) -> list["Membership"]:
        return list(self.memberships.filter(active=True, organisation__active=True).select_related("organisation"))

    @property
    def roles(self) -> set[str]:
        return {m.role for m in self.active_memberships}

    def has_any_role(self, roles) -> bool:
        return bool(self.roles & set(roles))

    @property
    def primary_organisation(self) -> Organisation | None:
        memberships = self.active_memberships
        return memberships[0].organisation if memberships else None

    @property
    def needs_two_factor(self) -> bool:
        return self.has_any_role(Role.TWO_FACTOR_REQUIRED) and not self.two_factor_exempt


class Membership(PublicModel):
    """A user's role in an organisation."""

    ledger_kind = "membership"
    ledger_fields = ("user", "organisation", "role", "active")

    user = models.ForeignKey(User, verbose_name=_("用户"), on_delete=models.PROTECT, related_name="memberships")
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("机构"), on_delete=models.PROTECT, related_name="memberships"
    )
    role = models.CharField(_("角色"), max_length=20, choices=Role.CHOICES)
    active = models.BooleanField(_("有效"), default=True)

    class Meta:
        verbose_name = _("成员角色")
        verbose_name_plural = pgettext_lazy("plural", "成员角色")
        constraints = [models.UniqueConstraint(fields=["user", "organisation", "role"], name="uniq_membership")]

    def __str__(self) -> str:
        return f"{self.user} · {self.organisation} · {Role.display(self.role)}"

    def clean(self) -> None:
        allowed = Role.ALLOWED_KINDS.get(self.role, set())
        if self.organisation_id and self.organisation.kind not in allowed:
            kind = OrganisationKind.label(self.organisation.kind)
            raise ValidationError({"role": f"“{Role.label(self.role)}”不能在{kind}中担任"})

    def ledger_state(self) -> dict:
        return {
            "user": str(self.user.public_id),
            "organisation": str(self.organisation.public_id),
            "role": self.role,
            "active": self.active,
        }


class ApiToken(models.Model):
    """An API token: only its SHA-256 is stored; it expires; it records whether a second factor was checked."""

    ledger_exempt = (
        "登录凭据，只存摘要，过期即失效 / a credential (its digest only), expiring; not a record of the work"
    )

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    key_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(_("前缀"), max_length=8)
    two_factor = models.BooleanField(_("已二次验证"), default=False)
    created_at = models.DateTimeField(_("签发时间"), auto_now_add=True)
    expires_at = models.DateTimeField(_("失效时间"))
    last_used_at = models.DateTimeField(_("最近使用"), null=True, blank=True)

    class Meta:
        verbose_name = _("接口令牌")
        verbose_name_plural = pgettext_lazy("plural", "接口令牌")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"


class EnrolmentCode(models.Model):
    """A one-time code an administrator gives a person to enrol their first second-factor device: knowing the
    password alone is not enough to attach a phone to an account."""

    ledger_exempt = "一次性登记码，只存摘要 / a one-time credential (its digest only); not a record of the work"

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="enrolment_codes")
    code_hash = models.CharField(max_length=64)
    issued_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("绑定码")
        verbose_name_plural = pgettext_lazy("plural", "绑定码")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.user} {self.created_at:%Y-%m-%d}"
