
import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('invoices', '0005_ims_records_move_to_ims_app'),
        ('taxpayers', '0002_business_clock_timestamps'),
    ]

    # IMS records and audit rows as they stood in invoices (issue 8): state only, the tables exist; 0002 renames them.
    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='ImsRecord',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('section', models.CharField(choices=[('b2b', 'B2B invoices'), ('b2ba', 'B2B invoice amendments'), ('b2bdn', 'Debit notes'), ('b2bdna', 'Debit note amendments'), ('b2bcn', 'Credit notes'), ('b2bcna', 'Credit note amendments'), ('ecom', 'ECO documents'), ('ecoma', 'ECO document amendments')], max_length=6)),
                        ('stin', models.CharField(max_length=15)),
                        ('trdnm', models.CharField(blank=True, default='', max_length=200)),
                        ('sply_stin', models.CharField(blank=True, default='', max_length=15)),
                        ('rtnprd', models.PositiveIntegerField()),
                        ('srcform', models.CharField(max_length=3)),
                        ('filed_at', models.DateTimeField(blank=True, null=True)),
                        ('doc_type', models.CharField(choices=[('INV', 'Invoice'), ('DN', 'Debit note'), ('CN', 'Credit note')], max_length=3)),
                        ('number', models.CharField(max_length=16)),
                        ('number_key', models.CharField(max_length=16)),
                        ('doc_date', models.DateField()),
                        ('orig_number', models.CharField(blank=True, default='', max_length=16)),
                        ('orig_date', models.DateField(blank=True, null=True)),
                        ('inv_typ', models.CharField(max_length=5)),
                        ('pos', models.CharField(max_length=2)),
                        ('rchrg', models.BooleanField(default=False)),
                        ('val', models.DecimalField(decimal_places=2, max_digits=15)),
                        ('txval', models.DecimalField(decimal_places=2, max_digits=15)),
                        ('iamt', models.DecimalField(decimal_places=2, max_digits=15)),
                        ('camt', models.DecimalField(decimal_places=2, max_digits=15)),
                        ('samt', models.DecimalField(decimal_places=2, max_digits=15)),
                        ('cess', models.DecimalField(decimal_places=2, max_digits=15)),
                        ('eff_txval', models.DecimalField(blank=True, decimal_places=2, max_digits=15, null=True)),
                        ('eff_igst', models.DecimalField(blank=True, decimal_places=2, max_digits=15, null=True)),
                        ('eff_cgst', models.DecimalField(blank=True, decimal_places=2, max_digits=15, null=True)),
                        ('eff_sgst', models.DecimalField(blank=True, decimal_places=2, max_digits=15, null=True)),
                        ('eff_cess', models.DecimalField(blank=True, decimal_places=2, max_digits=15, null=True)),
                        ('itc_reducing', models.BooleanField(default=False)),
                        ('action', models.CharField(choices=[('N', 'No action'), ('A', 'Accepted'), ('R', 'Rejected'), ('P', 'Pending')], default='N', max_length=1)),
                        ('remarks', models.CharField(blank=True, max_length=500, null=True)),
                        ('itc_red_req', models.CharField(blank=True, max_length=1, null=True)),
                        ('decl_igst', models.DecimalField(blank=True, decimal_places=2, max_digits=15, null=True)),
                        ('decl_cgst', models.DecimalField(blank=True, decimal_places=2, max_digits=15, null=True)),
                        ('decl_sgst', models.DecimalField(blank=True, decimal_places=2, max_digits=15, null=True)),
                        ('decl_cess', models.DecimalField(blank=True, decimal_places=2, max_digits=15, null=True)),
                        ('itc_period', models.PositiveIntegerField()),
                        ('itc_period_fixed', models.BooleanField(default=False)),
                        ('first_itc_period', models.PositiveIntegerField(blank=True, null=True)),
                        ('pending_deadline', models.DateField(blank=True, null=True)),
                        ('waiting_on_original', models.BooleanField(default=False)),
                        ('active', models.BooleanField(default=True)),
                        ('kept_out', models.BooleanField(default=False)),
                        ('rsn', models.CharField(blank=True, max_length=1, null=True)),
                        ('superseded', models.BooleanField(default=False)),
                        ('left_ims', models.BooleanField(default=False)),
                        ('deemed_accepted', models.BooleanField(default=False)),
                        ('removed', models.BooleanField(default=False)),
                        ('hash', models.CharField(max_length=32)),
                        ('created_at', models.DateTimeField()),
                        ('updated_at', models.DateTimeField()),
                        ('amends_record', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='ims.imsrecord')),
                        ('document', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='records', to='invoices.document')),
                        ('recipient', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='ims_records', to='taxpayers.taxpayer')),
                    ],
                ),
                migrations.CreateModel(
                    name='ImsAudit',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('at', models.DateTimeField()),
                        ('by', models.CharField(max_length=150)),
                        ('channel', models.CharField(choices=[('web', 'Web'), ('api', 'Api'), ('bulk', 'Bulk'), ('upload', 'Upload'), ('job', 'Job')], max_length=6)),
                        ('from_action', models.CharField(blank=True, default='', max_length=1)),
                        ('to_action', models.CharField(blank=True, default='', max_length=1)),
                        ('remarks', models.CharField(blank=True, max_length=500, null=True)),
                        ('decl', models.JSONField(blank=True, null=True)),
                        ('reason', models.CharField(blank=True, default='', max_length=200)),
                        ('recipient', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='taxpayers.taxpayer')),
                        ('record', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='history', to='ims.imsrecord')),
                    ],
                ),
                migrations.AddIndex(
                    model_name='imsrecord',
                    index=models.Index(fields=['recipient', 'active', 'id'], name='ims_active_by_id'),
                ),
                migrations.AddIndex(
                    model_name='imsrecord',
                    index=models.Index(fields=['recipient', 'active', 'section', 'action', 'id'], name='ims_section_action'),
                ),
                migrations.AddIndex(
                    model_name='imsrecord',
                    index=models.Index(fields=['recipient', 'active', 'action', 'id'], name='ims_action'),
                ),
                migrations.AddIndex(
                    model_name='imsrecord',
                    index=models.Index(fields=['recipient', 'active', 'stin', 'id'], name='ims_stin'),
                ),
                migrations.AddIndex(
                    model_name='imsrecord',
                    index=models.Index(fields=['recipient', 'active', 'rtnprd', 'id'], name='ims_rtnprd'),
                ),
                migrations.AddIndex(
                    model_name='imsrecord',
                    index=models.Index(fields=['recipient', 'itc_period', 'id'], name='ims_itc_period'),
                ),
                migrations.AddIndex(
                    model_name='imsrecord',
                    index=models.Index(fields=['recipient', 'number_key'], name='ims_number_prefix', opclasses=['', 'varchar_pattern_ops']),
                ),
                migrations.AddIndex(
                    model_name='imsrecord',
                    index=models.Index(condition=models.Q(('action', 'P'), ('active', True), ('pending_deadline__isnull', False)), fields=['pending_deadline', 'recipient'], name='ims_pending_expiry'),
                ),
                migrations.AddIndex(
                    model_name='imsrecord',
                    index=models.Index(fields=['document'], name='ims_document'),
                ),
                migrations.AddConstraint(
                    model_name='imsrecord',
                    constraint=models.CheckConstraint(condition=models.Q(('action__in', ['N', 'A', 'R', 'P'])), name='ims_action_valid'),
                ),
                migrations.AddConstraint(
                    model_name='imsrecord',
                    constraint=models.CheckConstraint(condition=models.Q(('val__gte', 0)), name='ims_val_non_negative'),
                ),
                migrations.AddConstraint(
                    model_name='imsrecord',
                    constraint=models.CheckConstraint(condition=models.Q(('txval__gte', 0)), name='ims_txval_non_negative'),
                ),
                migrations.AddConstraint(
                    model_name='imsrecord',
                    constraint=models.CheckConstraint(condition=models.Q(('iamt__gte', 0)), name='ims_iamt_non_negative'),
                ),
                migrations.AddConstraint(
                    model_name='imsrecord',
                    constraint=models.CheckConstraint(condition=models.Q(('camt__gte', 0)), name='ims_camt_non_negative'),
                ),
                migrations.AddConstraint(
                    model_name='imsrecord',
                    constraint=models.CheckConstraint(condition=models.Q(('samt__gte', 0)), name='ims_samt_non_negative'),
                ),
                migrations.AddConstraint(
                    model_name='imsrecord',
                    constraint=models.CheckConstraint(condition=models.Q(('cess__gte', 0)), name='ims_cess_non_negative'),
                ),
                migrations.AddConstraint(
                    model_name='imsrecord',
                    constraint=models.CheckConstraint(condition=models.Q(models.Q(('active', True), _negated=True), models.Q(('kept_out', False), ('left_ims', False), ('removed', False), ('superseded', False)), _connector='OR'), name='ims_active_consistent'),
                ),
                migrations.AddIndex(
                    model_name='imsaudit',
                    index=models.Index(fields=['record', 'id'], name='ims_audit_record'),
                ),
                migrations.AlterModelTable(name='imsrecord', table='invoices_imsrecord'),
                migrations.AlterModelTable(name='imsaudit', table='invoices_imsaudit'),
            ],
            database_operations=[],
        ),
    ]
