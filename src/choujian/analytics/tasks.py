"""Scheduled work of analytics, run by the worker (`choujian worker`)."""

from django.utils.translation import gettext_lazy as _
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, lock_task

from choujian.analytics.comparison import comparisons_from_retests
from choujian.analytics.facts import facts_sync
from choujian.analytics.rollups import rollups_refresh
from choujian.analytics.warnings import warnings_scan
from choujian.core.jobs import RETRY


@db_periodic_task(
    crontab(minute="*/10"),
    label=_("统计结果表：计入最终结论和拒检（实时计入时遗漏的）；更新月度汇总表；完成的复检记入实验室比对"),
    schedule_text=_("每 10 分钟"),
    **RETRY,
)
@lock_task("analytics-facts")  # two workers never add the same results to the monthly counts
def sync_facts() -> int:
    """统计结果表：计入最终结论和拒检；更新月度汇总表；完成的复检记入实验室比对。"""
    counted = facts_sync()
    return counted + rollups_refresh() + len(comparisons_from_retests())


@db_periodic_task(
    crontab(minute="30", hour="18", day="1"),  # 02:30 in Beijing on the 2nd: the month before is complete
    label=_("质量预警：各产品类别、各省的月度不合格率控制图（累积和 CUSUM 与西电判异准则）"),
    schedule_text=_("每月 2 日 02:30"),
    **RETRY,
)
def scan_warnings() -> int:
    """质量预警：月度不合格率控制图检查。"""
    return len(warnings_scan())
