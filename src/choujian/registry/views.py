"""Registry pages: list with search and pagination, detail, create and edit. Thin: selectors read, services write."""

from dataclasses import dataclass, field

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_POST

from choujian.accounts.choices import Role
from choujian.core import listing
from choujian.core.access import roles
from choujian.core.errors import ConflictError, NotPermitted, ServiceError
from choujian.core.flags import enterprise_flags
from choujian.core.templatetags.regions import region as region_label
from choujian.ledger.selectors import LEDGER_READERS
from choujian.registry import forms, policy, selectors, services
from choujian.registry.choices_search import SHOWN, product_choice_label


@dataclass(frozen=True)
class Page:
    """How one registry is listed and edited."""

    key: str
    title: str  # the registry, as a heading: "Manufacturers"
    selector: object
    columns: list[tuple[str, str]]
    search: list[str]
    form: type
    create: object
    update: object
    can_edit: object
    object_arg: str
    detail_fields: list[str] = field(default_factory=list)
    noun: str = ""  # one record of it, for "New manufacturer", "Manufacturer saved"


def _attr(obj, path: str):
    if path == "region":
        return region_label(obj.region)
    for part in path.split("."):
        display = getattr(obj, f"get_{part}_display", None)
        obj = display() if callable(display) else getattr(obj, part, "")
        if obj is None:
            return ""
    return obj


PAGES = {
    "enterprise": Page(
        "enterprise",
        pgettext_lazy("plural", "生产企业"),
        selectors.enterprises_visible_to,
        [
            ("name", gettext_lazy("企业名称")),
            ("uscc", gettext_lazy("统一社会信用代码")),
            ("region", gettext_lazy("行政区划")),
            ("status", gettext_lazy("状态")),
        ],
        ["name", "uscc", "address"],
        forms.EnterpriseForm,
        services.enterprise_create,
        services.enterprise_update,
        policy.can_edit,
        "enterprise",
        ["uscc", "name", "region", "address", "licence_no", "status"],
        gettext_lazy("生产企业"),
    ),
    "product": Page(
        "product",
        pgettext_lazy("plural", "产品"),
        selectors.products_visible_to,
        [
            ("name", gettext_lazy("产品名称")),
            ("model_spec", gettext_lazy("规格型号")),
            ("enterprise.name", gettext_lazy("生产企业")),
            ("category.name", gettext_lazy("类别")),
        ],
        ["name", "brand", "model_spec", "enterprise__name"],
        forms.ProductForm,
        services.product_create,
        services.product_update,
        policy.can_edit,
        "product",
        ["enterprise", "category", "name", "brand", "model_spec", "standard", "status"],
        gettext_lazy("产品"),
    ),
    "project": Page(
        "project",
        pgettext_lazy("plural", "建设项目"),
        selectors.projects_visible_to,
        [
            ("name", gettext_lazy("项目名称")),
            ("owner.name", gettext_lazy("建设单位")),
            ("region", gettext_lazy("行政区划")),
        ],
        ["name", "owner__name"],
        forms.ProjectForm,
        services.project_create,
        services.project_update,
        policy.can_edit,
        "project",
        ["name", "owner", "region", "latitude", "longitude"],
        gettext_lazy("建设项目"),
    ),
    "delivery": Page(
        "delivery",
        pgettext_lazy("plural", "进场批次"),
        selectors.deliveries_visible_to,
        [
            ("batch_no", gettext_lazy("批号")),
            ("product.name", gettext_lazy("产品")),
            ("section", gettext_lazy("标段")),
            ("delivered_on", gettext_lazy("进场日期")),
        ],
        ["batch_no", "product__name", "section__project__name"],
        forms.DeliveryForm,
        services.delivery_create,
        services.delivery_update,
        policy.can_edit,
        "delivery",
        ["section", "product", "batch_no", "quantity", "unit", "delivered_on"],
        gettext_lazy("进场批次"),
    ),
}


def _page(kind: str) -> Page:
    if kind not in PAGES:
        raise Http404
    return PAGES[kind]


