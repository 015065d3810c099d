"""Who may change which registry rows. Selectors decide what is visible; these decide what is writable."""

from choujian.accounts.choices import Role
from choujian.accounts.models import User
from choujian.accounts.scope import in_region, org_ids, regulator_prefixes
from choujian.registry.models import Delivery, Enterprise, Product, Project, Section


def _regulator_writes(user: User, region: str) -> bool:
    return in_region(regulator_prefixes(user, Role.REGULATOR_WRITERS), region)


def can_edit_enterprise(user: User, enterprise: Enterprise) -> bool:
    return _regulator_writes(user, enterprise.region)


def can_edit_product(user: User, product: Product) -> bool:
    enterprise = product.enterprise
    own = enterprise.organisation_id in org_ids(user, Role.ROLE_ENTERPRISE_STAFF)
    return own or _regulator_writes(user, enterprise.region)


def can_edit_project(user: User, project: Project) -> bool:
    return project.owner_id in org_ids(user, Role.ROLE_OWNER_STAFF) or _regulator_writes(user, project.region)


def can_edit_section(user: User, section: Section) -> bool:
    return can_edit_project(user, section.project)


def can_edit_delivery(user: User, delivery: Delivery) -> bool:
    section = delivery.section
    return section.contractor_id in org_ids(user, Role.ROLE_CONTRACTOR_STAFF) or _regulator_writes(
        user, section.project.region
    )


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


def can_archive(user: User, instance) -> bool:
    """Archiving is what deleting a referenced record becomes: whoever may edit the record may archive it."""
    editors = {Enterprise: can_edit_enterprise, Product: can_edit_product, Delivery: can_edit_delivery}
    return editors[type(instance)](user, instance)


def can_unarchive(user: User, instance) -> bool:
    """Only a regulator administrator of the record's region brings an archived record back."""
    return in_region(regulator_prefixes(user, {Role.ROLE_REGULATOR_ADMIN}), registry_region(instance))
