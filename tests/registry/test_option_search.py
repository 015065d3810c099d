"""Finding an enterprise or product among hundreds by name, credit code or pinyin initials while filling a form."""

import pytest
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from choujian.registry.initials import MAX_LENGTH, initials
from tests.factories import EnterpriseFactory, OrganisationFactory, ProductFactory, member


def test_initials_of_a_chinese_name():
    assert initials("福建钢绞线厂") == "fjgjxc"
    assert initials("重庆ABC建材有限公司") == "cqabcjcyxgs"  # 重 read chóng in a place name


@given(st.text(max_size=300))
def test_initials_are_short_lower_case_letters_and_digits(name):
    found = initials(name)
    assert len(found) <= MAX_LENGTH
    assert all(c.isascii() and (c.isdigit() or c.islower()) for c in found)


@pytest.fixture
def contractor(db):
    return member(OrganisationFactory(kind="contractor", name="中铁某局"), "contractor_staff")


@pytest.fixture
def products(db):
    strand = ProductFactory(enterprise=EnterpriseFactory(name="福建钢绞线厂"), name="预应力钢绞线")
    others = [ProductFactory(enterprise=EnterpriseFactory(name=f"浙江建材{n}厂"), name="土工布") for n in range(60)]
    return strand, others


def options(client, source, **params):
    response = client.get(reverse("registry:option_list", args=[source]), params)
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize("query", ["fjgjx", "福建钢绞", "FJGJX"])
def test_a_contractor_finds_a_product_by_its_manufacturer(client, contractor, products, query):
    client.force_login(contractor)
    text = options(client, "product", q=query)
    assert "福建钢绞线厂｜预应力钢绞线" in text and "浙江建材" not in text
    assert "selected" in text  # the only match is chosen


def test_a_product_is_found_by_the_credit_code_and_a_long_list_says_how_many_more(client, contractor, products):
    strand, _ = products
    client.force_login(contractor)
    assert "福建钢绞线厂" in options(client, "product", q=strand.enterprise.uscc.lower())
    assert "还有 10 项" in options(client, "product", q="土工布")


def test_the_chosen_option_stays_while_searching_for_another(client, contractor, products):
    strand, _ = products
    client.force_login(contractor)
    text = options(client, "product", q="浙江建材1", product=str(strand.pk))
    assert f'value="{strand.pk}" selected' in text


def test_bad_searches_are_answered_not_failed(client, contractor, products):
    client.force_login(contractor)
    assert "没有匹配的选项" in options(client, "product", q="没有这种东西", product="99999999999999999999")
    assert client.get(reverse("registry:option_list", args=["organisation"])).status_code == 404
    client.logout()
    assert client.get(reverse("registry:option_list", args=["product"])).status_code in (302, 403)


def test_the_delivery_form_has_a_search_box_above_the_product_list(client, contractor, products):
    client.force_login(contractor)
    page = client.get(reverse("registry:object_create", args=["delivery"])).content.decode()
    assert 'class="option-search"' in page and reverse("registry:option_list", args=["product"]) in page
    assert "福建钢绞线厂｜预应力钢绞线" in page  # without JavaScript the whole list is still there
