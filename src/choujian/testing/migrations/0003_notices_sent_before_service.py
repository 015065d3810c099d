"""Notices sent before service was recorded had their objection period counted from sending: that was their service
(in the platform), so they keep it instead of showing as not served."""

from django.db import migrations
from django.db.models import F


def served_when_sent(apps, schema_editor):
    Notice = apps.get_model("testing", "Notice")
    Notice.objects.filter(served_at__isnull=True, objection_due__isnull=False).update(
        served_at=F("sent_at"), service_method="platform"
    )


class Migration(migrations.Migration):
    dependencies = [("testing", "0002_notice_service")]

    operations = [migrations.RunPython(served_when_sent, migrations.RunPython.noop)]
