"""Fixtures of the registry tests: a Fujian province regulator and its officer, an outsider, a construction site."""

import pytest

from choujian.accounts import services as accounts
from choujian.registry import services
from choujian.registry.models import ProductCategory
from tests.registry.test_import_export import make_user, uscc


@pytest.fixture
def province(db):
    return accounts.organisation_create(
        actor=None, name="福建省市场监督管理局", kind="regulator", level="province", region="350000", sector="market"
    )


@pytest.fixture
def officer(province):
    return make_user("fj-officer", province, "regulator_officer")


@pytest.fixture
def outsider(db):
    guangdong = accounts.organisation_create(
        actor=None, name="广东省市场监督管理局", kind="regulator", level="province", region="440000", sector="market"
    )
    return make_user("gd-officer", guangdong, "regulator_officer")


@pytest.fixture
def client_for(client):
    def login(user):
        client.force_login(user)
        return client

    return login


@pytest.fixture
def site(province, officer):
    """An owner, contractor and supervisor in Fujian, a project with one section, and a steel-strand category."""
    kinds = {}
    for kind, name in [("owner", "福建高速建设公司"), ("contractor", "中铁某局"), ("supervisor", "某监理公司")]:
        kinds[kind] = accounts.organisation_create(actor=None, name=name, kind=kind, region="350100")
    category = ProductCategory.objects.create(code="GJX", name="预应力钢绞线")
    project = services.project_create(actor=officer, name="福厦高速扩建", owner=kinds["owner"], region="350100")
    section = services.section_create(
        actor=officer, project=project, name="A1标", contractor=kinds["contractor"], supervisor=kinds["supervisor"]
    )
    enterprise = services.enterprise_create(actor=officer, uscc=uscc(1), name="福建钢绞线厂", region="350100")
    return {**kinds, "category": category, "project": project, "section": section, "enterprise": enterprise}
