

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('invoices', '0005_ims_records_move_to_ims_app'),
        ('taxpayers', '0004_eco_operator'),
    ]

    operations = [
        migrations.AddField(
            model_name='document',
            name='etin',
            field=models.CharField(blank=True, default='', max_length=15),
        ),
        migrations.AddField(
            model_name='document',
            name='exp_typ',
            field=models.CharField(blank=True, default='', max_length=5),
        ),
        migrations.AddField(
            model_name='document',
            name='sbdt',
            field=models.DateField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='document',
            name='sbnum',
            field=models.CharField(blank=True, default='', max_length=7),
        ),
        migrations.AddField(
            model_name='document',
            name='sbpcode',
            field=models.CharField(blank=True, default='', max_length=6),
        ),
        migrations.AddField(
            model_name='document',
            name='ur_typ',
            field=models.CharField(blank=True, default='', max_length=6),
        ),
        migrations.CreateModel(
            name='SummaryRow',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('period', models.PositiveIntegerField()),
                ('form', models.CharField(choices=[('GSTR1', 'GSTR-1'), ('IFF', 'IFF'), ('GSTR1A', 'GSTR-1A')], max_length=6)),
                ('filed_at', models.DateTimeField(blank=True, null=True)),
                ('section', models.CharField(max_length=10)),
                ('key', models.CharField(max_length=120)),
                ('data', models.JSONField()),
                ('content_hash', models.CharField(max_length=32)),
                ('pos', models.CharField(blank=True, default='', max_length=2)),
                ('sply_ty', models.CharField(blank=True, default='', max_length=8)),
                ('rt', models.DecimalField(blank=True, decimal_places=2, max_digits=5, null=True)),
                ('omon', models.PositiveIntegerField(blank=True, null=True)),
                ('txval', models.DecimalField(decimal_places=2, default=0, max_digits=15)),
                ('iamt', models.DecimalField(decimal_places=2, default=0, max_digits=15)),
                ('camt', models.DecimalField(decimal_places=2, default=0, max_digits=15)),
                ('samt', models.DecimalField(decimal_places=2, default=0, max_digits=15)),
                ('csamt', models.DecimalField(decimal_places=2, default=0, max_digits=15)),
                ('nil_amt', models.DecimalField(decimal_places=2, default=0, max_digits=15)),
                ('expt_amt', models.DecimalField(decimal_places=2, default=0, max_digits=15)),
                ('ngsup_amt', models.DecimalField(decimal_places=2, default=0, max_digits=15)),
                ('created_at', models.DateTimeField()),
                ('updated_at', models.DateTimeField()),
                ('amends', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='invoices.summaryrow')),
                ('supplier', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='summary_rows', to='taxpayers.taxpayer')),
            ],
            options={
                'indexes': [models.Index(fields=['supplier', 'period', 'form'], name='summary_row_return')],
                'constraints': [models.UniqueConstraint(fields=('supplier', 'period', 'form', 'section', 'key'), name='summary_row_once_per_return'), models.CheckConstraint(condition=models.Q(('txval__gte', 0)), name='summary_row_txval_non_negative'), models.CheckConstraint(condition=models.Q(('iamt__gte', 0)), name='summary_row_iamt_non_negative'), models.CheckConstraint(condition=models.Q(('camt__gte', 0)), name='summary_row_camt_non_negative'), models.CheckConstraint(condition=models.Q(('samt__gte', 0)), name='summary_row_samt_non_negative'), models.CheckConstraint(condition=models.Q(('csamt__gte', 0)), name='summary_row_csamt_non_negative'), models.CheckConstraint(condition=models.Q(('nil_amt__gte', 0)), name='summary_row_nil_amt_non_negative'), models.CheckConstraint(condition=models.Q(('expt_amt__gte', 0)), name='summary_row_expt_amt_non_negative'), models.CheckConstraint(condition=models.Q(('ngsup_amt__gte', 0)), name='summary_row_ngsup_amt_non_negative')],
            },
        ),
    ]
