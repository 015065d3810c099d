"""How a deadline reads on a page or in a PDF."""

from datetime import date


def provisional_note(year: int) -> str:
    return f"（暂定，待{year}年节假日安排公布后确认）"


def deadline_text(due: date | None, provisional: bool, provisional_year: int | None = None) -> str:
    if due is None:
        return "—"
    text = f"{due:%Y-%m-%d}"
    if provisional:
        text += provisional_note(provisional_year or due.year)
    return text
