"""Thin Celery tasks: the IFF closing of R-2.1 at 00:00 IST on the 14th (ims_portal/celery.py)."""

from celery import shared_task

from invoices.services.iff_closing import close_due_iffs


@shared_task(name="invoices.tasks.iff_close_scheduled")
def iff_close_scheduled() -> int:
    """R-2.1: move closed IFFs' documents into the quarterly GSTR-1 (reads do it too; idempotent)."""
    return close_due_iffs()
