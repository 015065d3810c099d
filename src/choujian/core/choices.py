"""ChoiceSet: status and kind vocabularies with Chinese labels, usable as model `choices`."""


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
    def label(cls, value: str) -> str:
        return dict(cls.CHOICES).get(value, value)

    @classmethod
    def max_length(cls) -> int:
        return max(len(value) for value, _ in cls.CHOICES)
