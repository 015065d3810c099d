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
    if _everything(allowed):
        return queryset
    return queryset.filter(pk__in=model._default_manager.filter(allowed).values("pk"))


def _everything(allowed: Q) -> bool:
    """EVERYTHING, or an OR with EVERYTHING among its terms (a national regulator's "own region, or checks organised
    in it"): every row, with no self-join that would make the database visit each row twice."""
    if allowed == EVERYTHING:
        return True
    if allowed.connector != Q.OR or allowed.negated:
        return False
    term = EVERYTHING.children[0]
    return any(child == term or (isinstance(child, Q) and _everything(child)) for child in allowed.children)


def permits(user, action: str, obj: Model) -> bool:
    """Whether the user may `action` this one object."""
    if obj is None or obj.pk is None:
        return False
    model = type(obj)
    return model._default_manager.filter(pk=obj.pk).filter(condition(model, user, action)).exists()


def user_condition(allowed: bool) -> Q:
    """For rules that depend on the user alone (who may write rules, edit the calendar): all rows or none."""
    return EVERYTHING if allowed else NOTHING


def document() -> str:
    """docs/access-policy.md: every declared rule, by model and action."""
    lines = [
        "# 访问策略 / Access policy",
        "",
        "谁可以查看、修改或处理哪些记录：每条规则只在其所属模块的 `policy.py` 中声明一次，",
        "页面、接口、PDF、导出和文件下载都只通过 `restrict()` / `permits()` 询问它。",
        "未声明的模型与动作一律拒绝；匿名访问者只能看到声明为公开的记录。",
        "本文件由规则生成（`make access-matrix`），测试核对其是否最新；各身份的实际结果见 `access-matrix.md`。",
        "",
        "Who may see, change or act on which rows: each rule is declared once, in its context's `policy.py`;",
        "pages, APIs, PDFs, exports and downloads ask only `restrict()` / `permits()`. Undeclared model/action",
        "pairs are refused; anonymous visitors get only rows declared public. Generated from the rules;",
        "`access-matrix.md` shows what each persona gets.",
        "",
        "| 模型 Model | 动作 Action | 匿名 | 谁 Who | 声明于 Declared in |",
        "|---|---|---|---|---|",
    ]
    for declared in rules():
        where = f"`{declared.function.__module__}.{declared.function.__name__}`"
        anonymous = "是" if declared.anonymous else ""
        lines.append(
            f"| {declared.model._meta.label} | {declared.action} | {anonymous} | {declared.summary} | {where} |"
        )
    return "\n".join(lines) + "\n"
