"""一季一通报: the figures of a quarter for the drafting regulator's region — totals against the quarter before and
the same quarter a year ago, by category, by city, the enterprises with failures, the items most often failed, the
warnings raised and how enforcement stands — frozen when the organiser drafts; the narrative is theirs to edit; another
officer approves, which makes the PDF and publishes it."""

from __future__ import annotations

import datetime as dt
import hashlib

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from choujian.accounts.choices import Role
from choujian.accounts.models import User
from choujian.accounts.scope import regulators_of
from choujian.analytics import selectors
from choujian.analytics.choices import BulletinStatus
from choujian.analytics.models import Bulletin, QualityWarning
from choujian.analytics.policy import DRAFT, PUBLISH
from choujian.core.codes import next_code
from choujian.core.divisions import name_of
from choujian.core.errors import ConflictError, NotPermitted, ServiceError
from choujian.core.policy import permits
from choujian.enforcement.models import BlacklistEntry, Case
from choujian.ledger.services import ledger_append


def quarter_range(year: int, quarter: int) -> tuple[dt.date, dt.date]:
    start = dt.date(year, 3 * quarter - 2, 1)
    end = dt.date(year + (quarter == 4), 1 if quarter == 4 else 3 * quarter + 1, 1) - dt.timedelta(days=1)
    return start, end


def _previous(year: int, quarter: int) -> tuple[int, int]:
    return (year, quarter - 1) if quarter > 1 else (year - 1, 4)


def _rate(rates) -> dict:
    lots, failed = sum(r.lots for r in rates), sum(r.failed for r in rates)
    refused = sum(r.refused for r in rates)
    whole = selectors.Rate("", "", lots, failed, refused)
    low, high = whole.interval
    return {"lots": lots, "failed": failed, "refused": refused, "rate": whole.rate, "ci": [low, high]}


def _rows(rates, limit: int | None = None) -> list[dict]:
    rows = [{"label": r.label, "key": r.key, "lots": r.lots, "failed": r.failed, "rate": r.rate} for r in rates]
    return rows[:limit] if limit else rows


def figures(user: User, year: int, quarter: int) -> dict:
    """Everything the bulletin states, counted through the access policy for the user (the drafter)."""
    start, end = quarter_range(year, quarter)
    span = {"date_from": start, "date_to": end}
    previous = quarter_range(*_previous(year, quarter))
    a_year_ago = quarter_range(year - 1, quarter)
    by_category = selectors.pass_rates(user, "category", **span)
    months_from = dt.date(end.year - 1, end.month, 1) + dt.timedelta(days=31)
    trend = selectors.pass_rates(user, "month", date_from=months_from.replace(day=1), date_to=end)
    enterprises = [r for r in selectors.pass_rates(user, "enterprise", **span) if r.failed]
    prefix = _prefix(user)
    cases = Case.objects.filter(regulator__region__startswith=prefix)
    warnings = QualityWarning.objects.filter(month__gte=start, month__lte=end, region__startswith=prefix[:2])
    return {
        "period": {"year": year, "quarter": quarter, "from": start.isoformat(), "to": end.isoformat()},
        "region": {"code": prefix.ljust(6, "0"), "name": name_of(prefix.ljust(6, "0"))},
        "total": _rate(by_category),
        "previous": _rate(selectors.pass_rates(user, "category", date_from=previous[0], date_to=previous[1])),
        "a_year_ago": _rate(selectors.pass_rates(user, "category", date_from=a_year_ago[0], date_to=a_year_ago[1])),
        "by_category": _rows(by_category),
        "by_region": _rows(selectors.pass_rates(user, "region", region_level="city", **span)),
        "trend": _rows(trend),
        "enterprises": _rows(enterprises, 30),
        "items": [{"item": name, "count": n} for name, n in selectors.most_failed_items(user, 10, **span)],
        "warnings": [
            {
                "code": w.code,
                "category": w.category_name,
                "region": name_of(w.region),
                "month": f"{w.month:%Y-%m}",
                "rules": w.evidence.get("rules", []),
                "status": w.status,
            }
            for w in warnings.order_by("month", "code")
        ],  # fmt: skip
        "enforcement": {
            "opened": cases.filter(opened_at__date__gte=start, opened_at__date__lte=end).count(),
            "closed": cases.filter(closed_at__date__gte=start, closed_at__date__lte=end).count(),
            "open_at_end": cases.filter(opened_at__date__lte=end).exclude(closed_at__date__lte=end).count(),
            "listed": BlacklistEntry.objects.filter(
                listed_on__gte=start, listed_on__lte=end, case__regulator__region__startswith=prefix
            ).count(),
        },  # fmt: skip
    }


def _prefix(user: User) -> str:
    from choujian.accounts.scope import regulator_prefixes

    prefixes = sorted(regulator_prefixes(user, Role.REGULATOR_WRITERS), key=len)
    return prefixes[0] if prefixes else "99"


def _pct(value) -> str:
    return "—" if value is None else f"{value:.1%}"


