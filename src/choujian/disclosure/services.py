"""Every write of announcements: a draft built from the plan's final results, published only by another person,
and published rows corrected (a new version with its reason) or withdrawn (kept, marked, with its reason). Each is
ledgered, and each publication, correction and withdrawal enters the public feed with its ledger entry."""

from __future__ import annotations

from collections import Counter

from django.core.cache import cache
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from choujian.accounts.models import User
from choujian.core.codes import next_code
from choujian.core.dates import parse_date
from choujian.core.errors import ConflictError, NotPermitted, ServiceError
from choujian.core.policy import CHANGE, permits
from choujian.disclosure import policy
from choujian.disclosure.choices import AnnouncementKind, AnnouncementStatus, ChangeKind, ReportStatus, RowStatus
from choujian.disclosure.models import RECHECK_FIELDS, ROW_FIELDS, Announcement, Change, ErrorReport, ResultRow
from choujian.disclosure.recheck_rows import recheck_rows, recheck_summary
from choujian.ledger.services import ledger_append
from choujian.planning.choices import TaskPurpose
from choujian.planning.models import Plan
from choujian.testing.choices import Judgment
from choujian.testing.models import Outcome

CODE_PREFIX = "GG"
CORRECTABLE = (
    "product_name", "model_spec", "batch_no", "production_date", "place", "testing_body", "sample_count",
)  # fmt: skip


def _row_values(outcome: Outcome) -> dict:
    """What the public is told of one final result: never an inspector's name or phone."""
    sample = outcome.sample
    task, record = sample.task, sample.record
    enterprise, product = task.enterprise, task.product
    if task.delivery_id:
        section = task.delivery.section
        place = f"{section.project.name} {section.name}"
    else:
        place = f"{enterprise.name}（生产企业）"
    items = outcome.report.verdict.get("items", [])
    failed = [
        {"item": item["name"], "class": item.get("class", ""), "unit": item.get("unit", ""),
         "measured": "、".join(v["value"] for v in item["values"]), "limit": item["limit"].get("text", "")}
        for item in items if item.get("judgment") == Judgment.JUDGMENT_FAIL
    ]  # fmt: skip
    return {
        "task": task,
        "enterprise_name": enterprise.name,
        "enterprise_uscc": enterprise.uscc,
        "region": enterprise.region,
        "category_code": product.category.code,
        "category_name": product.category.name,
        "product_name": record.product_name or product.name,
        "model_spec": record.model_spec or product.model_spec,
        "batch_no": record.batch_no,
        "production_date": record.production_date,
        "place": place[:300],
        "testing_body": outcome.report.lab_sample.laboratory.name,
        "conclusion": outcome.judgment,
        "failed_items": failed,
    }


def _summary(plan: Plan, rows: list[dict]) -> str:
    """一、基本情况 in the Ministry's wording, from the rows."""
    enterprises = {row["enterprise_uscc"] for row in rows}
    regions = {row["region"][:2] for row in rows}
    passed = sum(row["conclusion"] == Judgment.JUDGMENT_PASS for row in rows)
    by_product = Counter(row["category_name"] for row in rows)
    products = "、".join(f"{name} {n} 批次" for name, n in sorted(by_product.items()))
    rate = f"{passed / len(rows):.1%}" if rows else "—"
    return (
        f"{plan.regulator.name}组织开展{plan.name}。抽查对象和检查人员均通过平台随机抽取（抽取记录可公开核验），"
        f"抽样与检验分离，样品由检验机构盲样检验。本次共抽查 {len(regions)} 个省（区、市）"
        f"{len(enterprises)} 家企业生产的 {len(rows)} 批次产品（{products}），经检验合格 {passed} 批次，"
        f"批次合格率 {rate}。"
    )


def _require(allowed: bool, message: str) -> None:
    if not allowed:
        raise NotPermitted(message)


def _results_rows(plan: Plan) -> list[dict]:
    outcomes = (
        Outcome.objects.filter(sample__task__plan=plan)
        .exclude(sample__task__purpose=TaskPurpose.PURPOSE_RECHECK)
        .select_related(
            "report__lab_sample__laboratory", "sample__record", "sample__task__enterprise",
            "sample__task__product__category", "sample__task__delivery__section__project",
        )
        .order_by("sample__task__code")
    )  # fmt: skip
    published = set(
        ResultRow.objects.filter(
            task__plan=plan, announcement__kind=AnnouncementKind.KIND_RESULTS,
            announcement__status=AnnouncementStatus.STATUS_PUBLISHED,
        ).values_list("task_id", flat=True)
    )  # fmt: skip
    return [_row_values(outcome) for outcome in outcomes if outcome.sample.task_id not in published]


