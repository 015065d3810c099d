"""Every read of the registries, restricted by the access policy (the rules: `choujian.registry.policy`)."""

from django.db.models import Q, QuerySet

from choujian.accounts.choices import Role
from choujian.accounts.models import User
from choujian.accounts.scope import regulator_prefixes
from choujian.core.policy import VIEW, restrict
from choujian.registry.choices import EnterpriseStatus, ProductStatus
from choujian.registry.models import Delivery, DeliveryDocument, Enterprise, Product, ProductCategory, Project, Section


def sections_visible_to(user: User) -> QuerySet[Section]:
    return restrict(Section.objects.all(), user, VIEW).select_related("project", "contractor", "supervisor")


def deliveries_visible_to(user: User) -> QuerySet[Delivery]:
    return restrict(Delivery.objects.all(), user, VIEW).select_related(
        "section__project", "product__enterprise", "product__category"
    )


def delivery_documents_visible_to(user: User) -> QuerySet[DeliveryDocument]:
    return restrict(DeliveryDocument.objects.all(), user, VIEW)


def projects_visible_to(user: User) -> QuerySet[Project]:
    return restrict(Project.objects.all(), user, VIEW).select_related("owner")


def enterprises_visible_to(user: User) -> QuerySet[Enterprise]:
    return restrict(Enterprise.objects.all(), user, VIEW)


def products_visible_to(user: User) -> QuerySet[Product]:
    return restrict(Product.objects.all(), user, VIEW).select_related("enterprise", "category")


def categories_for(user: User) -> QuerySet[ProductCategory]:
    return restrict(ProductCategory.objects.all(), user, VIEW).select_related("parent")


def products_selectable_by(user: User) -> QuerySet[Product]:
    """Products a user may name on a delivery: a contractor must reach any active product, not only past ones."""
    if user.has_any_role({Role.ROLE_CONTRACTOR_STAFF}) or regulator_prefixes(user, Role.REGULATOR_WRITERS):
        active = Product.objects.filter(
            status=ProductStatus.STATUS_ACTIVE, enterprise__status=EnterpriseStatus.STATUS_ACTIVE
        )
        return active.filter(archived_at=None, enterprise__archived_at=None).select_related("enterprise")
    return products_visible_to(user).filter(archived_at=None, enterprise__archived_at=None)


def _enterprise_matches(query: str, prefix: str = "") -> Q:
    """Name, credit code or pinyin initials (福建钢绞线 ← "fjgjx") containing what was typed."""
    condition = Q(**{f"{prefix}name__icontains": query}) | Q(**{f"{prefix}uscc__icontains": query.upper()})
    initials = query.lower().replace(" ", "")
    if initials.isascii() and initials.isalnum():
        condition |= Q(**{f"{prefix}name_initials__contains": initials})
    return condition


def enterprises_matching(queryset: QuerySet[Enterprise], query: str) -> QuerySet[Enterprise]:
    query = query.strip()
    return queryset.filter(_enterprise_matches(query)) if query else queryset


def products_matching(queryset: QuerySet[Product], query: str) -> QuerySet[Product]:
    """Products by their own name or specification, or by their manufacturer as in `enterprises_matching`."""
    query = query.strip()
    if not query:
        return queryset
    own = Q(name__icontains=query) | Q(model_spec__icontains=query) | Q(brand__icontains=query)
    return queryset.filter(own | _enterprise_matches(query, "enterprise__"))
