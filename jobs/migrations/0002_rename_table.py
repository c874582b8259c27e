from django.db import migrations


def _move_content_types(apps, schema_editor):
    """Keep the moved models' content types (and so their permissions and admin history)."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    for old_app, model in [('returns', 'job')]:
        if not ContentType.objects.filter(app_label="jobs", model=model).exists():
            ContentType.objects.filter(app_label=old_app, model=model).update(app_label="jobs")


class Migration(migrations.Migration):
    dependencies = [("contenttypes", "0002_remove_content_type_name"), ("jobs", "0001_initial")]

    # The jobs table takes the jobs app's name; its rows are kept.
    operations = [
        migrations.AlterModelTable(name="job", table=None),
        migrations.RunPython(_move_content_types, migrations.RunPython.noop),
    ]
