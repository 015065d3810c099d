"""Request examples shown in the API documentation: what a valid call looks like.

The fuzzing stage sends each one (with references replaced by real objects), so an example that stops being valid
shows up as an operation that never succeeds.
"""

from drf_spectacular.utils import OpenApiExample, extend_schema_serializer

MEDIA_TYPES = ("application/json", "multipart/form-data")


def documented(value: dict, summary: str = "示例"):
    """Decorates a request serializer with one example body, shown for JSON and for multipart (uploads) alike."""
    return extend_schema_serializer(
        examples=[OpenApiExample(summary, value=value, request_only=True, media_type=media) for media in MEDIA_TYPES]
    )
