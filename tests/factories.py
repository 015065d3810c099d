"""Factories for tests. They write rows directly (no ledger entries): use services where the ledger matters."""

import datetime as dt
from decimal import Decimal

import factory

from choujian.accounts.models import Membership, Organisation, User
from choujian.core.uscc import make_uscc
from choujian.registry.initials import initials
from choujian.registry.models import Delivery, Enterprise, Product, ProductCategory, Project, Section

DEMO_PASSWORD = "correct-horse-battery-42"


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"测试机构{n}")
    kind = "regulator"
    level = factory.LazyAttribute(lambda o: "province" if o.kind == "regulator" else "")
    region = "350000"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    display_name = factory.Sequence(lambda n: f"用户{n}")
    two_factor_exempt = True
    password = factory.PostGenerationMethodCall("set_password", DEMO_PASSWORD)

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    role = "regulator_officer"


def member(organisation: Organisation, role: str, **user_fields) -> User:
    """A new user holding one role in an organisation."""
    return MembershipFactory(organisation=organisation, role=role, user=UserFactory(**user_fields)).user


class EnterpriseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Enterprise

    region = "350102"
    uscc = factory.LazyAttributeSequence(lambda o, n: make_uscc("9", "1", o.region, f"{n:08d}"))
    name = factory.Sequence(lambda n: f"福建测试交通设施有限公司{n}")
    name_initials = factory.LazyAttribute(lambda o: initials(o.name))
    address = "福州市鼓楼区测试路1号"


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProductCategory
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"T-{n:04d}")
    name = factory.Sequence(lambda n: f"测试类别{n}")


class ProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Product

    enterprise = factory.SubFactory(EnterpriseFactory)
    category = factory.SubFactory(CategoryFactory)
    name = "预应力钢绞线"
    brand = "闽力"
    model_spec = "1×7-15.20-1860"
    standard = "GB/T 5224-2023"


class ProjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Project

    name = factory.Sequence(lambda n: f"测试高速公路{n}")
    owner = factory.SubFactory(OrganisationFactory, kind="owner")
    region = "350102"


class SectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Section

    project = factory.SubFactory(ProjectFactory)
    name = factory.Sequence(lambda n: f"A{n}标")
    contractor = factory.SubFactory(OrganisationFactory, kind="contractor")
    supervisor = factory.SubFactory(OrganisationFactory, kind="supervisor")


class DeliveryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Delivery

    section = factory.SubFactory(SectionFactory)
    product = factory.SubFactory(ProductFactory)
    batch_no = factory.Sequence(lambda n: f"B2026{n:05d}")
    quantity = Decimal("25.000")
    unit = "t"
    delivered_on = dt.date(2026, 5, 20)


def api_token(user, *, two_factor: bool = True) -> str:
    """An API token key for `user`, as if issued after the sign-in it needs."""
    from choujian.accounts.services import api_token_issue

    return api_token_issue(user=user, two_factor=two_factor)[1]


def signed_in(username: str):
    """A test client signed in as the (demo) user with that name."""
    from django.test import Client

    client = Client()
    client.force_login(User.objects.get(username=username))
    return client
