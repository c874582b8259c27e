
from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('taxpayers', '0002_business_clock_timestamps'),
    ]

    # The sandbox clock moved to core (issue 8): the table stays; only Django's state moves.
    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(
                    name='SandboxClock',
                ),
            ],
            database_operations=[],
        ),
    ]
