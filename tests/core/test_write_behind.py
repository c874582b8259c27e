"""Issue 12: ``core.db.WriteBehind`` writes on a second thread inside the caller's transaction, in order,
and never loses an error."""

import contextlib
import threading
import time

import pytest
from django.db import connection, transaction

from core.db import WriteBehind, connection_lock
from taxpayers.models import Taxpayer


def kinds() -> list[str]:
    names = Taxpayer.objects.filter(legal_name__startswith="wb-").order_by("id")
    return list(names.values_list("legal_name", flat=True))


@pytest.mark.django_db(transaction=True)
def test_issue12_calls_run_in_order_on_one_thread_inside_the_callers_transaction():
    threads = []

    def write(kind):
        threads.append(threading.current_thread().name)
        Taxpayer.objects.create(gstin=f"29WB{len(threads):011d}", legal_name=kind, ims_start_period=202510)

    with pytest.raises(RuntimeError, match="roll back"), transaction.atomic():
        with WriteBehind(write) as behind:
            for i in range(5):
                behind(f"wb-{i}")
        assert kinds() == [f"wb-{i}" for i in range(5)]  # written, in order, in this transaction
        raise RuntimeError("roll back")
    assert kinds() == []  # taken back with the caller's transaction
    assert threads == ["write-behind"] * 5
    assert connection.allow_thread_sharing is False


@pytest.mark.django_db
def test_issue12_the_writers_first_error_is_raised_and_nothing_is_written_after_it():
    done = []

    def write(n):
        if n == 2:
            raise ValueError("refused by the database")
        done.append(n)

    with pytest.raises(ValueError, match="refused"), WriteBehind(write) as behind:
        for n in range(6):
            behind(n)
    assert done == [0, 1]


@pytest.mark.django_db
def test_issue12_the_writers_error_wins_over_the_producers_and_names_it_as_context():
    started, gate = threading.Event(), threading.Event()

    def write(n):
        started.set()
        gate.wait(5)
        raise ValueError("the write failed")

    with pytest.raises(ValueError, match="the write failed") as caught, WriteBehind(write) as behind:
        behind(1)
        assert started.wait(5)  # the write is under way when the producer fails
        gate.set()
        raise KeyError("the producer's read failed after it")
    assert isinstance(caught.value.__cause__, KeyError)


@pytest.mark.django_db
def test_issue12_what_is_queued_when_the_producer_fails_is_not_written():
    started, done = threading.Event(), []

    def write(n):
        started.set()
        time.sleep(0.5)  # the producer fails meanwhile
        done.append(n)

    with pytest.raises(KeyError), WriteBehind(write) as behind:
        behind(1)
        assert started.wait(5)  # taken by the writer
        behind(2)  # queued
        raise KeyError("stop")
    assert done == [1]  # the write under way ends; the queued one is dropped


@pytest.mark.django_db
def test_issue12_the_connection_lock_is_shared_by_both_threads_while_writing_behind():
    """A COPY is many protocol messages: while the writer thread holds ``connection_lock()`` (as bulk_insert
    does around COPY), the producer's read waits for it (the upload's file reader takes it); without a writer
    thread there is no lock to wait for."""
    started, events = threading.Event(), []

    def write(n):
        with connection_lock():
            started.set()
            time.sleep(0.3)
            events.append("copy done")

    with WriteBehind(write) as behind:
        behind(1)
        assert started.wait(5)
        with connection_lock():
            events.append("read")
    assert events == ["copy done", "read"]
    assert isinstance(connection_lock(), contextlib.nullcontext)
