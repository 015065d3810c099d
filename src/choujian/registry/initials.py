"""Pinyin initials of a name (拼音首字母), so that people can find 福建钢绞线厂 by typing "fjgjx". Pure: no Django."""

from functools import lru_cache

from pypinyin import Style, lazy_pinyin

MAX_LENGTH = 100


@lru_cache(maxsize=4096)
def initials(name: str) -> str:
    """Lower-case initials of each Chinese character; letters and digits are kept, everything else dropped."""
    syllables = lazy_pinyin(name or "", style=Style.FIRST_LETTER, errors=lambda text: list(text))
    return "".join(s[0] for s in syllables if s and s[0].isascii() and s[0].isalnum()).lower()[:MAX_LENGTH]
