from django.db import migrations


def _move_content_types(apps, schema_editor):
    """Keep the moved models' content types (and so their permissions and admin history)."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    for old_app, model in [('taxpayers', 'sandboxclock')]:
        if not ContentType.objects.filter(app_label="core", model=model).exists():
            ContentType.objects.filter(app_label=old_app, model=model).update(app_label="core")


class Migration(migrations.Migration):
    dependencies = [("contenttypes", "0002_remove_content_type_name"), ("core", "0001_initial")]

    # The clock's table takes the core app's name; its row is kept.
    operations = [
        migrations.AlterModelTable(name="sandboxclock", table=None),
        migrations.RunPython(_move_content_types, migrations.RunPython.noop),
    ]
