"""Implementation rules pages: every signed-in user reads them (testers need the limits, enterprises may see what
they are judged by); national and provincial regulator admins draft a new version as YAML, edit drafts, put a
version in force or retire it. Thin: the services validate and ledger."""

import yaml
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from choujian.core.access import login
from choujian.core.errors import ConflictError, ServiceError
from choujian.rules import policy, schema, selectors, services
from choujian.rules.compare import compare


def _text(content: dict) -> str:
    return yaml.safe_dump(content, allow_unicode=True, sort_keys=False, width=100)


def _parse(text: str):
    try:
        return schema.parse_text(text or "")
    except schema.SchemaError as exc:
        raise ServiceError({"content": [str(p) for p in exc.problems]}) from None


def _version(raw) -> int | None:
    return int(raw) if isinstance(raw, str) and raw.isdigit() and len(raw) < 10 else None


@login
def ruleset_list(request):
    rulesets = selectors.rulesets_visible_to(request.user).order_by("category__code", "-effective_date")
    return render(
        request,
        "rules/list.html",
        {"rulesets": rulesets, "can_edit": policy.can_edit_rules(request.user)},
    )


def _ruleset(request, public_id):
    ruleset = selectors.rulesets_visible_to(request.user).filter(public_id=public_id).first()
    if ruleset is None:
        raise Http404(_("实施细则不存在"))
    return ruleset


@login
def ruleset_detail(request, public_id):
    ruleset = _ruleset(request, public_id)
    can_edit = policy.can_edit_rules(request.user)
    text = request.POST.get("content") if request.method == "POST" else _text(ruleset.content)
    if request.method == "POST":
        if not can_edit:
            raise Http404
        try:
            services.ruleset_update(
                actor=request.user,
                ruleset=ruleset,
                content=_parse(text),
                version=_version(request.POST.get("version")),
            )
            messages.success(request, _("已保存草稿"))
            return redirect("rules:detail", public_id=public_id)
        except ConflictError as exc:
            messages.error(request, str(exc))
        except ServiceError as exc:
            for errors in exc.errors.values():
                for error in errors:
                    messages.error(request, error)
    others = selectors.other_editions(request.user, ruleset)
    wanted = request.GET.get("compare", "")
    # By default against the edition before this one, if any: what a reviewer checks before activating it.
    older = [o for o in others if (o.effective_date, o.created_at) < (ruleset.effective_date, ruleset.created_at)]
    base = next((o for o in others if str(o.public_id) == wanted), None) or (older[0] if older else None)
    context = {
        "ruleset": ruleset,
        "content": ruleset.content,
        "unverified": schema.unverified(ruleset.content),
        "can_edit": can_edit,
        "text": text,
        "others": others,
        "base": base,
        "changes": compare(base.content, ruleset.content) if base else [],
    }
    return render(request, "rules/detail.html", context)


@login
def ruleset_new(request):
    if not policy.can_edit_rules(request.user):
        raise Http404
    text = request.POST.get("content", "")
    if request.method == "POST":
        try:
            ruleset = services.ruleset_create(actor=request.user, content=_parse(text))
            messages.success(request, _("已建立新版本草稿"))
            return redirect("rules:detail", public_id=ruleset.public_id)
        except ServiceError as exc:
            for errors in exc.errors.values():
                for error in errors:
                    messages.error(request, error)
    elif request.GET.get("from"):
        base = selectors.rulesets_visible_to(request.user).filter(public_id=request.GET["from"]).first()
        text = _text(base.content) if base else ""
    return render(request, "rules/new.html", {"text": text})


@login
@require_POST
def ruleset_transition(request, public_id, to: str):
    ruleset = _ruleset(request, public_id)
    service = {"active": services.ruleset_activate, "retired": services.ruleset_retire}.get(to)
    if service is None or not policy.can_edit_rules(request.user):
        raise Http404
    try:
        service(actor=request.user, ruleset=ruleset, version=ruleset.version)
        messages.success(request, _("状态已更新"))
    except (ServiceError, ConflictError) as exc:
        messages.error(request, str(exc))
    return redirect("rules:detail", public_id=public_id)
