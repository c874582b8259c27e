from django.db import migrations


def _move_content_types(apps, schema_editor):
    """Keep the moved models' content types (and so their permissions and admin history)."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    for old_app, model in [('invoices', 'imsrecord'), ('invoices', 'imsaudit')]:
        if not ContentType.objects.filter(app_label="ims", model=model).exists():
            ContentType.objects.filter(app_label=old_app, model=model).update(app_label="ims")


class Migration(migrations.Migration):
    dependencies = [("contenttypes", "0002_remove_content_type_name"), ("ims", "0001_initial")]

    # The IMS tables take the ims app's name; their rows (and the audit rows' references) are kept.
    operations = [
        migrations.AlterModelTable(name="imsrecord", table=None),
        migrations.AlterModelTable(name="imsaudit", table=None),
        migrations.RunPython(_move_content_types, migrations.RunPython.noop),
    ]
