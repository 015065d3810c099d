"""Every read of the registries, restricted to what the user may see (invariant 2)."""

from django.db.models import Q, QuerySet

from choujian.accounts.choices import Role
from choujian.accounts.models import User
from choujian.accounts.scope import org_ids, region_q, regulator_prefixes
from choujian.registry.models import Delivery, Enterprise, Product, ProductCategory, Project, Section


def _site_q(user: User, prefix: str = "") -> Q:
    """Construction parties see what belongs to sections they build, supervise or own."""
    return (
        Q(**{f"{prefix}contractor__in": org_ids(user, Role.ROLE_CONTRACTOR_STAFF)})
        | Q(**{f"{prefix}supervisor__in": org_ids(user, Role.ROLE_SUPERVISOR_STAFF)})
        | Q(**{f"{prefix}project__owner__in": org_ids(user, Role.ROLE_OWNER_STAFF)})
    )


def sections_visible_to(user: User) -> QuerySet[Section]:
    prefixes = regulator_prefixes(user)
    return Section.objects.filter(region_q(prefixes, "project__region") | _site_q(user)).select_related(
        "project", "contractor", "supervisor"
    )


def deliveries_visible_to(user: User) -> QuerySet[Delivery]:
    prefixes = regulator_prefixes(user)
    mine = Q(product__enterprise__organisation__in=org_ids(user, Role.ROLE_ENTERPRISE_STAFF))
    return Delivery.objects.filter(
        region_q(prefixes, "section__project__region") | _site_q(user, "section__") | mine
    ).select_related("section__project", "product__enterprise", "product__category")


def projects_visible_to(user: User) -> QuerySet[Project]:
    prefixes = regulator_prefixes(user)
    on_site = Q(pk__in=Section.objects.filter(_site_q(user)).values("project_id"))
    return Project.objects.filter(region_q(prefixes, "region") | on_site).select_related("owner")


def _delivered_q(user: User, prefixes: list[str]) -> Q:
    """Deliveries whose supplier the user may see: on their sites, or on projects in their region
    (a provincial regulator must see the out-of-province maker of steel strand used on its roads)."""
    return _site_q(user, "section__") | (region_q(prefixes, "section__project__region") if prefixes else Q(pk__in=[]))


def enterprises_visible_to(user: User) -> QuerySet[Enterprise]:
    prefixes = regulator_prefixes(user)
    own = Q(organisation__in=org_ids(user, Role.ROLE_ENTERPRISE_STAFF))
    supplied = Q(pk__in=Delivery.objects.filter(_delivered_q(user, prefixes)).values("product__enterprise_id"))
    return Enterprise.objects.filter(region_q(prefixes, "region") | own | supplied)


def products_visible_to(user: User) -> QuerySet[Product]:
    prefixes = regulator_prefixes(user)
    own = Q(enterprise__organisation__in=org_ids(user, Role.ROLE_ENTERPRISE_STAFF))
    supplied = Q(pk__in=Delivery.objects.filter(_delivered_q(user, prefixes)).values("product_id"))
    return Product.objects.filter(region_q(prefixes, "enterprise__region") | own | supplied).select_related(
        "enterprise", "category"
    )


def categories_for(user: User) -> QuerySet[ProductCategory]:
    """Categories are a national vocabulary: every signed-in user may read them."""
    return ProductCategory.objects.select_related("parent")


def products_selectable_by(user: User) -> QuerySet[Product]:
    """Products a user may name on a delivery: a contractor must reach any active product, not only past ones."""
    if user.has_any_role({Role.ROLE_CONTRACTOR_STAFF}) or regulator_prefixes(user, Role.REGULATOR_WRITERS):
        active = Product.objects.filter(status="active", enterprise__status="active")
        return active.filter(archived_at=None, enterprise__archived_at=None).select_related("enterprise")
    return products_visible_to(user).filter(archived_at=None, enterprise__archived_at=None)
