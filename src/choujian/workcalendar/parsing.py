"""Reading dates as people type them, and a year's arrangement as the State Council's notice writes it (pure)."""

from __future__ import annotations

import datetime as dt
import re

_FULL_WIDTH = str.maketrans("０１２３４５６７８９／－．：", "0123456789/-.:")


_DAY = r"(?:(\d{4})年)?(?:(\d{1,2})月)?(\d{1,2})日"
_RANGE = re.compile(_DAY + r"(?:[（(][^）)]*[）)])?(?:\s*(?:至|到|—|–|-|~|～)\s*" + _DAY + r")?")
_WORK_WORDS = ("上班", "调休上班")


def _day(year: int, y, m, d, month_before: int | None, line_no: int) -> dt.date:
    month = int(m) if m else month_before
    if month is None:
        raise ValueError(f"第 {line_no} 行：“{d}日”缺少月份")
    try:
        return dt.date(int(y) if y else year, month, int(d))
    except ValueError:
        raise ValueError(f"第 {line_no} 行：{month}月{d}日 不是有效的日期") from None


def parse_notice(year: int, text: str) -> tuple[list[dict], list[str]]:
    """Lines like ``春节：2月5日至11日放假调休，共7天。2月14日（周六）、2月28日（周六）上班。`` → holidays
    ``[{"date", "name"}]`` and make-up working days ``["YYYY-MM-DD"]``. A line's name is the text before the first
    colon; dates in a sentence that mentions 上班 are make-up working days, other dates are days off."""
    holidays: list[dict] = []
    workdays: list[str] = []
    for line_no, raw in enumerate((text or "").splitlines(), start=1):
        line = raw.strip().translate(_FULL_WIDTH)
        if not line:
            continue
        name, sep, rest = re.split(r"(:)", line, maxsplit=1) if ":" in line else ("", "", line)
        name = re.sub(r"^[一二三四五六七八九十\d]+[、.]\s*", "", name).strip()
        for sentence in re.split(r"[。；;]", rest):
            is_work = any(word in sentence for word in _WORK_WORDS) and "放假" not in sentence
            found = False
            for match in _RANGE.finditer(sentence):
                found = True
                y1, m1, d1, y2, m2, d2 = match.groups()
                first = _day(year, y1, m1, d1, None, line_no)
                last = _day(year, y2, m2, d2, first.month, line_no) if d2 else first
                if last < first or (last - first).days > 31:
                    raise ValueError(f"第 {line_no} 行：日期区间 {first:%m月%d日} 至 {last:%m月%d日} 不合理")
                day = first
                while day <= last:
                    if is_work:
                        workdays.append(day.isoformat())
                    else:
                        holidays.append({"date": day.isoformat(), "name": name or "节假日"})
                    day += dt.timedelta(days=1)
            if not found and re.search(r"\d", sentence) and ("放假" in sentence or "上班" in sentence):
                raise ValueError(f"第 {line_no} 行：没有读出日期，请写成“2月5日至2月11日”或“2月14日”")
    return holidays, workdays


def format_notice(holidays: list[tuple[dt.date, str]], workdays: list[dt.date]) -> str:
    """The inverse of parse_notice for editing an entered year: one line per holiday name, make-up days last."""
    by_name: dict[str, list[dt.date]] = {}
    for day, name in holidays:
        by_name.setdefault(name, []).append(day)
    lines = []
    for name, days in by_name.items():
        days.sort()
        runs, first, prev = [], days[0], days[0]
        for day in days[1:] + [None]:
            if day is not None and (day - prev).days == 1:
                prev = day
                continue
            runs.append(f"{first.month}月{first.day}日" + (f"至{prev.month}月{prev.day}日" if prev != first else ""))
            if day is not None:
                first = prev = day
        lines.append(f"{name}：{'、'.join(runs)}放假。")
    if workdays:
        lines.append("调休：" + "、".join(f"{d.month}月{d.day}日" for d in sorted(workdays)) + "上班。")
    return "\n".join(lines)
