"""The filters of the statistics pages and API, each checked; a bad one is named (and the request refused by the API,
ignored with a message by the pages)."""

from __future__ import annotations

import datetime as dt
import re

from choujian.analytics.choices import DrawArm
from choujian.analytics.selectors import DIMENSIONS, REGION_LEVELS
from choujian.core.dates import parse_date
from choujian.core.divisions import is_valid_division

KEYS = ("category", "region", "enterprise", "lab", "project", "section", "month", "quarter", "year", "arm")


def read(query, *, default_by: str = "category") -> tuple[dict, list[str]]:
    """(`by`, `region_level` and the selectors' filters, problems)."""
    problems: list[str] = []
    values: dict = {}
    by = query.get("by", default_by) or default_by
    if by not in DIMENSIONS:
        problems.append(f"by：应为 {'、'.join(DIMENSIONS)} 之一")
        by = default_by
    level = query.get("level", "city") or "city"
    if level not in REGION_LEVELS:
        problems.append("level：应为 province、city 或 county")
        level = "city"
    for name, key in (("date_from", "from"), ("date_to", "to")):
        raw = (query.get(key) or "").strip()
        if raw:
            try:
                values[name] = parse_date(raw)
            except ValueError:
                problems.append(f"{key}：应为日期，如 2026-01-01")
    if values.get("date_from") and values.get("date_to") and values["date_from"] > values["date_to"]:
        problems.append("from：不能晚于 to")
        values.pop("date_from")
    for key in KEYS:
        raw = (query.get(key) or "").strip()[:200]
        if not raw:
            continue
        if key == "region" and not is_valid_division(raw):
            problems.append("region：应为 6 位行政区划代码，如 350100")
        elif key == "month" and not _month(raw):
            problems.append("month：应为年月，如 2026-03")
        elif key == "quarter" and not re.fullmatch(r"20\d\d-Q[1-4]", raw):
            problems.append("quarter：应为年和季度，如 2026-Q1")
        elif key == "year" and not re.fullmatch(r"20\d\d", raw):
            problems.append("year：应为年份，如 2026")
        elif key == "arm" and raw not in (DrawArm.ARM_TARGETED, DrawArm.ARM_HOLDOUT):
            problems.append("arm：应为 targeted（风险定向）或 holdout（对照组）")
        else:
            values[key] = raw
    return {"by": by, "region_level": level, **values}, problems


def _month(raw: str) -> bool:
    if not re.fullmatch(r"\d{4}-\d{2}", raw):
        return False
    try:
        dt.date.fromisoformat(f"{raw}-01")
    except ValueError:
        return False
    return True


def as_query(filters: dict) -> dict:
    """Filters back to query parameters (for links and exports)."""
    names = {"date_from": "from", "date_to": "to", "region_level": "level"}
    query = {}
    for name, value in filters.items():
        if value in (None, "") or name == "by":
            continue
        query[names.get(name, name)] = value.isoformat() if isinstance(value, dt.date) else value
    return query
