"""Telling the platform's guardians when the scheduled ledger check finds a row that differs from its ledger entry
(a likely edit behind the platform's back): one in-platform message per run that finds something new."""

from django.urls import reverse

from choujian.accounts.choices import OrganisationKind, Role
from choujian.accounts.models import Organisation, User
from choujian.accounts.scope import members_of
from choujian.notifications.services import message_send

SHOWN = 20


def guardians() -> list[User]:
    """Who is told: superusers, and the administrators and auditors of the regulators at the top of the tree."""
    tops = Organisation.objects.filter(kind=OrganisationKind.KIND_REGULATOR, parent=None).values_list("pk", flat=True)
    people = {u.pk: u for u in members_of(tops, {Role.ROLE_REGULATOR_ADMIN, Role.ROLE_AUDITOR})}
    people |= {u.pk: u for u in User.objects.filter(is_superuser=True, is_active=True)}
    return list(people.values())


def tell_guardians(sender, *, problems: list[dict], **kwargs) -> int:
    shown = problems[:SHOWN]
    lines = [f"· {p['message']}" for p in shown]
    if len(problems) > len(shown):
        lines.append(f"…… 另有 {len(problems) - len(shown)} 项 / {len(problems) - len(shown)} more")
    body = (
        "定时校验发现数据库中的记录与追溯日志不符，可能有人绕过平台直接修改了数据库。请立即核查，并运行 "
        "`choujian ledger verify` 做完整校验。\n\n" + "\n".join(lines)
    )
    subject = f"追溯日志校验发现 {len(problems)} 处不符"
    return message_send(
        recipients=guardians(), kind="ledger.alert", subject=subject, body=body, link=reverse("ledger:home") + "#watch"
    )
