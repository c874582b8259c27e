
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('taxpayers', '0002_business_clock_timestamps'),
        ('returns', '0003_jobs_move_to_jobs_app'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    # Jobs as they stood in returns (issue 8): state only, the table exists; 0002 renames it.
    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='Job',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('kind', models.CharField(choices=[('gstr2b_generate', 'GSTR-2B generation'), ('gstr2b_recompute', 'GSTR-2B recompute'), ('pending_expiry', 'Pending expiry sweep'), ('gstr1_upload', 'GSTR-1 upload'), ('ims_bulk', 'Bulk IMS action'), ('ims_import', 'IMS Excel import')], max_length=40)),
                        ('params', models.JSONField(default=dict)),
                        ('status', models.CharField(choices=[('queued', 'Queued'), ('running', 'Running'), ('succeeded', 'Succeeded'), ('failed', 'Failed')], default='queued', max_length=10)),
                        ('done', models.PositiveIntegerField(default=0)),
                        ('total', models.PositiveIntegerField(default=0)),
                        ('result', models.JSONField(blank=True, null=True)),
                        ('error', models.JSONField(blank=True, null=True)),
                        ('created_at', models.DateTimeField()),
                        ('started_at', models.DateTimeField(blank=True, null=True)),
                        ('finished_at', models.DateTimeField(blank=True, null=True)),
                        ('created_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, to=settings.AUTH_USER_MODEL)),
                        ('taxpayer', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='jobs', to='taxpayers.taxpayer')),
                    ],
                    options={
                        'indexes': [models.Index(fields=['taxpayer', '-id'], name='job_taxpayer_recent')],
                        'constraints': [models.CheckConstraint(condition=models.Q(('done__lte', models.F('total')), ('total', 0), _connector='OR'), name='job_progress_sane')],
                    },
                ),
                migrations.AlterModelTable(name='job', table='returns_job'),
            ],
            database_operations=[],
        ),
    ]
