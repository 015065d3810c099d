"""How a page tells a person what a service refused: each error as a message (the page then shows the record as it
is, unchanged)."""

from django.contrib import messages

from choujian.core.errors import ServiceError


def message_errors(request, exc: ServiceError) -> None:
    for errors in exc.errors.values():
        for error in errors:
            messages.error(request, error)
