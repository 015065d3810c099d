"""How a page tells a person what a service refused: each error as a message (the page then shows the record as it
is, unchanged)."""

from django.contrib import messages
from django.utils.translation import gettext as _

from choujian.core.errors import ConflictError, NotPermitted, ServiceError


def message_errors(request, exc: ServiceError) -> None:
    for errors in exc.errors.values():
        for error in errors:
            messages.error(request, error)


def act(request, action, success: str):
    """Run a service call for a page: its result and a success message, or None and the refusal as messages."""
    try:
        result = action()
        messages.success(request, success)
        return result
    except ConflictError:
        messages.error(request, _("已被他人更新，请查看最新内容后再操作"))
    except NotPermitted as exc:
        messages.error(request, str(exc))
    except ServiceError as exc:
        message_errors(request, exc)
    return None
