"""Issue 13 item 4: ready for Citus. Every statement the hot paths send to an owner's table names the owner
(the distribution column), so each routes to one shard; and every unique constraint of such a table holds
its owner column. The SQL is captured from the real code paths, not written here."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from customs.models import BillOfEntry
from ims.models import ImsAudit, ImsRecord
from ims.services.actions import ims_actions_apply
from ims.services.bulk import ims_bulk_apply
from invoices.models import Document, ReturnFiling, SummaryRow
from invoices.services import return_file
from recon.models import Line, Match, Pin, Register
from returns.models import AddBack, Gstr2bLine, Gstr2bNote, Gstr2bSlice, Gstr2bVersion, Gstr3bFiling
from returns.services.gstr2b import gstr2b_recompute
from returns.services.gstr3b import gstr3b_view
from tests.conftest import KA, client_for, gstr1, inv, member, note, save

# table -> its owner (distribution) column (docs/SCALING.md).
OWNERS = {
    ImsRecord._meta.db_table: "recipient_id",
    ImsAudit._meta.db_table: "recipient_id",
    Gstr2bVersion._meta.db_table: "taxpayer_id",
    Gstr2bLine._meta.db_table: "taxpayer_id",
    Gstr2bSlice._meta.db_table: "taxpayer_id",
    Gstr2bNote._meta.db_table: "taxpayer_id",
    Gstr3bFiling._meta.db_table: "taxpayer_id",
    AddBack._meta.db_table: "supplier_id",
    Document._meta.db_table: "supplier_id",
    SummaryRow._meta.db_table: "supplier_id",
    ReturnFiling._meta.db_table: "taxpayer_id",
    BillOfEntry._meta.db_table: "importer_id",
    Register._meta.db_table: "taxpayer_id",
    Line._meta.db_table: "taxpayer_id",
    Match._meta.db_table: "taxpayer_id",
    Pin._meta.db_table: "taxpayer_id",
}


def unrouted(statements: list[str]) -> list[str]:
    """The statements that read or change an owner's table without naming its owner in a condition.
    An INSERT … VALUES routes by its rows' owner values and is not a read."""
    bad = []
    for sql in statements:
        flat = " ".join(sql.split())
        if re.match(r"(?i)^(SAVEPOINT|RELEASE|ROLLBACK|BEGIN|COMMIT|SET )", flat):
            continue
        if re.match(r"(?i)^INSERT INTO .* (VALUES|SELECT \* FROM UNNEST)", flat):
            continue  # rows given by value: each goes to its owner's shard
        for table, owner in OWNERS.items():
            # An INSERT … SELECT writes rows whose owner comes from the SELECT: its sources are checked.
            touches = re.search(rf'(?i)\b(FROM|JOIN|UPDATE)\s+"?{table}"?\b', flat)
            if not touches:
                continue
            # The owner in a condition: "table"."owner" = or IN, or an alias's (raw SQL: r.recipient_id =).
            named = re.search(rf'(?i)"?{table}"?\."?{owner}"?\s*(=|IN\b)', flat) or re.search(
                rf'(?i)\b\w+\."?{owner}"?\s*(=|IN\b)|\b{owner}\s*(=|IN\b)', flat
            )
            if not named:
                bad.append(f"{table} without {owner}: {flat[:300]}")
    return bad


def test_issue13_the_checker_catches_a_missing_owner_filter(db):
    with CaptureQueriesContext(connection) as ctx:
        list(ImsRecord.objects.filter(id__in=[1, 2]))  # by id alone: every shard
        list(ImsRecord.objects.filter(recipient_id=1, id__in=[1, 2]))
    assert len(unrouted([q["sql"] for q in ctx.captured_queries])) == 1


@pytest.fixture
def month(set_clock, supplier, recipient):
    set_clock("2025-10-05 10:00")
    save(
        supplier,
        "092025",
        gstr1(b2b=[inv(f"H-{i}", "05-09-2025") for i in range(1, 5)], cdnr=[note("HC-1", "06-09-2025")]),
    )
    return_file(supplier=supplier, period=202509, form="GSTR1", by="sup", channel="api")
    return recipient


