"""JSON bodies: a clear 400 for nesting no form of ours needs (50,000 levels deep used to raise a 500), and for NUL
characters, which PostgreSQL cannot store or even compare (a NUL in a looked-up code raised a 500 there)."""

from rest_framework import parsers
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

MAX_DEPTH = 32


def _has_nul(value) -> bool:
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if "\x00" in item:
                return True
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False


def _too_deep(value, limit: int) -> bool:
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if depth > limit:
            return True
        if isinstance(item, dict):
            stack.extend((v, depth + 1) for v in item.values())
        elif isinstance(item, list):
            stack.extend((v, depth + 1) for v in item)
    return False


class BoundedJSONParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError(f"JSON 嵌套层数过多（不超过 {MAX_DEPTH} 层）") from None
        if _too_deep(data, MAX_DEPTH):
            raise ParseError(f"JSON 嵌套层数过多（不超过 {MAX_DEPTH} 层）")
        if _has_nul(data):
            raise ParseError(NUL_MESSAGE)
        return data


NUL_MESSAGE = "文本中不能包含空字符（\\u0000）"


def _refuse_nul_fields(data) -> None:
    for key, values in data.lists():
        if "\x00" in key or any(isinstance(v, str) and "\x00" in v for v in values):
            raise ParseError(NUL_MESSAGE)


class FormParser(parsers.FormParser):
    def parse(self, stream, media_type=None, parser_context=None):
        data = super().parse(stream, media_type, parser_context)
        _refuse_nul_fields(data)
        return data


class MultiPartParser(parsers.MultiPartParser):
    def parse(self, stream, media_type=None, parser_context=None):
        parsed = super().parse(stream, media_type, parser_context)
        _refuse_nul_fields(parsed.data)
        return parsed
