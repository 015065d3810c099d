"""Every write of analytics: imported history, risk signals, and closing a warning. Each checks the access policy
and is ledgered."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from choujian.accounts.choices import Role
from choujian.accounts.models import Organisation, User
from choujian.accounts.scope import regulator_prefixes, regulators_of
from choujian.analytics import history, policy, rollups
from choujian.analytics.choices import FactSource, SignalKind, WarningStatus
from choujian.analytics.models import HistoryImport, QualityWarning, ResultFact, RiskSignal
from choujian.core.dates import parse_date
from choujian.core.errors import NotPermitted, ServiceError
from choujian.core.policy import CHANGE, permits
from choujian.core.tabular import TabularError, read_bytes
from choujian.ledger.services import ledger_append
from choujian.registry.models import Enterprise

MAX_WEIGHT = Decimal("5")


@transaction.atomic
def history_import(*, actor: User, filename: str, data: bytes, note: str = "", today: dt.date | None = None):
    """Import earlier years' results from a spreadsheet: every row valid, or nothing is imported."""
    today = today or timezone.localdate()
    regulators = regulators_of(actor, Role.REGULATOR_WRITERS)
    if not regulators:
        raise NotPermitted("历史结果由监管部门导入")
    try:
        table = read_bytes(filename, data)
    except TabularError as exc:
        raise ServiceError({"file": [str(exc)]}) from None
    parsed = history.parse_history(table, within=regulator_prefixes(actor, Role.REGULATOR_WRITERS), today=today)
    if parsed.errors:
        raise ServiceError({"file": parsed.errors[:50]})
    regulator: Organisation = regulators[0]
    made = HistoryImport.objects.create(
        regulator=regulator, filename=filename[:200], sha256=history.digest(data), rows=len(parsed.rows),
        imported_by=actor, note=(note or "").strip()[:300],
    )  # fmt: skip
    facts = ResultFact.objects.bulk_create(
        [ResultFact(source=FactSource.SOURCE_IMPORTED, history=made, regulator_region=regulator.region, **row)
         for row in parsed.rows],
        batch_size=2000,
    )  # fmt: skip
    rollups.pending(facts)
    ledger_append(type="history.imported", actor=actor, object=made)
    return made


def _weight(raw) -> Decimal:
    try:
        weight = Decimal(str(raw).strip())
    except (InvalidOperation, ValueError):
        raise ServiceError({"weight": ["权重应为数字，如 0.5"]}) from None
    if not Decimal("0") < weight <= MAX_WEIGHT or weight.as_tuple().exponent < -2:
        raise ServiceError({"weight": [f"权重应在 0.01–{MAX_WEIGHT} 之间，最多两位小数"]})
    return weight


@transaction.atomic
def signal_create(
    *, actor: User, enterprise: Enterprise, kind: str, source: str, observed_on, weight, category_code: str = "",
    note: str = "", today: dt.date | None = None,
) -> RiskSignal:  # fmt: skip
    """Register a risk signal about an enterprise (a complaint, an accident, another region's failure, a report)."""
    today = today or timezone.localdate()
    if not permits(actor, policy.SIGNAL, enterprise):
        raise NotPermitted("风险信号由企业所在地的监管部门登记")
    errors = {}
    if kind not in SignalKind.values() or kind == SignalKind.KIND_BLACKLIST:
        errors["kind"] = ["请选择信号类型（黑名单由后处理自动计入，无需登记）"]
    source = (source or "").strip()
    if not 2 <= len(source) <= 300:
        errors["source"] = ["请写明来源（如投诉编号、通报文号、报道链接），不超过 300 字"]
    try:
        observed_on = parse_date(observed_on)
        if observed_on > today:
            errors["observed_on"] = ["发生日期不能晚于今天"]
    except ValueError as exc:
        errors["observed_on"] = [str(exc)]
    try:
        weight = _weight(weight)
    except ServiceError as exc:
        errors.update(exc.errors)
    if errors:
        raise ServiceError(errors)
    signal = RiskSignal(
        enterprise=enterprise, category_code=(category_code or "").strip()[:32], kind=kind, source=source,
        observed_on=observed_on, weight=weight, note=(note or "").strip()[:500], entered_by=actor,
    )  # fmt: skip
    signal.save()
    ledger_append(type="risk_signal.created", actor=actor, object=signal)
    return signal


@transaction.atomic
def signal_withdraw(*, actor: User, signal: RiskSignal, reason: str) -> RiskSignal:
    signal = RiskSignal.objects.select_for_update().get(pk=signal.pk)
    if not permits(actor, CHANGE, signal):
        raise NotPermitted("风险信号由企业所在地的监管部门撤销")
    reason = (reason or "").strip()
    if signal.withdrawn_reason:
        raise ServiceError({"signal": ["该信号已撤销"]})
    if not 2 <= len(reason) <= 300:
        raise ServiceError({"reason": ["请写明撤销原因（不超过 300 字）"]})
    RiskSignal.objects.filter(pk=signal.pk).update(withdrawn_reason=reason, version=F("version") + 1)
    signal.refresh_from_db()
    ledger_append(type="risk_signal.withdrawn", actor=actor, object=signal)
    return signal


@transaction.atomic
def warning_close(*, actor: User, warning: QualityWarning, note: str) -> QualityWarning:
    """Close a warning with what was done about it (a targeted check planned, enterprises interviewed…)."""
    warning = QualityWarning.objects.select_for_update().get(pk=warning.pk)
    if not permits(actor, policy.CLOSE, warning):
        raise NotPermitted("预警由所在地区的监管部门处置")
    if warning.status == WarningStatus.STATUS_CLOSED:
        raise ServiceError({"warning": ["预警已关闭"]})
    note = (note or "").strip()
    if not 4 <= len(note) <= 1000:
        raise ServiceError({"note": ["请写明处置情况（4–1000 字）"]})
    QualityWarning.objects.filter(pk=warning.pk).update(
        status=WarningStatus.STATUS_CLOSED, closed_by=actor, closed_at=timezone.now(), closing_note=note,
        version=F("version") + 1,
    )  # fmt: skip
    warning.refresh_from_db()
    ledger_append(type="warning.closed", actor=actor, object=warning)
    return warning
