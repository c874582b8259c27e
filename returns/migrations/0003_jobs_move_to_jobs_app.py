
from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('returns', '0002_gstr2b_gstr3b_addbacks_jobs'),
    ]

    # Jobs moved to the jobs app (issue 8): the table stays; only Django's state moves.
    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(
                    name='Job',
                ),
            ],
            database_operations=[],
        ),
    ]