def default_narrative(found: dict) -> str:
    total, previous, ago = found["total"], found["previous"], found["a_year_ago"]
    period = found["period"]
    worst = sorted((c for c in found["by_category"] if c["lots"] >= 5), key=lambda c: c["rate"] or 1)[:3]
    text = (
        f"{period['year']}年第{period['quarter']}季度，{found['region']['name']}共监督抽查 {total['lots']} 批次产品，"
        f"不合格 {total['failed']} 批次，批次合格率 {_pct(total['rate'])}（95% 置信区间 {_pct(total['ci'][0])}–"
        f"{_pct(total['ci'][1])}），上季度为 {_pct(previous['rate'])}，上年同期为 {_pct(ago['rate'])}。"
    )
    if total["refused"]:
        text += f"另有 {total['refused']} 家次拒绝抽查，已依法处理。"
    if worst:
        text += "合格率较低的产品为" + "、".join(f"{c['label']}（{_pct(c['rate'])}）" for c in worst) + "。"
    if found["warnings"]:
        text += (
            f"本季度发出质量预警 {len(found['warnings'])} 条（{'、'.join(w['category'] for w in found['warnings'])}）。"
        )
    progress = found["enforcement"]
    text += (
        f"\n\n后处理：本季度新立案 {progress['opened']} 件，办结 {progress['closed']} 件，"
        f"季末在办 {progress['open_at_end']} 件，列入黑名单 {progress['listed']} 家。"
        "\n\n下一步，请各地对合格率较低的产品和不合格企业加大抽查力度，督促整改到位。"
    )
    return text


@transaction.atomic
def bulletin_draft(*, actor: User, year: int, quarter: int, today: dt.date | None = None) -> Bulletin:
    today = today or timezone.localdate()
    errors = {}
    if not (isinstance(year, int) and 2000 <= year <= today.year):
        errors["year"] = [f"年度应在 2000–{today.year} 之间"]
    if quarter not in (1, 2, 3, 4):
        errors["quarter"] = ["季度应为 1–4"]
    if errors:
        raise ServiceError(errors)
    regulators = regulators_of(actor, Role.REGULATOR_WRITERS)
    if not regulators:
        raise NotPermitted("季度通报由监管部门起草")
    if quarter_range(year, quarter)[0] > today:
        raise ServiceError({"quarter": ["该季度尚未开始"]})
    found = figures(actor, year, quarter)
    if not found["total"]["lots"] and not found["total"]["refused"]:
        raise ServiceError({"quarter": ["该季度没有可统计的检验结论"]})
    regulator = min(regulators, key=lambda org: len(org.region.rstrip("0")))
    bulletin = Bulletin.objects.create(
        code=next_code("TB", year), regulator=regulator, year=year, quarter=quarter,
        title=f"{regulator.name}{year}年第{quarter}季度产品质量监督抽查情况通报", narrative=default_narrative(found),
        figures=found, drafted_by=actor,
    )  # fmt: skip
    ledger_append(type="bulletin.drafted", actor=actor, object=bulletin)
    return bulletin


def _locked(bulletin: Bulletin, version: int | None) -> Bulletin:
    current = Bulletin.objects.select_for_update().get(pk=bulletin.pk)
    if version is not None and current.version != version:
        raise ConflictError(current.version)
    return current


@transaction.atomic
def bulletin_update(*, actor: User, bulletin: Bulletin, narrative: str, version: int | None = None) -> Bulletin:
    bulletin = _locked(bulletin, version)
    if not permits(actor, DRAFT, bulletin):
        raise NotPermitted("通报由发布单位的监管人员修改")
    if bulletin.is_published:
        raise ServiceError({"narrative": ["通报已公开，不能修改"]})
    narrative = (narrative or "").strip()
    if not 20 <= len(narrative) <= 5000:
        raise ServiceError({"narrative": ["请填写通报正文（20–5000 字）"]})
    Bulletin.objects.filter(pk=bulletin.pk).update(narrative=narrative, version=F("version") + 1)
    bulletin.refresh_from_db()
    ledger_append(type="bulletin.updated", actor=actor, object=bulletin)
    return bulletin


@transaction.atomic
def bulletin_publish(*, actor: User, bulletin: Bulletin, version: int | None = None) -> Bulletin:
    """The second approval: someone of the regulator other than the drafter; the PDF is made now and kept."""
    from choujian.analytics.bulletin_pdf import bulletin_pdf

    bulletin = _locked(bulletin, version)
    if not permits(actor, PUBLISH, bulletin):
        raise NotPermitted("通报由发布单位的监管人员审核公开")
    if bulletin.is_published:
        raise ServiceError({"bulletin": ["通报已公开"]})
    if bulletin.drafted_by_id == actor.pk:
        raise ServiceError({"bulletin": ["通报须由起草人以外的另一人审核后公开"]})
    now = timezone.now()
    bulletin.status, bulletin.published_by, bulletin.published_at = BulletinStatus.STATUS_PUBLISHED, actor, now
    data = bulletin_pdf(bulletin)
    digest = hashlib.sha256(data).hexdigest()
    bulletin.pdf.save(f"{bulletin.code}-{digest[:12]}.pdf", ContentFile(data), save=False)
    Bulletin.objects.filter(pk=bulletin.pk).update(
        status=bulletin.status, published_by=actor, published_at=now, pdf=bulletin.pdf.name, pdf_sha256=digest,
        version=F("version") + 1,
    )  # fmt: skip
    bulletin.refresh_from_db()
    ledger_append(type="bulletin.published", actor=actor, object=bulletin)
    return bulletin
