"""Implementation rules pages: every signed-in user reads them (testers need the limits, enterprises may see what
they are judged by); national and provincial regulator admins draft a new version as YAML, edit drafts (as a whole
YAML text, or one test item and the rule set's own fields at a time in forms), put a version in force or retire it.
Thin: the forms shape the rule document, the services validate and ledger it."""

import yaml
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from choujian.core.access import login
from choujian.core.errors import ConflictError, ServiceError
from choujian.rules import forms, policy, schema, selectors, services
from choujian.rules.choices import RuleSetStatus
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


def _unverified(content: dict) -> list[tuple[str, str]]:
    """What is still to be checked, named as a reader knows it: the item's name, or the sampling requirements."""
    names = {item["code"]: item["name"] for item in content.get("items", [])}
    return [(names.get(where) or _("抽样要求"), note) for where, note in schema.unverified(content)]


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
        "unverified": _unverified(ruleset.content),
        "can_edit": can_edit,
        "edit_items": can_edit and ruleset.status in RuleSetStatus.EDITABLE,
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


def _for_editor(request, public_id):
    """The rule set, for a rules administrator only: to anyone else the editing pages do not exist (as the YAML
    editor's POST and the new-version page)."""
    if not policy.can_edit_rules(request.user):
        raise Http404
    return _ruleset(request, public_id)


def _item_url(ruleset, code: str = "") -> str:
    url = reverse("rules:item", kwargs={"public_id": ruleset.public_id})
    return f"{url}?{urlencode({'item': code})}" if code else url


def _detail_url(ruleset, anchor: str = "") -> str:
    url = reverse("rules:detail", kwargs={"public_id": ruleset.public_id})
    return f"{url}#{anchor}" if anchor else url


def _save(request, form, ruleset, content: dict, mine: set[str]) -> bool:
    """Replace the draft's document; on any refusal the form says why (beside the field the schema names)."""
    try:
        services.ruleset_update(
            actor=request.user, ruleset=ruleset, content=content, version=form.cleaned_data.get("version")
        )
        return True
    except services.ContentError as exc:
        form.add_problems(exc.problems, mine)
    except ServiceError as exc:
        for errors in exc.errors.values():
            for error in errors:
                form.add_error(None, error)
    except ConflictError as exc:
        form.add_error(None, str(exc))
    return False


@login
def ruleset_item(request, public_id):
    """Edit one test item of a draft (`?item=<code>`), or add one (no `item`). Other states are shown read-only."""
    ruleset = _for_editor(request, public_id)
    content = ruleset.content
    code = request.GET.get("item", "")
    index = forms.item_index(content, code) if code else None
    if code and index is None:
        raise Http404(_("检验项目不存在"))
    editable = ruleset.status in RuleSetStatus.EDITABLE
    variants = content.get("variants", [])
    if request.method == "POST" and editable:
        form = forms.ItemForm(request.POST, variants=variants)
        if form.is_valid():
            changed, at = forms.with_item(content, form.item(), index)
            if _save(request, form, ruleset, changed, forms.item_labels(changed, at)):
                saved = changed["items"][at]
                messages.success(request, _("已保存检验项目“%(name)s”") % {"name": saved["name"]})
                return redirect(_detail_url(ruleset, f"item-{saved['code']}"))
    else:
        initial = (
            forms.ItemForm.initial_for(content["items"][index], variants, ruleset.version)
            if index is not None
            else {"version": ruleset.version}
        )
        form = forms.ItemForm(initial=initial, variants=variants)
        if request.method == "POST":
            messages.error(request, _("细则处于“%(status)s”状态，不能修改") % {"status": ruleset.get_status_display()})
    if not editable:
        form.disable()
    context = {
        "ruleset": ruleset,
        "item": content["items"][index] if index is not None else None,
        "form": form,
        "editable": editable,
        "action": _item_url(ruleset, code),
    }
    return render(request, "rules/item.html", context)


@login
@require_POST
def ruleset_item_delete(request, public_id):
    """Delete one test item of a draft; a refusal is told on the item's page, and nothing changes."""
    ruleset = _for_editor(request, public_id)
    content = ruleset.content
    code = request.POST.get("item", "")
    index = forms.item_index(content, code)
    if index is None:
        raise Http404(_("检验项目不存在"))
    try:
        services.ruleset_update(
            actor=request.user,
            ruleset=ruleset,
            content=forms.without_item(content, index),
            version=_version(request.POST.get("version")),
        )
    except ServiceError as exc:  # e.g. the last item: a rule set tests something
        for errors in exc.errors.values():
            for error in errors:
                messages.error(request, error)
    except ConflictError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("已删除检验项目“%(name)s”") % {"name": content["items"][index]["name"]})
        return redirect(_detail_url(ruleset, "items"))
    return redirect(_item_url(ruleset, code))


@login
def ruleset_edit(request, public_id):
    """Edit the rule set's own fields: title, effective date, product standards, scope and notes."""
    ruleset = _for_editor(request, public_id)
    editable = ruleset.status in RuleSetStatus.EDITABLE
    if request.method == "POST" and editable:
        form = forms.RuleSetForm(request.POST)
        if form.is_valid() and _save(request, form, ruleset, form.apply(ruleset.content), {""}):
            messages.success(request, _("已保存草稿"))
            return redirect(_detail_url(ruleset))
    else:
        form = forms.RuleSetForm(initial=forms.RuleSetForm.initial_for(ruleset.content, ruleset.version))
        if request.method == "POST":
            messages.error(request, _("细则处于“%(status)s”状态，不能修改") % {"status": ruleset.get_status_display()})
    if not editable:
        form.disable()
    return render(request, "rules/edit.html", {"ruleset": ruleset, "form": form, "editable": editable})
