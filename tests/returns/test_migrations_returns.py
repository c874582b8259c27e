"""Migrations of the returns app move data forward."""

from decimal import Decimal

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from core import clock


@pytest.mark.django_db(transaction=True)
def test_r6_4_b_existing_reversal_entries_become_the_negatives_of_their_entries(supplier):
    before, after = (
        [("returns", "0003_jobs_move_to_jobs_app")],
        [("returns", "0004_addback_reversals_negative")],
    )
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    old = executor.loader.project_state(before).apps
    AddBack = old.get_model("returns", "AddBack")
    amounts = {"txval": Decimal("50.00"), "igst": Decimal("9.00"), "cgst": 0, "sgst": 0, "cess": 0}
    common = {"supplier_id": supplier.id, "ctin": "29AAGCB7383J1Z4", "section": "b2bcn", "number": "CN-3"}
    common |= {
        "doc_type": "CN",
        "rejected_in_period": 202510,
        "added_in_period": 202511,
        "created_at": clock.now(),
    }
    entry = AddBack.objects.create(record_id=1, reversal=False, **amounts, **common)
    AddBack.objects.create(record_id=2, reversal=True, negates_id=entry.id, **amounts, **common)
    executor = MigrationExecutor(connection)
    executor.migrate(after)
    new = executor.loader.project_state(after).apps.get_model("returns", "AddBack")
    rows = {r.reversal: (r.txval, r.igst) for r in new.objects.all()}
    assert rows == {False: (Decimal("50.00"), Decimal("9.00")), True: (Decimal("-50.00"), Decimal("-9.00"))}
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
