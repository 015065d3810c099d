"""The access policy (invariant 8): for every model, which rows a user may see, change or act on.

Each bounded context states the rules of its own models once, in its `policy.py`, as functions of the user that
return a filter (`Q`) over the model — the organisation, role and region rules, written in one place each. Every
selector, view, API, PDF, export and file download asks here and nowhere else:

- `restrict(queryset, user, action)` keeps the rows the user may `action` (the manner of NetBox's
  RestrictedQuerySet);
- `permits(user, action, obj)` answers for one object.

Nothing is allowed by default: asking about a model and action nobody declared raises `Undeclared`, so a new model
cannot be served until someone has written down who may see it. Anonymous visitors get no rows unless the rule is
declared `anonymous=True` (public records).
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Model, Q, QuerySet

VIEW = "view"
CHANGE = "change"

NOTHING = Q(pk__in=[])
# Not `Q()`: an empty Q vanishes when combined (`Q(a) | Q()` is `Q(a)`), turning "everything" into "only a".
EVERYTHING = Q(pk__isnull=False)

RuleFunction = Callable[..., Q]


class Undeclared(LookupError):
    """No rule says who may do this to rows of this model."""


@dataclass(frozen=True)
class Rule:
    model: type[Model]
    action: str
    function: RuleFunction
    anonymous: bool

    @property
    def summary(self) -> str:
        """The rule's docstring, first paragraph, on one line."""
        paragraph = (self.function.__doc__ or "").strip().split("\n\n")[0]
        return " ".join(line.strip() for line in paragraph.splitlines())


_RULES: dict[tuple[type[Model], str], Rule] = {}


def rule(model: type[Model], *actions: str, anonymous: bool = False) -> Callable[[RuleFunction], RuleFunction]:
    """Declare which rows of `model` a user may `actions`: the decorated function takes the user and returns a Q."""

    def register(function: RuleFunction) -> RuleFunction:
        for action in actions or (VIEW,):
            key = (model, action)
            if key in _RULES and _RULES[key].function is not function:
                raise ValueError(f"{model.__name__}.{action} is declared twice")
            _RULES[key] = Rule(model, action, function, anonymous)
        return function

    return register


def rules() -> list[Rule]:
    """Every declared rule, by model and action (for the documentation and the tests)."""
    return sorted(_RULES.values(), key=lambda r: (r.model._meta.label, r.action))


def condition(model: type[Model], user, action: str = VIEW) -> Q:
    """The filter over `model` that keeps what `user` may `action`."""
    declared = _RULES.get((model, action))
    if declared is None:
        raise Undeclared(f"no access rule for {model._meta.label} · {action}")
    if not getattr(user, "is_authenticated", False) and not declared.anonymous:
        return NOTHING
    return declared.function(user)


def restrict(queryset: QuerySet, user, action: str = VIEW) -> QuerySet:
    """The rows of `queryset` the user may `action`. Filtering by primary key keeps each row once, however many
    relations the rule follows."""
    model = queryset.model
    allowed = condition(model, user, action)
    if allowed == EVERYTHING:
        return queryset
    return queryset.filter(pk__in=model._default_manager.filter(allowed).values("pk"))


def permits(user, action: str, obj: Model) -> bool:
    """Whether the user may `action` this one object."""
    if obj is None or obj.pk is None:
        return False
    model = type(obj)
    return model._default_manager.filter(pk=obj.pk).filter(condition(model, user, action)).exists()


def user_condition(allowed: bool) -> Q:
    """For rules that depend on the user alone (who may write rules, edit the calendar): all rows or none."""
    return EVERYTHING if allowed else NOTHING
