"""Frame item ids are made by the database; they must read exactly as the uscc and the public UUID written out."""

import pytest

from choujian.draws.frames import _item_id
from choujian.registry.models import Delivery, Product
from tests.factories import DeliveryFactory

pytestmark = pytest.mark.django_db


def test_it_writes_product_and_delivery_ids_as_the_uuid_prints() -> None:
    delivery = DeliveryFactory()
    product, enterprise = delivery.product, delivery.product.enterprise
    made = Product.objects.annotate(x=_item_id("enterprise__uscc", "P", "public_id")).get(pk=product.pk).x
    assert made == f"{enterprise.uscc}/P/{product.public_id}"
    made = Delivery.objects.annotate(x=_item_id("product__enterprise__uscc", "D", "public_id")).get(pk=delivery.pk).x
    assert made == f"{enterprise.uscc}/D/{delivery.public_id}"