def test_issue13_every_hot_path_names_the_owner_of_every_table_it_touches(month, supplier, set_clock):
    recipient = month
    owner = client_for(member(recipient, "owner"))
    ids = list(ImsRecord.objects.filter(recipient=recipient).order_by("id").values_list("id", flat=True))
    # R-2.1's closing check looks across suppliers once per closing (then the cache answers): done here.
    owner.get(f"/api/v1/ims/{KA}/summary")
    with CaptureQueriesContext(connection) as ctx:
        assert owner.get(f"/api/v1/ims/{KA}/inward?section=b2b").status_code == 200  # IMS list
        assert owner.get(f"/api/v1/ims/{KA}/summary").status_code == 200  # summary
        assert owner.get(f"/api/v1/ims/{KA}/inward/{ids[0]}").status_code == 200  # detail
        ims_actions_apply(  # actions
            recipient=recipient,
            actions=[{"id": ids[0], "action": "A"}, {"id": ids[1], "action": "R", "remarks": "No"}],
            by="o",
            channel="api",
        )
        ims_bulk_apply(
            recipient=recipient, filter={"section": "b2b", "action": "N"}, action="P", remarks=None, by="o"
        )
    set_clock("2025-10-14 10:00")
    owner.get(f"/api/v1/ims/{KA}/summary")  # a new closing (the 14th): checked once more, before capturing
    with CaptureQueriesContext(connection) as ctx2:
        gstr2b_recompute(taxpayer=recipient, period=202509, by="o")  # 2B generation
        assert owner.get(f"/api/v1/gstr2b/{KA}/092025").status_code == 200  # 2B read
        gstr3b_view(taxpayer=recipient, period=202509)  # 3B view
        gstr3b_view(taxpayer=supplier, period=202509)
    statements = [q["sql"] for q in [*ctx.captured_queries, *ctx2.captured_queries]]
    assert len(statements) > 40
    bad = unrouted(statements)
    assert bad == [], "\n".join(bad)


def test_issue16_reconciliation_names_the_recipient_in_every_statement(month):
    """Importing a register, matching it, reading its rows, pairing by hand and applying proposals."""
    from recon.services import review

    recipient = month
    user = member(recipient, "owner")
    owner = client_for(user)
    lines = [
        {"stin": "27AAPFU0939F1ZV", "num": f"H-{i}", "dt": "05-09-2025", "txval": 1000, "iamt": 180}
        for i in (1, 2)
    ]
    lines.append({"stin": "27AAPFU0939F1ZV", "num": "X-9", "dt": "05-09-2025", "txval": 5, "iamt": 0})
    owner.get(f"/api/v1/ims/{KA}/summary")  # R-2.1's closing check, once per closing (as above)
    with CaptureQueriesContext(connection) as ctx:
        assert (
            owner.post(f"/api/v1/recon/{KA}/092025/register", {"lines": lines}, format="json").status_code
            == 202
        )
        rows = owner.get(f"/api/v1/recon/{KA}/092025/rows").json()["records"]
        assert owner.get(f"/api/v1/recon/{KA}/092025/summary").status_code == 200
        reg = Register.objects.get(taxpayer=recipient)
        line = next(r for r in rows if r["books"] and r["books"]["num"] == "X-9")
        spare = next(r for r in rows if r["ims"] and r["category"] == "ims_only")
        review.pair(reg, line_id=line["books"]["line"], record_id=spare["ims"]["record"], by="o")
        assert owner.post(f"/api/v1/recon/{KA}/092025/apply", {}, format="json").status_code == 202
    statements = [q["sql"] for q in ctx.captured_queries]
    bad = unrouted(statements)
    assert bad == [], "\n".join(bad)


# Unique keys that cannot hold their owner, each with the plan of docs/SCALING.md: a document number is
# unique per the party who numbers it (for an ECO document the actual supplier, not the operator who files
# it); a bill of entry is customs' own key and moves between importers.
UNIQUE_EXCEPTIONS = {"document_number_unique", "boe_once"}
# Indexes that serve a lookup by something other than the owner, by design (docs/SCALING.md).
INDEX_EXCEPTIONS = {
    "ims_document",  # the supplier's outward view reads its documents' records back (R-7.1)
    "ims_pending_expiry",  # the daily sweep finds the recipients with records due (an admin query)
    "document_number_lookup",  # the number check of R-3.2 (see document_number_unique)
    "document_ctin",  # a GSTIN registering late gets the documents already addressed to it
    "document_open_iff",  # the closing of IFFs on the 14th looks across suppliers once
}


def test_issue13_unique_keys_and_hot_indexes_hold_the_owner_column():
    from django.db.models import UniqueConstraint

    problems = []
    for model in (
        ImsRecord,
        ImsAudit,
        Gstr2bVersion,
        Gstr2bLine,
        Gstr2bSlice,
        Gstr2bNote,
        Gstr3bFiling,
        AddBack,
        Document,
        SummaryRow,
        ReturnFiling,
        BillOfEntry,
        Register,
        Line,
        Match,
        Pin,
    ):
        owner = OWNERS[model._meta.db_table].removesuffix("_id")
        for c in model._meta.constraints:
            if isinstance(c, UniqueConstraint) and owner not in c.fields and c.name not in UNIQUE_EXCEPTIONS:
                problems.append(f"unique {c.name} of {model.__name__} lacks {owner}")
        for i in model._meta.indexes:
            if owner not in i.fields and i.name not in INDEX_EXCEPTIONS:
                problems.append(f"index {i.name} of {model.__name__} lacks {owner}")
    assert problems == [], "\n".join(problems)
