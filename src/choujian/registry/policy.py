"""Who may see and change which registry rows (declared to the access policy, `choujian.core.policy`).

Regulators see and write what lies in their region; a provincial regulator also sees the out-of-province maker of a
product delivered to its roads. Construction parties see the sections they build, supervise or own and what was
delivered there; enterprise staff their own enterprise and products. Categories are a national vocabulary.
"""

from django.db.models import Q

from choujian.accounts.choices import Role
from choujian.accounts.models import User
from choujian.accounts.scope import in_region, org_ids, region_q, regulator_prefixes
from choujian.core.policy import CHANGE, EVERYTHING, NOTHING, VIEW, permits, rule
from choujian.registry.models import Delivery, DeliveryDocument, Enterprise, Product, ProductCategory, Project, Section

UNARCHIVE = "unarchive"
ADD_PRODUCT = "add_product"
DELIVER = "deliver"


def _region(user: User, field: str, roles=Role.REGULATOR_ROLES) -> Q:
    return region_q(regulator_prefixes(user, roles), field)


def _writes(user: User, field: str) -> Q:
    return _region(user, field, Role.REGULATOR_WRITERS)


def writes_in(user: User, region: str) -> bool:
    """Whether the user registers as a regulator in this region (a row not yet written, e.g. an imported one)."""
    return in_region(regulator_prefixes(user, Role.REGULATOR_WRITERS), region)


def _site_q(user: User, prefix: str = "") -> Q:
    """Construction parties see what belongs to sections they build, supervise or own."""
    return (
        Q(**{f"{prefix}contractor__in": org_ids(user, Role.ROLE_CONTRACTOR_STAFF)})
        | Q(**{f"{prefix}supervisor__in": org_ids(user, Role.ROLE_SUPERVISOR_STAFF)})
        | Q(**{f"{prefix}project__owner__in": org_ids(user, Role.ROLE_OWNER_STAFF)})
    )


def _delivered(user: User) -> Q:
    """Deliveries whose supplier the user may see: on their sites, or on projects in their region."""
    prefixes = regulator_prefixes(user)
    return _site_q(user, "section__") | (region_q(prefixes, "section__project__region") if prefixes else NOTHING)


@rule(ProductCategory, VIEW)
def categories_seen(user: User) -> Q:
    """Every signed-in user: categories are a national vocabulary."""
    return EVERYTHING


@rule(Section, VIEW)
def sections_seen(user: User) -> Q:
    """Regulators of the project's region, and the section's construction parties."""
    return _region(user, "project__region") | _site_q(user)


@rule(Delivery, VIEW)
def deliveries_seen(user: User) -> Q:
    """Regulators of the project's region, the section's construction parties, and the maker of the product."""
    mine = Q(product__enterprise__organisation__in=org_ids(user, Role.ROLE_ENTERPRISE_STAFF))
    return _region(user, "section__project__region") | _site_q(user, "section__") | mine


@rule(DeliveryDocument, VIEW)
def delivery_documents_seen(user: User) -> Q:
    """Whoever sees the lot."""
    return Q(delivery__in=Delivery.objects.filter(deliveries_seen(user)).values("pk"))


@rule(Project, VIEW)
def projects_seen(user: User) -> Q:
    """Regulators of the project's region, and the parties of any of its sections."""
    return _region(user, "region") | Q(pk__in=Section.objects.filter(_site_q(user)).values("project_id"))


@rule(Enterprise, VIEW)
def enterprises_seen(user: User) -> Q:
    """Regulators of its region or of a project it supplied, the parties of such a site, and its own staff."""
    own = Q(organisation__in=org_ids(user, Role.ROLE_ENTERPRISE_STAFF))
    supplied = Q(pk__in=Delivery.objects.filter(_delivered(user)).values("product__enterprise_id"))
    return _region(user, "region") | own | supplied


@rule(Product, VIEW)
def products_seen(user: User) -> Q:
    """As its enterprise: regulators of its region or of a project it was delivered to, the site's parties, its
    maker."""
    own = Q(enterprise__organisation__in=org_ids(user, Role.ROLE_ENTERPRISE_STAFF))
    supplied = Q(pk__in=Delivery.objects.filter(_delivered(user)).values("product_id"))
    return _region(user, "enterprise__region") | own | supplied


