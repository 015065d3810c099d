"""Nothing a frame names can be deleted, only archived; a frozen frame cannot be changed even by raw SQL."""

import pytest
from django.db import DatabaseError, IntegrityError, connection, transaction

from choujian.draws import services
from choujian.draws.models import FrameItem
from choujian.ledger.models import LedgerEntry
from choujian.ledger.objects import object_ref
from choujian.ledger.verify import check_object
from choujian.planning.models import Plan
from choujian.registry.models import Enterprise, Product
from tests.planning.conftest import approved_plan

pytestmark = pytest.mark.django_db


def _frozen(setting) -> Plan:
    plan = approved_plan(setting)
    services.frame_build(actor=setting.drafter, plan=plan)
    services.frame_freeze(actor=setting.drafter, plan=Plan.objects.get(pk=plan.pk))
    return Plan.objects.get(pk=plan.pk)


def test_deleting_a_product_a_frame_names_is_refused_naming_the_frame(api, setting):
    plan = _frozen(setting)
    item = FrameItem.objects.filter(frame=plan.frame).select_related("product", "enterprise").first()
    before = plan.frame.items.count()
    client = api(setting.drafter)
    response = client.delete(f"/api/v1/products/{item.product.public_id}/?version={item.product.version}")
    assert response.status_code == 400
    assert plan.code in str(response.json()) and "归档" in str(response.json())
    response = client.delete(f"/api/v1/enterprises/{item.enterprise.public_id}/?version={item.enterprise.version}")
    assert response.status_code == 400 and plan.code in str(response.json())
    assert Product.objects.filter(pk=item.product_id).exists() and plan.frame.items.count() == before


def test_archiving_keeps_the_frame_and_is_ledgered_and_reversible_by_an_administrator(api, setting):
    plan = _frozen(setting)
    item = FrameItem.objects.filter(frame=plan.frame).select_related("product").first()
    product = item.product
    response = api(setting.drafter).post(f"/api/v1/products/{product.public_id}/archive/", {"reason": "企业注销"})
    assert response.status_code == 200, response.content
    product.refresh_from_db()
    assert product.archived and product.archive_reason == "企业注销"
    assert LedgerEntry.objects.filter(type="product.archived", object=object_ref(product)).exists()
    assert check_object(object_ref(product)) is None
    assert FrameItem.objects.filter(pk=item.pk, product=product).exists()
    # Archived records leave new frames.
    other = approved_plan(setting)
    services.frame_build(actor=setting.drafter, plan=other)
    assert not Plan.objects.get(pk=other.pk).frame.items.filter(product=product).exists()
    refused = api(setting.world.provincial_officer).post(f"/api/v1/products/{product.public_id}/unarchive/")
    assert refused.status_code == 403
    back = api(setting.world.provincial_admin).post(f"/api/v1/products/{product.public_id}/unarchive/")
    assert back.status_code == 200 and not Product.objects.get(pk=product.pk).archived
    missing = api(setting.drafter).post(f"/api/v1/products/{product.public_id}/archive/", {})
    assert missing.status_code == 400 and "reason" in missing.json()


def test_the_database_refuses_to_change_a_frozen_frame(setting):
    plan = _frozen(setting)
    item = plan.frame.items.first()
    with pytest.raises((IntegrityError, DatabaseError)), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE draws_frameitem SET weight = 99 WHERE id = %s", [item.pk])
    with pytest.raises((IntegrityError, DatabaseError)), transaction.atomic():
        FrameItem.objects.filter(frame=plan.frame).update(stratum="X")
    with pytest.raises((IntegrityError, DatabaseError)), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE draws_frame SET digest = %s WHERE id = %s", ["0" * 64, plan.frame.pk])
    assert FrameItem.objects.get(pk=item.pk).weight == item.weight


def test_an_enterprise_nobody_refers_to_can_still_be_deleted(api, setting):
    from tests.factories import EnterpriseFactory

    lonely = EnterpriseFactory(region="350102")
    response = api(setting.drafter).delete(f"/api/v1/enterprises/{lonely.public_id}/?version={lonely.version}")
    assert response.status_code == 204
    assert not Enterprise.objects.filter(pk=lonely.pk).exists()
    assert LedgerEntry.objects.filter(type="enterprise.deleted").exists()


def test_a_regulator_archives_and_an_administrator_restores_from_the_record_page(client, setting):
    from tests.factories import ProductFactory

    product = ProductFactory(enterprise__region="350102")
    client.force_login(setting.world.provincial_officer)
    page = client.get(f"/registry/product/{product.public_id}/").content.decode()
    assert 'id="archive-form"' in page
    missing = client.post(f"/registry/product/{product.public_id}/archive/", {"action": "archive"}, follow=True)
    assert "请写明归档原因" in missing.content.decode() and not Product.objects.get(pk=product.pk).archived
    done = client.post(
        f"/registry/product/{product.public_id}/archive/", {"action": "archive", "reason": "停产注销"}, follow=True
    )
    assert "已归档" in done.content.decode() and Product.objects.get(pk=product.pk).archive_reason == "停产注销"
    assert "恢复" not in done.content.decode().split('class="crumbs"')[1]  # only an administrator restores
    client.force_login(setting.world.provincial_admin)
    client.post(f"/registry/product/{product.public_id}/archive/", {"action": "unarchive"})
    assert not Product.objects.get(pk=product.pk).archived


def test_replacement_and_the_final_reveal_work_after_deletes_were_refused_and_alternates_archived(api, setting):
    """An inspected party cannot drop out of the alternates nor block the draw: deleting is refused, archiving changes
    nothing the draw depends on, and replacing a task and closing sampling still answer 2xx."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from choujian.draws.selectors import full_record
    from choujian.planning.models import Task
    from tests.planning.test_draw_flow import _run_ceremony

    plan = approved_plan(setting, quota=2)
    services.frame_build(actor=setting.drafter, plan=plan)
    plan = _run_ceremony(Plan.objects.get(pk=plan.pk))
    task = Task.objects.filter(plan=plan).order_by("code").first()
    record = full_record(plan.draws.get(purpose="enterprises"))
    alternate = FrameItem.objects.get(frame=plan.frame, item_id=record["alternates"][task.stratum][0])
    client = api(setting.drafter)
    deleted = client.delete(f"/api/v1/products/{alternate.product.public_id}/?version={alternate.product.version}")
    assert deleted.status_code == 400
    archived = client.post(f"/api/v1/products/{alternate.product.public_id}/archive/", {"reason": "停产"})
    assert archived.status_code == 200

    evidence = SimpleUploadedFile("closed.jpg", b"\xff\xd8\xff evidence", content_type="image/jpeg")
    replaced = client.post(
        f"/api/v1/tasks/{task.code}/replace/",
        {"reason": "closed", "note": "", "evidence": evidence},
        format="multipart",
    )
    assert replaced.status_code == 201, replaced.content
    assert replaced.json()["code"] != task.code
    assert Task.objects.get(code=replaced.json()["code"]).frame_item_id == alternate.item_id
    closed = client.post(f"/api/v1/plans/{plan.code}/close-sampling/")
    assert closed.status_code == 400 and "尚未抽样" in str(closed.json())  # refused with a reason, never a 500
    refs = [object_ref(alternate.product), *(object_ref(t) for t in Task.objects.filter(plan=plan))]
    assert [check_object(ref) for ref in refs] == [None] * len(refs)
