"""Every IMS list filter is served by an index that starts with the recipient (ARCHITECTURE.md)."""

import pytest
from django.db import connection

from core.api import keyset
from ims.selectors import ims_filter
from tests.conftest import MH


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"section": "b2b"},
        {"action": "P"},
        {"section": "b2bcn", "action": "N"},
        {"stin": MH},
        {"rtnprd": "102025"},
        {"itc_period": "102025"},
        {"q": "INV"},
        # Import of goods: the tab, port code and BoE date filters.
        {"goods_typ": "IMP_GDS"},
        {"portcode": "INNSA1"},
        {"dt": "10-10-2025"},
    ],
)
def test_ims_list_filters_use_an_index(recipient, params):
    if connection.vendor != "postgresql":
        pytest.fail("index plans are checked on PostgreSQL; run the suite with DATABASE_URL=postgres://…")
    qs = ims_filter(recipient=recipient, params=params).order_by("id")[:101]
    with connection.cursor() as cur:
        # With sequential scans priced out, the planner shows which index can serve the query; a filter
        # without a usable index would still fall back to a Seq Scan.
        cur.execute("SET LOCAL enable_seqscan = off")
        plan = qs.explain()
    assert "Seq Scan" not in plan, plan
    assert "ims_" in plan, plan
    rows, _ = keyset(ims_filter(recipient=recipient, params=params), 10, None)
    assert rows == []
