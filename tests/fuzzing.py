"""Schemathesis fuzzing of our own OpenAPI schema, shared by the API fuzz tests: no input may produce a 500."""

from hypothesis import HealthCheck, given, settings

EXAMPLES_PER_OPERATION = 10


def checker(
    operation,
    base_url: str,
    headers: dict,
    failures: list,
    fill: dict | None = None,
    examples: int = EXAMPLES_PER_OPERATION,
):
    """A hypothesis test of one operation; `fill` sets path parameters to real values (so the call reaches the
    code behind the lookup rather than stopping at 404)."""

    @given(case=operation.as_strategy())
    @settings(
        max_examples=examples,
        deadline=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
        database=None,
    )
    def check(case):
        for name, value in (fill or {}).items():
            if name in (case.path_parameters or {}):
                case.path_parameters[name] = value
        response = case.call(base_url=base_url, headers=headers)
        if response.status_code >= 500:
            failures.append(f"{case.method} {case.formatted_path} {case.body!r}: {response.status_code}")

    return check
