"""Role-aware navigation for every page (a context processor): the platform's menu, built on every context."""

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from choujian.accounts.choices import Role
from choujian.accounts.scope import regulator_prefixes
from choujian.planning.selectors import may_read_tasks

# Who answers for a failed product or sees what happens about it on their project (laboratories see nothing of it).
ENFORCEMENT_PARTIES = frozenset(
    {Role.ROLE_ENTERPRISE_STAFF, Role.ROLE_CONTRACTOR_STAFF, Role.ROLE_OWNER_STAFF, Role.ROLE_SUPERVISOR_STAFF}
)


def navigation(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav": []}
    roles = user.roles
    items = [(reverse("home"), _("待办"))]
    if roles & Role.REGISTRY_READERS:
        kinds = []
        if regulator_prefixes(user) or Role.ROLE_ENTERPRISE_STAFF in roles:
            kinds += [("enterprise", pgettext("plural", "生产企业")), ("product", pgettext("plural", "产品"))]
        if roles - {Role.ROLE_ENTERPRISE_STAFF}:
            kinds += [("project", pgettext("plural", "建设项目"))]
        kinds += [("delivery", pgettext("plural", "进场批次"))]
        items += [(reverse("registry:object_list", args=[kind]), label) for kind, label in kinds]
    if roles & Role.REGULATOR_ROLES:
        items += [
            (reverse("planning:plan_list"), pgettext("plural", "抽查计划")),
            (reverse("planning:task_list"), pgettext("plural", "抽查任务")),
        ]
    elif may_read_tasks(user):
        items += [(reverse("planning:task_list"), pgettext("plural", "抽查任务"))]
    if roles & Role.FIELD_ROLES or may_read_tasks(user):
        items += [(reverse("sampling:overview"), _("现场抽样"))]
    if roles & Role.LAB_PAGE_ROLES:
        items += [(reverse("testing:home"), _("检验") if roles & Role.LAB_ROLES else _("检验报告"))]
    if roles & (Role.REGULATOR_ROLES | ENFORCEMENT_PARTIES):
        items += [(reverse("enforcement:list"), _("后处理"))]
    if roles & Role.REGULATOR_ROLES:
        items += [(reverse("analytics:dashboard"), _("统计分析"))]
        items += [(reverse("disclosure:manage"), _("信息公开"))]
    if roles & (Role.LAB_ROLES | Role.REGULATOR_ROLES):
        items += [(reverse("rules:list"), _("实施细则"))]
    if roles & Role.REGULATOR_ROLES:
        items += [(reverse("testing:oversight"), _("检验监督"))]
        items += [(reverse("ledger:home"), _("追溯日志"))]
        items += [(reverse("workcalendar:years"), _("节假日安排"))]
    if Role.ROLE_REGULATOR_ADMIN in roles:
        items += [(reverse("enrolment_codes"), _("账号安全"))]
    return {"nav": items, "user_roles": [Role.display(r) for r in sorted(roles)]}
