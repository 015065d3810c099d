"""Who may see and do what in analytics (declared to the access policy, `choujian.core.policy`).

Statistics are for regulators: each sees the results of enterprises in its region and of the checks its region
organised; risk signals are entered and withdrawn by the writers of the enterprise's region; warnings are seen and
closed by the regulators of their region."""

from django.db.models import Q

from choujian.accounts.choices import Role
from choujian.accounts.models import User
from choujian.accounts.scope import region_q, regulator_prefixes, regulators_of
from choujian.analytics.choices import BulletinStatus
from choujian.analytics.models import (
    Bulletin,
    ComparisonRound,
    HistoryImport,
    QualityWarning,
    ResultFact,
    ResultRollup,
    RiskSignal,
)
from choujian.core.policy import CHANGE, EVERYTHING, NOTHING, VIEW, rule
from choujian.registry.models import Enterprise

CLOSE = "close"
SIGNAL = "signal"
DRAFT = "draft"
PUBLISH = "publish"


@rule(ResultFact, VIEW)
def facts_seen(user: User) -> Q:
    """Regulators: results of enterprises in their region, and of checks organised in their region."""
    prefixes = regulator_prefixes(user)
    return region_q(prefixes, "region") | region_q(prefixes, "regulator_region")


@rule(HistoryImport, VIEW)
def imports_seen(user: User) -> Q:
    """Regulators: the imports of regulators in their region (the rows themselves are seen as results)."""
    return region_q(regulator_prefixes(user), "regulator__region")


@rule(RiskSignal, VIEW)
def signals_seen(user: User) -> Q:
    """Regulators: signals about enterprises in their region."""
    return region_q(regulator_prefixes(user), "enterprise__region")


@rule(RiskSignal, CHANGE)
def signals_written(user: User) -> Q:
    """Regulators' writers: signals about enterprises in their region."""
    return region_q(regulator_prefixes(user, Role.REGULATOR_WRITERS), "enterprise__region")


@rule(Enterprise, SIGNAL)
def enterprises_signalled(user: User) -> Q:
    """Regulators' writers register risk signals about enterprises in their region."""
    return region_q(regulator_prefixes(user, Role.REGULATOR_WRITERS), "region")


@rule(QualityWarning, VIEW)
def warnings_seen(user: User) -> Q:
    """Regulators: warnings about their region, or about a wider region that contains it."""
    prefixes = regulator_prefixes(user)
    wider = Q(region__in=[code for p in prefixes if p for code in (p[:2] + "0000", p[:4].ljust(6, "0"))])
    return region_q(prefixes, "region") | wider


@rule(QualityWarning, CLOSE)
def warnings_closed(user: User) -> Q:
    """Regulators' writers of the warning's region."""
    return region_q(regulator_prefixes(user, Role.REGULATOR_WRITERS), "region")


def _writer_orgs(user: User) -> list[int]:
    return [org.pk for org in regulators_of(user, Role.REGULATOR_WRITERS)]


@rule(Bulletin, VIEW, anonymous=True)
def bulletins_seen(user: User) -> Q:
    """Anyone: published bulletins. The writers of the issuing regulator: its drafts too."""
    published = Q(status=BulletinStatus.STATUS_PUBLISHED)
    writers = _writer_orgs(user)
    return published | Q(regulator_id__in=writers) if writers else published


@rule(Bulletin, DRAFT, PUBLISH)
def bulletins_handled(user: User) -> Q:
    """The writers of the issuing regulator (publishing also needs someone other than the drafter)."""
    return Q(regulator_id__in=_writer_orgs(user))


@rule(ComparisonRound, VIEW)
def comparisons_seen(user: User) -> Q:
    """Regulators: every comparison (testing bodies serve the whole province and beyond)."""
    return EVERYTHING if regulator_prefixes(user) else NOTHING


@rule(ComparisonRound, CHANGE)
def comparisons_recorded(user: User) -> Q:
    """Regulators' writers record retained-sample comparisons."""
    return EVERYTHING if regulator_prefixes(user, Role.REGULATOR_WRITERS) else NOTHING


@rule(ResultRollup, VIEW)
def rollups_seen(user: User) -> Q:
    """Regulators of the whole country or of a province: the monthly counts of their provinces (a city's or county's
    regulators read the results themselves, `rollups_cover`)."""
    prefixes = [p for p in regulator_prefixes(user) if len(p) <= 2]
    return region_q(prefixes, "province") | region_q(prefixes, "regulator_province")


def rollups_cover(user: User) -> bool:
    """Whether the monthly counts hold exactly what the user sees of the results: only for regulators whose every
    region is the country or a province (the counts keep the province, not the city or county)."""
    prefixes = regulator_prefixes(user)
    return bool(prefixes) and all(len(p) <= 2 for p in prefixes)
