"""The demo data set: what `choujian demo` builds, built once for the whole module and rolled back afterwards."""

from io import StringIO
from random import Random

import pytest
from django.conf import settings
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.db import transaction
from django.test import RequestFactory, override_settings

from choujian.accounts.choices import OrganisationKind, Role
from choujian.accounts.models import Organisation, User
from choujian.core.divisions import is_valid_division, is_within
from choujian.core.uscc import is_valid_uscc
from choujian.demo import data
from choujian.demo.builder import _Builder, build_demo
from choujian.demo.categories import CATEGORIES
from choujian.demo.draw import Codes, enterprise_specs
from choujian.ledger.models import LedgerEntry
from choujian.ledger.verify import verify
from choujian.registry import selectors
from choujian.registry.models import Delivery, Enterprise, Product, ProductCategory, Project, Section

ROLES = {
    "regulator": {Role.ROLE_REGULATOR_OFFICER, Role.ROLE_REGULATOR_ADMIN},
    "county": {Role.ROLE_REGULATOR_OFFICER},
    "sampler1": {Role.ROLE_SAMPLER},
    "sampler2": {Role.ROLE_SAMPLER},
    "intake": {Role.ROLE_LAB_INTAKE},
    "tester": {Role.ROLE_TESTER},
    "reviewer": {Role.ROLE_REVIEWER},
    "approver": {Role.ROLE_APPROVER},
    "owner": {Role.ROLE_OWNER_STAFF},
    "supervisor": {Role.ROLE_SUPERVISOR_STAFF},
    "contractor": {Role.ROLE_CONTRACTOR_STAFF},
    "manufacturer": {Role.ROLE_ENTERPRISE_STAFF},
    "auditor": {Role.ROLE_AUDITOR},
}
FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    # Built once (it takes seconds) inside a transaction that is rolled back when the module is done, so other test
    # modules start from an empty database. Each test's own transaction nests inside as a savepoint.
    with django_db_blocker.unblock(), override_settings(PASSWORD_HASHERS=FAST_HASHERS), transaction.atomic():
        result = build_demo()
        yield result
        transaction.set_rollback(True)


def _regulators(level: str):
    return Organisation.objects.filter(kind=OrganisationKind.KIND_REGULATOR, level=level)


@pytest.mark.django_db
def test_it_builds_a_province_with_three_cities_and_six_counties(demo):
    province = _regulators("province").get()
    cities = list(_regulators("city"))
    counties = list(_regulators("county"))
    assert (province.region, province.sector) == ("350000", "transport")
    assert len(cities) == 3 and {c.parent for c in cities} == {province}
    assert len(counties) == 6 and {c.parent for c in counties} == set(cities)
    assert all(is_within(c.region, c.parent.region) for c in counties)
    assert all(o.sector == "transport" for o in Organisation.objects.all())


@pytest.mark.django_db
def test_it_builds_the_bodies_and_the_projects_with_their_sections(demo):
    kinds = {kind: Organisation.objects.filter(kind=kind).count() for kind in OrganisationKind.values()}
    assert kinds[OrganisationKind.KIND_SAMPLING_AGENCY] == 2
    assert kinds[OrganisationKind.KIND_LABORATORY] == 3
    assert Project.objects.count() == 6
    for project in Project.objects.all():
        assert 2 <= project.sections.count() <= 3
        assert project.owner.kind == OrganisationKind.KIND_OWNER
    assert all(s.contractor.kind == "contractor" and s.supervisor.kind == "supervisor" for s in Section.objects.all())


@pytest.mark.django_db
def test_it_registers_300_enterprises_with_valid_codes_across_real_divisions(demo):
    enterprises = list(Enterprise.objects.all())
    assert len(enterprises) == 300
    assert all(is_valid_uscc(e.uscc) and e.uscc[:2] == "91" and e.uscc[2:8] == e.region for e in enterprises)
    assert all(is_valid_division(e.region) for e in enterprises)
    outside = [e for e in enterprises if not e.region.startswith("35")]
    assert 30 <= len(outside) <= 120
    assert len({e.name for e in enterprises}) == 300
    assert {e.status for e in enterprises} == {"active", "closed", "deregistered"}
    assert sum(e.status == "active" for e in enterprises) > 250
    licensed = Enterprise.objects.exclude(licence_no="")
    assert licensed.exists() and all(e.licence_no.startswith("XK") for e in licensed)


@pytest.mark.django_db
def test_it_files_products_under_at_least_fifteen_leaf_categories(demo):
    leaves = ProductCategory.objects.filter(parent__isnull=False)
    assert leaves.count() >= 15
    assert {c.code for c in leaves} == {c.code for c in CATEGORIES}
    assert leaves.filter(code="JT-0303", standard="GB/T 5224").exists()
    assert Enterprise.objects.filter(products__isnull=True).count() == 0
    assert Product.objects.filter(category__parent__isnull=True).count() == 0


