"""ChoiceSet: status and kind vocabularies with Chinese labels, usable as model `choices`.

Labels are lazy translations (`gettext_lazy("中文")`): pages show them in the reader's language. The record — ledger
data, error messages, import and export files — keeps the Chinese label, which is what `label()` returns whatever
language is active; `display()` is the label in the active language, for pages.
"""

from django.utils import translation


class ChoiceSetMeta(type):
    def __iter__(cls):
        return iter(cls.CHOICES)

    def __contains__(cls, value):
        return value in cls.values()


class ChoiceSet(metaclass=ChoiceSetMeta):
    """Subclasses define `CHOICES = [(value, label), …]` plus `STATUS_*`/`KIND_*` constants for the values."""

    CHOICES: list[tuple[str, str]] = []

    @classmethod
    def values(cls) -> list[str]:
        return [value for value, _ in cls.CHOICES]

    @classmethod
    def record_choices(cls) -> list[tuple[str, str]]:
        """`(value, Chinese label)` pairs as plain strings, whatever language is active."""
        cached = cls.__dict__.get("_record_choices")
        if cached is None:
            with translation.override(None):
                cached = [(value, str(label)) for value, label in cls.CHOICES]
            cls._record_choices = cached
        return cached

    @classmethod
    def label(cls, value: str) -> str:
        """The Chinese label of a value (the value itself if unknown): for the record, never translated."""
        return dict(cls.record_choices()).get(value, value)

    @classmethod
    def display(cls, value: str) -> str:
        """The label in the active language, for pages."""
        return str(dict(cls.CHOICES).get(value, value))

    @classmethod
    def max_length(cls) -> int:
        return max(len(value) for value, _ in cls.CHOICES)
