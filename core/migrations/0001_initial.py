
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('taxpayers', '0003_clock_moves_to_core'),
    ]

    # The sandbox clock as it stood in taxpayers (issue 8): state only, the table exists; 0002 renames it.
    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='SandboxClock',
                    fields=[
                        ('id', models.PositiveSmallIntegerField(default=1, primary_key=True, serialize=False)),
                        ('business_at', models.DateTimeField()),
                        ('set_at', models.DateTimeField()),
                    ],
                    options={
                        'db_table': 'taxpayers_sandboxclock',
                        'constraints': [models.CheckConstraint(condition=models.Q(('id', 1)), name='sandbox_clock_single_row')],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