@pytest.mark.django_db
def test_it_records_about_a_hundred_deliveries_in_the_demo_year(demo):
    deliveries = list(Delivery.objects.select_related("product__enterprise"))
    assert len(deliveries) == data.DELIVERY_COUNT
    assert len({d.batch_no for d in deliveries}) == len(deliveries)
    assert all(d.delivered_on.year == data.YEAR and d.quantity > 0 for d in deliveries)
    assert {d.unit for d in deliveries} <= {"t", "m", "套", "块", "m²", "kg"}
    assert all(d.product.status == "active" and d.product.enterprise.status == "active" for d in deliveries)


@pytest.mark.django_db
@pytest.mark.parametrize("username", sorted(ROLES))
def test_it_creates_each_login_with_its_role_and_the_demo_password(demo, username):
    user = User.objects.get(username=username)
    assert user.roles == ROLES[username]
    assert user.display_name and user.two_factor_exempt
    request = RequestFactory().post("/login/")
    assert authenticate(request, username=username, password=settings.CHOUJIAN_DEMO_PASSWORD) == user
    assert demo.password == settings.CHOUJIAN_DEMO_PASSWORD


@pytest.mark.django_db
def test_it_places_the_county_login_in_a_county_with_enterprises_products_and_projects(demo):
    county = User.objects.get(username="county")
    region = county.primary_organisation.region
    assert county.primary_organisation.level == "county"
    projects = list(selectors.projects_visible_to(county))
    assert projects and all(row.region == region for row in projects)
    deliveries = list(selectors.deliveries_visible_to(county))
    assert deliveries and all(d.section.project.region == region for d in deliveries)
    # Makers elsewhere are visible only as suppliers of goods delivered in the county.
    suppliers = {d.product.enterprise_id for d in deliveries}
    enterprises = list(selectors.enterprises_visible_to(county))
    assert any(e.region == region for e in enterprises)
    assert all(e.region == region or e.pk in suppliers for e in enterprises)
    products = list(selectors.products_visible_to(county))
    delivered = {d.product_id for d in deliveries}
    assert products and all(p.enterprise.region == region or p.pk in delivered for p in products)


@pytest.mark.django_db
def test_it_gives_the_construction_and_manufacturer_logins_rows_of_their_own(demo):
    contractor, supervisor, owner, maker = (
        User.objects.get(username=name) for name in ("contractor", "supervisor", "owner", "manufacturer")
    )
    assert selectors.deliveries_visible_to(contractor).count() >= 4
    assert selectors.sections_visible_to(supervisor).exists()
    assert selectors.projects_visible_to(owner).filter(region=data.DEMO_COUNTY).exists()
    enterprise = Enterprise.objects.get(organisation=maker.primary_organisation)
    assert list(selectors.enterprises_visible_to(maker)) == [enterprise]
    assert selectors.products_visible_to(maker).exists()
    assert selectors.deliveries_visible_to(maker).count() >= 3


@pytest.mark.django_db
def test_it_ledgers_every_row_it_creates(demo):
    ledgered = (
        Organisation.objects.count()
        + sum(u.memberships.count() for u in User.objects.all())
        + Enterprise.objects.count()
        + Product.objects.count()
        + Project.objects.count()
        + Section.objects.count()
        + Delivery.objects.count()
    )
    assert LedgerEntry.objects.count() == ledgered == demo.counts["追溯日志条目"]
    enterprise = Enterprise.objects.first()
    assert LedgerEntry.objects.filter(type="enterprise.created", object=f"enterprise:{enterprise.public_id}").exists()
    contractor = User.objects.get(username="contractor")
    assert LedgerEntry.objects.filter(type="delivery.created", actor=f"user:{contractor.public_id}").exists()


@pytest.mark.django_db
def test_it_leaves_a_ledger_that_verifies(demo):
    # Every row must digest to the state its ledger entry recorded, e.g. 35 t written as 35.000 (the column's scale).
    assert [str(problem) for problem in verify()] == []


@pytest.mark.django_db
def test_it_leaves_existing_demo_data_alone(demo):
    out = StringIO()
    call_command("demo", stdout=out)
    assert "演示数据已存在" in out.getvalue()
    assert Enterprise.objects.count() == 300


def test_it_draws_the_same_enterprises_from_the_same_seed():
    def draw(seed):
        rng = Random(seed)
        return [(s.name, s.uscc, s.region, s.address) for s in enterprise_specs(rng, Codes(rng))]

    assert draw(data.SEED) == draw(data.SEED)
    assert draw(data.SEED) != draw(data.SEED + 1)


@pytest.mark.parametrize(("value", "exempt"), [(None, True), ("false", True), ("true", False)])
def test_it_exempts_demo_logins_from_two_factor_unless_configured(monkeypatch, value, exempt):
    if value is None:
        monkeypatch.delenv("CHOUJIAN_DEMO_2FA", raising=False)
    else:
        monkeypatch.setenv("CHOUJIAN_DEMO_2FA", value)
    assert _Builder(data.SEED, "", None).two_factor_exempt is exempt