@transaction.atomic
def announcement_draft(
    *, actor: User, plan: Plan, include_conforming: bool = True, kind: str = AnnouncementKind.KIND_RESULTS
) -> Announcement:
    """Draft the results announcement of a plan from its final results, or its 复查 announcement from the concluded
    复查 and the batches whose producer did not apply for one in time."""
    plan = Plan.objects.select_for_update().get(pk=plan.pk)
    _require(permits(actor, CHANGE, plan), "公告由组织抽查的监管部门起草")
    if kind not in AnnouncementKind.values():
        raise ServiceError({"kind": ["公告类型应为抽查结果公告或复查结果公告"]})
    recheck = kind == AnnouncementKind.KIND_RECHECK
    rows = recheck_rows(plan, _row_values) if recheck else _results_rows(plan)
    if not rows:
        what = "尚未公开的复查结论或维持不合格的批次" if recheck else "尚未公开的最终检验结论"
        raise ServiceError({"plan": [f"该计划没有{what}，不能起草公告"]})
    follows = (
        Announcement.objects.filter(plan=plan, kind=AnnouncementKind.KIND_RESULTS, status="published")
        .order_by("-published_at")
        .first()
    )
    announcement = Announcement.objects.create(
        code=next_code(CODE_PREFIX, timezone.localdate().year),
        plan=plan,
        kind=kind,
        title=f"关于{plan.name}{'复查' if recheck else ''}结果的公告",
        summary=recheck_summary(plan, rows) if recheck else _summary(plan, rows),
        include_conforming=bool(include_conforming),
        drafted_by=actor,
        follows=follows if recheck else None,
    )
    ResultRow.objects.bulk_create([ResultRow(announcement=announcement, **row) for row in rows])
    ledger_append(type="announcement.drafted", actor=actor, object=announcement)
    return announcement


def _locked(announcement: Announcement, version: int | None) -> Announcement:
    current = Announcement.objects.select_for_update().get(pk=announcement.pk)
    if version is not None and current.version != version:
        raise ConflictError(current.version)
    return current


@transaction.atomic
def announcement_update(
    *, actor: User, announcement: Announcement, title: str, summary: str, include_conforming: bool,
    version: int | None = None,
) -> Announcement:  # fmt: skip
    announcement = _locked(announcement, version)
    _require(permits(actor, policy.DRAFT, announcement), "公告由组织抽查的监管部门起草")
    if announcement.is_published:
        raise ServiceError({"announcement": ["公告已公开，不能修改；请更正或撤回其中的结果"]})
    errors = {}
    title, summary = (title or "").strip(), (summary or "").strip()
    if not title or len(title) > 200:
        errors["title"] = ["请填写标题（不超过 200 字）"]
    if not summary or len(summary) > 3000:
        errors["summary"] = ["请填写基本情况（不超过 3000 字）"]
    if errors:
        raise ServiceError(errors)
    Announcement.objects.filter(pk=announcement.pk).update(
        title=title, summary=summary, include_conforming=bool(include_conforming), version=F("version") + 1
    )
    announcement.refresh_from_db()
    ledger_append(type="announcement.updated", actor=actor, object=announcement)
    return announcement


@transaction.atomic
def announcement_publish(*, actor: User, announcement: Announcement, version: int | None = None) -> Announcement:
    """The second approval: someone of the organiser other than the drafter makes it public."""
    announcement = _locked(announcement, version)
    _require(permits(actor, policy.PUBLISH, announcement), "公告由组织抽查的监管部门公开")
    if announcement.is_published:
        raise ServiceError({"announcement": ["公告已公开"]})
    if announcement.drafted_by_id == actor.pk:
        raise ServiceError({"announcement": ["公告须由起草人以外的另一人审核后公开"]})
    now = timezone.now()
    Announcement.objects.filter(pk=announcement.pk).update(
        status=AnnouncementStatus.STATUS_PUBLISHED, published_by=actor, published_at=now, version=F("version") + 1
    )
    announcement.rows.update(last_updated=now)
    announcement.refresh_from_db()
    entry = ledger_append(type="announcement.published", actor=actor, object=announcement)
    Change.objects.bulk_create(
        [
            Change(kind=ChangeKind.KIND_PUBLISHED, at=now, announcement=announcement, row=row, ledger_seq=entry.seq)
            for row in announcement.rows.order_by("pk")
        ]
    )
    return announcement


def _published_row(actor: User, row: ResultRow) -> ResultRow:
    row = ResultRow.objects.select_for_update().select_related("announcement").get(pk=row.pk)
    _require(permits(actor, policy.PUBLISH, row), "结果由组织抽查的监管部门更正或撤回")
    if row.status != RowStatus.STATUS_CURRENT:
        raise ServiceError({"row": [f"该结果为“{row.get_status_display()}”，只能更正或撤回当前有效的版本"]})
    return row


def _reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason or len(reason) > 500:
        raise ServiceError({"reason": ["请写明原因（不超过 500 字），将与结果一同公开"]})
    return reason


