from django.db import migrations
from django.db.models import F


def negate_reversals(apps, schema_editor):
    """R-6.4(b) as revised: a reversal entry carries the negatives of the entry it reverses. Entries written
    before stored the entry's own (positive) amounts; the 3B sum subtracted them."""
    AddBack = apps.get_model("returns", "AddBack")
    AddBack.objects.filter(reversal=True, txval__gte=0, igst__gte=0, cgst__gte=0, sgst__gte=0, cess__gte=0).update(
        txval=-F("txval"), igst=-F("igst"), cgst=-F("cgst"), sgst=-F("sgst"), cess=-F("cess")
    )


class Migration(migrations.Migration):
    dependencies = [("returns", "0003_jobs_move_to_jobs_app")]

    operations = [migrations.RunPython(negate_reversals, migrations.RunPython.noop)]
