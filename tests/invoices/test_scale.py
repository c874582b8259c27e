"""R-9 scale: saving and filing a batch costs a bounded number of queries that does not grow with its
size (STYLE.md habit 4: no query per document)."""

import time

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ims.models import ImsAudit, ImsRecord
from invoices.models import Document
from invoices.services import documents_save, return_file
from taxpayers.domain import gstin_check_char
from taxpayers.models import Taxpayer
from taxpayers.services import taxpayer_create
from tests.conftest import DL, GJ, KA, TN, inv, note

# Two registered recipients (KA, GJ) and two that are not (TN, DL), each with its own place of supply.
RECIPIENTS = [(KA, "29"), (GJ, "24"), (TN, "33"), (DL, "07")]


def batch(n: int, prefix: str, day: str, *, txval: str = "1000.00") -> dict:
    """n documents, alternating invoices and credit notes, spread over the four recipients."""
    b2b = {g: [] for g, _ in RECIPIENTS}
    cdnr = {g: [] for g, _ in RECIPIENTS}
    for i in range(n):
        ctin, pos = RECIPIENTS[i % len(RECIPIENTS)]
        if i % 2 == 0:
            b2b[ctin].append(inv(f"{prefix}{i}", day, pos=pos, txval=txval))
        else:
            cdnr[ctin].append(note(f"{prefix}C{i}", day, pos=pos, txval=txval))
    return {
        "b2b": [{"ctin": g, "inv": docs} for g, docs in b2b.items() if docs],
        "cdnr": [{"ctin": g, "nt": docs} for g, docs in cdnr.items() if docs],
    }


def queries_to_save(supplier, period: int, payload) -> tuple[int, dict]:
    with CaptureQueriesContext(connection) as ctx:
        result = documents_save(supplier=supplier, period=period, payload=payload, by="test", channel="api")
    return len(ctx.captured_queries), result


def queries_to_file(supplier, period: int) -> tuple[int, dict]:
    with CaptureQueriesContext(connection) as ctx:
        result = return_file(supplier=supplier, period=period, form="GSTR1", by="test", channel="api")
    return len(ctx.captured_queries), result


@pytest.fixture
def parties(set_clock, supplier, recipient):
    set_clock("2025-11-05 10:00")
    taxpayer_create(gstin=GJ, legal_name="Gujarat Goods", ims_start_period="092025")
    return supplier


def test_r9_saving_a_batch_costs_the_same_queries_for_20_and_400_documents(parties):
    small, r20 = queries_to_save(parties, 202510, batch(20, "A", "05-10-2025"))
    large, r400 = queries_to_save(parties, 202510, batch(400, "B", "05-10-2025"))
    assert (r20["created"], r400["created"]) == (20, 400)
    assert ImsRecord.objects.count() == 210  # half of each batch goes to the registered KA and GJ
    assert small == large, (small, large)


def test_r9_editing_a_batch_costs_the_same_queries_for_20_and_400_documents(parties):
    queries_to_save(parties, 202510, batch(20, "A", "05-10-2025"))
    queries_to_save(parties, 202510, batch(400, "B", "05-10-2025"))
    small, r20 = queries_to_save(parties, 202510, batch(20, "A", "05-10-2025", txval="2000.00"))
    large, r400 = queries_to_save(parties, 202510, batch(400, "B", "05-10-2025", txval="2000.00"))
    assert (r20["updated"], r400["updated"]) == (20, 400)
    assert small == large, (small, large)
    same, r = queries_to_save(parties, 202510, batch(400, "B", "05-10-2025", txval="2000.00"))
    assert r["unchanged"] == 400
    assert same <= large


def test_r9_filing_costs_the_same_queries_for_20_and_400_documents(parties):
    queries_to_save(parties, 202509, batch(20, "A", "05-09-2025"))
    queries_to_save(parties, 202510, batch(400, "B", "05-10-2025"))
    small, r20 = queries_to_file(parties, 202509)
    large, r400 = queries_to_file(parties, 202510)
    assert (r20["documents"], r400["documents"]) == (20, 400)
    # Filing 102025 reads nothing more than 092025: the previous-period check uses the filings loaded once.
    assert small == large, (small, large)


@pytest.mark.slow
def test_r9_ten_thousand_documents_save_and_file_in_bounded_queries(parties):
    started = time.monotonic()
    saved, result = queries_to_save(parties, 202509, batch(10_000, "N", "05-09-2025"))
    assert result == {"form": "GSTR1", "created": 10_000, "updated": 0, "unchanged": 0}
    assert saved < 40, saved
    assert Document.objects.count() == 10_000
    assert ImsRecord.objects.count() == 5_000
    assert ImsAudit.objects.count() == 5_000
    filed, result = queries_to_file(parties, 202509)
    assert result["documents"] == 10_000
    assert filed < 40, filed
    assert not Document.objects.filter(filed_at__isnull=True).exists()
    assert time.monotonic() - started < 60


def many_recipients(n: int) -> list[str]:
    """n registered Karnataka recipients with valid GSTINs (R-1.1), created in one query."""
    gstins = []
    for i in range(n):
        first14 = f"29AAGCB{i:04d}J1Z"
        gstins.append(first14 + gstin_check_char(first14))
    Taxpayer.objects.bulk_create(
        [
            Taxpayer(gstin=g, legal_name=f"Buyer {i}", state_code="29", ims_start_period=202509)
            for i, g in enumerate(gstins)
        ]
    )
    return gstins


def one_each(gstins: list[str], prefix: str, day: str) -> dict:
    return {"b2b": [{"ctin": g, "inv": [inv(f"{prefix}{i}", day)]} for i, g in enumerate(gstins)]}


def test_r9_queries_do_not_grow_with_the_number_of_recipients(parties):
    gstins = many_recipients(420)
    small, _ = queries_to_save(parties, 202509, one_each(gstins[:20], "A", "05-09-2025"))
    large, _ = queries_to_save(parties, 202510, one_each(gstins[20:], "B", "05-10-2025"))
    assert ImsRecord.objects.count() == 420
    assert small == large, (small, large)
    small, _ = queries_to_file(parties, 202509)
    large, _ = queries_to_file(parties, 202510)
    assert small == large, (small, large)
