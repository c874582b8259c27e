"""Issue 12: a 2B version holds slices (which records, and their actions as at generation) and notes (the
remarks and declarations of the records that had any) instead of a copy of every line; ``returns_gstr2bline``
becomes a view joining each slice's records with the records, which give the filed documents' fields.

The lines of versions already generated move into slices and notes first (grouped by version, group,
sub-group and key, with their actions and the slices' counted totals), so every stored version reads as
before. The SQL is frozen here, one text per database (PostgreSQL; SQLite for `make run`)."""

import django.db.models.deletion
from django.db import migrations, models

_DECLARED = "grp = 'itcavl' AND sub = 'othersup' AND itc_red_req IS NOT NULL"
_EXTRAS = "remarks, itc_red_req, decl_igst, decl_cgst, decl_sgst, decl_cess"
_TOTALS = "sum(c_txval), " + ", ".join(
    f"COALESCE(sum(CASE WHEN {_DECLARED} THEN decl_{h} ELSE c_{h} END), 0)" for h in ("igst", "cgst", "sgst", "cess")
)
_SLICE_COLUMNS = "version_id, taxpayer_id, period, grp, sub, key, records, actions, lines, txval, igst, cgst, sgst, cess"
_GROUP = "GROUP BY version_id, taxpayer_id, period, grp, sub, key"

LINES_TO_SLICES = {
    "postgresql": f"""
        INSERT INTO returns_gstr2bslice ({_SLICE_COLUMNS})
        SELECT version_id, taxpayer_id, period, grp, sub, key,
               string_agg(record_id::text, ',' ORDER BY record_id), string_agg(action, '' ORDER BY record_id),
               count(*), {_TOTALS}
        FROM returns_gstr2bline {_GROUP}""",
    "sqlite": f"""
        INSERT INTO returns_gstr2bslice ({_SLICE_COLUMNS})
        SELECT version_id, taxpayer_id, period, grp, sub, key, group_concat(record_id, ','),
               group_concat(action, ''), count(*), {_TOTALS}
        FROM (SELECT * FROM returns_gstr2bline ORDER BY record_id) {_GROUP}""",
}
LINES_TO_NOTES = f"""
    INSERT INTO returns_gstr2bnote (version_id, taxpayer_id, record_id, {_EXTRAS})
    SELECT version_id, taxpayer_id, record_id, {_EXTRAS} FROM returns_gstr2bline
    WHERE {" OR ".join(f"{x} IS NOT NULL" for x in _EXTRAS.split(", "))}"""

# The line's columns the record gives (the document's fields, fixed once filed), as the lines were copied.
_SECTION = (
    "CASE r.section WHEN 'b2bdn' THEN 'cdnr' WHEN 'b2bcn' THEN 'cdnr' WHEN 'b2bdna' THEN 'cdnra' "
    "WHEN 'b2bcna' THEN 'cdnra' WHEN 'impga' THEN 'impg' WHEN 'impgseza' THEN 'impgsez' ELSE r.section END"
)
_COUNTED = (
    "CASE WHEN r.doc_type = 'BOE' THEN COALESCE(r.eff_{h}, r.{col}) ELSE ABS(COALESCE(r.eff_{h}, r.{col})) END "
    "AS c_{h}"
)
_RECORD = ", ".join(
    [
        f"{_SECTION} AS section",
        "r.section AS ims_section, r.stin AS ctin, r.trdnm, r.rtnprd AS supprd, r.filed_at AS supfildt",
        "r.number, r.doc_date, r.orig_number, r.orig_date, r.doc_type, r.inv_typ, r.val, r.pos, r.portcode",
        "r.refdt, r.recdt, r.rchrg AS rev, r.items, r.diffprcnt, r.rsn",
        "r.txval, r.iamt AS igst, r.camt AS cgst, r.samt AS sgst, r.cess",
        *(
            _COUNTED.format(h=h, col=col)
            for h, col in (("txval", "txval"), ("igst", "iamt"), ("cgst", "camt"), ("sgst", "samt"), ("cess", "cess"))
        ),
        "r.section IN ('b2ba', 'b2bdna', 'b2bcna', 'ecoma', 'impga', 'impgseza') AS is_amendment",
    ]
)
_SLICE = "s.version_id, s.taxpayer_id, s.period, s.grp, s.sub, s.key"

_NOTE = "n.remarks, n.itc_red_req, n.decl_igst, n.decl_cgst, n.decl_sgst, n.decl_cess"
_JOIN = """JOIN ims_imsrecord r ON r.id = u.record_id AND r.recipient_id = s.taxpayer_id
        LEFT JOIN returns_gstr2bnote n
          ON n.taxpayer_id = s.taxpayer_id AND n.version_id = s.version_id AND n.record_id = u.record_id"""