def _search(queryset, page: Page, query: str):
    if not query:
        return queryset
    condition = Q()
    for name in page.search:
        condition |= Q(**{f"{name}__icontains": query})
    return queryset.filter(condition)


def _form_kwargs(page: Page, user) -> dict:
    if page.key == "product":
        return {"enterprises": selectors.enterprises_visible_to(user)}
    if page.key == "delivery":
        return {"sections": selectors.sections_visible_to(user), "products": selectors.products_selectable_by(user)}
    return {}


@roles(Role.REGISTRY_READERS)
def object_list(request, kind: str):
    page = _page(kind)
    query = (request.GET.get("q") or "").strip()[:100]
    rows = _search(page.selector(request.user), page, query)
    paginator = Paginator(rows, listing.PAGE_SIZE)
    current = paginator.get_page(request.GET.get("page"))
    table = [(obj, [(label, _attr(obj, col)) for col, label in page.columns]) for obj in current]
    template = "registry/_table.html" if request.headers.get("HX-Request") else "registry/list.html"
    context = {"page": page, "rows": table, "pager": current, "q": query}
    context["can_create"] = policy.can_create(request.user, page.key)
    return render(request, template, context)


def _get_visible(page: Page, user, public_id):
    obj = page.selector(user).filter(public_id=public_id).first()
    if obj is None:
        raise Http404(_("记录不存在或您无权查看"))
    return obj


@roles(Role.REGISTRY_READERS)
def object_detail(request, kind: str, public_id):
    page = _page(kind)
    obj = _get_visible(page, request.user, public_id)
    fields = [(obj._meta.get_field(name).verbose_name, _attr(obj, name)) for name in page.detail_fields]
    context = {"page": page, "obj": obj, "fields": fields, "can_edit": page.can_edit(request.user, obj)}
    context["ledger_link"] = request.user.has_any_role(LEDGER_READERS)
    if hasattr(obj, "archived_at"):
        context["can_archive"] = not obj.archived and policy.can_edit(request.user, obj)
        context["can_unarchive"] = obj.archived and policy.can_unarchive(request.user, obj)
    enterprise_id = {"enterprise": obj.pk, "product": getattr(obj, "enterprise_id", None)}.get(kind)
    if kind == "delivery":
        context["documents"] = obj.documents.all()
        enterprise_id = obj.product.enterprise_id
    context["flags"] = enterprise_flags([enterprise_id]).get(enterprise_id, [])
    if kind == "enterprise":
        context["products"] = selectors.products_visible_to(request.user).filter(enterprise=obj)[:50]
    if kind == "project":
        context["sections"] = selectors.sections_visible_to(request.user).filter(project=obj)
    return render(request, "registry/detail.html", context)


@roles(Role.REGISTRY_READERS)
@require_POST
def object_archive(request, kind: str, public_id):
    """归档 (a record others may rely on is archived, never deleted) or 恢复, from the record's page."""
    page = _page(kind)
    obj = _get_visible(page, request.user, public_id)
    if not hasattr(obj, "archived_at"):
        raise Http404(_("此类记录不能归档"))
    try:
        if request.POST.get("action") == "unarchive":
            services.registry_unarchive(actor=request.user, instance=obj)
            messages.success(request, _("已恢复"))
        else:
            services.registry_archive(actor=request.user, instance=obj, reason=request.POST.get("reason", ""))
            messages.success(request, _("已归档：不再出现在选择列表和新的抽样框中，历史记录保持不变"))
    except ServiceError as exc:
        messages.error(request, "；".join(m for msgs in exc.errors.values() for m in msgs))
    return redirect("registry:object_detail", kind=kind, public_id=public_id)


