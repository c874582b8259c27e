"""Every page of the dashboard renders on the demo data for every demo login (make run's first view).

The demo holds every state at once (amendments, waiting and superseded records, stale and final 2Bs,
filed and blocked 3Bs, add-backs, a quarterly taxpayer and an e-commerce operator), so this catches a
template that breaks on a state the focused page tests did not build."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client

from ims.models import ImsRecord
from invoices.models import Document
from taxpayers.access import visible_taxpayers
from taxpayers.models import Taxpayer

PERIODS = ("092025", "102025", "112025", "122025")


@pytest.fixture
def demo(settings, db):
    settings.IMS_SANDBOX_CLOCK = True
    call_command("seed_demo", stdout=StringIO())


def pages_for(gstin: str) -> list[str]:
    urls = [
        f"/g/{gstin}/",
        f"/g/{gstin}/ims/inward",
        f"/g/{gstin}/ims/inward?left=true",
        f"/g/{gstin}/ims/outward",
        f"/g/{gstin}/gstr1/",
        f"/g/{gstin}/gstr2b/",
        f"/g/{gstin}/gstr3b/",
    ]
    for p in PERIODS:
        urls += [f"/g/{gstin}/gstr1/{p}", f"/g/{gstin}/gstr2b/{p}", f"/g/{gstin}/gstr3b/{p}"]
    taxpayer = Taxpayer.objects.get(gstin=gstin)
    urls += [
        f"/g/{gstin}/ims/inward/{r}"
        for r in ImsRecord.objects.filter(recipient=taxpayer, removed=False).values_list("id", flat=True)
    ]
    return urls


@pytest.mark.parametrize("username", ["acme", "bharat", "chennai", "gujarat", "auditor", "preparer", "admin"])
def test_every_page_renders_on_the_demo_data(demo, username):
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.get(username=username)
    c = Client()
    c.force_login(user)
    for taxpayer in visible_taxpayers(user):
        for url in pages_for(taxpayer.gstin):
            r = c.get(url, follow=True)
            # Quarterly months answer with the reason in words, never a server error.
            assert r.status_code == 200, (url, r.status_code)
    assert c.get("/jobs/").status_code == 200
    if user.is_staff:
        assert c.get("/admin-tools/").status_code == 200


def test_unfiled_documents_open_in_the_edit_form(demo):
    from django.contrib.auth import get_user_model

    c = Client()
    c.force_login(get_user_model().objects.get(username="admin"))
    # ECO documents included: the operator edits them in the form too (issue 15).
    docs = Document.objects.filter(filed_at__isnull=True)
    docs = docs.select_related("supplier")
    assert docs.exists()
    for doc in docs:
        p = f"{doc.period % 100:02d}{doc.period // 100}"
        r = c.get(f"/g/{doc.supplier.gstin}/gstr1/{p}/documents/{doc.id}/edit")
        assert r.status_code == 200, (doc.number, r.status_code)
