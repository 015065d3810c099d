"""Enforcement in the demo: the cases its results open — the re-test that confirmed a failure, the refused
sampling — taken as far as the day allows: the referral confirmed, the rectification notice served, so that the
enterprise's login finds its rectification and 复查 application waiting with the days left."""

from choujian.accounts.choices import Role
from choujian.accounts.models import Organisation, User
from choujian.accounts.scope import members_of
from choujian.enforcement import services
from choujian.enforcement.choices import CaseCause


def _officer(case, users: dict[str, User]) -> User:
    """Someone of the regulator that owns the case, or else the organiser's officer (who may act on it too)."""
    own = members_of([case.regulator_id], Role.REGULATOR_WRITERS).order_by("pk").first()
    return own or users["regulator"]


def build_enforcement(orgs: dict[str, Organisation], users: dict[str, User]) -> list:
    cases = services.cases_open_pending()
    for case in cases:
        officer = _officer(case, users)
        if case.referral_open and officer != users["regulator"]:
            case = services.referral_acknowledge(actor=officer, case=case)
        if case.cause == CaseCause.CAUSE_FAILED:
            services.step_take(
                actor=officer,
                case=case,
                step=case.stage,
                result="done",
                note="已书面告知不合格结果并送达《责令整改通知书》，要求查明原因、整改并申请复查",
            )
        else:
            services.step_take(
                actor=officer,
                case=case,
                step=case.stage,
                result="done",
                note="经核实，企业无正当理由拒绝抽样，依法给予警告并责令改正",
            )
    return cases
