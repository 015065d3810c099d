"""Case codes come from the shared code counter (one number per code, under a row lock): start each year's counter
after the cases already numbered."""

from django.db import migrations


def start_after_existing(apps, schema_editor):
    Case = apps.get_model("enforcement", "Case")
    CodeSequence = apps.get_model("core", "CodeSequence")
    last: dict[int, int] = {}
    for code in Case.objects.values_list("code", flat=True):
        _, year, number = code.split("-")
        last[int(year)] = max(last.get(int(year), 0), int(number))
    for year, number in last.items():
        row, _ = CodeSequence.objects.get_or_create(prefix="AJ", year=year)
        if row.last < number:
            row.last = number
            row.save(update_fields=["last"])


class Migration(migrations.Migration):
    dependencies = [("enforcement", "0004_recheck"), ("core", "0002_job_run")]
    operations = [migrations.RunPython(start_after_existing, migrations.RunPython.noop)]
