

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('taxpayers', '0003_clock_moves_to_core'),
    ]

    # existing taxpayers are not operators until staff say so. The demo's operator is flagged by
    # seed_demo, which is idempotent and updates an existing demo.
    operations = [
        migrations.AddField(
            model_name='taxpayer',
            name='eco_operator',
            field=models.BooleanField(default=False),
        ),
    ]
