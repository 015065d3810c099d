"""The visibility matrix: owner of the data 200, colleague in another region 404, outsider 401/404."""

import pytest

from choujian.registry import selectors
from tests.factories import DeliveryFactory, EnterpriseFactory, OrganisationFactory, ProductFactory, member

ENDPOINTS = ["enterprises", "products", "projects", "deliveries"]


@pytest.fixture
def rows(world):
    mine = DeliveryFactory(section__project__region="350102", product__enterprise=EnterpriseFactory(region="350102"))
    theirs = DeliveryFactory(section__project__region="350103", product__enterprise=EnterpriseFactory(region="350103"))
    return {"mine": mine, "theirs": theirs}


def _public_id(delivery, endpoint):
    return {
        "enterprises": delivery.product.enterprise.public_id,
        "products": delivery.product.public_id,
        "projects": delivery.section.project.public_id,
        "deliveries": delivery.public_id,
    }[endpoint]


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_it_shows_a_county_its_own_rows_and_hides_the_neighbour_county(world, rows, api, endpoint):
    own = api(world.county_officer).get(f"/api/v1/{endpoint}/{_public_id(rows['mine'], endpoint)}/")
    colleague = api(world.other_county_officer).get(f"/api/v1/{endpoint}/{_public_id(rows['mine'], endpoint)}/")
    outsider = api(None).get(f"/api/v1/{endpoint}/{_public_id(rows['mine'], endpoint)}/")
    assert (own.status_code, colleague.status_code, outsider.status_code) == (200, 404, 401)


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_it_never_lists_another_countys_rows_to_a_county_regulator(world, rows, api, endpoint):
    listed = {row["id"] for row in api(world.county_officer).get(f"/api/v1/{endpoint}/").json()["results"]}
    assert str(_public_id(rows["mine"], endpoint)) in listed
    assert str(_public_id(rows["theirs"], endpoint)) not in listed


@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_it_shows_the_province_every_county_below_it(world, rows, api, endpoint):
    listed = {row["id"] for row in api(world.provincial_officer).get(f"/api/v1/{endpoint}/").json()["results"]}
    assert {str(_public_id(rows[k], endpoint)) for k in ("mine", "theirs")} <= listed


def test_it_forbids_an_auditor_to_change_what_they_can_see(world, rows, api):
    auditor = member(world.province, "auditor")
    enterprise = rows["mine"].product.enterprise
    url = f"/api/v1/enterprises/{enterprise.public_id}/"
    assert api(auditor).get(url).status_code == 200
    assert api(auditor).patch(url, {"name": "改名", "version": 1}, format="json").status_code == 403


def test_it_limits_a_contractor_to_its_own_sections(world, rows):
    contractor = member(rows["mine"].section.contractor, "contractor_staff")
    assert list(selectors.deliveries_visible_to(contractor)) == [rows["mine"]]
    assert list(selectors.projects_visible_to(contractor)) == [rows["mine"].section.project]
    assert list(selectors.enterprises_visible_to(contractor)) == [rows["mine"].product.enterprise]


def test_it_limits_a_manufacturer_to_its_own_enterprise_and_products(world, rows):
    org = OrganisationFactory(kind="manufacturer", region="350102")
    enterprise = rows["mine"].product.enterprise
    enterprise.organisation = org
    enterprise.save()
    staff = member(org, "enterprise_staff")
    other_product = ProductFactory()
    assert list(selectors.enterprises_visible_to(staff)) == [enterprise]
    assert other_product not in selectors.products_visible_to(staff)
    assert list(selectors.products_visible_to(staff)) == [rows["mine"].product]


def test_it_shows_laboratories_and_agencies_nothing_until_work_is_assigned(world, rows):
    lab = OrganisationFactory(kind="laboratory", level="", region="350100")
    tester = member(lab, "tester")
    for selector in (
        selectors.enterprises_visible_to,
        selectors.products_visible_to,
        selectors.projects_visible_to,
        selectors.deliveries_visible_to,
    ):
        assert not selector(tester).exists()


def test_it_shows_a_regulator_the_out_of_region_maker_of_goods_delivered_in_its_region(world, api):
    delivery = DeliveryFactory(
        section__project__region="350102", product__enterprise=EnterpriseFactory(region="320102")
    )
    listed = {row["id"] for row in api(world.county_officer).get("/api/v1/enterprises/").json()["results"]}
    assert str(delivery.product.enterprise.public_id) in listed
    elsewhere = {row["id"] for row in api(world.other_county_officer).get("/api/v1/enterprises/").json()["results"]}
    assert str(delivery.product.enterprise.public_id) not in elsewhere
