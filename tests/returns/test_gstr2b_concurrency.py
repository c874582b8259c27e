"""R-5.5: two generations of the same 2B never run at once (real PostgreSQL row locks, two threads)."""

import threading
import time

import pytest
from django.db import connection

from core import clock
from invoices.services import documents_save, return_file
from returns.models import Gstr2bLine, Gstr2bVersion, Gstr3bFiling
from returns.services import gstr2b as gstr2b_service
from returns.services.gstr2b import gstr2b_generate_if_due, gstr2b_recompute
from tests.conftest import gstr1, inv

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def due_2b(set_clock, supplier, recipient, monkeypatch):
    """KA's 2B of 102025 is due (two filed invoices, 3B of 092025 filed); generation is slowed down so
    that two unserialised runs would overlap."""
    set_clock("2025-10-20 10:00")
    body = gstr1(b2b=[inv("INV-1", "05-10-2025"), inv("INV-2", "06-10-2025", txval="500.00")])
    documents_save(supplier=supplier, period=202510, payload=body, by="s", channel="api")
    set_clock("2025-11-05 10:00")
    return_file(supplier=supplier, period=202509, form="GSTR1", by="s", channel="api")
    return_file(supplier=supplier, period=202510, form="GSTR1", by="s", channel="api")
    set_clock("2025-11-14 00:05")
    Gstr3bFiling.objects.create(taxpayer=recipient, period=202509, filed_at=clock.now())
    summary = gstr2b_service._summary

    def slow_summary(version):
        time.sleep(0.3)
        return summary(version)

    monkeypatch.setattr(gstr2b_service, "_summary", slow_summary)
    return recipient


def both_at_once(fn) -> list:
    """Run fn() in two threads released together; each thread has (and closes) its own connection."""
    barrier = threading.Barrier(2)
    results: list = [None, None]

    def run(i: int) -> None:
        try:
            barrier.wait(timeout=10)
            results[i] = fn()
        except Exception as exc:  # reported by the assertions below
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    return results


def test_r5_5_two_simultaneous_scheduled_generations_make_one_version(due_2b):
    results = both_at_once(
        lambda: gstr2b_generate_if_due(taxpayer=due_2b, period=202510, trigger="schedule", by="system")
    )
    assert sorted(results, key=str) == ["ALREADY_GENERATED", None], results
    v = Gstr2bVersion.objects.get(taxpayer=due_2b, period=202510)
    assert v.version == 1
    assert sorted(Gstr2bLine.objects.filter(version=v).values_list("number", flat=True)) == ["INV-1", "INV-2"]
    assert Gstr2bLine.objects.filter(taxpayer=due_2b).count() == 2
    assert v.itcsumm["itcavl"]["nonrevsup"]["b2b"]["igst"] == "270.00"


def test_r5_5_two_simultaneous_recomputes_make_versions_1_and_2(due_2b):
    results = both_at_once(lambda: gstr2b_recompute(taxpayer=due_2b, period=202510, by="x").version)
    assert sorted(results, key=str) == [1, 2], results
    versions = Gstr2bVersion.objects.filter(taxpayer=due_2b, period=202510).order_by("version")
    assert list(versions.values_list("version", flat=True)) == [1, 2]
    for v in versions:
        assert v.lines.count() == 2
        assert v.itcsumm["itcavl"]["nonrevsup"]["b2b"]["txval"] == "1500.00"