def _save(request, page: Page, obj=None):
    fields = page.form._meta.fields
    # ModelForm validation writes the input onto the instance, so remember what was stored first.
    original = {name: getattr(obj, name) for name in fields} if obj is not None else {}
    form = page.form(request.POST or None, instance=obj, **_form_kwargs(page, request.user))
    if obj is not None and request.method != "POST":
        form.initial["version"] = obj.version
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in fields}
        try:
            if obj is None:
                saved = page.create(actor=request.user, **data)
            else:
                changes = {k: v for k, v in data.items() if original[k] != v}
                stored = type(obj).objects.get(pk=obj.pk)
                saved = page.update(
                    actor=request.user, **{page.object_arg: stored}, version=form.cleaned_data["version"], **changes
                )
        except ServiceError as exc:
            for name, errors in exc.errors.items():
                for error in errors:
                    form.add_error(name if name in form.fields else None, error)
        except ConflictError as exc:
            form.add_error(None, str(exc))
        except NotPermitted as exc:
            form.add_error(None, str(exc) or _("您无权执行此操作"))
        else:
            messages.success(request, _("%(noun)s已保存") % {"noun": capfirst(page.noun)})
            return redirect(reverse("registry:object_detail", args=[page.key, saved.public_id]))
    return render(request, "registry/form.html", {"page": page, "form": form, "obj": obj})


@roles(Role.REGISTRY_READERS)
def object_create(request, kind: str):
    page = _page(kind)
    if not policy.can_create(request.user, page.key):
        raise NotPermitted(_("您的角色不能登记此类记录"))
    return _save(request, page)


@roles(Role.REGISTRY_READERS)
def object_edit(request, kind: str, public_id):
    page = _page(kind)
    obj = _get_visible(page, request.user, public_id)
    if not page.can_edit(request.user, obj):
        raise NotPermitted(_("您无权修改此记录"))
    return _save(request, page, obj)


@roles(Role.REGISTRY_READERS)
def delivery_document_upload(request, public_id):
    delivery = _get_visible(PAGES["delivery"], request.user, public_id)
    form = forms.DocumentForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            document = services.delivery_document_attach(
                actor=request.user, delivery=delivery, kind=form.cleaned_data["kind"], upload=form.cleaned_data["file"]
            )
        except ServiceError as exc:
            for name, errors in exc.errors.items():
                for error in errors:
                    form.add_error(name if name in form.fields else None, error)
        except NotPermitted as exc:
            form.add_error(None, str(exc) or _("您无权上传"))
        else:
            messages.success(
                request,
                _("已上传 %(name)s（SHA-256 %(sha)s…）")
                % {"name": document.original_name, "sha": document.sha256[:12]},
            )
            return redirect(reverse("registry:object_detail", args=["delivery", delivery.public_id]))
    return render(request, "registry/document_form.html", {"form": form, "obj": delivery, "page": PAGES["delivery"]})


@roles(Role.REGISTRY_READERS)
def delivery_document_download(request, public_id):
    document = selectors.delivery_documents_visible_to(request.user).filter(public_id=public_id).first()
    if document is None:
        raise Http404(_("记录不存在，或您无权查看。"))
    return FileResponse(
        document.file.open("rb"),
        as_attachment=True,
        filename=document.original_name,
        content_type=document.content_type,
    )


OPTION_SOURCES = {
    "product": (selectors.products_selectable_by, selectors.products_matching, product_choice_label),
    "enterprise": (selectors.enterprises_visible_to, selectors.enterprises_matching, str),
}


@roles(Role.REGISTRY_READERS)
def option_list(request, source: str):
    """The options of a searchable choice field that match what was typed (see `choices_search`)."""
    if source not in OPTION_SOURCES:
        raise Http404
    choices, matching, label = OPTION_SOURCES[source]
    rows = matching(choices(request.user), (request.GET.get("q") or "")[:100]).order_by("pk")
    shown = list(rows[: SHOWN + 1])
    more = rows.count() - SHOWN if len(shown) > SHOWN else 0
    shown = shown[:SHOWN]
    selected = request.GET.get(source) or ""
    if selected.isdigit() and len(selected) < 10 and all(str(row.pk) != selected for row in shown):
        shown[:0] = list(choices(request.user).filter(pk=int(selected)))
    if not selected and len(shown) == 1:
        selected = str(shown[0].pk)
    options = [(row.pk, label(row), str(row.pk) == selected) for row in shown]
    return render(request, "registry/_options.html", {"options": options, "more": more})