@transaction.atomic
def row_correct(*, actor: User, row: ResultRow, reason: str, **changes) -> ResultRow:
    """Publish a corrected version of a row; the old version stays reachable as superseded."""
    row = _published_row(actor, row)
    reason = _reason(reason)
    unknown = sorted(set(changes) - set(CORRECTABLE))
    if unknown:
        raise ServiceError({name: ["该字段不能更正（检验结论须经复检或撤回）"] for name in unknown})
    values = {name: getattr(row, name) for name in (*ROW_FIELDS, *RECHECK_FIELDS)}
    for name, value in changes.items():
        value = "" if value is None else str(value).strip()
        if name == "production_date":
            try:
                value = parse_date(value) if value else None
            except ValueError as exc:
                raise ServiceError({name: [str(exc)]}) from None
        elif name in ("product_name", "place", "testing_body") and not value:
            raise ServiceError({name: ["不能为空"]})
        values[name] = value
    if all(values[name] == getattr(row, name) for name in changes):
        raise ServiceError({"row": ["没有改动"]})
    now = timezone.now()
    ResultRow.objects.filter(pk=row.pk).update(status=RowStatus.STATUS_SUPERSEDED, last_updated=now)
    corrected = ResultRow.objects.create(
        announcement=row.announcement, row_id=row.row_id, edition=row.edition + 1, task=row.task, reason=reason,
        last_updated=now, **values,
    )  # fmt: skip
    announcement = row.announcement
    Announcement.objects.filter(pk=announcement.pk).update(version=F("version") + 1)
    announcement.refresh_from_db()
    entry = ledger_append(
        type="announcement.row_corrected", actor=actor, object=announcement,
        data={"row": str(row.row_id), "version": corrected.edition},
    )  # fmt: skip
    Change.objects.create(
        kind=ChangeKind.KIND_CORRECTED, at=now, announcement=announcement, row=corrected, reason=reason,
        ledger_seq=entry.seq,
    )  # fmt: skip
    return corrected


@transaction.atomic
def row_withdraw(*, actor: User, row: ResultRow, reason: str) -> ResultRow:
    """Withdraw a published row: it stays visible, marked withdrawn, with the reason."""
    row = _published_row(actor, row)
    reason = _reason(reason)
    now = timezone.now()
    ResultRow.objects.filter(pk=row.pk).update(status=RowStatus.STATUS_WITHDRAWN, reason=reason, last_updated=now)
    row.refresh_from_db()
    announcement = row.announcement
    Announcement.objects.filter(pk=announcement.pk).update(version=F("version") + 1)
    announcement.refresh_from_db()
    entry = ledger_append(
        type="announcement.row_withdrawn", actor=actor, object=announcement, data={"row": str(row.row_id)}
    )
    Change.objects.create(
        kind=ChangeKind.KIND_WITHDRAWN, at=now, announcement=announcement, row=row, reason=reason,
        ledger_seq=entry.seq,
    )  # fmt: skip
    return row


PUBLIC = "public"
REPORTS_PER_HOUR = 5  # per address: enough for a person, too few for a flood (no CAPTCHA)


@transaction.atomic
def error_report_file(*, row: ResultRow, text: str, contact: str = "", client: str) -> ErrorReport:
    """Anyone reports an error in a published result; the organiser's writers find it on their to-do page."""
    if row.announcement.status != AnnouncementStatus.STATUS_PUBLISHED:
        raise ServiceError({"row": ["该结果尚未公开"]})
    text, contact = (text or "").strip(), (contact or "").strip()
    errors = {}
    if not 5 <= len(text) <= 1000:
        errors["text"] = ["请说明哪里有误、正确的应是什么（5–1000 字）"]
    if len(contact) > 100:
        errors["contact"] = ["联系方式不能超过 100 字"]
    if errors:
        raise ServiceError(errors)
    key = f"disclosure:error-reports:{client}"
    if cache.get(key, 0) >= REPORTS_PER_HOUR:
        raise ServiceError({"text": ["提交太频繁，请一小时后再试"]})
    cache.set(key, cache.get(key, 0) + 1, 3600)
    report = ErrorReport.objects.create(announcement=row.announcement, row=row, text=text, contact=contact)
    ledger_append(type="error_report.filed", actor=PUBLIC, object=report)
    return report


@transaction.atomic
def error_report_answer(*, actor: User, report: ErrorReport, answer: str) -> ErrorReport:
    """The organiser's answer, published beside the result (a correction itself is made with `row_correct`)."""
    report = ErrorReport.objects.select_for_update().get(pk=report.pk)
    _require(permits(actor, policy.PUBLISH, report), "由公开该结果的组织单位答复")
    if report.status == ReportStatus.STATUS_ANSWERED:
        raise ServiceError({"answer": ["已经答复"]})
    answer = (answer or "").strip()
    if not 2 <= len(answer) <= 1000:
        raise ServiceError({"answer": ["请填写答复（2–1000 字），将与该结果一同公开"]})
    ErrorReport.objects.filter(pk=report.pk).update(
        status=ReportStatus.STATUS_ANSWERED, answer=answer, answered_by=actor, answered_at=timezone.now(),
        version=F("version") + 1,
    )  # fmt: skip
    report.refresh_from_db()
    ledger_append(type="error_report.answered", actor=actor, object=report)
    return report
