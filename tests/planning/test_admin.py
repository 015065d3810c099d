"""Qualifications and conflict declarations filed in the admin are ledgered and exclude inspectors from draws."""

from choujian.ledger.models import LedgerEntry
from choujian.planning.models import ConflictDeclaration
from tests.factories import EnterpriseFactory, UserFactory


def test_it_ledgers_a_conflict_declared_in_the_admin(setting, client):
    staff = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(staff)
    enterprise = EnterpriseFactory(region="350102")
    response = client.post(
        "/admin/planning/conflictdeclaration/add/",
        {"inspector": setting.samplers[0].pk, "enterprise": enterprise.pk, "reason": "配偶在该企业任职"},
    )
    assert response.status_code == 302
    declaration = ConflictDeclaration.objects.get()
    assert LedgerEntry.objects.filter(type="conflict.admin_created", object=f"conflict:{declaration.public_id}")