CREATE_VIEW = {
    # Each slice's ids and actions are split once (string_to_array with no delimiter gives the letters).
    "postgresql": f"""
        CREATE VIEW returns_gstr2bline AS
        SELECT u.record_id AS id, {_SLICE}, u.record_id, {_RECORD}, u.action::varchar(1) AS action, {_NOTE}
        FROM returns_gstr2bslice s
        CROSS JOIN LATERAL unnest(string_to_array(s.records, ',')::bigint[], string_to_array(s.actions, NULL))
            AS u(record_id, action)
        {_JOIN}""",
    "sqlite": f"""
        CREATE VIEW returns_gstr2bline AS
        SELECT u.record_id AS id, {_SLICE}, u.record_id, {_RECORD}, u.action AS action, {_NOTE}
        FROM returns_gstr2bslice s
        JOIN (SELECT j.value AS record_id, substr(s2.actions, j.key + 1, 1) AS action, s2.id AS slice_id
              FROM returns_gstr2bslice s2 JOIN json_each('[' || s2.records || ']') j) u ON u.slice_id = s.id
        {_JOIN}""",
}


def lines_to_slices(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    schema_editor.execute(LINES_TO_SLICES[vendor])
    schema_editor.execute(LINES_TO_NOTES)
    schema_editor.execute("DROP TABLE returns_gstr2bline")
    schema_editor.execute(CREATE_VIEW[vendor])


def slices_to_lines(apps, schema_editor):
    """Back: the view's lines copied into the table they were in."""
    line = apps.get_model("returns", "Gstr2bLine")
    columns = ", ".join(f.column for f in line._meta.concrete_fields if f.column != "id")
    schema_editor.execute(f"CREATE TEMPORARY TABLE gstr2b_lines_back AS SELECT {columns} FROM returns_gstr2bline")
    schema_editor.execute("DROP VIEW returns_gstr2bline")
    schema_editor.create_model(line)
    schema_editor.execute(f"INSERT INTO returns_gstr2bline ({columns}) SELECT {columns} FROM gstr2b_lines_back")
    schema_editor.execute("DROP TABLE gstr2b_lines_back")


class Migration(migrations.Migration):
    dependencies = [
        ("returns", "0009_webhooks"),
        ("taxpayers", "0005_maker_checker"),
        ("ims", "0010_fewer_indexes"),
    ]

    operations = [
        migrations.CreateModel(
            name="Gstr2bSlice",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("period", models.PositiveIntegerField()),
                ("grp", models.CharField(max_length=12)),
                ("sub", models.CharField(max_length=10)),
                ("key", models.CharField(max_length=8)),
                ("records", models.TextField()),
                ("actions", models.TextField()),
                ("lines", models.PositiveIntegerField()),
                ("txval", models.DecimalField(decimal_places=2, max_digits=15)),
                ("igst", models.DecimalField(decimal_places=2, max_digits=15)),
                ("cgst", models.DecimalField(decimal_places=2, max_digits=15)),
                ("sgst", models.DecimalField(decimal_places=2, max_digits=15)),
                ("cess", models.DecimalField(decimal_places=2, max_digits=15)),
                (
                    "taxpayer",
                    models.ForeignKey(
                        db_constraint=False,
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="taxpayers.taxpayer",
                    ),
                ),
                (
                    "version",
                    models.ForeignKey(
                        db_constraint=False,
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="slices",
                        to="returns.gstr2bversion",
                    ),
                ),
            ],
            options={
                "indexes": [models.Index(fields=["taxpayer", "version"], name="gstr2b_slice_version")],
            },
        ),
        migrations.CreateModel(
            name="Gstr2bNote",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("record_id", models.BigIntegerField()),
                ("remarks", models.CharField(max_length=500, null=True)),
                ("itc_red_req", models.CharField(max_length=1, null=True)),
                ("decl_igst", models.DecimalField(decimal_places=2, max_digits=15, null=True)),
                ("decl_cgst", models.DecimalField(decimal_places=2, max_digits=15, null=True)),
                ("decl_sgst", models.DecimalField(decimal_places=2, max_digits=15, null=True)),
                ("decl_cess", models.DecimalField(decimal_places=2, max_digits=15, null=True)),
                (
                    "taxpayer",
                    models.ForeignKey(
                        db_constraint=False,
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="taxpayers.taxpayer",
                    ),
                ),
                (
                    "version",
                    models.ForeignKey(
                        db_constraint=False,
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="notes",
                        to="returns.gstr2bversion",
                    ),
                ),
            ],
            options={
                "indexes": [models.Index(fields=["taxpayer", "version", "record_id"], name="gstr2b_note_record")],
            },
        ),
        migrations.RunPython(lines_to_slices, slices_to_lines),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveIndex(model_name="gstr2bline", name="gstr2b_line_order"),
                migrations.AlterField(
                    model_name="gstr2bline",
                    name="id",
                    field=models.BigIntegerField(primary_key=True, serialize=False),
                ),
                migrations.AlterField(
                    model_name="gstr2bline",
                    name="version",
                    field=models.ForeignKey(
                        db_constraint=False,
                        db_index=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="lines",
                        to="returns.gstr2bversion",
                    ),
                ),
                migrations.AlterField(
                    model_name="gstr2bline",
                    name="taxpayer",
                    field=models.ForeignKey(
                        db_constraint=False,
                        db_index=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="taxpayers.taxpayer",
                    ),
                ),
                migrations.AlterModelOptions(name="gstr2bline", options={"managed": False}),
                migrations.AlterModelTable(name="gstr2bline", table="returns_gstr2bline"),
            ],
        ),
    ]