@rule(Enterprise, CHANGE)
def enterprises_written(user: User) -> Q:
    """Regulator officers and administrators of its region (archiving included)."""
    return _writes(user, "region")


@rule(Enterprise, ADD_PRODUCT)
def enterprises_supplied(user: User) -> Q:
    """Its own staff, and regulator officers and administrators of its region, register its products."""
    return Q(organisation__in=org_ids(user, Role.ROLE_ENTERPRISE_STAFF)) | _writes(user, "region")


@rule(Product, CHANGE)
def products_written(user: User) -> Q:
    """Whoever registers its enterprise's products."""
    return Q(enterprise__in=Enterprise.objects.filter(enterprises_supplied(user)).values("pk"))


@rule(Project, CHANGE)
def projects_written(user: User) -> Q:
    """The owner's staff, and regulator officers and administrators of the project's region."""
    return Q(owner__in=org_ids(user, Role.ROLE_OWNER_STAFF)) | _writes(user, "region")


@rule(Section, CHANGE)
def sections_written(user: User) -> Q:
    """As its project."""
    return Q(project__owner__in=org_ids(user, Role.ROLE_OWNER_STAFF)) | _writes(user, "project__region")


@rule(Section, DELIVER)
def sections_delivered(user: User) -> Q:
    """The section's contractor staff, and regulator officers and administrators of the project's region, register
    the lots delivered to it."""
    return Q(contractor__in=org_ids(user, Role.ROLE_CONTRACTOR_STAFF)) | _writes(user, "project__region")


@rule(Delivery, CHANGE)
def deliveries_written(user: User) -> Q:
    """Whoever registers the lots of its section."""
    return Q(section__in=Section.objects.filter(sections_delivered(user)).values("pk"))


@rule(Enterprise, UNARCHIVE)
def enterprises_unarchived(user: User) -> Q:
    """Only a regulator administrator of the record's region brings an archived record back."""
    return _region(user, "region", {Role.ROLE_REGULATOR_ADMIN})


@rule(Product, UNARCHIVE)
def products_unarchived(user: User) -> Q:
    """Only a regulator administrator of the enterprise's region."""
    return _region(user, "enterprise__region", {Role.ROLE_REGULATOR_ADMIN})


@rule(Delivery, UNARCHIVE)
def deliveries_unarchived(user: User) -> Q:
    """Only a regulator administrator of the project's region."""
    return _region(user, "section__project__region", {Role.ROLE_REGULATOR_ADMIN})


def can_edit(user: User, instance) -> bool:
    """Whether the user may change this registry row (archiving is what deleting a referenced record becomes:
    whoever may edit the record may archive it)."""
    return permits(user, CHANGE, instance)


def may_register_project(user: User, owner, region: str) -> bool:
    """For a project not yet written: its owner's staff, or a regulator writing in its region (`projects_written`)."""
    return (owner is not None and owner.pk in org_ids(user, Role.ROLE_OWNER_STAFF)) or writes_in(user, region)


def can_unarchive(user: User, instance) -> bool:
    return permits(user, UNARCHIVE, instance)


CREATORS = {
    "enterprise": Role.REGULATOR_WRITERS,
    "product": Role.REGULATOR_WRITERS | {Role.ROLE_ENTERPRISE_STAFF},
    "project": Role.REGULATOR_WRITERS | {Role.ROLE_OWNER_STAFF},
    "delivery": Role.REGULATOR_WRITERS | {Role.ROLE_CONTRACTOR_STAFF},
}


def can_create(user: User, kind: str) -> bool:
    """Whether the user may register rows of this kind at all (the service still checks the row's region)."""
    return user.has_any_role(CREATORS.get(kind, set()))


def registry_region(instance) -> str:
    if isinstance(instance, Enterprise):
        return instance.region
    if isinstance(instance, Product):
        return instance.enterprise.region
    return instance.section.project.region
