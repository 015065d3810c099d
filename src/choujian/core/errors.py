"""Domain errors raised by services; the API and views turn them into 400/403/409 with the reason."""

from django.core.exceptions import PermissionDenied


class ServiceError(Exception):
    """Bad input or a forbidden state change: `errors` maps each field (or row) to Chinese messages."""

    def __init__(self, errors: dict[str, list[str]] | str):
        if isinstance(errors, str):
            errors = {"non_field_errors": [errors]}
        self.errors = errors
        super().__init__("; ".join(f"{k}: {' '.join(v)}" for k, v in errors.items()))


class ConflictError(Exception):
    """The record changed since the client read it (optimistic concurrency, invariant 6)."""

    def __init__(self, current_version: int):
        self.current_version = current_version
        super().__init__(f"记录已被他人修改（当前版本 {current_version}），请刷新后重试")


class NotPermitted(PermissionDenied):
    pass
