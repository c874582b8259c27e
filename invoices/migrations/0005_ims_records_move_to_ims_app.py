
from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('invoices', '0004_uploads'),
    ]

    # IMS records and their audit rows moved to the ims app (issue 8): their tables stay; only Django's state moves.
    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(
                    model_name='imsrecord',
                    name='amends_record',
                ),
                migrations.RemoveField(
                    model_name='imsrecord',
                    name='document',
                ),
                migrations.RemoveField(
                    model_name='imsrecord',
                    name='recipient',
                ),
                migrations.DeleteModel(
                    name='ImsAudit',
                ),
                migrations.DeleteModel(
                    name='ImsRecord',
                ),
            ],
            database_operations=[],
        ),
    ]
