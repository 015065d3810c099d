"""Model-field validators that wrap the pure GB standards modules with Django's ValidationError."""

from django.core.exceptions import ValidationError


def validate_region(code: str) -> None:
    from choujian.core.divisions import DivisionError, get_division

    try:
        get_division(code)
    except DivisionError as exc:
        raise ValidationError(str(exc), code="region") from None


def validate_uscc_field(code: str) -> None:
    from choujian.core.uscc import USCCError, validate_uscc

    try:
        validate_uscc(code)
    except USCCError as exc:
        raise ValidationError(str(exc), code="uscc") from None
